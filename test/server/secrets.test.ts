import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  type Session,
  setupWorld,
  type World,
} from "./helpers";

function decryptValue(secret: Record<string, string>, projectKey: string): string {
  return decryptSymmetric(
    { ciphertext: secret.secretValueCiphertext!, iv: secret.secretValueIV!, tag: secret.secretValueTag! },
    projectKey,
  );
}
function decryptKey(secret: Record<string, string>, projectKey: string): string {
  return decryptSymmetric(
    { ciphertext: secret.secretKeyCiphertext!, iv: secret.secretKeyIV!, tag: secret.secretKeyTag! },
    projectKey,
  );
}

describe("server: secrets v3, folders, versions, service-token scopes", () => {
  let world: World;
  let where: { workspaceId: string; environment: string; secretPath: string };

  before(async () => {
    world = await setupWorld();
    where = { workspaceId: world.project.id, environment: "dev", secretPath: "/" };
  });
  after(() => world.server.close());

  it("create → get (version 1) → duplicate create is 400 'Secret already exist'", async () => {
    const { client, admin, project } = world;
    const created = await client.post(
      "/api/v3/secrets/DB_PASSWORD",
      { ...where, type: "shared", ...encryptSecret(project.projectKey, "DB_PASSWORD", "hunter2", "the db") },
      admin.token,
    );
    assert.equal(created.status, 200);
    assert.equal(created.body.secret.version, 1);
    assert.equal(created.body.secret.algorithm, "aes-256-gcm");
    assert.equal("secretBlindIndex" in created.body.secret, false);
    const got = await client.get("/api/v3/secrets/DB_PASSWORD", admin.token, where);
    assert.equal(got.status, 200);
    assert.equal(decryptValue(got.body.secret, project.projectKey), "hunter2");
    assert.equal(decryptKey(got.body.secret, project.projectKey), "DB_PASSWORD");
    const dup = await client.post(
      "/api/v3/secrets/DB_PASSWORD",
      { ...where, ...encryptSecret(project.projectKey, "DB_PASSWORD", "x") },
      admin.token,
    );
    assert.deepEqual(dup.body, { statusCode: 400, message: "Secret already exist", error: "BadRequest" });
  });

  it("names are trimmed and case-sensitive; a missing name is 400 'Secret not found'", async () => {
    const { client, admin, project } = world;
    const lower = await client.post(
      "/api/v3/secrets/db_password",
      { ...where, ...encryptSecret(project.projectKey, "db_password", "lower") },
      admin.token,
    );
    assert.equal(lower.status, 200);
    const padded = await client.get("/api/v3/secrets/%20%20DB_PASSWORD%20", admin.token, where);
    assert.equal(decryptValue(padded.body.secret, project.projectKey), "hunter2");
    const missing = await client.get("/api/v3/secrets/NOPE", admin.token, where);
    assert.deepEqual(missing.body, { statusCode: 400, message: "Secret not found", error: "BadRequest" });
  });

  it("update bumps the version, keeps the comment, and ?version=1 returns the old ciphertext", async () => {
    const { client, admin, project } = world;
    const value = encryptSecret(project.projectKey, "DB_PASSWORD", "hunter3");
    const updated = await client.patch(
      "/api/v3/secrets/DB_PASSWORD",
      {
        ...where,
        secretValueCiphertext: value.secretValueCiphertext,
        secretValueIV: value.secretValueIV,
        secretValueTag: value.secretValueTag,
      },
      admin.token,
    );
    assert.equal(updated.status, 200);
    assert.equal(updated.body.secret.version, 2);
    assert.equal(
      decryptSymmetric(
        {
          ciphertext: updated.body.secret.secretCommentCiphertext,
          iv: updated.body.secret.secretCommentIV,
          tag: updated.body.secret.secretCommentTag,
        },
        project.projectKey,
      ),
      "the db",
    );
    const v1 = await client.get("/api/v3/secrets/DB_PASSWORD", admin.token, { ...where, version: 1 });
    assert.equal(decryptValue(v1.body.secret, project.projectKey), "hunter2");
    assert.equal(v1.body.secret.version, 1);
    const versions = await client.get(`/api/v1/secret/${updated.body.secret.id}/secret-versions`, admin.token);
    assert.deepEqual(
      versions.body.secretVersions.map((v: { version: number }) => v.version),
      [2, 1],
    );
    const noSuchVersion = await client.get("/api/v3/secrets/DB_PASSWORD", admin.token, { ...where, version: 9 });
    assert.equal(noSuchVersion.status, 400);
  });

  it("rename: needs the new encrypted key; the old name is gone; a taken name is refused", async () => {
    const { client, admin, project } = world;
    const renamed = encryptSecret(project.projectKey, "DATABASE_PASSWORD", "hunter3");
    const missingKey = await client.patch(
      "/api/v3/secrets/DB_PASSWORD",
      {
        ...where,
        secretName: "DATABASE_PASSWORD",
        secretValueCiphertext: renamed.secretValueCiphertext,
        secretValueIV: renamed.secretValueIV,
        secretValueTag: renamed.secretValueTag,
      },
      admin.token,
    );
    assert.equal(missingKey.status, 400);
    assert.equal(missingKey.body.message, "Missing encrypted key");
    const taken = await client.patch(
      "/api/v3/secrets/DB_PASSWORD",
      { ...where, secretName: "db_password", ...renamed },
      admin.token,
    );
    assert.equal(taken.body.message, "Secret with the provided name already exist");
    const ok = await client.patch(
      "/api/v3/secrets/DB_PASSWORD",
      { ...where, secretName: "DATABASE_PASSWORD", ...renamed },
      admin.token,
    );
    assert.equal(ok.status, 200);
    assert.equal((await client.get("/api/v3/secrets/DB_PASSWORD", admin.token, where)).status, 400);
    const got = await client.get("/api/v3/secrets/DATABASE_PASSWORD", admin.token, where);
    assert.equal(decryptKey(got.body.secret, project.projectKey), "DATABASE_PASSWORD");
  });

  it("list returns every secret with secretPath; delete returns the secret; delete again is 400", async () => {
    const { client, admin, project } = world;
    const list = await client.get("/api/v3/secrets", admin.token, where);
    assert.equal(list.status, 200);
    const names = list.body.secrets.map((s: Record<string, string>) => decryptKey(s, project.projectKey)).sort();
    assert.deepEqual(names, ["DATABASE_PASSWORD", "db_password"]);
    assert.ok(list.body.secrets.every((s: { secretPath: string }) => s.secretPath === "/"));
    const del = await client.delete("/api/v3/secrets/db_password", where, admin.token);
    assert.equal(del.status, 200);
    assert.equal(decryptKey(del.body.secret, project.projectKey), "db_password");
    const again = await client.delete("/api/v3/secrets/db_password", where, admin.token);
    assert.equal(again.status, 400);
  });

  it("validation: missing ciphertext, non-base64 value, unknown env, unknown folder", async () => {
    const { client, admin, project } = world;
    const missing = await client.post("/api/v3/secrets/X", { ...where, secretKeyCiphertext: "AA==" }, admin.token);
    assert.equal(missing.status, 403);
    assert.equal(missing.body.error, "ValidationFailure");
    const fields = encryptSecret(project.projectKey, "X", "v");
    const notBase64 = await client.post(
      "/api/v3/secrets/X",
      { ...where, ...fields, secretValueCiphertext: "not base64!" },
      admin.token,
    );
    assert.equal(notBase64.status, 403);
    const badEnv = await client.post("/api/v3/secrets/X", { ...where, environment: "nope", ...fields }, admin.token);
    assert.deepEqual(badEnv.body, { statusCode: 400, message: "Environment not found", error: "BadRequest" });
    const badPath = await client.post(
      "/api/v3/secrets/X",
      { ...where, secretPath: "/missing", ...fields },
      admin.token,
    );
    assert.equal(badPath.body.message, "Folder not found for the given environment slug & secret path");
    const badPathSyntax = await client.get("/api/v3/secrets", admin.token, {
      ...where,
      secretPath: "no-leading-slash",
    });
    assert.equal(badPathSyntax.status, 403);
  });

  it("folders: create (parents too, idempotent), list, secrets under a path, recursive list", async () => {
    const { client, admin, project } = world;
    const folder = await client.post(
      "/api/v1/folders",
      { workspaceId: project.id, environment: "dev", name: "db", path: "/app" },
      admin.token,
    );
    assert.equal(folder.status, 200);
    assert.equal(folder.body.folder.name, "db");
    const again = await client.post(
      "/api/v1/folders",
      { workspaceId: project.id, environment: "dev", name: "db", path: "/app" },
      admin.token,
    );
    assert.equal(again.body.folder.id, folder.body.folder.id);
    const listed = await client.get("/api/v1/folders", admin.token, {
      workspaceId: project.id,
      environment: "dev",
      path: "/app",
    });
    assert.deepEqual(
      listed.body.folders.map((f: { name: string }) => f.name),
      ["db"],
    );
    const badName = await client.post(
      "/api/v1/folders",
      { workspaceId: project.id, environment: "dev", name: "a b" },
      admin.token,
    );
    // 400 naming the field (the real server answers 500 "Find by secret path"): docs/server.md, Folders.
    assert.equal(badName.status, 400);
    assert.match(badName.body.message, /^Invalid name/);
    const nested = { ...where, secretPath: "/app/db" };
    const created = await client.post(
      "/api/v3/secrets/NESTED",
      { ...nested, ...encryptSecret(project.projectKey, "NESTED", "deep") },
      admin.token,
    );
    assert.equal(created.status, 200);
    const flat = await client.get("/api/v3/secrets", admin.token, where);
    assert.equal(flat.body.secrets.length, 1);
    const recursive = await client.get("/api/v3/secrets", admin.token, { ...where, recursive: "true" });
    const paths = recursive.body.secrets.map((s: { secretPath: string }) => s.secretPath).sort();
    assert.deepEqual(paths, ["/", "/app/db"]);
  });

  it("batch create is all-or-nothing (one duplicate → 400, nothing created) and stores version 0", async () => {
    const { client, admin, project } = world;
    const item = (name: string, value: string) => ({
      secretName: name,
      ...encryptSecret(project.projectKey, name, value),
    });
    const failing = await client.post(
      "/api/v3/secrets/batch",
      { ...where, secrets: [item("BATCH_A", "a"), item("DATABASE_PASSWORD", "dup"), item("BATCH_B", "b")] },
      admin.token,
    );
    assert.equal(failing.status, 400);
    assert.equal(failing.body.message, "Secret already exist");
    assert.equal((await client.get("/api/v3/secrets/BATCH_A", admin.token, where)).status, 400);
    const ok = await client.post(
      "/api/v3/secrets/batch",
      { ...where, secrets: [item("BATCH_A", "a"), item("BATCH_B", "b")] },
      admin.token,
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.body.secrets.map((s: { version: number }) => s.version),
      [0, 0],
    );
  });

  it("batch update and delete are all-or-nothing too", async () => {
    const { client, admin, project } = world;
    const item = (name: string, value: string) => ({
      secretName: name,
      ...encryptSecret(project.projectKey, name, value),
    });
    const failing = await client.patch(
      "/api/v3/secrets/batch",
      { ...where, secrets: [item("BATCH_A", "a2"), item("MISSING", "x")] },
      admin.token,
    );
    assert.equal(failing.status, 400);
    const still = await client.get("/api/v3/secrets/BATCH_A", admin.token, where);
    assert.equal(decryptValue(still.body.secret, project.projectKey), "a");
    const ok = await client.patch(
      "/api/v3/secrets/batch",
      { ...where, secrets: [item("BATCH_A", "a2"), item("BATCH_B", "b2")] },
      admin.token,
    );
    assert.equal(ok.status, 200);
    assert.equal(
      decryptValue((await client.get("/api/v3/secrets/BATCH_B", admin.token, where)).body.secret, project.projectKey),
      "b2",
    );
    const badDelete = await client.delete(
      "/api/v3/secrets/batch",
      { ...where, secrets: [{ secretName: "BATCH_A" }, { secretName: "MISSING" }] },
      admin.token,
    );
    assert.equal(badDelete.status, 400);
    assert.equal((await client.get("/api/v3/secrets/BATCH_A", admin.token, where)).status, 200);
    const del = await client.delete(
      "/api/v3/secrets/batch",
      { ...where, secrets: [{ secretName: "BATCH_A" }, { secretName: "BATCH_B" }] },
      admin.token,
    );
    assert.equal(del.status, 200);
    assert.equal((await client.get("/api/v3/secrets/BATCH_B", admin.token, where)).status, 400);
    const empty = await client.post("/api/v3/secrets/batch", { ...where, secrets: [] }, admin.token);
    assert.equal(empty.status, 403);
  });

  it("service tokens: scope (env + path glob) and read/write permission are enforced", async () => {
    const { client, admin, project } = world;
    const readOnly = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/app/**" }],
      permissions: ["read"],
    });
    const nested = { ...where, secretPath: "/app/db" };
    const read = await client.get("/api/v3/secrets/NESTED", readOnly.token, nested);
    assert.equal(read.status, 200);
    assert.equal(decryptValue(read.body.secret, project.projectKey), "deep");
    const outOfPath = await client.get("/api/v3/secrets", readOnly.token, where);
    assert.deepEqual(outOfPath.body, {
      statusCode: 401,
      error: "PermissionDenied",
      message: "You are not allowed to read on secrets",
    });
    const otherEnv = await client.get("/api/v3/secrets", readOnly.token, { ...nested, environment: "prod" });
    assert.equal(otherEnv.status, 401);
    const write = await client.post(
      "/api/v3/secrets/NEW",
      { ...nested, ...encryptSecret(project.projectKey, "NEW", "v") },
      readOnly.token,
    );
    assert.deepEqual(write.body, {
      statusCode: 401,
      error: "PermissionDenied",
      message: "You are not allowed to create on secrets",
    });
    const writer = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/" }],
      permissions: ["write"],
    });
    const created = await client.post(
      "/api/v3/secrets/BY_TOKEN",
      { ...where, ...encryptSecret(project.projectKey, "BY_TOKEN", "v") },
      writer.token,
    );
    assert.equal(created.status, 200);
    assert.equal((await client.get("/api/v3/secrets", writer.token, where)).status, 401);
    // Another project: the token is refused there.
    const other = await createProject(client, admin, "other project");
    const cross = await client.get("/api/v3/secrets", writer.token, { ...where, workspaceId: other.id });
    assert.equal(cross.status, 403);
    // A read-only token cannot create folders either.
    assert.equal(
      (await client.post("/api/v1/folders", { workspaceId: project.id, environment: "dev", name: "x" }, readOnly.token))
        .status,
      401,
    );
  });

  it("a viewer can read but not write; a non-member can do neither", async () => {
    const { client, admin, project } = world;
    const viewer: Session = await inviteUser(client, admin, "viewer@example.com", "viewer-password-1");
    const outsider = await client.get("/api/v3/secrets", viewer.token, where);
    assert.deepEqual(outsider.body, { statusCode: 403, message: "User not in project", error: "UnauthorizedError" });
    const membershipId = await addMember(client, admin, project, viewer);
    await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
      { roles: [{ role: "viewer" }] },
      admin.token,
    );
    assert.equal((await client.get("/api/v3/secrets", viewer.token, where)).status, 200);
    const write = await client.post(
      "/api/v3/secrets/VIEWER",
      { ...where, ...encryptSecret(project.projectKey, "VIEWER", "v") },
      viewer.token,
    );
    assert.equal(write.status, 401);
    assert.equal(write.body.error, "PermissionDenied");
  });

  it("personal overrides need a shared secret and are visible only to their owner", async () => {
    const { client, admin, project } = world;
    const orphan = await client.post(
      "/api/v3/secrets/NO_SHARED",
      { ...where, type: "personal", ...encryptSecret(project.projectKey, "NO_SHARED", "p") },
      admin.token,
    );
    assert.equal(orphan.status, 400);
    const personal = await client.post(
      "/api/v3/secrets/DATABASE_PASSWORD",
      { ...where, type: "personal", ...encryptSecret(project.projectKey, "DATABASE_PASSWORD", "mine") },
      admin.token,
    );
    assert.equal(personal.status, 200);
    const got = await client.get("/api/v3/secrets/DATABASE_PASSWORD", admin.token, { ...where, type: "personal" });
    assert.equal(decryptValue(got.body.secret, project.projectKey), "mine");
    const shared = await client.get("/api/v3/secrets/DATABASE_PASSWORD", admin.token, where);
    assert.equal(decryptValue(shared.body.secret, project.projectKey), "hunter3");
  });

  it("audit log records secret events by id and version, without names", async () => {
    const { client, admin, project } = world;
    const res = await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token, { limit: 500 });
    const types = new Set(res.body.auditLogs.map((l: { event: { type: string } }) => l.event.type));
    for (const t of [
      "create-secret",
      "get-secret",
      "get-secrets",
      "update-secret",
      "delete-secret",
      "create-secrets",
      "update-secrets",
      "delete-secrets",
      "create-folder",
    ]) {
      assert.ok(types.has(t), t);
    }
    assert.equal(JSON.stringify(res.body).includes("DATABASE_PASSWORD"), false);
    const byToken = res.body.auditLogs.find((l: { actor: { type: string } }) => l.actor.type === "service");
    assert.ok(byToken);
    const filtered = await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token, {
      actor: `service-${byToken.actor.metadata.serviceId}`,
    });
    assert.ok(filtered.body.auditLogs.length >= 1);
    assert.ok(filtered.body.auditLogs.every((l: { actor: { type: string } }) => l.actor.type === "service"));
  });
});
