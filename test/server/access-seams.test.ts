/**
 * Authorization where the features of #17 and #18 meet, over real HTTP: a member whose custom
 * role reaches only `dev:/app/**` must not reach other environments or paths through secret
 * history, service tokens, or folder renames and deletes that carry whole subtrees.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encryptAsymmetric } from "../../src/provider/crypto";
import {
  addMember,
  createServiceToken,
  encryptSecret,
  inviteUser,
  type Session,
  setupWorld,
  type World,
} from "./helpers";

const APP = { environment: "dev", secretPath: { $glob: "/app/**" } };

describe("server: custom roles at the seams of folders, history and tokens", () => {
  let world: World;
  let member: Session;
  let membershipId: string;
  const secretIds = new Map<string, string>();

  async function putSecret(environment: string, path: string, name: string): Promise<void> {
    const { client, admin, project } = world;
    if (path !== "/") {
      const folder = await client.post(
        "/api/v1/folders",
        { workspaceId: project.id, environment, name: path.slice(path.lastIndexOf("/") + 1), path: parentOf(path) },
        admin.token,
      );
      assert.equal(folder.status, 200, JSON.stringify(folder.body));
    }
    const created = await client.post(
      `/api/v3/secrets/${name}`,
      { workspaceId: project.id, environment, secretPath: path, ...encryptSecret(project.projectKey, name, "v") },
      admin.token,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    secretIds.set(`${environment}:${path}:${name}`, created.body.secret.id);
  }

  const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

  async function giveRole(slug: string, permissions: unknown[]): Promise<void> {
    const { client, admin, project } = world;
    const created = await client.post(
      `/api/v1/workspace/${project.slug}/roles`,
      { slug, name: slug, permissions },
      admin.token,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const assigned = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
      { roles: [{ role: slug }] },
      admin.token,
    );
    assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
  }

  before(async () => {
    world = await setupWorld();
    member = await inviteUser(world.client, world.admin, "narrow@example.com", "narrow-password-1");
    membershipId = await addMember(world.client, world.admin, world.project, member);
    await putSecret("dev", "/app", "APP_KEY");
    await putSecret("prod", "/", "PROD_KEY");
    await putSecret("dev", "/other", "OTHER_KEY");
    await giveRole("app-only", [
      { action: "read", subject: "secrets", conditions: APP },
      { action: "edit", subject: "secrets", conditions: APP },
    ]);
  });
  after(() => world.server.close());

  it("secret history: a role limited to dev:/app/** reads /app's versions but no other env's or path's", async () => {
    const { client } = world;
    const versions = (key: string) => client.get(`/api/v1/secret/${secretIds.get(key)}/secret-versions`, member.token);
    assert.equal((await versions("dev:/app:APP_KEY")).status, 200);
    for (const key of ["prod:/:PROD_KEY", "dev:/other:OTHER_KEY"]) {
      const refused = await versions(key);
      assert.equal(refused.status, 401, `${key}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.secretVersions, undefined);
    }
  });

  it("service tokens: a creator moved to a narrow custom role takes its old tokens down to that role; it cannot mint wider ones", async () => {
    const { client, admin, project } = world;
    const assign = (role: string) =>
      client.patch(`/api/v1/workspace/${project.id}/memberships/${membershipId}`, { roles: [{ role }] }, admin.token);
    assert.equal((await assign("member")).status, 200);
    const wide = await createServiceToken(client, member, project, {
      scopes: [
        { environment: "prod", secretPath: "/**" },
        { environment: "dev", secretPath: "/**" },
      ],
      permissions: ["read", "write"],
    });
    const read = (token: string, environment: string, secretPath: string) =>
      client.get("/api/v3/secrets", token, { workspaceId: project.id, environment, secretPath });
    assert.equal((await read(wide.token, "prod", "/")).status, 200);

    await giveRole("app-tokens", [
      { action: "read", subject: "secrets", conditions: APP },
      { action: "create", subject: "service-tokens" },
    ]);
    // The creator still may create tokens, so the token stands, but only where the creator reads now.
    assert.equal((await read(wide.token, "dev", "/app")).status, 200);
    for (const [environment, path] of [
      ["prod", "/"],
      ["dev", "/other"],
    ]) {
      const refused = await read(wide.token, environment!, path!);
      assert.equal(refused.status, 401, `${environment}:${path} ${JSON.stringify(refused.body)}`);
    }
    const write = await client.patch(
      "/api/v3/secrets/APP_KEY",
      {
        workspaceId: project.id,
        environment: "dev",
        secretPath: "/app",
        ...encryptSecret(project.projectKey, "APP_KEY", "x"),
      },
      wide.token,
    );
    assert.equal(write.status, 401, "the role reads /app but does not edit it");

    // Minting: only scopes (and permissions) the creator holds itself.
    await assert.rejects(
      createServiceToken(client, member, project, {
        scopes: [{ environment: "prod", secretPath: "/" }],
        permissions: ["read"],
      }),
      /401/,
    );
    await assert.rejects(
      createServiceToken(client, member, project, {
        scopes: [{ environment: "dev", secretPath: "/app/**" }],
        permissions: ["read", "write"],
      }),
      /401/,
    );
    const narrow = await createServiceToken(client, member, project, {
      scopes: [{ environment: "dev", secretPath: "/app/**" }],
      permissions: ["read"],
    });
    assert.equal((await read(narrow.token, "dev", "/app")).status, 200);
  });

  it("folder delete: a role that may delete at / only cannot cascade into /vault's subtree", async () => {
    const { client, project } = world;
    await putSecret("dev", "/vault", "VAULT_KEY");
    await putSecret("dev", "/vault/inner", "INNER_KEY");
    const root = { environment: "dev", secretPath: { $glob: "/" } };
    await giveRole("root-deleter", [
      { action: "read", subject: "secrets", conditions: root },
      { action: "delete", subject: "secrets", conditions: root },
    ]);
    const target = { workspaceId: project.id, environment: "dev", path: "/" };
    const refused = await client.delete("/api/v1/folders/vault", target, member.token);
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    const still = await client.get("/api/v3/secrets", world.admin.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/vault/inner",
    });
    assert.equal(still.body.secrets.length, 1, "nothing under /vault was deleted");

    await giveRole("tree-deleter", [{ action: "delete", subject: "secrets", conditions: { environment: "dev" } }]);
    assert.equal((await client.delete("/api/v1/folders/vault", target, member.token)).status, 200);
  });

  it("folder rename: edit at the parent is not enough to move a subtree, nor to move it under a path the role reads", async () => {
    const { client, admin, project } = world;
    await putSecret("dev", "/private", "PRIVATE_KEY");
    await putSecret("dev", "/private/deep", "DEEP_KEY");
    await giveRole("public-reader", [
      { action: "edit", subject: "secrets", conditions: { environment: "dev", secretPath: { $glob: "/" } } },
      { action: "read", subject: "secrets", conditions: { environment: "dev", secretPath: { $glob: "/public/**" } } },
    ]);
    const rename = (name: string, folder = "private") =>
      client.patch(
        `/api/v1/folders/${folder}`,
        { workspaceId: project.id, environment: "dev", path: "/", name },
        member.token,
      );
    const byParent = await rename("public");
    assert.equal(byParent.status, 401, JSON.stringify(byParent.body));
    const batch = await client.patch(
      "/api/v1/folders/batch",
      { projectSlug: project.slug, folders: [{ id: "private", environment: "dev", name: "public", path: "/" }] },
      member.token,
    );
    assert.equal(batch.status, 401, JSON.stringify(batch.body));

    // Edit everywhere in dev, read only under /public: the move would reveal /private.
    await giveRole("editor-public-reader", [
      { action: "edit", subject: "secrets", conditions: { environment: "dev" } },
      { action: "read", subject: "secrets", conditions: { environment: "dev", secretPath: { $glob: "/public/**" } } },
    ]);
    const revealing = await rename("public");
    assert.equal(revealing.status, 401, JSON.stringify(revealing.body));
    const listed = await client.get("/api/v3/secrets", member.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/public",
    });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.secrets, [], "nothing moved under /public");
    // A rename that reveals nothing is still allowed.
    assert.equal((await rename("hidden")).status, 200);
    const moved = await client.get("/api/v3/secrets", admin.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/hidden/deep",
    });
    assert.equal(moved.body.secrets.length, 1);
  });

  it("environment delete: delete on environments alone does not wipe secrets the role may not delete", async () => {
    const { client, admin, project } = world;
    await giveRole("env-deleter", [
      { action: "delete", subject: "environments" },
      { action: "delete", subject: "secrets", conditions: { environment: "dev" } },
    ]);
    const stagingId = project.environments.find((e) => e.slug === "staging")!.id;
    await putSecret("staging", "/", "STAGING_KEY");
    const refused = await client.delete(
      `/api/v1/workspace/${project.id}/environments/${stagingId}`,
      undefined,
      member.token,
    );
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    const still = await client.get("/api/v3/secrets", admin.token, {
      workspaceId: project.id,
      environment: "staging",
      secretPath: "/",
    });
    assert.equal(still.body.secrets.length, 1);
  });

  it("privilege boundary: a role that may edit members or roles cannot grant more than it holds", async () => {
    const { client, admin, project } = world;
    const devRead = { action: "read", subject: "secrets", conditions: { environment: "dev" } };
    await giveRole("member-manager", [{ action: "edit", subject: "member" }, devRead]);
    const assign = (role: string) =>
      client.patch(`/api/v1/workspace/${project.id}/memberships/${membershipId}`, { roles: [{ role }] }, member.token);
    for (const role of ["admin", "member", "viewer", "app-only"]) {
      const refused = await assign(role);
      assert.equal(refused.status, 403, `${role}: ${JSON.stringify(refused.body)}`);
    }
    const memberships = await client.get(`/api/v1/workspace/${project.id}/memberships`, admin.token);
    const adminMembership = memberships.body.memberships.find(
      (m: { user: { email: string } }) => m.user.email === admin.keys.email,
    ).id;
    const demote = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${adminMembership}`,
      { roles: [{ role: "no-access" }] },
      member.token,
    );
    assert.equal(demote.status, 403, `nor take an admin's roles away: ${JSON.stringify(demote.body)}`);
    const created = await client.post(
      `/api/v1/workspace/${project.slug}/roles`,
      { slug: "dev-app-reader", name: "dev app reader", permissions: [{ ...devRead, conditions: APP }] },
      admin.token,
    );
    assert.equal(created.status, 200);
    assert.equal((await assign("dev-app-reader")).status, 200, "a narrower role may be given");

    // Adding a member gives the built-in member role: beyond a narrow role too.
    await giveRole("member-adder", [{ action: "create", subject: "member" }, devRead]);
    const accomplice = await inviteUser(client, admin, "accomplice@example.com", "accomplice-password-1");
    const orgMembers = await client.get(`/api/v2/organizations/${admin.orgId}/memberships`, admin.token);
    const om = orgMembers.body.users.find((u: { user: { email: string } }) => u.user.email === accomplice.keys.email);
    const wrapped = encryptAsymmetric(project.projectKey, om.user.publicKey, member.keys.privateKey);
    const added = await client.post(
      `/api/v1/workspace/${project.id}/memberships`,
      {
        members: [
          { orgMembershipId: om.id, workspaceEncryptedKey: wrapped.ciphertext, workspaceEncryptedNonce: wrapped.nonce },
        ],
      },
      member.token,
    );
    assert.equal(added.status, 403, JSON.stringify(added.body));
    const members = await client.get(`/api/v1/workspace/${project.id}/memberships`, admin.token);
    assert.ok(
      !members.body.memberships.some((m: { user: { email: string } }) => m.user.email === "accomplice@example.com"),
    );

    await giveRole("member-remover", [{ action: "delete", subject: "member" }, devRead]);
    const removal = await client.delete(
      `/api/v1/workspace/${project.id}/memberships/${adminMembership}`,
      undefined,
      member.token,
    );
    assert.equal(removal.status, 403, JSON.stringify(removal.body));
    const adminStill = await client.get(`/api/v1/workspace/${project.id}/permissions`, admin.token);
    assert.deepEqual(adminStill.body.data.membership.roles, [{ role: "admin" }]);

    await giveRole("role-editor", [{ action: "edit", subject: "role" }, devRead]);
    const own = await client.get(`/api/v1/workspace/${project.slug}/roles/slug/role-editor`, admin.token);
    const patchOwn = (permissions: unknown[]) =>
      client.patch(`/api/v1/workspace/${project.slug}/roles/${own.body.role.id}`, { permissions }, member.token);
    const wider = await patchOwn([
      { action: "edit", subject: "role" },
      { action: "read", subject: "secrets" },
    ]);
    assert.equal(wider.status, 403, JSON.stringify(wider.body));
    const read = await client.get("/api/v3/secrets", member.token, {
      workspaceId: project.id,
      environment: "prod",
      secretPath: "/",
    });
    assert.equal(read.status, 401, "the refused edit changed nothing");
    assert.equal(
      (
        await patchOwn([
          { action: "edit", subject: "role" },
          { ...devRead, conditions: APP },
        ])
      ).status,
      200,
    );
  });

  it("temporary admin: blind-index list and names, permissions and the project key count only inside the window", async () => {
    const { client, admin, project } = world;
    const HOUR = 3_600_000;
    const window = (start: number, range: string) =>
      client.patch(
        `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
        {
          roles: [
            { role: "no-access" },
            {
              role: "admin",
              isTemporary: true,
              temporaryMode: "relative",
              temporaryRange: range,
              temporaryAccessStartTime: new Date(start).toISOString(),
            },
          ],
        },
        admin.token,
      );
    const probe = async () => {
      const list = await client.get(`/api/v3/workspaces/${project.id}/secrets`, member.token);
      const names = await client.post(
        `/api/v3/workspaces/${project.id}/secrets/names`,
        { secretsToUpdate: [] },
        member.token,
      );
      const permissions = await client.get(`/api/v1/workspace/${project.id}/permissions`, member.token);
      const key = await client.get(`/api/v2/workspace/${project.id}/encrypted-key`, member.token);
      return {
        list: list.status,
        names: names.status,
        roles: permissions.body.data.membership.roles.map((r: { role: string }) => r.role),
        key: key.status,
      };
    };
    const outside = { list: 403, names: 403, roles: ["no-access"], key: 401 };
    assert.equal((await window(Date.now() + HOUR, "1h")).status, 200);
    assert.deepEqual(await probe(), outside, "not started yet");
    assert.equal((await window(Date.now() - 2 * HOUR, "1h")).status, 200);
    assert.deepEqual(await probe(), outside, "ended");
    assert.equal((await window(Date.now() - 60_000, "1h")).status, 200);
    // The key copy went with the no-access-only PATCH above; the admin would send a new one.
    assert.deepEqual(await probe(), { list: 200, names: 200, roles: ["no-access", "admin"], key: 404 });
  });

  it("imports: a role limited to dev:/app/** reads nothing of prod through dev:/app's import, and cannot repoint it", async () => {
    const { client, admin, project } = world;
    const assigned = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
      { roles: [{ role: "app-only" }] },
      admin.token,
    );
    assert.equal(assigned.status, 200);
    const dest = { workspaceId: project.id, environment: "dev", path: "/app" };
    const created = await client.post(
      "/api/v1/secret-imports",
      { ...dest, import: { environment: "prod", path: "/" } },
      admin.token,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const where = { workspaceId: project.id, environment: "dev", secretPath: "/app" };
    const list = await client.get("/api/v3/secrets", member.token, { ...where, include_imports: "true" });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.imports, []);
    const recursive = await client.get("/api/v3/secrets", member.token, {
      ...where,
      secretPath: "/",
      recursive: "true",
      include_imports: "true",
    });
    assert.equal(recursive.status, 200);
    assert.deepEqual(recursive.body.imports, []);
    const viaRoute = await client.get("/api/v1/secret-imports/secrets", member.token, dest);
    assert.deepEqual(viaRoute.body.secrets, []);
    const byName = await client.get("/api/v3/secrets/PROD_KEY", member.token, { ...where, include_imports: "true" });
    assert.equal(byName.status, 400);
    // The admin sees it, so the import itself works.
    const asAdmin = await client.get("/api/v3/secrets/PROD_KEY", admin.token, { ...where, include_imports: "true" });
    assert.equal(asAdmin.status, 200);

    const id = created.body.secretImport.id;
    const repoint = await client.patch(
      `/api/v1/secret-imports/${id}`,
      { ...dest, import: { environment: "dev", path: "/other" } },
      member.token,
    );
    assert.equal(repoint.status, 401, JSON.stringify(repoint.body));
    const moved = await client.patch(
      `/api/v1/secret-imports/${id}`,
      { ...dest, import: { position: 1 } },
      member.token,
    );
    assert.equal(moved.status, 200, "a position change stays inside the folder the role edits");
  });

  it("tags: a role limited to dev:/app/** tags /app's secrets only, by slug or by id", async () => {
    const { client, admin, project } = world;
    const tag = await client.post(
      `/api/v1/workspace/${project.id}/tags`,
      { name: "pii", slug: "pii", color: "red" },
      admin.token,
    );
    assert.equal(tag.status, 200);
    assert.equal(
      (
        await client.patch(
          `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
          { roles: [{ role: "app-only" }] },
          admin.token,
        )
      ).status,
      200,
    );
    const attach = (name: string, secretPath: string) =>
      client.post(
        `/api/v3/secrets/tags/${name}`,
        { projectSlug: project.slug, environment: "dev", secretPath, tagSlugs: ["pii"] },
        member.token,
      );
    assert.equal((await attach("OTHER_KEY", "/other")).status, 401);
    const byId = await client.patch(
      "/api/v3/secrets/PROD_KEY",
      {
        workspaceId: project.id,
        environment: "prod",
        secretPath: "/",
        ...encryptSecret(project.projectKey, "PROD_KEY", "v"),
        tags: [tag.body.workspaceTag.id],
      },
      member.token,
    );
    assert.equal(byId.status, 401);
    assert.equal((await attach("APP_KEY", "/app")).status, 200);
  });

  it("project delete: delete on the workspace alone does not wipe secrets the role may not delete", async () => {
    const { client, admin, project } = world;
    await giveRole("project-deleter", [
      { action: "delete", subject: "workspace" },
      { action: "delete", subject: "secrets", conditions: { environment: "dev" } },
    ]);
    for (const path of [`/api/v1/workspace/${project.id}`, `/api/v2/workspace/${project.slug}`]) {
      const refused = await client.delete(path, undefined, member.token);
      assert.equal(refused.status, 401, `${path}: ${JSON.stringify(refused.body)}`);
    }
    const still = await client.get(`/api/v1/workspace/${project.id}`, admin.token);
    assert.equal(still.status, 200, "the project is still there");
  });

  // Last: it renames the project's environments.
  it("environment slugs: a role conditioned on dev follows dev through a rename; swapping slugs reaches nothing new", async () => {
    const { client, admin, project } = world;
    await giveRole("dev-reader-env-editor", [
      { action: "read", subject: "secrets", conditions: { environment: "dev" } },
      { action: "read", subject: "environments" },
      { action: "edit", subject: "environments" },
    ]);
    const envId = (slug: string) => project.environments.find((e) => e.slug === slug)!.id;
    const rename = (id: string, slug: string) =>
      client.patch(`/api/v1/workspace/${project.id}/environments/${id}`, { slug }, member.token);
    const devId = envId("dev");
    assert.equal((await rename(devId, "old-dev")).status, 200);
    assert.equal((await rename(envId("prod"), "dev")).status, 200);
    const read = (environment: string) =>
      client.get("/api/v3/secrets", member.token, { workspaceId: project.id, environment, secretPath: "/" });
    const swapped = await read("dev");
    assert.equal(swapped.status, 401, `the former prod under the slug dev: ${JSON.stringify(swapped.body)}`);
    assert.equal((await read("old-dev")).status, 200, "the role followed its environment");
    const role = await client.get(`/api/v1/workspace/${project.slug}/roles/slug/dev-reader-env-editor`, admin.token);
    assert.equal(role.body.role.permissions[0].conditions.environment, "old-dev");
  });

  it("environment slugs: no rename onto a slug that custom roles still name (it would hand them that environment)", async () => {
    const { client, admin, project } = world;
    await giveRole("qa-reader", [
      { action: "read", subject: "secrets", conditions: { environment: "qa" } },
      { action: "edit", subject: "environments" },
    ]);
    const prodId = project.environments.find((e) => e.slug === "prod")!.id;
    const renamed = await client.patch(
      `/api/v1/workspace/${project.id}/environments/${prodId}`,
      { slug: "qa" },
      member.token,
    );
    assert.equal(renamed.status, 400, JSON.stringify(renamed.body));
    assert.match(renamed.body.message, /Custom role conditions still name/);
    const read = await client.get("/api/v3/secrets", member.token, {
      workspaceId: project.id,
      environment: "qa",
      secretPath: "/",
    });
    assert.notEqual(read.status, 200);
    // Not even the admin: the roles must be edited first.
    const byAdmin = await client.patch(
      `/api/v1/workspace/${project.id}/environments/${prodId}`,
      { slug: "qa" },
      admin.token,
    );
    assert.equal(byAdmin.status, 400);
  });
});
