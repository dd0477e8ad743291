/**
 * Durability and zero knowledge: data in a data directory survives a restart, and after a full
 * run with canary values neither the SQLite files (including -wal) nor the log lines contain
 * any secret value, comment, project key, private key, password, or even a secret name.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  login,
  RawClient,
  signupAdmin,
  startTestServer,
} from "./helpers";

const CANARY = {
  adminPassword: "canary-admin-password-7f3a",
  memberPassword: "canary-member-password-91c2",
  value: "canary-secret-value-5d8e",
  updatedValue: "canary-updated-value-0b4f",
  comment: "canary-comment-c6a1",
  batchValue: "canary-batch-value-77aa",
  name: "CANARY_NAME_E3B0",
};

function scanDir(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file));
    for (const needle of needles)
      if (bytes.includes(Buffer.from(needle, "utf8"))) found.push(`${file}: ${needle.slice(0, 12)}…`);
  }
  return found;
}

describe("server: persistence across restart and the leak test", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "infisical-e2ee-server-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("a full run leaves no plaintext in the database files or logs; the data survives a restart", async () => {
    const server = await startTestServer({ dataDir });
    const { client } = server;
    await signupAdmin(client, "admin@example.com", CANARY.adminPassword);
    const admin = await login(client, "admin@example.com", CANARY.adminPassword);
    const project = await createProject(client, admin, "Canary");
    const member = await inviteUser(client, admin, "member@example.com", CANARY.memberPassword);
    await addMember(client, admin, project, member);
    const token = await createServiceToken(client, admin, project);
    const where = { workspaceId: project.id, environment: "dev", secretPath: "/" };
    const name = encodeURIComponent(CANARY.name);
    assert.equal(
      (
        await client.post(
          `/api/v3/secrets/${name}`,
          { ...where, ...encryptSecret(project.projectKey, CANARY.name, CANARY.value, CANARY.comment) },
          admin.token,
        )
      ).status,
      200,
    );
    const update = encryptSecret(project.projectKey, CANARY.name, CANARY.updatedValue);
    assert.equal((await client.patch(`/api/v3/secrets/${name}`, { ...where, ...update }, token.token)).status, 200);
    const batch = await client.post(
      "/api/v3/secrets/batch",
      {
        ...where,
        secrets: [
          {
            secretName: `${CANARY.name}_B`,
            ...encryptSecret(project.projectKey, `${CANARY.name}_B`, CANARY.batchValue),
          },
        ],
      },
      admin.token,
    );
    assert.equal(batch.status, 200);
    assert.equal((await client.get(`/api/v3/secrets/${name}`, token.token, where)).status, 200);
    assert.equal((await client.get("/api/v3/secrets", admin.token, where)).status, 200);
    assert.equal((await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token)).status, 200);

    const needles = [
      CANARY.adminPassword,
      CANARY.memberPassword,
      CANARY.value,
      CANARY.updatedValue,
      CANARY.comment,
      CANARY.batchValue,
      CANARY.name,
      project.projectKey,
      admin.keys.privateKey,
      member.keys.privateKey,
      token.token.split(".")[3]!, // the service token's own key
      token.bearer.split(".")[2]!, // the service token's secret (only its hash is stored)
    ];
    const files = readdirSync(dataDir);
    assert.ok(
      files.some((f) => f.endsWith("-wal")),
      `expected a WAL file, got ${files.join(", ")}`,
    );
    assert.deepEqual(scanDir(dataDir, needles), []);
    // Positive control: the scan does find what the server legitimately stores.
    assert.ok(scanDir(dataDir, [admin.keys.publicKey]).length > 0);
    assert.ok(server.logLines.length > 10);
    assert.deepEqual(
      server.logLines.filter((line) => needles.some((n) => line.includes(n))),
      [],
    );
    assert.ok(
      server.logLines.every((line) => /^(GET|POST|PATCH|DELETE|PUT) \S+ \d{3} \d+\.\dms$/.test(line)),
      server.logLines[0],
    );
    assert.ok(server.logLines.some((l) => l.startsWith("POST /api/v3/secrets/:secretName 200")));
    await server.close();
    assert.deepEqual(scanDir(dataDir, needles), []);

    // Restart on the same directory: logins, tokens, keys and blind indexes all still work.
    const again = await startTestServer({ dataDir });
    try {
      const c = new RawClient(again.url);
      assert.equal((await c.get("/api/v1/admin/config")).body.config.initialized, true);
      // The old access token still verifies (the signing key lives in the data dir).
      assert.equal((await c.get("/api/v1/workspace", admin.token)).status, 200);
      const relogin = await login(c, "admin@example.com", CANARY.adminPassword);
      const got = await c.get(`/api/v3/secrets/${name}`, token.token, where);
      assert.equal(got.status, 200);
      const s = got.body.secret;
      assert.equal(
        decryptSymmetric(
          { ciphertext: s.secretValueCiphertext, iv: s.secretValueIV, tag: s.secretValueTag },
          project.projectKey,
        ),
        CANARY.updatedValue,
      );
      assert.equal(s.version, 2);
      const list = await c.get("/api/v3/secrets", relogin.token, where);
      assert.equal(list.body.secrets.length, 2);
      const key = await c.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token);
      assert.equal(key.status, 200);
    } finally {
      await again.close();
    }
  });
});
