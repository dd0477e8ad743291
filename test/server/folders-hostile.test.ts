/**
 * Folder routes (routes-more.md §1) over real HTTP: the real server's answers where they are
 * sound, and the hostile cases: weaker credentials, other projects, malformed ids, names and
 * paths; every refusal a 4xx naming the field, nothing half-written.
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
  type World,
} from "./helpers";

describe("folder routes", () => {
  let world: World;
  let dev: { workspaceId: string; environment: string };
  const folders = (token: string, path = "/", environment = "dev") =>
    world.client.get("/api/v1/folders", token, { workspaceId: world.project.id, environment, path });
  const names = (reply: Json) => (reply.body.folders as Json[]).map((f) => f.name).sort();

  before(async () => {
    world = await setupWorld();
    dev = { workspaceId: world.project.id, environment: "dev" };
  });
  after(() => world.server.close());

  it("create: idempotent, missing parents created, '' answers the root, trailing slash and missing leading slash tolerated", async () => {
    const { client, admin } = world;
    const gamma = await client.post("/api/v1/folders", { ...dev, name: "gamma", path: "/alpha/beta" }, admin.token);
    assert.equal(gamma.status, 200);
    assert.equal(gamma.body.folder.name, "gamma");
    assert.equal(gamma.body.folder.version, 1);
    assert.deepEqual(names(await folders(admin.token, "/alpha")), ["beta"]);
    const again = await client.post("/api/v1/folders", { ...dev, name: "gamma", path: "alpha/beta/" }, admin.token);
    assert.equal(again.body.folder.id, gamma.body.folder.id);
    const root = await client.post("/api/v1/folders", { ...dev, name: "" }, admin.token);
    assert.equal(root.body.folder.name, "root");
    assert.equal(root.body.folder.parentId, null);
    // `directory` counts only when `path` is "" (old CLIs).
    const viaDirectory = await client.post(
      "/api/v1/folders",
      { ...dev, name: "delta", path: "", directory: "/alpha" },
      admin.token,
    );
    assert.equal(viaDirectory.status, 200);
    assert.deepEqual(names(await folders(admin.token, "/alpha")), ["beta", "delta"]);
    assert.deepEqual((await folders(admin.token, "/nope")).body, { folders: [] });
    const byId = await client.get(`/api/v1/folders/${gamma.body.folder.id}`, admin.token);
    assert.equal(byId.body.folder.id, gamma.body.folder.id);
  });

  it("malformed names, paths and ids are 400s naming the field (the real server answers 500), and nothing is written", async () => {
    const { client, admin } = world;
    const before = names(await folders(admin.token, "/"));
    for (const name of ["my folder", "a.b", "x/y", "é", "n".repeat(65), "../up"]) {
      const res = await client.post("/api/v1/folders", { ...dev, name }, admin.token);
      assert.equal(res.status, 400, name);
      assert.match(res.body.message, /^Invalid name/, name);
    }
    for (const path of ["/a b", "/a/../b", "/a//b", "/a.b"]) {
      const res = await client.post("/api/v1/folders", { ...dev, name: "ok", path }, admin.token);
      assert.equal(res.status, 400, path);
      assert.match(res.body.message, /^Invalid path/, path);
      assert.equal((await folders(admin.token, path)).status, 400, path);
    }
    assert.deepEqual(names(await folders(admin.token, "/")), before);
    const notUuid = await client.get("/api/v1/folders/not-a-uuid", admin.token);
    assert.equal(notUuid.status, 400);
    assert.match(notUuid.body.message, /^Invalid id/);
    const unknown = await client.get("/api/v1/folders/00000000-0000-4000-8000-000000000000", admin.token);
    assert.deepEqual(unknown.body, { statusCode: 404, message: "folder not found", error: "NotFound" });
    const badRename = await client.patch("/api/v1/folders/alpha", { ...dev, name: "bad name" }, admin.token);
    assert.equal(badRename.status, 400);
    assert.match(badRename.body.message, /^Invalid name/);
    const badId = await client.patch("/api/v1/folders/a.b", { ...dev, name: "fine" }, admin.token);
    assert.equal(badId.status, 400);
    assert.match(badId.body.message, /^Invalid folderId/);
    const missingName = await client.patch("/api/v1/folders/alpha", { ...dev }, admin.token);
    assert.equal(missingName.status, 403);
    assert.equal(missingName.body.error, "ValidationFailure");
    const noBody = await client.request("DELETE", "/api/v1/folders/alpha", { token: admin.token });
    assert.equal(noBody.status, 403);
    assert.equal(noBody.body.error, "ValidationFailure");
    const huge = await client.post("/api/v1/folders", { ...dev, name: "a".repeat(5000) }, admin.token);
    assert.equal(huge.status, 403);
    assert.equal((await folders(admin.token, "/alpha")).body.folders.length, 2);
  });

  it("rename by id and by name: version counts calls, siblings conflict, wrong parent is 'Folder not found', secrets move along", async () => {
    const { client, admin, project } = world;
    const app = (await client.post("/api/v1/folders", { ...dev, name: "db", path: "/app" }, admin.token)).body.folder;
    const where = { ...dev, secretPath: "/app/db" };
    const put = await client.post(
      "/api/v3/secrets/DB_URL",
      { ...where, type: "shared", ...encryptSecret(project.projectKey, "DB_URL", "postgres://x") },
      admin.token,
    );
    assert.equal(put.status, 200);
    const renamed = await client.patch(
      `/api/v1/folders/${app.id}`,
      { ...dev, name: "database", path: "/app" },
      admin.token,
    );
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.folder.id, app.id);
    assert.equal(renamed.body.folder.version, 2);
    const same = await client.patch(
      "/api/v1/folders/database",
      { ...dev, name: "database", path: "/app" },
      admin.token,
    );
    assert.equal(same.body.folder.version, 3);
    const moved = await client.get("/api/v3/secrets", admin.token, { ...dev, secretPath: "/app/database" });
    assert.equal(moved.body.secrets.length, 1);
    assert.equal(moved.body.secrets[0].id, put.body.secret.id);
    assert.deepEqual((await client.get("/api/v3/secrets", admin.token, where)).body.secrets, []);
    await client.post("/api/v1/folders", { ...dev, name: "cache", path: "/app" }, admin.token);
    const clash = await client.patch(`/api/v1/folders/${app.id}`, { ...dev, name: "cache", path: "/app" }, admin.token);
    assert.equal(clash.status, 400);
    assert.equal(clash.body.message, "Folder with specified name already exists");
    const wrongParent = await client.patch(
      `/api/v1/folders/${app.id}`,
      { ...dev, name: "other", path: "/" },
      admin.token,
    );
    assert.equal(wrongParent.status, 400);
    assert.equal(wrongParent.body.message, "Folder not found");
    const root = await client.post("/api/v1/folders", { ...dev, name: "" }, admin.token);
    const renameRoot = await client.patch(`/api/v1/folders/${root.body.folder.id}`, { ...dev, name: "x" }, admin.token);
    assert.equal(renameRoot.status, 400);
  });

  it("batch rename is all or nothing", async () => {
    const { client, admin, project } = world;
    await client.post("/api/v1/folders", { ...dev, name: "one", path: "/batch" }, admin.token);
    await client.post("/api/v1/folders", { ...dev, name: "two", path: "/batch" }, admin.token);
    const mixed = await client.patch(
      "/api/v1/folders/batch",
      {
        projectSlug: project.slug,
        folders: [
          { id: "one", environment: "dev", name: "uno", path: "/batch" },
          { id: "two", environment: "dev", name: "bad name", path: "/batch" },
        ],
      },
      admin.token,
    );
    assert.equal(mixed.status, 400);
    assert.deepEqual(names(await folders(admin.token, "/batch")), ["one", "two"]);
    const ok = await client.patch(
      "/api/v1/folders/batch",
      {
        projectSlug: project.slug,
        folders: [
          { id: "one", environment: "dev", name: "uno", path: "/batch" },
          { id: "two", environment: "dev", name: "dos", path: "/batch" },
        ],
      },
      admin.token,
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(names(await folders(admin.token, "/batch")), ["dos", "uno"]);
    const unknown = await client.patch(
      "/api/v1/folders/batch",
      { projectSlug: "no-such-project", folders: [{ id: "uno", environment: "dev", name: "x", path: "/batch" }] },
      admin.token,
    );
    assert.equal(unknown.status, 400);
  });

  it("delete cascades subfolders and their secrets in one go; gone folders and parents answer the real server's 400s", async () => {
    const { client, admin, project } = world;
    await client.post("/api/v1/folders", { ...dev, name: "leaf", path: "/tree/mid" }, admin.token);
    for (const secretPath of ["/tree", "/tree/mid/leaf"]) {
      const res = await client.post(
        "/api/v3/secrets/TREE",
        { ...dev, secretPath, type: "shared", ...encryptSecret(project.projectKey, "TREE", "v") },
        admin.token,
      );
      assert.equal(res.status, 200);
    }
    const tree = (await folders(admin.token, "/")).body.folders.find((f: Json) => f.name === "tree");
    const deleted = await client.delete(`/api/v1/folders/${tree.id}`, { ...dev, path: "/" }, admin.token);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.folder.id, tree.id);
    const leaf = await client.get("/api/v3/secrets", admin.token, { ...dev, secretPath: "/tree/mid/leaf" });
    assert.equal(leaf.status, 200);
    assert.deepEqual(leaf.body.secrets, []);
    const byName = await client.get("/api/v3/secrets/TREE", admin.token, { ...dev, secretPath: "/tree" });
    assert.equal(byName.status, 400);
    assert.equal((await client.get(`/api/v1/folders/${tree.id}`, admin.token)).status, 404);
    const again = await client.delete(`/api/v1/folders/${tree.id}`, { ...dev, path: "/" }, admin.token);
    assert.equal(again.status, 400);
    assert.equal(again.body.message, "Folder not found");
    const noParent = await client.delete("/api/v1/folders/x", { ...dev, path: "/nowhere" }, admin.token);
    assert.equal(noParent.body.message, "Secret path not found");
    const noEnv = await client.delete("/api/v1/folders/x", { ...dev, environment: "nope" }, admin.token);
    assert.equal(noEnv.status, 400);
    // `root` under `/` names a child called root, never the environment's root folder.
    const rootRow = (await client.post("/api/v1/folders", { ...dev, name: "" }, admin.token)).body.folder;
    assert.equal((await client.delete("/api/v1/folders/root", { ...dev, path: "/" }, admin.token)).status, 400);
    assert.equal(
      (await client.delete(`/api/v1/folders/${rootRow.id}`, { ...dev, path: "/" }, admin.token)).status,
      400,
    );
    assert.equal((await client.get(`/api/v1/folders/${rootRow.id}`, admin.token)).status, 200);
  });

  describe("weaker credentials", () => {
    let viewer: Session;
    let outsider: Session;
    let readOnly: string;
    let scopedToApp: string;
    let scopedToStaging: string;
    let protectedId: string;

    before(async () => {
      const { client, admin, project } = world;
      viewer = await inviteUser(client, admin, "viewer@example.com", "viewer-password-1");
      const membershipId = await addMember(client, admin, project, viewer);
      await client.patch(
        `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
        { roles: [{ role: "viewer" }] },
        admin.token,
      );
      // Someone with a project of their own, but not a member of this one.
      outsider = await inviteUser(client, admin, "outsider@example.com", "outsider-password-1");
      await createProject(client, outsider, "Outsider's");
      readOnly = (await createServiceToken(client, admin, project, { permissions: ["read"] })).token;
      scopedToApp = (
        await createServiceToken(client, admin, project, {
          scopes: [{ environment: "dev", secretPath: "/guarded/app" }],
        })
      ).token;
      scopedToStaging = (
        await createServiceToken(client, admin, project, { scopes: [{ environment: "staging", secretPath: "/**" }] })
      ).token;
      const made = await client.post("/api/v1/folders", { ...dev, name: "inner", path: "/guarded" }, admin.token);
      protectedId = made.body.folder.id;
    });

    const expectNoChange = async () => assert.deepEqual(names(await folders(world.admin.token, "/guarded")), ["inner"]);

    it("a viewer reads but cannot create, rename or delete (401)", async () => {
      const { client } = world;
      assert.equal((await folders(viewer.token, "/guarded")).status, 200);
      for (const res of [
        await client.post("/api/v1/folders", { ...dev, name: "v", path: "/guarded" }, viewer.token),
        await client.patch(`/api/v1/folders/${protectedId}`, { ...dev, name: "v", path: "/guarded" }, viewer.token),
        await client.delete(`/api/v1/folders/${protectedId}`, { ...dev, path: "/guarded" }, viewer.token),
      ]) {
        assert.equal(res.status, 401);
        assert.equal(res.body.error, "PermissionDenied");
      }
      await expectNoChange();
    });

    it("a read-only service token reads but cannot write", async () => {
      const { client } = world;
      assert.equal((await folders(readOnly, "/guarded")).status, 200);
      assert.equal(
        (await client.post("/api/v1/folders", { ...dev, name: "t", path: "/guarded" }, readOnly)).status,
        401,
      );
      assert.equal(
        (await client.patch(`/api/v1/folders/${protectedId}`, { ...dev, name: "t", path: "/guarded" }, readOnly))
          .status,
        401,
      );
      assert.equal((await client.delete(`/api/v1/folders/inner`, { ...dev, path: "/guarded" }, readOnly)).status, 401);
      await expectNoChange();
    });

    it("a token scoped to another path or environment can neither list, read nor change (the real server lets it list)", async () => {
      const { client } = world;
      for (const token of [scopedToApp, scopedToStaging]) {
        assert.equal((await folders(token, "/guarded")).status, 401);
        assert.equal((await client.get(`/api/v1/folders/${protectedId}`, token)).status, 401);
        assert.equal(
          (await client.post("/api/v1/folders", { ...dev, name: "s", path: "/guarded" }, token)).status,
          401,
        );
        assert.equal(
          (await client.patch(`/api/v1/folders/${protectedId}`, { ...dev, name: "s", path: "/guarded" }, token)).status,
          401,
        );
        assert.equal((await client.delete("/api/v1/folders/inner", { ...dev, path: "/guarded" }, token)).status, 401);
        const batch = await client.patch(
          "/api/v1/folders/batch",
          {
            projectSlug: world.project.slug,
            folders: [{ id: protectedId, environment: "dev", name: "s", path: "/guarded" }],
          },
          token,
        );
        assert.equal(batch.status, 401);
      }
      // A token scoped to dev:/guarded/app may create at /guarded/app but not /guarded/app/deeper's parent chain above it.
      assert.equal(
        (await client.post("/api/v1/folders", { ...dev, name: "mine", path: "/guarded/app" }, scopedToApp)).status,
        200,
      );
      assert.equal(
        (await client.post("/api/v1/folders", { ...dev, name: "deeper", path: "/guarded/app/mine" }, scopedToApp))
          .status,
        401,
      );
      assert.deepEqual(names(await folders(world.admin.token, "/guarded")), ["app", "inner"]);
    });

    it("another project's member gets 403 'User not in project' everywhere", async () => {
      const { client } = world;
      const results = [
        await folders(outsider.token, "/guarded"),
        await client.get(`/api/v1/folders/${protectedId}`, outsider.token),
        await client.post("/api/v1/folders", { ...dev, name: "o", path: "/guarded" }, outsider.token),
        await client.patch(`/api/v1/folders/${protectedId}`, { ...dev, name: "o", path: "/guarded" }, outsider.token),
        await client.delete(`/api/v1/folders/${protectedId}`, { ...dev, path: "/guarded" }, outsider.token),
        await client.patch(
          "/api/v1/folders/batch",
          {
            projectSlug: world.project.slug,
            folders: [{ id: protectedId, environment: "dev", name: "o", path: "/guarded" }],
          },
          outsider.token,
        ),
      ];
      for (const res of results) {
        assert.equal(res.status, 403);
        assert.equal(res.body.message, "User not in project");
      }
      assert.deepEqual(names(await folders(world.admin.token, "/guarded")), ["app", "inner"]);
    });
  });
});
