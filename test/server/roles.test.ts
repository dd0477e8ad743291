/**
 * Project roles on the embedded server over real HTTP: the routes as routes-more.md §4 records
 * them, hostile callers (weaker roles, other projects' role ids, malformed ids, reserved slugs,
 * oversized rule lists, bad subjects: 4xx, typed, nothing written), and enforcement of a custom
 * role's environment and secretPath conditions for a second user with their own login.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  type Json,
  type Session,
  setupWorld,
  type TestProject,
  type World,
} from "./helpers";

const APP_READER = {
  slug: "app-reader",
  name: "App reader",
  description: "reads dev /app",
  permissions: [
    { action: "read", subject: "secrets", conditions: { environment: "dev", secretPath: { $glob: "/app/**" } } },
    { action: "read", subject: "tags" },
  ],
};

describe("server: project roles and custom-role enforcement", () => {
  let world: World;
  let member: Session;
  let viewer: Session;
  let memberMembershipId: string;
  let other: TestProject;
  let roleId: string;
  const roles = (slug: string) => `/api/v1/workspace/${slug}/roles`;

  async function roleCount(token = world.admin.token): Promise<number> {
    const list = await world.client.get(roles(world.project.slug), token);
    return list.body.roles.length;
  }

  async function putSecret(environment: string, path: string, name: string) {
    const { client, admin, project } = world;
    if (path !== "/") {
      const name = path.slice(1);
      const folder = await client.post("/api/v1/folders", { workspaceId: project.id, environment, name }, admin.token);
      assert.equal(folder.status, 200);
    }
    const created = await client.post(
      `/api/v3/secrets/${name}`,
      {
        workspaceId: project.id,
        environment,
        secretPath: path,
        type: "shared",
        ...encryptSecret(project.projectKey, name, "v"),
      },
      admin.token,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
  }

  before(async () => {
    world = await setupWorld();
    member = await inviteUser(world.client, world.admin, "member@example.com", "member-password-1");
    viewer = await inviteUser(world.client, world.admin, "viewer@example.com", "viewer-password-1");
    memberMembershipId = await addMember(world.client, world.admin, world.project, member);
    const viewerMembershipId = await addMember(world.client, world.admin, world.project, viewer);
    const toViewer = await world.client.patch(
      `/api/v1/workspace/${world.project.id}/memberships/${viewerMembershipId}`,
      { roles: [{ role: "viewer" }] },
      world.admin.token,
    );
    assert.equal(toViewer.status, 200);
    other = await createProject(world.client, world.admin, "Other Project");
    await putSecret("dev", "/", "ROOT_KEY");
    await putSecret("dev", "/app", "APP_KEY");
    await putSecret("dev", "/other", "OTHER_KEY");
    await putSecret("staging", "/app", "STAGING_APP_KEY");
  });
  after(() => world.server.close());

  it("lists the four built-ins first, with their fixed ids and no permissions field", async () => {
    const list = await world.client.get(roles(world.project.slug), world.admin.token);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.roles.map((r: Json) => [r.slug, r.name, r.id.slice(-4)]),
      [
        ["admin", "Admin", "2c69"],
        ["member", "Developer", "2c70"],
        ["viewer", "Viewer", "2c71"],
        ["no-access", "No Access", "2c72"],
      ],
    );
    assert.ok(list.body.roles.every((r: Json) => !("permissions" in r)));
    const builtIn = await world.client.get(`${roles(world.project.slug)}/slug/viewer`, world.admin.token);
    assert.equal(builtIn.status, 200);
    assert.ok(builtIn.body.role.permissions.some((p: Json) => p.action === "read" && p.subject === "secrets"));
    assert.ok(builtIn.body.role.permissions.every((p: Json) => typeof p.action === "string"));
  });

  it("role routes take the project slug: an id, or an unknown slug, is a 400", async () => {
    const byId = await world.client.get(roles(world.project.id), world.admin.token);
    assert.equal(byId.status, 400);
    assert.equal((await world.client.get(roles("no-such-project"), world.admin.token)).status, 400);
  });

  it("admin creates a role: slug lower-cased, custom rules answered with array action/subject", async () => {
    const created = await world.client.post(
      roles(world.project.slug),
      { ...APP_READER, slug: "App-Reader" },
      world.admin.token,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    roleId = created.body.role.id;
    assert.equal(created.body.role.slug, "app-reader");
    assert.deepEqual(created.body.role.permissions, [
      { action: ["read"], subject: ["secrets"], conditions: { environment: "dev", secretPath: { $glob: "/app/**" } } },
      { action: ["read"], subject: ["tags"] },
    ]);
    const got = await world.client.get(`${roles(world.project.slug)}/slug/app-reader`, world.admin.token);
    assert.deepEqual(got.body.role.permissions, created.body.role.permissions);
    const dup = await world.client.post(roles(world.project.slug), APP_READER, world.admin.token);
    assert.deepEqual(dup.body, { statusCode: 400, message: "Duplicate role", error: "BadRequest" });
    assert.equal((await world.client.get(`${roles(world.project.slug)}/slug/custom`, world.admin.token)).status, 400);
    assert.equal((await world.client.get(`${roles(world.project.slug)}/slug/nope`, world.admin.token)).status, 400);
  });

  it("malformed role bodies are 403 ValidationFailure and write nothing", async () => {
    const before = await roleCount();
    const bad: [string, Json][] = [
      ["reserved slug", { ...APP_READER, slug: "admin" }],
      ["reserved custom", { ...APP_READER, slug: "custom" }],
      ["slug with a space", { ...APP_READER, slug: "a b" }],
      ["bad subject", { ...APP_READER, slug: "x1", permissions: [{ action: "read", subject: "everything" }] }],
      ["action as an array", { ...APP_READER, slug: "x2", permissions: [{ action: ["read"], subject: "secrets" }] }],
      [
        "empty glob",
        {
          ...APP_READER,
          slug: "x3",
          permissions: [{ action: "read", subject: "secrets", conditions: { secretPath: { $glob: "" } } }],
        },
      ],
      [
        "backtracking glob",
        {
          ...APP_READER,
          slug: "x4",
          permissions: [{ action: "read", subject: "secrets", conditions: { secretPath: { $glob: "/*a*/*b*/*c*" } } }],
        },
      ],
      [
        "oversized rule list",
        {
          ...APP_READER,
          slug: "x5",
          permissions: Array.from({ length: 101 }, () => ({ action: "read", subject: "tags" })),
        },
      ],
      ["missing permissions", { slug: "x6", name: "x" }],
      ["missing name", { slug: "x7", permissions: [] }],
    ];
    for (const [name, body] of bad) {
      const res = await world.client.post(roles(world.project.slug), body, world.admin.token);
      assert.equal(res.status, 403, name);
      assert.equal(res.body.error, "ValidationFailure", name);
    }
    assert.equal(await roleCount(), before, "nothing half-written");
  });

  it("weaker callers: member and viewer cannot create, edit or delete roles (401); strangers get 403", async () => {
    const before = await roleCount();
    for (const session of [member, viewer]) {
      const created = await world.client.post(
        roles(world.project.slug),
        { ...APP_READER, slug: "mine" },
        session.token,
      );
      assert.equal(created.status, 401);
      assert.equal(created.body.error, "PermissionDenied");
      const patched = await world.client.patch(
        `${roles(world.project.slug)}/${roleId}`,
        { permissions: [{ action: "delete", subject: "secrets" }] },
        session.token,
      );
      assert.equal(patched.status, 401);
      assert.equal(
        (await world.client.delete(`${roles(world.project.slug)}/${roleId}`, undefined, session.token)).status,
        401,
      );
      // Both may read roles (member and viewer have read on `role`).
      assert.equal((await world.client.get(roles(world.project.slug), session.token)).status, 200);
    }
    // Service tokens cannot use role routes at all (JWT only, as the real server).
    const token = await createServiceToken(world.client, world.admin, world.project);
    assert.equal((await world.client.get(roles(world.project.slug), token.token)).status, 403);
    // `other` has no members but the admin: the member is a stranger there.
    assert.equal((await world.client.get(roles(other.slug), member.token)).status, 403);
    assert.equal(await roleCount(), before);
    const stored = await world.client.get(`${roles(world.project.slug)}/slug/app-reader`, world.admin.token);
    assert.equal(stored.body.role.permissions.length, 2, "unchanged");
  });

  it("another project's role id and malformed ids are refused without touching the role", async () => {
    const viaOther = await world.client.patch(`${roles(other.slug)}/${roleId}`, { permissions: [] }, world.admin.token);
    assert.deepEqual(viaOther.body, { statusCode: 400, message: "Role not found", error: "BadRequest" });
    assert.equal(
      (await world.client.delete(`${roles(other.slug)}/${roleId}`, undefined, world.admin.token)).status,
      400,
    );
    const malformed = await world.client.patch(
      `${roles(world.project.slug)}/not-a-uuid`,
      { permissions: [] },
      world.admin.token,
    );
    assert.equal(malformed.status, 403);
    assert.equal(
      (await world.client.delete(`${roles(world.project.slug)}/..%2F..`, undefined, world.admin.token)).status,
      403,
    );
    const builtInId = await world.client.delete(
      `${roles(world.project.slug)}/b11b49a9-09a9-4443-916a-4246f9ff2c69`,
      undefined,
      world.admin.token,
    );
    assert.equal(builtInId.status, 400, "built-ins are not stored and cannot be deleted");
    const stored = await world.client.get(`${roles(world.project.slug)}/slug/app-reader`, world.admin.token);
    assert.equal(stored.body.role.permissions.length, 2);
  });

  it("PATCH needs permissions; a taken slug is 400 Duplicate role", async () => {
    const base = `${roles(world.project.slug)}/${roleId}`;
    assert.equal((await world.client.patch(base, { name: "x" }, world.admin.token)).status, 403);
    const spare = await world.client.post(
      roles(world.project.slug),
      { slug: "spare", name: "Spare", permissions: [] },
      world.admin.token,
    );
    assert.equal(spare.status, 200);
    const taken = await world.client.patch(
      base,
      { slug: "spare", permissions: APP_READER.permissions },
      world.admin.token,
    );
    assert.deepEqual(taken.body, { statusCode: 400, message: "Duplicate role", error: "BadRequest" });
    const same = await world.client.patch(
      base,
      { slug: "app-reader", permissions: APP_READER.permissions },
      world.admin.token,
    );
    assert.equal(same.status, 200, "its own slug is not a duplicate");
    const removed = await world.client.delete(
      `${roles(world.project.slug)}/${spare.body.role.id}`,
      undefined,
      world.admin.token,
    );
    assert.equal(removed.status, 200);
  });

  it("assigning: built-ins and custom slugs; `custom` and unknown slugs are 400; members cannot assign", async () => {
    const url = `/api/v1/workspace/${world.project.id}/memberships/${memberMembershipId}`;
    assert.equal((await world.client.patch(url, { roles: [{ role: "custom" }] }, world.admin.token)).status, 400);
    assert.equal((await world.client.patch(url, { roles: [{ role: "typo" }] }, world.admin.token)).status, 400);
    assert.equal((await world.client.patch(url, { roles: [{ role: "app-reader" }] }, member.token)).status, 401);
    // One bad slug in the list: 400 and the membership keeps its roles (nothing half-written).
    const mixed = await world.client.patch(url, { roles: [{ role: "viewer" }, { role: "typo" }] }, world.admin.token);
    assert.equal(mixed.status, 400);
    const unchanged = await world.client.get(`/api/v1/workspace/${world.project.id}/memberships`, world.admin.token);
    assert.deepEqual(
      unchanged.body.memberships.find((m: Json) => m.id === memberMembershipId).roles.map((r: Json) => r.role),
      ["member"],
    );
    const assigned = await world.client.patch(url, { roles: [{ role: "app-reader" }] }, world.admin.token);
    assert.equal(assigned.status, 200);
    assert.equal(assigned.body.roles[0].role, "custom");
    assert.equal(assigned.body.roles[0].customRoleId, roleId);
    const list = await world.client.get(`/api/v1/workspace/${world.project.id}/memberships`, world.admin.token);
    const mine = list.body.memberships.find((m: Json) => m.id === memberMembershipId);
    assert.equal(mine.roles[0].customRoleSlug, "app-reader");
    assert.equal(mine.roles[0].customRoleName, "App reader");
  });

  it("the custom role is enforced for the member: dev:/app allowed; dev:/, dev:/other, staging:/app refused", async () => {
    const read = (environment: string, secretPath: string, recursive?: string) =>
      world.client.get("/api/v3/secrets", member.token, {
        workspaceId: world.project.id,
        environment,
        secretPath,
        recursive,
      });
    const app = await read("dev", "/app");
    assert.equal(app.status, 200);
    assert.equal(app.body.secrets.length, 1);
    const byName = await world.client.get("/api/v3/secrets/APP_KEY", member.token, {
      workspaceId: world.project.id,
      environment: "dev",
      secretPath: "/app",
    });
    assert.equal(byName.status, 200);
    for (const [environment, path] of [
      ["dev", "/"],
      ["dev", "/other"],
      ["staging", "/app"],
    ] as const) {
      const refused = await read(environment, path);
      assert.equal(refused.status, 401, `${environment}:${path}`);
      assert.equal(refused.body.message, "You are not allowed to read on secrets");
    }
    // The recursive list never refuses: it drops the folders the member cannot read.
    const recursive = await read("dev", "/", "true");
    assert.equal(recursive.status, 200);
    assert.deepEqual(
      recursive.body.secrets.map((s: Json) => s.secretPath),
      ["/app"],
    );
    // Read only: writing inside the allowed path is refused, and nothing is written.
    const write = await world.client.post(
      "/api/v3/secrets/NEW_KEY",
      {
        workspaceId: world.project.id,
        environment: "dev",
        secretPath: "/app",
        ...encryptSecret(world.project.projectKey, "NEW_KEY", "v"),
      },
      member.token,
    );
    assert.equal(write.status, 401);
    assert.equal((await read("dev", "/app")).body.secrets.length, 1);
    // No rule on environments or members: refused.
    assert.equal(
      (await world.client.get(`/api/v1/workspace/${world.project.id}/memberships`, member.token)).status,
      401,
    );
  });

  it("the permissions route answers the caller's packed rules", async () => {
    const mine = await world.client.get(`/api/v1/workspace/${world.project.id}/permissions`, member.token);
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.data.membership.roles, [{ role: "custom" }]);
    assert.deepEqual(mine.body.data.permissions, [
      ["read", "secrets", { environment: "dev", secretPath: { $glob: "/app/**" } }],
      ["read", "tags"],
    ]);
  });

  it("an edited role takes effect on the next request", async () => {
    const patched = await world.client.patch(
      `${roles(world.project.slug)}/${roleId}`,
      {
        permissions: [
          { action: "read", subject: "secrets", conditions: { environment: "staging", secretPath: { $glob: "/app" } } },
        ],
      },
      world.admin.token,
    );
    assert.equal(patched.status, 200);
    const q = (environment: string) => ({ workspaceId: world.project.id, environment, secretPath: "/app" });
    assert.equal((await world.client.get("/api/v3/secrets", member.token, q("staging"))).status, 200);
    assert.equal((await world.client.get("/api/v3/secrets", member.token, q("dev"))).status, 401);
  });

  it("deleting a role a member holds is refused (400, the real server's message); after reassigning it goes", async () => {
    const url = `${roles(world.project.slug)}/${roleId}`;
    const refused = await world.client.delete(url, undefined, world.admin.token);
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /assigned to one or more users/);
    assert.equal(
      (await world.client.get(`${roles(world.project.slug)}/slug/app-reader`, world.admin.token)).status,
      200,
    );
    const back = await world.client.patch(
      `/api/v1/workspace/${world.project.id}/memberships/${memberMembershipId}`,
      { roles: [{ role: "member" }] },
      world.admin.token,
    );
    assert.equal(back.status, 200);
    const deleted = await world.client.delete(url, undefined, world.admin.token);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.role.slug, "app-reader");
    assert.equal((await world.client.delete(url, undefined, world.admin.token)).status, 400);
  });

  it("deleting a project whose custom role a member holds removes both (no dangling reference, no 500)", async () => {
    const doomed = await createProject(world.client, world.admin, "Doomed Project");
    const doomedMembership = await addMember(world.client, world.admin, doomed, member);
    const created = await world.client.post(
      roles(doomed.slug),
      { slug: "doomed-reader", name: "Doomed", permissions: [{ action: "read", subject: "secrets" }] },
      world.admin.token,
    );
    assert.equal(created.status, 200);
    const assigned = await world.client.patch(
      `/api/v1/workspace/${doomed.id}/memberships/${doomedMembership}`,
      { roles: [{ role: "doomed-reader" }] },
      world.admin.token,
    );
    assert.equal(assigned.status, 200);
    const removed = await world.client.delete(`/api/v1/workspace/${doomed.id}`, undefined, world.admin.token);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal((await world.client.get(roles(doomed.slug), world.admin.token)).status, 400);
    // The role of the same slug can be made again in a new project: nothing was left behind.
    const again = await createProject(world.client, world.admin, "Doomed Again");
    const remade = await world.client.post(
      roles(again.slug),
      { slug: "doomed-reader", name: "Doomed", permissions: [] },
      world.admin.token,
    );
    assert.equal(remade.status, 200);
  });
});
