/**
 * Tag routes and `tags` on the v3 secret routes (routes-more.md §2) over real HTTP, as a friend
 * and as a hostile holder of a weaker credential: viewers, read-only and write service tokens,
 * members of another project, malformed and oversized input. Every refusal is a typed 4xx and
 * leaves nothing half-written.
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
  type RawClient,
  type Session,
  setupWorld,
  type TestProject,
  type World,
} from "./helpers";

describe("secret tags on the embedded server", () => {
  let world: World;
  let client: RawClient;
  let admin: Session;
  let project: TestProject;
  let other: TestProject;
  let viewer: Session;
  let outsider: Session;
  let reader: string;
  let writer: string;
  const tagsUrl = (projectId: string) => `/api/v1/workspace/${projectId}/tags`;
  let where: { workspaceId: string; environment: string; secretPath: string };

  before(async () => {
    world = await setupWorld();
    ({ client, admin, project } = world);
    other = await createProject(client, admin, "Other Project");
    viewer = await inviteUser(client, admin, "viewer@example.com", "viewer-password-1");
    const membershipId = await addMember(client, admin, project, viewer);
    const demoted = await client.patch(
      `/api/v1/workspace/${project.id}/memberships/${membershipId}`,
      { roles: [{ role: "viewer" }] },
      admin.token,
    );
    assert.equal(demoted.status, 200);
    outsider = await inviteUser(client, admin, "outsider@example.com", "outsider-password-1");
    reader = (await createServiceToken(client, admin, project, { permissions: ["read"] })).token;
    writer = (await createServiceToken(client, admin, project)).token;
    where = { workspaceId: project.id, environment: "dev", secretPath: "/" };
  });
  after(() => world.server.close());

  const createTag = async (projectId: string, slug: string, color = "#00ff00") => {
    const res = await client.post(tagsUrl(projectId), { name: `Tag ${slug}`, slug, color }, admin.token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.workspaceTag as Json;
  };
  const tagList = async (projectId = project.id) =>
    (await client.get(tagsUrl(projectId), admin.token)).body.workspaceTags as Json[];
  const createSecret = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await client.post(
      `/api/v3/secrets/${name}`,
      { ...where, type: "shared", ...encryptSecret(project.projectKey, name, "value"), ...extra },
      admin.token,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.secret as Json;
  };
  const listed = async (name: string) => {
    const res = await client.get("/api/v3/secrets", admin.token, where);
    return (res.body.secrets as Json[]).find((s) => s.id === name);
  };
  const patchTags = (name: string, tags: unknown, token = admin.token) =>
    client.patch(
      `/api/v3/secrets/${name}`,
      { ...where, type: "shared", ...encryptSecret(project.projectKey, name, "value2"), tags },
      token,
    );

  it("CRUD answers in the real server's shapes; the list is in creation order", async () => {
    const a = await createTag(project.id, "alpha");
    assert.deepEqual(Object.keys(a).sort(), [
      "color",
      "createdAt",
      "createdBy",
      "createdByActorType",
      "id",
      "name",
      "projectId",
      "slug",
      "updatedAt",
    ]);
    assert.equal(a.createdBy, admin.userId);
    assert.equal(a.projectId, project.id);
    const b = await createTag(project.id, "beta");
    assert.deepEqual(
      (await tagList()).map((t) => t.slug),
      ["alpha", "beta"],
    );
    assert.equal((await client.get(`${tagsUrl(project.id)}/${a.id}`, admin.token)).body.workspaceTag.slug, "alpha");
    assert.equal((await client.get(`${tagsUrl(project.id)}/slug/beta`, admin.token)).body.workspaceTag.id, b.id);
    const renamed = await client.patch(
      `${tagsUrl(project.id)}/${b.id}`,
      { name: "Beta", slug: "beta-2", color: "" },
      admin.token,
    );
    assert.equal(renamed.status, 200);
    assert.deepEqual([renamed.body.workspaceTag.name, renamed.body.workspaceTag.slug], ["Beta", "beta-2"]);
    const partial = await client.patch(`${tagsUrl(project.id)}/${b.id}`, { name: "Only a name" }, admin.token);
    assert.equal(partial.status, 403, "all three fields are required, as on the real server");
    assert.equal(partial.body.error, "ValidationFailure");
    const gone = await client.delete(`${tagsUrl(project.id)}/${b.id}`, undefined, admin.token);
    assert.equal(gone.status, 200);
    assert.equal(gone.body.workspaceTag.id, b.id);
    const again = await client.delete(`${tagsUrl(project.id)}/${b.id}`, undefined, admin.token);
    assert.deepEqual([again.status, again.body.message], [400, "Tag doesn't exist"]);
    const missing = await client.get(`${tagsUrl(project.id)}/${b.id}`, admin.token);
    assert.deepEqual([missing.status, missing.body.message], [404, "Tag doesn't exist"]);
  });

  it("a viewer reads but cannot create, edit or delete; a member can; a non-member gets nothing", async () => {
    const tag = await createTag(project.id, "viewer-target");
    const before = await tagList();
    assert.equal((await client.get(tagsUrl(project.id), viewer.token)).status, 200);
    const create = await client.post(tagsUrl(project.id), { name: "V", slug: "by-viewer", color: "" }, viewer.token);
    assert.deepEqual([create.status, create.body.error], [401, "PermissionDenied"]);
    const edit = await client.patch(
      `${tagsUrl(project.id)}/${tag.id}`,
      { name: "V", slug: "v", color: "" },
      viewer.token,
    );
    assert.deepEqual([edit.status, edit.body.error], [401, "PermissionDenied"]);
    const del = await client.delete(`${tagsUrl(project.id)}/${tag.id}`, undefined, viewer.token);
    assert.deepEqual([del.status, del.body.error], [401, "PermissionDenied"]);
    assert.deepEqual(await tagList(), before, "nothing changed");
    // Permission comes before the lookup: a viewer learns nothing about which ids exist.
    const probe = await client.patch(
      `${tagsUrl(project.id)}/not-a-uuid`,
      { name: "V", slug: "v", color: "" },
      viewer.token,
    );
    assert.equal(probe.status, 401);
    // A member (the built-in "Developer") may do everything with tags.
    const member = await inviteUser(client, admin, "member@example.com", "member-password-1");
    await addMember(client, admin, project, member);
    const byMember = await client.post(tagsUrl(project.id), { name: "M", slug: "by-member", color: "" }, member.token);
    assert.equal(byMember.status, 200);
    const memberEdit = await client.patch(
      `${tagsUrl(project.id)}/${byMember.body.workspaceTag.id}`,
      { name: "M2", slug: "by-member", color: "#fff" },
      member.token,
    );
    assert.equal(memberEdit.status, 200);
    const memberDelete = await client.delete(
      `${tagsUrl(project.id)}/${byMember.body.workspaceTag.id}`,
      undefined,
      member.token,
    );
    assert.equal(memberDelete.status, 200);
    const stranger = await client.get(tagsUrl(project.id), outsider.token);
    assert.deepEqual([stranger.status, stranger.body.message], [403, "User not in project"]);
  });

  it("service tokens cannot use the tag routes; a write token may set tags on a secret, a read-only one may not", async () => {
    const tag = await createTag(project.id, "token-target");
    for (const token of [reader, writer]) {
      const list = await client.get(tagsUrl(project.id), token);
      assert.equal(list.status, 403);
      assert.match(list.body.message, /Unauthorized Access/);
      const create = await client.post(tagsUrl(project.id), { name: "T", slug: "by-token", color: "" }, token);
      assert.equal(create.status, 403);
    }
    assert.equal(
      (await tagList()).some((t) => t.slug === "by-token"),
      false,
    );
    const secret = await createSecret("TOKEN_TAGGED");
    const denied = await patchTags("TOKEN_TAGGED", [tag.id], reader);
    assert.deepEqual([denied.status, denied.body.error], [401, "PermissionDenied"]);
    assert.deepEqual((await listed(secret.id)).tags, []);
    const allowed = await patchTags("TOKEN_TAGGED", [tag.id], writer);
    assert.equal(allowed.status, 200, "as on the real server: only edit on secrets is checked");
    assert.deepEqual(
      (await listed(secret.id)).tags.map((t: Json) => t.id),
      [tag.id],
    );
  });

  it("tags are ignored on create, replace the set on update, show on the list only", async () => {
    const [a, b] = [await createTag(project.id, "set-a", "#111111"), await createTag(project.id, "set-b")];
    const single = await createSecret("IGNORED_ON_CREATE", { tags: [a.id] });
    assert.deepEqual((await listed(single.id)).tags, []);
    const batch = await client.post(
      "/api/v3/secrets/batch",
      {
        ...where,
        secrets: [
          { secretName: "BATCH_IGNORED", ...encryptSecret(project.projectKey, "BATCH_IGNORED", "v"), tags: [a.id] },
        ],
      },
      admin.token,
    );
    assert.equal(batch.status, 200);
    assert.deepEqual((await listed(batch.body.secrets[0].id)).tags, []);

    const set = await patchTags("IGNORED_ON_CREATE", [a.id, b.id]);
    assert.equal(set.status, 200);
    assert.equal("tags" in set.body.secret, false, "write answers carry no tags, as on the real server");
    const shown = (await listed(single.id)).tags as Json[];
    assert.deepEqual(shown.map((t) => t.id).sort(), [a.id, b.id].sort());
    assert.deepEqual(Object.keys(shown[0]).sort(), ["color", "id", "name", "slug"]);
    const got = await client.get("/api/v3/secrets/IGNORED_ON_CREATE", admin.token, where);
    assert.equal("tags" in got.body.secret, false);

    const unchanged = await client.patch(
      "/api/v3/secrets/IGNORED_ON_CREATE",
      { ...where, ...encryptSecret(project.projectKey, "IGNORED_ON_CREATE", "v3") },
      admin.token,
    );
    assert.equal(unchanged.status, 200);
    assert.equal((await listed(single.id)).tags.length, 2, "absent tags leave the set alone");
    const batchPatch = await client.patch(
      "/api/v3/secrets/batch",
      {
        ...where,
        secrets: [
          {
            secretName: "IGNORED_ON_CREATE",
            ...encryptSecret(project.projectKey, "IGNORED_ON_CREATE", "v4"),
            tags: [b.id],
          },
        ],
      },
      admin.token,
    );
    assert.equal(batchPatch.status, 200);
    assert.deepEqual(
      (await listed(single.id)).tags.map((t: Json) => t.id),
      [b.id],
    );
    assert.equal((await patchTags("IGNORED_ON_CREATE", [])).status, 200);
    assert.deepEqual((await listed(single.id)).tags, []);

    // Deleting a tag detaches it.
    assert.equal((await patchTags("IGNORED_ON_CREATE", [a.id])).status, 200);
    await client.delete(`${tagsUrl(project.id)}/${a.id}`, undefined, admin.token);
    assert.deepEqual((await listed(single.id)).tags, []);
  });

  it("another project's tag, an unknown, malformed or repeated id on a secret: 400, nothing written", async () => {
    const mine = await createTag(project.id, "mine");
    const foreign = await createTag(other.id, "foreign");
    const secret = await createSecret("GUARDED");
    assert.equal((await patchTags("GUARDED", [mine.id])).status, 200);
    const version = (await listed(secret.id)).version;
    for (const tags of [
      [foreign.id],
      [mine.id, foreign.id],
      ["00000000-0000-4000-8000-000000000000"],
      ["mine"],
      [mine.id, mine.id],
    ]) {
      const res = await patchTags("GUARDED", tags);
      assert.deepEqual([res.status, res.body.message], [400, "Tag not found"], JSON.stringify(tags));
    }
    const tooMany = await patchTags(
      "GUARDED",
      Array.from({ length: 101 }, () => mine.id),
    );
    assert.equal(tooMany.status, 403);
    const oversized = await patchTags("GUARDED", ["x".repeat(101)]);
    assert.equal(oversized.status, 403);
    const batch = await client.patch(
      "/api/v3/secrets/batch",
      {
        ...where,
        secrets: [
          { secretName: "GUARDED", ...encryptSecret(project.projectKey, "GUARDED", "b1"), tags: [] },
          { secretName: "GUARDED_2", ...encryptSecret(project.projectKey, "GUARDED_2", "b2"), tags: [foreign.id] },
        ],
      },
      admin.token,
    );
    assert.equal(batch.status, 400);
    const after = await listed(secret.id);
    assert.equal(after.version, version, "no refused update bumped the version");
    assert.deepEqual(
      after.tags.map((t: Json) => t.id),
      [mine.id],
    );
  });

  it("a tag is only reachable through its own project's URL; malformed ids are unknown ids, never 500", async () => {
    const foreign = await createTag(other.id, "elsewhere");
    const url = `${tagsUrl(project.id)}/${foreign.id}`;
    assert.equal((await client.get(url, admin.token)).status, 404);
    const edit = await client.patch(url, { name: "x", slug: "x", color: "" }, admin.token);
    assert.deepEqual([edit.status, edit.body.message], [400, "Tag doesn't exist"]);
    const del = await client.delete(url, undefined, admin.token);
    assert.deepEqual([del.status, del.body.message], [400, "Tag doesn't exist"]);
    assert.ok(
      (await tagList(other.id)).some((t) => t.id === foreign.id),
      "the other project's tag is untouched",
    );
    for (const id of ["not-a-uuid", "1", "%27%3B--", "x".repeat(100)]) {
      const get = await client.get(`${tagsUrl(project.id)}/${id}`, admin.token);
      assert.equal(get.status, 404, id);
      const patch = await client.patch(
        `${tagsUrl(project.id)}/${id}`,
        { name: "x", slug: "x", color: "" },
        admin.token,
      );
      assert.equal(patch.status, 400, id);
      const gone = await client.delete(`${tagsUrl(project.id)}/${id}`, undefined, admin.token);
      assert.equal(gone.status, 400, id);
    }
    assert.equal((await client.get(`${tagsUrl(project.id)}/slug/no-such-slug`, admin.token)).status, 404);
  });

  it("oversized, empty or malformed name, slug and colour, and duplicate slugs: 4xx naming the field, nothing stored", async () => {
    const before = await tagList();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: "x".repeat(65), slug: "ok-slug", color: "" }, "name"],
      [{ name: "x".repeat(100_000), slug: "ok-slug", color: "" }, "name"],
      [{ name: " ", slug: "ok-slug", color: "" }, "name"],
      [{ name: "bad\u0000name", slug: "ok-slug", color: "" }, "name"],
      [{ name: "ok", slug: "s".repeat(65), color: "" }, "slug"],
      [{ name: "ok", slug: "Bad Slug!", color: "" }, "slug"],
      [{ name: "ok", slug: "", color: "" }, "slug"],
      [{ name: "ok", slug: "ok-slug", color: "c".repeat(65) }, "color"],
      [{ name: "ok", slug: "ok-slug" }, "color"],
      [{ name: "ok", slug: "ok-slug", color: 7 }, "color"],
    ];
    for (const [body, field] of cases) {
      const res = await client.post(tagsUrl(project.id), body, admin.token);
      assert.equal(res.status, 403, `${field}: ${JSON.stringify(body).slice(0, 80)}`);
      assert.equal(res.body.error, "ValidationFailure");
      assert.ok(
        (res.body.message as Json[]).some((issue) => issue.path[0] === field),
        `${field} named: ${JSON.stringify(res.body.message).slice(0, 200)}`,
      );
    }
    assert.deepEqual(await tagList(), before, "nothing was created");

    const first = await createTag(project.id, "unique-slug");
    const dup = await client.post(tagsUrl(project.id), { name: "Dup", slug: "unique-slug", color: "" }, admin.token);
    assert.deepEqual([dup.status, dup.body.message], [400, "Tag already exist"]);
    const second = await createTag(project.id, "second-slug");
    const onto = await client.patch(
      `${tagsUrl(project.id)}/${second.id}`,
      { name: "S", slug: "unique-slug", color: "" },
      admin.token,
    );
    assert.deepEqual([onto.status, onto.body.message], [400, "Tag already exist"]);
    const sameSlugElsewhere = await createTag(other.id, "unique-slug");
    assert.equal(sameSlugElsewhere.slug, "unique-slug", "the same slug in another project is fine");
    const now = await tagList();
    assert.equal(now.filter((t) => t.slug === "unique-slug").length, 1);
    assert.equal(now.find((t) => t.id === second.id)?.slug, "second-slug");
    assert.equal(now.find((t) => t.id === first.id)?.name, "Tag unique-slug");
  });

  it("attach by slug: adds to the set and bumps the version; unknown, repeated or present slugs and weaker credentials are refused", async () => {
    const [x, y] = [await createTag(project.id, "attach-x"), await createTag(project.id, "attach-y")];
    const secret = await createSecret("ATTACHED");
    assert.equal((await patchTags("ATTACHED", [x.id])).status, 200);
    const before = await listed(secret.id);
    const body = (tagSlugs: string[], projectSlug = project.slug) => ({
      projectSlug,
      environment: "dev",
      secretPath: "/",
      tagSlugs,
    });
    const attached = await client.post("/api/v3/secrets/tags/ATTACHED", body(["attach-y"]), admin.token);
    assert.equal(attached.status, 200, JSON.stringify(attached.body));
    assert.deepEqual(attached.body.secret.tags.map((t: Json) => t.slug).sort(), ["attach-x", "attach-y"]);
    assert.equal(attached.body.secret.version, before.version + 1);
    const refusals: Array<[Record<string, unknown>, string, number, string | undefined]> = [
      [body(["attach-x"]), admin.token, 400, "One or more tags already exist on the secret"],
      [body(["no-such"]), admin.token, 400, "One or more tags not found."],
      [body(["foreign"]), admin.token, 400, "One or more tags not found."],
      [body([]), admin.token, 403, undefined],
      [body(["attach-y"], other.slug), viewer.token, 403, "User not in project"],
      [body(["attach-y"], "no-such-project"), admin.token, 403, "User not in project"],
      [body(["attach-y"]), viewer.token, 401, "You are not allowed to edit on secrets"],
      [body(["attach-y"]), writer, 403, undefined],
    ];
    for (const [request, token, status, message] of refusals) {
      const res = await client.post("/api/v3/secrets/tags/ATTACHED", request, token);
      assert.equal(res.status, status, JSON.stringify(request));
      if (message) assert.equal(res.body.message, message);
    }
    const after = await listed(secret.id);
    assert.equal(after.version, before.version + 1, "no refusal wrote");
    assert.deepEqual(after.tags.map((t: Json) => t.id).sort(), [x.id, y.id].sort());
    const detach = await client.delete("/api/v3/secrets/tags/ATTACHED", body(["attach-x"]), admin.token);
    assert.equal(detach.status, 404, "detach (identities only on the real server) is absent");
  });
});
