/**
 * Upgrades lose nothing: the data folder the 0.1.0 server wrote (test/fixtures/server-0.1.0,
 * Argon2id blind indexes, schema 1) opens in today's server process, every secret in it is
 * served (by list, by name through the blind index, with its history), writes keep working in
 * the old project, and new projects get the HMAC scheme.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import { createProject, encryptSecret, fetchProjectKey, type Json, login } from "./helpers";
import { copyFixture, type FixtureSecret, fixturePath, type ServerProcess, startServerProcess } from "./process";

const manifest = JSON.parse(readFileSync(fixturePath("server-0.1.0", "manifest.json"), "utf8")) as {
  admin: { email: string; password: string };
  member: { email: string; password: string };
  project: { id: string };
  serviceToken: { token: string };
  secrets: FixtureSecret[];
};

function open(s: Json, key: string, field: "Key" | "Value" | "Comment"): string {
  return decryptSymmetric(
    { ciphertext: s[`secret${field}Ciphertext`], iv: s[`secret${field}IV`], tag: s[`secret${field}Tag`] },
    key,
  );
}

describe("server: a data folder written by 0.1.0", () => {
  const dataDir = copyFixture("server-0.1.0");
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dirname(dataDir), { recursive: true, force: true });
  });

  it("opens, serves every secret (list, by name, history), accepts writes, and new projects use HMAC", async () => {
    server = await startServerProcess(["--data", dataDir, "--quiet"]);
    const { client } = server;
    const projectId = manifest.project.id;
    const admin = await login(client, manifest.admin.email, manifest.admin.password);
    const projectKey = await fetchProjectKey(client, admin, projectId);
    const token = manifest.serviceToken.token;

    // Every secret appears in its folder's list, decrypting to the recorded name, value and comment.
    for (const expected of manifest.secrets) {
      const where = { workspaceId: projectId, environment: expected.environment, secretPath: expected.path };
      const list = await client.get("/api/v3/secrets", admin.token, where);
      assert.equal(list.status, 200);
      const found = (list.body.secrets as Json[]).filter(
        (s) => s.type === expected.type && open(s, projectKey, "Key") === expected.name,
      );
      assert.equal(found.length, 1, `${expected.environment}:${expected.path} ${expected.name} (${expected.type})`);
      const s = found[0];
      assert.equal(open(s, projectKey, "Value"), expected.value);
      if (expected.comment !== undefined) assert.equal(open(s, projectKey, "Comment"), expected.comment);
      assert.equal(s.version, expected.version);

      // By name: the Argon2id blind index written by 0.1.0 still finds it.
      const byName = await client.get(`/api/v3/secrets/${encodeURIComponent(expected.name)}`, admin.token, {
        ...where,
        type: expected.type,
      });
      assert.equal(byName.status, 200, `${expected.name}: ${JSON.stringify(byName.body)}`);
      assert.equal(byName.body.secret.id, s.id);
      assert.equal(open(byName.body.secret, projectKey, "Value"), expected.value);

      if (expected.history) {
        const versions = await client.get(`/api/v1/secret/${s.id}/secret-versions`, admin.token);
        assert.equal(versions.status, 200);
        const values = (versions.body.secretVersions as Json[])
          .sort((a, b) => a.version - b.version)
          .map((v) => open(v, projectKey, "Value"));
        assert.deepEqual(values, [...expected.history, expected.value]);
      }
    }
    // The service token from 0.1.0 still authenticates and reads by name.
    const devRoot = { workspaceId: projectId, environment: "dev", secretPath: "/" };
    const viaToken = await client.get("/api/v3/secrets/DATABASE_URL", token, devRoot);
    assert.equal(viaToken.status, 200);
    assert.equal(open(viaToken.body.secret, projectKey, "Value"), "postgres://app:fixture@db/app");

    // Writes in the old project: update, create (duplicate check under the old scheme), delete.
    const update = await client.patch(
      "/api/v3/secrets/API_KEY",
      { ...devRoot, ...encryptSecret(projectKey, "API_KEY", "api-key-v3") },
      token,
    );
    assert.equal(update.status, 200);
    assert.equal(update.body.secret.version, 3);
    const duplicate = await client.post(
      "/api/v3/secrets/DATABASE_URL",
      { ...devRoot, ...encryptSecret(projectKey, "DATABASE_URL", "x") },
      token,
    );
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.message, "Secret already exist");
    const created = await client.post(
      "/api/v3/secrets/NEW_AFTER_UPGRADE",
      { ...devRoot, ...encryptSecret(projectKey, "NEW_AFTER_UPGRADE", "fresh") },
      token,
    );
    assert.equal(created.status, 200);
    assert.equal((await client.delete("/api/v3/secrets/BATCH_A", devRoot, token)).status, 200);
    assert.equal((await client.get("/api/v3/secrets/BATCH_A", token, devRoot)).status, 400);

    // The second user of 0.1.0 still logs in and unwraps the project key.
    const member = await login(client, manifest.member.email, manifest.member.password);
    assert.equal(await fetchProjectKey(client, member, projectId), projectKey);

    // A project created now uses the HMAC scheme.
    const fresh = await createProject(client, admin, "After Upgrade");
    const freshWhere = { workspaceId: fresh.id, environment: "dev", secretPath: "/" };
    assert.equal(
      (
        await client.post(
          "/api/v3/secrets/FAST",
          { ...freshWhere, ...encryptSecret(fresh.projectKey, "FAST", "1") },
          admin.token,
        )
      ).status,
      200,
    );
    assert.equal((await client.get("/api/v3/secrets/FAST", admin.token, freshWhere)).status, 200);

    const stopped = await server.stop();
    server = undefined;
    assert.equal(stopped.code, 0);

    const db = new DatabaseSync(`${dataDir}/infisical-e2ee.sqlite`, { readOnly: true });
    try {
      const schemes = db.prepare("SELECT id, blind_index_scheme AS scheme FROM projects ORDER BY created_at").all();
      assert.deepEqual(
        schemes.map((r) => [r.id, r.scheme]),
        [
          [projectId, "argon2id"],
          [fresh.id, "hmac-sha256"],
        ],
      );
      assert.ok(Number((db.prepare("PRAGMA user_version").get() as Json).user_version) >= 2);
      // The rebuilt secrets table may hold un-indexed secrets (design 0041) and kept its references.
      const blindIndex = (db.prepare("PRAGMA table_info(secrets)").all() as Json[]).find(
        (c) => c.name === "blind_index",
      );
      assert.equal(blindIndex.notnull, 0);
      assert.deepEqual(db.prepare("PRAGMA foreign_key_check").all(), []);
    } finally {
      db.close();
    }

    // And a second start on the upgraded folder (no migration left to run) serves the same data.
    server = await startServerProcess(["--data", dataDir, "--quiet"]);
    const again = await server.client.get("/api/v3/secrets/API_KEY", token, devRoot);
    assert.equal(again.status, 200);
    assert.equal(open(again.body.secret, projectKey, "Value"), "api-key-v3");
    assert.equal((await server.client.get("/api/v3/secrets/NEW_AFTER_UPGRADE", token, devRoot)).status, 200);
  });
});
