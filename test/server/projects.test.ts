import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric, encryptAsymmetric, generateProjectKey } from "../../src/provider/crypto";
import {
  addMember,
  createProject,
  createServiceToken,
  fetchProjectKey,
  inviteUser,
  type Session,
  setupWorld,
  type World,
} from "./helpers";

const NIL_PROJECT = "00000000-0000-4000-8000-000000000000";

describe("server: projects, keys, environments, memberships, service tokens", () => {
  let world: World;
  let member: Session;
  let memberMembershipId: string;

  before(async () => {
    world = await setupWorld();
    member = await inviteUser(world.client, world.admin, "member@example.com", "member-password-1");
  });
  after(() => world.server.close());

  it("create project: version 1, default environments, no key copy until uploaded", async () => {
    const { client, admin } = world;
    const res = await client.post("/api/v2/workspace", { projectName: "Zero Knowledge" }, admin.token);
    assert.equal(res.status, 200);
    const project = res.body.project;
    assert.equal(project.version, 1);
    assert.match(project.slug, /^zero-knowledge-[0-9a-f]{4}$/);
    assert.deepEqual(
      project.environments.map((e: { slug: string }) => e.slug),
      ["dev", "staging", "prod"],
    );
    const before = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, admin.token);
    assert.equal(before.status, 404);
    const projectKey = generateProjectKey();
    const wrapped = encryptAsymmetric(projectKey, admin.keys.publicKey, admin.keys.privateKey);
    const upload = await client.post(
      `/api/v1/workspace/${project.id}/key`,
      { key: { encryptedKey: wrapped.ciphertext, nonce: wrapped.nonce, userId: admin.userId } },
      admin.token,
    );
    assert.equal(upload.status, 200);
    const after = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, admin.token);
    assert.equal(after.status, 200);
    assert.equal(after.body.sender.publicKey, admin.keys.publicKey);
    assert.equal(after.body.receiverId, admin.userId);
    assert.equal(await fetchProjectKey(client, admin, project.id), projectKey);
  });

  it("create project: bad slug → 403 ValidationFailure; duplicate slug → 400; no token → 403", async () => {
    const { client, admin } = world;
    const bad = await client.post("/api/v2/workspace", { projectName: "x", slug: "Bad Slug" }, admin.token);
    assert.equal(bad.status, 403);
    assert.equal(bad.body.error, "ValidationFailure");
    const first = await client.post("/api/v2/workspace", { projectName: "dup", slug: "dup-slug" }, admin.token);
    assert.equal(first.status, 200);
    const dup = await client.post("/api/v2/workspace", { projectName: "dup", slug: "dup-slug" }, admin.token);
    assert.equal(dup.status, 400);
    assert.equal((await client.post("/api/v2/workspace", { projectName: "x" })).status, 403);
  });

  it("list, get (v1 by id, v2 by slug), patch, and cross-project isolation", async () => {
    const { client, admin, project } = world;
    const list = await client.get("/api/v1/workspace", admin.token);
    assert.ok(list.body.workspaces.some((w: { id: string }) => w.id === project.id));
    const v2list = await client.get(`/api/v2/organizations/${admin.orgId}/workspaces`, admin.token);
    assert.ok(v2list.body.workspaces.some((w: { id: string }) => w.id === project.id));
    const get = await client.get(`/api/v1/workspace/${project.id}`, admin.token);
    assert.equal(get.body.workspace.id, project.id);
    const bySlug = await client.get(`/api/v2/workspace/${project.slug}`, admin.token);
    assert.equal(bySlug.body.id, project.id);
    const patched = await client.patch(`/api/v1/workspace/${project.id}`, { name: "Renamed" }, admin.token);
    assert.equal(patched.body.workspace.name, "Renamed");
    // The member is not in the project yet.
    const denied = await client.get(`/api/v1/workspace/${project.id}`, member.token);
    assert.deepEqual(denied.body, { statusCode: 403, message: "User not in project", error: "UnauthorizedError" });
    assert.equal((await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token)).status, 403);
    assert.equal((await client.get(`/api/v1/workspace/${NIL_PROJECT}`, admin.token)).status, 403);
    const badPatch = await client.patch(`/api/v1/workspace/${project.id}`, { name: 5 }, admin.token);
    assert.equal(badPatch.status, 403);
    assert.equal(badPatch.body.error, "ValidationFailure");
  });

  it("environments: create, get, rename + reposition, duplicate, delete, delete again", async () => {
    const { client, admin, project } = world;
    const base = `/api/v1/workspace/${project.id}/environments`;
    const created = await client.post(base, { name: "QA", slug: "qa" }, admin.token);
    assert.equal(created.status, 200);
    const env = created.body.environment;
    assert.equal(env.position, 4);
    assert.equal(
      (await client.post(base, { name: "QA2", slug: "qa" }, admin.token)).body.message,
      "Environment with slug already exist",
    );
    const invalid = await client.post(base, { name: "Bad", slug: "Bad Slug" }, admin.token);
    assert.equal(invalid.status, 403);
    assert.equal(invalid.body.error, "ValidationFailure");
    const got = await client.get(`${base}/${env.id}`, admin.token);
    assert.equal(got.body.environment.slug, "qa");
    const patched = await client.patch(
      `${base}/${env.id}`,
      { name: "Quality", slug: "quality", position: 1 },
      admin.token,
    );
    assert.equal(patched.status, 200);
    assert.equal(patched.body.environment.slug, "quality");
    assert.equal(patched.body.environment.position, 1);
    const ws = await client.get(`/api/v1/workspace/${project.id}`, admin.token);
    assert.deepEqual(
      ws.body.workspace.environments.map((e: { slug: string }) => e.slug),
      ["quality", "dev", "staging", "prod"],
    );
    const removed = await client.delete(`${base}/${env.id}`, undefined, admin.token);
    assert.equal(removed.status, 200);
    const again = await client.delete(`${base}/${env.id}`, undefined, admin.token);
    assert.equal(again.status, 400);
    assert.equal(again.body.message, "Env doesn't exist");
    assert.equal((await client.get(`${base}/${env.id}`, admin.token)).status, 400);
  });

  it("memberships: E2EE add, duplicate add, member reads the key, role change, viewer cannot write, remove", async () => {
    const { client, admin, project } = world;
    memberMembershipId = await addMember(client, admin, project, member);
    assert.equal(await fetchProjectKey(client, member, project.id), project.projectKey);
    const key = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token);
    assert.equal(key.body.sender.publicKey, admin.keys.publicKey);
    const orgMembers = await client.get(`/api/v2/organizations/${admin.orgId}/memberships`, admin.token);
    const om = orgMembers.body.users.find((u: { user: { email: string } }) => u.user.email === "member@example.com");
    const dup = await client.post(
      `/api/v1/workspace/${project.id}/memberships`,
      { members: [{ orgMembershipId: om.id, workspaceEncryptedKey: "AAAA", workspaceEncryptedNonce: "AAAA" }] },
      admin.token,
    );
    assert.equal(dup.status, 400);
    assert.equal(dup.body.message, "Some users are already part of project");
    const empty = await client.post(`/api/v1/workspace/${project.id}/memberships`, { members: [] }, admin.token);
    assert.equal(empty.status, 403);
    const list = await client.get(`/api/v1/workspace/${project.id}/memberships`, member.token);
    const mine = list.body.memberships.find((m: { id: string }) => m.id === memberMembershipId);
    assert.equal(mine.user.publicKey, member.keys.publicKey);
    assert.equal(mine.roles[0].role, "member");
    // A member may not change roles.
    const selfPromote = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${memberMembershipId}`,
      { roles: [{ role: "admin" }] },
      member.token,
    );
    assert.equal(selfPromote.status, 401);
    assert.equal(selfPromote.body.error, "PermissionDenied");
    const unknownRole = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${memberMembershipId}`,
      { roles: [{ role: "superuser" }] },
      admin.token,
    );
    assert.equal(unknownRole.status, 400);
    const toViewer = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${memberMembershipId}`,
      { roles: [{ role: "viewer", isTemporary: false }] },
      admin.token,
    );
    assert.equal(toViewer.status, 200);
    assert.equal(toViewer.body.roles[0].role, "viewer");
    const write = await client.post(
      `/api/v1/workspace/${project.id}/environments`,
      { name: "V", slug: "viewer-env" },
      member.token,
    );
    assert.equal(write.status, 401);
    assert.deepEqual(write.body, {
      statusCode: 401,
      error: "PermissionDenied",
      message: "You are not allowed to create on environments",
    });
  });

  it("service tokens: create, read token data with the token, list, scopes validated, delete", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/" }],
    });
    const data = await client.get("/api/v2/service-token", token.token);
    assert.equal(data.status, 200);
    assert.equal(data.body.workspace, project.id);
    assert.equal(data.body.permissions.join(","), "read,write");
    const key = token.token.split(".")[3]!;
    assert.equal(
      decryptSymmetric({ ciphertext: data.body.encryptedKey, iv: data.body.iv, tag: data.body.tag }, key),
      project.projectKey,
    );
    // The 3-part bearer works too; a JWT does not work on this route; a token does not work on JWT routes.
    assert.equal((await client.get("/api/v2/service-token", token.bearer)).status, 200);
    assert.equal((await client.get("/api/v2/service-token", admin.token)).status, 403);
    assert.equal((await client.post("/api/v2/workspace", { projectName: "x" }, token.token)).status, 403);
    const list = await client.get(`/api/v1/workspace/${project.id}/service-token-data`, admin.token);
    assert.ok(list.body.serviceTokenData.some((t: { id: string }) => t.id === token.id));
    assert.equal(JSON.stringify(list.body).includes("encryptedKey"), false);
    const badPerm = await client.post(
      "/api/v2/service-token",
      {
        name: "x",
        workspaceId: project.id,
        scopes: [{ environment: "dev", secretPath: "/" }],
        encryptedKey: "AA==",
        iv: "AA==",
        tag: "AA==",
        expiresIn: null,
        permissions: ["admin"],
      },
      admin.token,
    );
    assert.equal(badPerm.status, 403);
    assert.equal(badPerm.body.error, "ValidationFailure");
    const badEnv = await client.post(
      "/api/v2/service-token",
      {
        name: "x",
        workspaceId: project.id,
        scopes: [{ environment: "nope", secretPath: "/" }],
        encryptedKey: "AA==",
        iv: "AA==",
        tag: "AA==",
        expiresIn: null,
        permissions: ["read"],
      },
      admin.token,
    );
    assert.equal(badEnv.status, 400);
    assert.equal(badEnv.body.message, "Environment not found");
    // Wrong secret part → 403.
    const parts = token.bearer.split(".");
    const wrong = `st.${parts[1]}.${"0".repeat(32)}`;
    assert.deepEqual((await client.get("/api/v2/service-token", wrong)).body, {
      statusCode: 403,
      message: "You are not allowed to access this resource",
      error: "UnauthorizedError",
    });
    const del = await client.delete(`/api/v2/service-token/${token.id}`, undefined, admin.token);
    assert.equal(del.status, 200);
    assert.equal((await client.get("/api/v2/service-token", token.token)).status, 403);
    assert.equal((await client.delete(`/api/v2/service-token/${token.id}`, undefined, admin.token)).status, 404);
  });

  it("service tokens: expiry is enforced (first use reports expiry, then the token is gone)", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, { expiresIn: 1 });
    assert.equal((await client.get("/api/v2/service-token", token.token)).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    const first = await client.get("/api/v2/service-token", token.token);
    assert.equal(first.status, 403);
    assert.equal(first.body.message, "failed to authenticate expired service token");
    const second = await client.get("/api/v2/service-token", token.token);
    assert.equal(second.body.message, "You are not allowed to access this resource");
  });

  it("remove membership: the removed member loses access and the key copy", async () => {
    const { client, admin, project } = world;
    const removed = await client.delete(
      `/api/v1/workspace/${project.id}/memberships/${memberMembershipId}`,
      undefined,
      admin.token,
    );
    assert.equal(removed.status, 200);
    assert.equal(removed.body.membership.id, memberMembershipId);
    assert.equal((await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token)).status, 403);
    const again = await client.delete(
      `/api/v1/workspace/${project.id}/memberships/${memberMembershipId}`,
      undefined,
      admin.token,
    );
    assert.equal(again.status, 400);
  });

  it("audit log lists membership and token events, newest first, filtered by event type", async () => {
    const { client, admin, project } = world;
    const all = await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token, { limit: 100 });
    assert.equal(all.status, 200);
    const types = all.body.auditLogs.map((l: { event: { type: string } }) => l.event.type);
    for (const t of [
      "add-workspace-members",
      "update-user-workspace-role",
      "remove-workspace-member",
      "create-service-token",
      "delete-service-token",
    ]) {
      assert.ok(types.includes(t), t);
    }
    assert.equal(types[0], "remove-workspace-member");
    const filtered = await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token, {
      eventType: "create-environment",
    });
    assert.ok(filtered.body.auditLogs.length >= 1);
    assert.ok(filtered.body.auditLogs.every((l: { event: { type: string } }) => l.event.type === "create-environment"));
    const bad = await client.get(`/api/v1/workspace/${project.id}/audit-logs`, admin.token, { limit: "many" });
    assert.equal(bad.status, 403);
    assert.equal((await client.get(`/api/v1/workspace/${project.id}/audit-logs`, member.token)).status, 403);
  });

  it("delete project (v1 by id and v2 by slug): gone afterwards", async () => {
    const { client, admin } = world;
    const p1 = await createProject(client, admin, "to delete one");
    assert.equal((await client.delete(`/api/v1/workspace/${p1.id}`, undefined, admin.token)).status, 200);
    assert.equal((await client.get(`/api/v1/workspace/${p1.id}`, admin.token)).status, 403);
    const p2 = await createProject(client, admin, "to delete two");
    const res = await client.delete(`/api/v2/workspace/${p2.slug}`, undefined, admin.token);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, p2.id);
    assert.equal((await client.get(`/api/v2/workspace/${p2.slug}`, admin.token)).status, 403);
  });
});
