/**
 * Issue #18 part 2 on the embedded server over real HTTP: the PATCH roles format and its answers
 * (routes-more.md §4), temporary roles counting by start and end, no key copy for no-access
 * members, and service tokens that stop with their creator's standing. Windows are placed in the
 * past or the future instead of waited out, except one 2 s window watched to its end.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { encryptAsymmetric } from "../../src/provider/crypto";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  fetchProjectKey,
  inviteUser,
  type Json,
  type RawClient,
  type Session,
  setupWorld,
  type TestProject,
  type World,
} from "./helpers";

const iso = (ms: number) => new Date(ms).toISOString();
const temporary = (role: string, temporaryRange: string, start: number) => ({
  role,
  isTemporary: true,
  temporaryMode: "relative",
  temporaryRange,
  temporaryAccessStartTime: iso(start),
});
const HOUR = 3_600_000;

describe("server: temporary access, no-access key copies, tokens of members who lost access", () => {
  let world: World;
  let client: RawClient;
  let admin: Session;
  let project: TestProject;
  let member: Session;
  let membershipId: string;
  let where: { workspaceId: string; environment: string; secretPath: string };

  const patchRoles = (body: unknown, token = admin.token, id = membershipId, projectId = project.id) =>
    client.patch(`/api/v1/workspace/${projectId}/memberships/${id}`, body, token);
  const rolesOf = async (id = membershipId, projectId = project.id) => {
    const list = await client.get(`/api/v1/workspace/${projectId}/memberships`, admin.token);
    return list.body.memberships.find((m: Json) => m.id === id).roles as Json[];
  };
  const readSecrets = (token: string) => client.get("/api/v3/secrets", token, where);
  const writeSecret = (token: string, projectKey = project.projectKey) =>
    client.post(
      `/api/v3/secrets/S_${randomBytes(4).toString("hex").toUpperCase()}`,
      { ...where, type: "shared", ...encryptSecret(projectKey, "S", "v") },
      token,
    );
  const keyStatus = async (session: Session) =>
    (await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, session.token)).status;

  before(async () => {
    world = await setupWorld();
    ({ client, admin, project } = world);
    member = await inviteUser(client, admin, "member@example.com", "member-password-1");
    membershipId = await addMember(client, admin, project, member);
    where = { workspaceId: project.id, environment: "dev", secretPath: "/" };
  });

  after(async () => {
    await world?.server.close();
  });

  it("PATCH validation: the real server's answers, and nothing half-written", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["only temporary roles", { roles: [temporary("member", "1h", Date.now())] }, /At least one long lived role/],
      ["no roles", { roles: [] }, /At least one long lived role/],
      [
        "range that is not a duration",
        { roles: [{ role: "viewer" }, temporary("member", "abc", Date.now())] },
        /Temporary range must be a positive number/,
      ],
      [
        "zero range",
        { roles: [{ role: "viewer" }, temporary("member", "0s", Date.now())] },
        /Temporary range must be a positive number/,
      ],
      [
        "negative range",
        { roles: [{ role: "viewer" }, temporary("member", "-5m", Date.now())] },
        /Temporary range must be a positive number/,
      ],
      [
        "range beyond any date",
        { roles: [{ role: "viewer" }, temporary("member", "9".repeat(90), Date.now())] },
        /at most 100 years/,
      ],
      [
        "absolute mode",
        { roles: [{ role: "viewer" }, { ...temporary("member", "1h", Date.now()), temporaryMode: "absolute" }] },
        /invalid_union/,
      ],
      [
        "missing start",
        {
          roles: [
            { role: "viewer" },
            { role: "member", isTemporary: true, temporaryMode: "relative", temporaryRange: "1h" },
          ],
        },
        /invalid_union/,
      ],
      [
        "start that is not a date-time",
        { roles: [{ role: "viewer" }, { ...temporary("member", "1h", Date.now()), temporaryAccessStartTime: "soon" }] },
        /invalid_union|datetime/i,
      ],
      ["roles not a list", { roles: "admin" }, /roles/],
      ["oversized role name", { roles: [{ role: "a".repeat(5000) }] }, /roles/],
      ["too many roles", { roles: Array.from({ length: 11 }, () => ({ role: "viewer" })) }, /roles/],
    ];
    const before = await rolesOf();
    for (const [name, body, expected] of cases) {
      const res = await patchRoles(body);
      assert.equal(res.status, 403, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, "ValidationFailure", name);
      assert.match(JSON.stringify(res.body.message), expected, name);
    }
    const garbage = await client.request("PATCH", `/api/v1/workspace/${project.id}/memberships/${membershipId}`, {
      token: admin.token,
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(garbage.status, 400);
    assert.deepEqual(await rolesOf(), before, "a refused PATCH changed the roles");
    assert.equal(await fetchProjectKey(client, member, project.id), project.projectKey);
  });

  it("unknown membership ids and another project's membership: 400 as the real server, nothing changed", async () => {
    const other = await createProject(client, admin, "Other Project");
    const otherMembers = await client.get(`/api/v1/workspace/${other.id}/memberships`, admin.token);
    const otherAdminMembership = otherMembers.body.memberships[0].id as string;
    const unknown = await patchRoles(
      { roles: [{ role: "viewer" }] },
      admin.token,
      "7d0c8f6e-5b1a-4c3d-9e2f-1a2b3c4d5e6f",
    );
    assert.deepEqual(unknown.body, {
      statusCode: 400,
      error: "Update project membership",
      message: "Unauthorized member update",
    });
    // The other project's membership id, addressed through this project.
    const crossed = await patchRoles({ roles: [{ role: "no-access" }] }, admin.token, otherAdminMembership);
    assert.equal(crossed.status, 400);
    assert.equal(crossed.body.message, "Unauthorized member update");
    assert.deepEqual(
      (await rolesOf(otherAdminMembership, other.id)).map((r) => r.role),
      ["admin"],
    );
    const notUuid = await patchRoles({ roles: [{ role: "viewer" }] }, admin.token, "not-a-uuid");
    assert.equal(notUuid.status, 403);
  });

  it("a member or viewer cannot change roles, not even their own", async () => {
    const self = await patchRoles({ roles: [{ role: "admin" }] }, member.token);
    assert.equal(self.status, 401);
    assert.equal(self.body.error, "PermissionDenied");
    assert.equal((await patchRoles({ roles: [{ role: "viewer" }] })).status, 200);
    const asViewer = await patchRoles({ roles: [{ role: "admin" }] }, member.token);
    assert.equal(asViewer.status, 401);
    assert.equal(
      (await patchRoles({ roles: [{ role: "no-access" }, temporary("admin", "1h", Date.now())] }, member.token)).status,
      401,
    );
    assert.deepEqual(
      (await rolesOf()).map((r) => r.role),
      ["viewer"],
    );
  });

  it("a temporary role counts from its start to its end; ended rows stay listed", async () => {
    const now = Date.now();
    // Inside the window: member rights.
    const granted = await patchRoles({ roles: [{ role: "no-access" }, temporary("member", "1h", now - 60_000)] });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    const row = granted.body.roles.find((r: Json) => r.isTemporary);
    assert.equal(row.role, "member");
    assert.equal(row.temporaryMode, "relative");
    assert.equal(row.temporaryRange, "1h");
    assert.equal(Date.parse(row.temporaryAccessEndTime) - Date.parse(row.temporaryAccessStartTime), HOUR);
    assert.equal((await readSecrets(member.token)).status, 200);
    assert.equal((await writeSecret(member.token)).status, 200);
    assert.equal(await keyStatus(member), 200);

    // A window that starts in an hour does not count yet (the real server would count it at once).
    assert.equal(
      (await patchRoles({ roles: [{ role: "no-access" }, temporary("member", "2h", now + HOUR)] })).status,
      200,
    );
    assert.equal((await readSecrets(member.token)).status, 401);
    assert.equal(await keyStatus(member), 401);

    // A window that is already over never counts, and stays listed with its times.
    assert.equal(
      (await patchRoles({ roles: [{ role: "viewer" }, temporary("admin", "30m", now - HOUR)] })).status,
      200,
    );
    assert.equal((await readSecrets(member.token)).status, 200, "the long-lived viewer role still counts");
    assert.equal((await writeSecret(member.token)).status, 401);
    const listed = await rolesOf();
    assert.deepEqual(
      listed.map((r) => [r.role, r.isTemporary]),
      [
        ["viewer", false],
        ["admin", true],
      ],
    );
    assert.equal(listed[1].temporaryAccessEndTime, iso(now - HOUR + 30 * 60_000));

    // A 2 s window, watched to its end.
    const short = await patchRoles({ roles: [{ role: "no-access" }, temporary("member", "2s", Date.now())] });
    const end = Date.parse(short.body.roles.find((r: Json) => r.isTemporary).temporaryAccessEndTime);
    const inside = await readSecrets(member.token);
    if (Date.now() < end) assert.equal(inside.status, 200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 50));
    assert.equal((await readSecrets(member.token)).status, 401);
    assert.equal(await keyStatus(member), 401, "no key once only no-access counts");
    // The membership itself does not end: the key copy is kept for a renewal.
    assert.equal(
      (await patchRoles({ roles: [{ role: "no-access" }, temporary("member", "1h", Date.now())] })).status,
      200,
    );
    assert.equal(await fetchProjectKey(client, member, project.id), project.projectKey);
  });

  it("no-access: the key copy is deleted and not stored again until a real role is given; then re-sent", async () => {
    assert.equal((await patchRoles({ roles: [{ role: "no-access" }] })).status, 200);
    const refused = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token);
    assert.deepEqual(refused.body, {
      statusCode: 401,
      error: "PermissionDenied",
      message: "A member with the no-access role gets no copy of the project key",
    });
    // The admin cannot store a copy for them meanwhile.
    const copy = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, admin.token);
    const upload = (await client.post(
      `/api/v1/workspace/${project.id}/key`,
      { key: { encryptedKey: copy.body.encryptedKey, nonce: copy.body.nonce, userId: member.userId } },
      admin.token,
    )) as { status: number; body: Json };
    assert.equal(upload.status, 400);
    assert.match(upload.body.message, /no-access/);
    // Upgraded again: the old copy is gone (404, not the old key) until the admin sends a new one.
    assert.equal((await patchRoles({ roles: [{ role: "member" }] })).status, 200);
    assert.equal(await keyStatus(member), 404);
    const wrapped = encryptAsymmetric(project.projectKey, member.keys.publicKey, admin.keys.privateKey);
    const resent = await client.post(
      `/api/v1/workspace/${project.id}/key`,
      { key: { encryptedKey: wrapped.ciphertext, nonce: wrapped.nonce, userId: member.userId } },
      admin.token,
    );
    assert.equal(resent.status, 200);
    assert.equal(await fetchProjectKey(client, member, project.id), project.projectKey);
  });

  it("a member's service token stops when they are downgraded, their window ends, or they are removed", async () => {
    assert.equal((await patchRoles({ roles: [{ role: "member" }] })).status, 200);
    const token = await createServiceToken(client, member, project, { permissions: ["read", "write"] });
    const byAdmin = await createServiceToken(client, admin, project, { permissions: ["read"] });
    const works = async (t: string) => [(await readSecrets(t)).status, (await writeSecret(t)).status];
    assert.deepEqual(await works(token.token), [200, 200]);

    for (const roles of [
      [{ role: "viewer" }],
      [{ role: "no-access" }],
      [{ role: "viewer" }, temporary("member", "30m", Date.now() - HOUR)],
    ]) {
      assert.equal((await patchRoles({ roles })).status, 200);
      const read = await readSecrets(token.token);
      assert.equal(read.status, 401, JSON.stringify(roles));
      assert.equal(read.body.error, "UnauthorizedError");
      assert.match(read.body.message, /Service token no longer valid: the member who created it may no longer create/);
      assert.equal((await writeSecret(token.token)).status, 401);
      assert.equal((await client.get("/api/v2/service-token", token.token)).status, 401);
    }
    // The check is made at each use: back inside a window, the token works again.
    assert.equal(
      (await patchRoles({ roles: [{ role: "viewer" }, temporary("member", "1h", Date.now())] })).status,
      200,
    );
    assert.deepEqual(await works(token.token), [200, 200]);

    const removed = await client.delete(
      `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
      undefined,
      admin.token,
    );
    assert.equal(removed.status, 200);
    const read = await readSecrets(token.token);
    assert.equal(read.status, 401);
    assert.match(read.body.message, /is no longer a member of this project/);
    assert.equal((await writeSecret(token.token)).status, 401);
    // Still listed (the admin sees what to delete); other tokens are untouched.
    const list = await client.get(`/api/v1/workspace/${project.id}/service-token-data`, admin.token);
    assert.ok(list.body.serviceTokenData.some((t: Json) => t.id === token.id));
    assert.equal((await readSecrets(byAdmin.token)).status, 200);
  });
});
