/**
 * The blind-index routes (routes-more.md §5) on a real embedded server over HTTP, with a project
 * made to look as one from before April 2023 by dropping indexes straight in its database
 * (test/support/unindexed-project.ts): status, the admin-only list and names routes, how by-name
 * routes treat un-indexed secrets, and what a weaker or hostile caller gets.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import { MAX_NAMES_PER_REQUEST } from "../../src/server/routes/blind-indexes";
import { dropBlindIndexes, indexState, versionRowCount } from "../support/unindexed-project";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  type Json,
  login,
  type Session,
  signupAdmin,
  startTestServer,
  type TestProject,
  type TestServer,
} from "./helpers";

const status = (server: TestServer, projectId: string, token: string) =>
  server.client.get(`/api/v3/workspaces/${projectId}/secrets/blind-index-status`, token);
const listAll = (server: TestServer, projectId: string, token: string) =>
  server.client.get(`/api/v3/workspaces/${projectId}/secrets`, token);
const submit = (server: TestServer, projectId: string, body: unknown, token: string) =>
  server.client.post(`/api/v3/workspaces/${projectId}/secrets/names`, body, token);

describe("server: blind indexes for projects from before April 2023", () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "infisical-e2ee-blind-")), "data");
  let server: TestServer;
  let admin: Session;
  let member: Session;
  let project: TestProject;
  let other: TestProject;
  let token: string;
  /** name → secret id, in dev:/ and dev:/app. */
  const ids = new Map<string, string>();

  async function put(p: TestProject, name: string, path = "/", type = "shared") {
    const res = await server.client.post(
      `/api/v3/secrets/${name}`,
      { workspaceId: p.id, environment: "dev", secretPath: path, type, ...encryptSecret(p.projectKey, name, "v") },
      type === "personal" ? member.token : admin.token,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.secret.id as string;
  }

  before(async () => {
    server = await startTestServer({ dataDir });
    await signupAdmin(server.client);
    admin = await login(server.client, "admin@example.com", "admin-password-1");
    project = await createProject(server.client, admin, "old project");
    other = await createProject(server.client, admin, "other project");
    member = await inviteUser(server.client, admin, "member@example.com", "member-password-1");
    await addMember(server.client, admin, project, member);
    token = (await createServiceToken(server.client, admin, project)).token;
    const folder = await server.client.post(
      "/api/v1/folders",
      { workspaceId: project.id, environment: "dev", name: "app", path: "/" },
      admin.token,
    );
    assert.equal(folder.status, 200);
    ids.set("DB_URL", await put(project, "DB_URL"));
    ids.set("API_KEY", await put(project, "API_KEY"));
    ids.set("app/DB_URL", await put(project, "DB_URL", "/app"));
    ids.set("personal/DB_URL", await put(project, "DB_URL", "/", "personal"));
    ids.set("other/X", await put(other, "X"));
  });
  after(async () => {
    await server?.close();
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("status is true for a new project, false once a secret lacks its index; JWT members only", async () => {
    assert.deepEqual([(await status(server, project.id, admin.token)).body], [true]);
    assert.equal(dropBlindIndexes(dataDir, project.id), 4);
    const res = await status(server, project.id, admin.token);
    assert.equal(res.status, 200);
    assert.equal(res.body, false, "a bare JSON boolean");
    assert.equal((await status(server, project.id, member.token)).body, false, "any member may ask");
    const byToken = await status(server, project.id, token);
    assert.equal(byToken.status, 403);
    assert.match(byToken.body.message, /Unauthorized Access|not allowed/);
    assert.equal((await status(server, project.id, "not-a-jwt")).status, 403);
    assert.equal((await status(server, other.id, member.token)).status, 403, "non-member: User not in project");
    assert.equal((await status(server, other.id, admin.token)).body, true, "the other project is untouched");
  });

  it("un-indexed secrets: listed and decryptable, 400 'Secret not found' by name", async () => {
    const where = { workspaceId: project.id, environment: "dev", secretPath: "/" };
    const list = await server.client.get("/api/v3/secrets", admin.token, where);
    assert.equal(list.status, 200);
    assert.equal(list.body.secrets.filter((s: Json) => s.type === "shared").length, 2);
    const get = await server.client.get("/api/v3/secrets/DB_URL", admin.token, where);
    assert.deepEqual([get.status, get.body.message], [400, "Secret not found"]);
    const patch = await server.client.patch(
      "/api/v3/secrets/DB_URL",
      { ...where, ...encryptSecret(project.projectKey, "DB_URL", "changed") },
      admin.token,
    );
    assert.deepEqual([patch.status, patch.body.message], [400, "Secret not found"]);
    const del = await server.client.delete("/api/v3/secrets/API_KEY", where, token);
    assert.deepEqual([del.status, del.body.message], [400, "Secret not found"]);
    assert.equal(indexState(dataDir, project.id).unindexed.length, 4, "nothing changed");
  });

  it("list: the admin gets every secret of the project (all folders, overrides) without blind indexes", async () => {
    const res = await listAll(server, project.id, admin.token);
    assert.equal(res.status, 200);
    const secrets = res.body.secrets as Json[];
    assert.deepEqual(
      secrets.map((s) => s.id).sort(),
      [...ids.entries()]
        .filter(([k]) => !k.startsWith("other/"))
        .map(([, id]) => id)
        .sort(),
    );
    for (const s of secrets) {
      assert.equal(s.environment, "dev");
      assert.equal(s.workspace, project.id);
      assert.equal(typeof s.folderId, "string");
      assert.equal("secretBlindIndex" in s, false);
      assert.equal("secretPath" in s, false);
    }
    const personal = secrets.find((s) => s.type === "personal");
    assert.equal(personal.userId, member.userId, "another user's personal override is included");
    assert.equal(
      decryptSymmetric(
        { ciphertext: personal.secretKeyCiphertext, iv: personal.secretKeyIV, tag: personal.secretKeyTag },
        project.projectKey,
      ),
      "DB_URL",
    );
  });

  it("list and names refuse a member (403 User must be admin), a service token and a non-member", async () => {
    const byMember = await listAll(server, project.id, member.token);
    assert.deepEqual(
      [byMember.status, byMember.body.message, byMember.body.error],
      [403, "User must be admin", "UnauthorizedError"],
    );
    const names = [{ secretId: ids.get("DB_URL"), secretName: "DB_URL" }];
    const namesByMember = await submit(server, project.id, { secretsToUpdate: names }, member.token);
    assert.deepEqual([namesByMember.status, namesByMember.body.message], [403, "User must be admin"]);
    assert.equal((await listAll(server, project.id, token)).status, 403);
    assert.equal((await submit(server, project.id, { secretsToUpdate: names }, token)).status, 403);
    assert.equal((await listAll(server, other.id, member.token)).status, 403);
    assert.equal(indexState(dataDir, project.id).unindexed.length, 4, "nothing changed");
  });

  it("names: malformed, oversized, foreign or duplicate input is a 4xx and changes nothing", async () => {
    const before = indexState(dataDir, project.id);
    const versionRows = versionRowCount(dataDir, project.id);
    const good = { secretId: ids.get("DB_URL")!, secretName: "DB_URL" };
    const cases: Array<[string, unknown, number, RegExp]> = [
      ["missing secretsToUpdate", {}, 403, /ValidationFailure/],
      [
        "non-UUID id",
        { secretsToUpdate: [good, { secretId: "1 OR 1=1", secretName: "X" }] },
        403,
        /secretsToUpdate.*secretId|ValidationFailure/,
      ],
      ["empty name", { secretsToUpdate: [{ ...good, secretName: "   " }] }, 403, /ValidationFailure/],
      ["control character", { secretsToUpdate: [{ ...good, secretName: "A\u0000B" }] }, 403, /ValidationFailure/],
      ["not NFC", { secretsToUpdate: [{ ...good, secretName: "e\u0301" }] }, 403, /ValidationFailure/],
      [
        "too many",
        { secretsToUpdate: Array.from({ length: MAX_NAMES_PER_REQUEST + 1 }, () => good) },
        403,
        /ValidationFailure/,
      ],
      [
        "another project's secret",
        { secretsToUpdate: [good, { secretId: ids.get("other/X"), secretName: "X" }] },
        400,
        /Secret not found/,
      ],
      [
        "unknown UUID",
        { secretsToUpdate: [good, { secretId: "00000000-0000-4000-8000-000000000000", secretName: "X" }] },
        400,
        /Secret not found/,
      ],
      ["the same id twice", { secretsToUpdate: [good, good] }, 400, /only once/],
      [
        "two names to one index",
        { secretsToUpdate: [good, { secretId: ids.get("API_KEY"), secretName: "DB_URL" }] },
        400,
        /collides/,
      ],
    ];
    for (const [what, body, code, message] of cases) {
      const res = await submit(server, project.id, body, admin.token);
      assert.equal(res.status, code, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.match(JSON.stringify(res.body), message, what);
    }
    const huge = await server.client.request("POST", `/api/v3/workspaces/${project.id}/secrets/names`, {
      token: admin.token,
      rawBody: JSON.stringify({ secretsToUpdate: [{ ...good, secretName: "x".repeat(2 * 1024 * 1024) }] }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(huge.status, 413);
    const notJson = await server.client.request("POST", `/api/v3/workspaces/${project.id}/secrets/names`, {
      token: admin.token,
      rawBody: "{secretsToUpdate:",
      headers: { "content-type": "application/json" },
    });
    assert.equal(notJson.status, 400);
    const empty = await submit(server, project.id, { secretsToUpdate: [] }, admin.token);
    assert.deepEqual([empty.status, empty.body.message], [200, "Successfully named workspace secrets"]);
    const after = indexState(dataDir, project.id);
    assert.deepEqual(after, before, "no index and no version moved");
    assert.equal(versionRowCount(dataDir, project.id), versionRows);
  });

  it("names refuses a name that collides with a secret created by name meanwhile (the real server would not)", async () => {
    // As on the real server, a create of an un-indexed name succeeds and adds a second row.
    const twin = await put(project, "API_KEY");
    const res = await submit(
      server,
      project.id,
      { secretsToUpdate: [{ secretId: ids.get("API_KEY"), secretName: "API_KEY" }] },
      admin.token,
    );
    assert.equal(res.status, 400);
    assert.match(res.body.message, new RegExp(`collides with secret ${twin}`));
    const del = await server.client.delete(
      "/api/v3/secrets/API_KEY",
      { workspaceId: project.id, environment: "dev", secretPath: "/" },
      admin.token,
    );
    assert.equal(del.status, 200, "the copy made by name can be deleted by name");
  });

  it("names indexes every secret (same name in two folders, a personal override), bumps versions, writes no version row", async () => {
    const before = indexState(dataDir, project.id);
    const versionRows = versionRowCount(dataDir, project.id);
    const names = [...ids.entries()]
      .filter(([k]) => !k.startsWith("other/"))
      .map(([k, id]) => ({ secretId: id, secretName: k.split("/").at(-1)! }));
    const res = await submit(server, project.id, { secretsToUpdate: names }, admin.token);
    assert.deepEqual([res.status, res.body.message], [200, "Successfully named workspace secrets"]);
    const after = indexState(dataDir, project.id);
    assert.deepEqual(after.unindexed, []);
    for (const [id, version] of before.versions) assert.equal(after.versions.get(id), version + 1, `version of ${id}`);
    assert.equal(versionRowCount(dataDir, project.id), versionRows, "no version-history row");
    assert.equal((await status(server, project.id, member.token)).body, true);
    for (const [path, name] of [
      ["/", "DB_URL"],
      ["/app", "DB_URL"],
      ["/", "API_KEY"],
    ] as const) {
      const get = await server.client.get(`/api/v3/secrets/${name}`, token, {
        workspaceId: project.id,
        environment: "dev",
        secretPath: path,
      });
      assert.equal(get.status, 200, `${path} ${name} by name`);
    }
    const personal = await server.client.get("/api/v3/secrets/DB_URL", member.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
      type: "personal",
    });
    assert.equal(personal.body.secret.id, ids.get("personal/DB_URL"));
  });

  it("a 0.1.0 project (Argon2id scheme) is indexed in its own scheme", async () => {
    const old = await createProject(server.client, admin, "argon project");
    const id = await put(old, "LEGACY");
    dropBlindIndexes(dataDir, old.id);
    const db = new DatabaseSync(join(dataDir, "infisical-e2ee.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000;");
    db.prepare("UPDATE projects SET blind_index_scheme = 'argon2id' WHERE id = ?").run(old.id);
    db.close();
    const res = await submit(
      server,
      old.id,
      { secretsToUpdate: [{ secretId: id, secretName: "LEGACY" }] },
      admin.token,
    );
    assert.equal(res.status, 200);
    const get = await server.client.get("/api/v3/secrets/LEGACY", admin.token, {
      workspaceId: old.id,
      environment: "dev",
      secretPath: "/",
    });
    assert.equal(get.status, 200, "found by name under Argon2id");
  });
});
