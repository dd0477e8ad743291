/**
 * Authorization where the features of #17 and #18 meet, over real HTTP: a member whose custom
 * role reaches only `dev:/app/**` must not reach other environments or paths through secret
 * history, service tokens, or folder renames and deletes that carry whole subtrees.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addMember, encryptSecret, inviteUser, type Session, setupWorld, type World } from "./helpers";

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
});
