import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, ConflictError, PartialCreateError, ValidationError } from "../../src/provider/errors";
import { secret } from "../../src/provider/resources/secret";
import { secretTag } from "../../src/provider/resources/secret-tag";
import type { Outputs } from "../../src/provider/schema/resource";
import { type Harness, startHarness, uniqueName } from "./harness";

const slugOf = (prefix: string) => uniqueName(prefix).toLowerCase().replace(/_/g, "-");

describe("secret tag resource and tagIds on secrets, against the embedded server", () => {
  let h: Harness;
  let projectId: string;
  before(async () => {
    h = await startHarness();
    projectId = h.boot.projectId;
  });
  after(() => h.close());

  const tagInputs = (extra: Record<string, unknown>) => secretTag.validated({ projectId, ...extra });
  const secretInputs = (extra: Record<string, unknown>) =>
    secret.validated({ projectId, environment: "dev", value: "v", ...extra });
  const newTag = async (color?: string) => {
    const slug = slugOf("t");
    return secretTag.ops.create(h.ctx(h.userSession()), tagInputs({ name: `Tag ${slug}`, slug, color }));
  };

  it("tag: create, read, update in place, drift, outside deletion, import by project and slug", async () => {
    const ctx = h.ctx(h.userSession());
    const slug = slugOf("db");
    const created = await secretTag.ops.create(ctx, tagInputs({ name: "Database", slug, color: "#ff0000" }));
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.outputs, { projectId, name: "Database", slug, color: "#ff0000" });
    const read = await secretTag.ops.read(ctx, created.id, created.outputs);
    assert.deepEqual(read, created.outputs);

    const renamed = tagInputs({ name: "Databases", slug: `${slug}-x` });
    assert.deepEqual(secretTag.diff(read as Outputs, renamed).changes.sort(), ["color", "name", "slug"]);
    assert.deepEqual(secretTag.diff(read as Outputs, renamed).replaces, []);
    const updated = await secretTag.ops.update(ctx, created.id, read!, renamed);
    assert.deepEqual(updated, { projectId, name: "Databases", slug: `${slug}-x`, color: null });
    // No colour set and none on the server: no perpetual diff.
    assert.deepEqual(secretTag.diff(updated as Outputs, renamed).changes, []);

    await ctx.session.api.tags.update(projectId, created.id, { name: "Changed outside", slug: `${slug}-x`, color: "" });
    const drifted = await secretTag.ops.read(ctx, created.id, updated);
    assert.equal(drifted?.name, "Changed outside");
    assert.deepEqual(secretTag.diff(drifted as Outputs, renamed).changes, ["name"]);

    const imported = await secretTag.ops.import(ctx, `${projectId}:${slug}-x`);
    assert.equal(imported.id, created.id);
    await assert.rejects(secretTag.ops.import(ctx, `${projectId}:no-such-tag`), { code: "ERR_API_NOT_FOUND" });

    await ctx.session.api.tags.delete(projectId, created.id);
    assert.equal(await secretTag.ops.read(ctx, created.id, updated), undefined, "deleted outside reads as gone");
    await secretTag.ops.delete(ctx, created.id, updated); // already gone counts as done
    // A malformed id in state (hand-edited) is gone too, not a server error.
    assert.equal(await secretTag.ops.read(ctx, "not-a-uuid", updated), undefined);
  });

  it("tag: input rules, duplicate slug, service token", async () => {
    const failures = secretTag.check({ projectId, name: " ", slug: "Bad Slug!", color: "x".repeat(65) }).failures;
    assert.deepEqual(failures.map((f) => f.path).sort(), ["color", "name", "slug"]);
    const first = await newTag();
    await assert.rejects(
      secretTag.ops.create(h.ctx(h.userSession()), tagInputs({ name: "dup", slug: first.outputs.slug })),
      ConflictError,
    );
    await assert.rejects(
      secretTag.ops.create(h.ctx(h.tokenSession()), tagInputs({ name: "t", slug: slugOf("st") })),
      (error: unknown) => error instanceof ConfigError && /service token only reaches secrets/.test(error.message),
    );
  });

  it("tagged create is a create plus one update; read shows the set; outside change is drift", async () => {
    const [a, b] = await Promise.all([newTag(), newTag()]);
    const session = h.userSession();
    const ctx = h.ctx(session);
    const key = uniqueName("TAGGED");
    const inputs = secretInputs({ key, tagIds: [a.id] });
    const mark = h.requests.length;
    const created = await secret.ops.create(ctx, inputs);
    assert.equal(h.count("POST", "/api/v3/secrets/:secretName", mark), 1);
    assert.equal(h.count("PATCH", "/api/v3/secrets/:secretName", mark), 1);
    assert.deepEqual(created.outputs.tagIds, [a.id]);
    assert.equal(created.outputs.version, 2, "the tag update is the second version");

    const read = await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs);
    assert.deepEqual(read?.tagIds, [a.id]);
    assert.deepEqual(secret.diff(read as Outputs, inputs).changes, []);

    const toB = secretInputs({ key, tagIds: [b.id, a.id] });
    assert.deepEqual(secret.diff(read as Outputs, toB).changes, ["tagIds"]);
    const updated = await secret.ops.update(ctx, created.id, read!, toB);
    assert.deepEqual(updated.tagIds, [a.id, b.id].sort());
    // Order does not count in a set.
    assert.deepEqual(secret.diff(updated as Outputs, secretInputs({ key, tagIds: [a.id, b.id] })).changes, []);

    // Someone drops a tag outside: the next read shows it and the diff puts it back.
    const scope = { workspaceId: projectId, environment: "dev", secretPath: "/" };
    const wire = await session.api.secrets.get(scope, key);
    await session.api.secrets.update(scope, key, {
      secretValueCiphertext: wire.secret.secretValueCiphertext,
      secretValueIV: wire.secret.secretValueIV,
      secretValueTag: wire.secret.secretValueTag,
      tags: [b.id],
    });
    const drifted = await secret.ops.read(h.ctx(h.userSession()), created.id, updated);
    assert.deepEqual(drifted?.tagIds, [b.id]);
    assert.deepEqual(secret.diff(drifted as Outputs, toB).changes, ["tagIds"]);

    // Deleting a tag detaches it.
    await secretTag.ops.delete(ctx, b.id, b.outputs);
    const detached = await secret.ops.read(h.ctx(h.userSession()), created.id, drifted!);
    assert.deepEqual(detached?.tagIds, []);

    // [] removes every tag; unset leaves them alone; [] and no tags never differ.
    const cleared = await secret.ops.update(ctx, created.id, detached!, secretInputs({ key, tagIds: [] }));
    assert.deepEqual(cleared.tagIds, []);
    assert.deepEqual(secret.diff(cleared as Outputs, secretInputs({ key, tagIds: [] })).changes, []);
    assert.deepEqual(secret.diff(cleared as Outputs, secretInputs({ key })).changes, []);
    const unsetValue = await secret.ops.update(ctx, created.id, cleared, secretInputs({ key, value: "v2" }));
    assert.deepEqual(unsetValue.tagIds, []);
  });

  it("an untagged create sends no update; state without tagIds (0.1.0) plans nothing", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("PLAIN");
    const mark = h.requests.length;
    const created = await secret.ops.create(ctx, secretInputs({ key }));
    assert.equal(h.count("PATCH", /^\/api\/v3\/secrets/, mark), 0);
    assert.deepEqual(created.outputs.tagIds, []);
    const { tagIds: _dropped, ...oldState } = created.outputs;
    assert.deepEqual(secret.diff(oldState as Outputs, secretInputs({ key })).changes, []);
  });

  it("bad tag ids: malformed ones fail the check; an unknown one fails naming tagIds and leaves the secret as created", async () => {
    const checked = secret.check({ projectId, environment: "dev", key: "K", value: "v", tagIds: ["a-slug", "a-slug"] });
    assert.deepEqual(checked.failures.map((f) => f.path).sort(), ["tagIds", "tagIds"]);

    const ctx = h.ctx(h.userSession());
    const key = uniqueName("FOREIGN");
    const unknownTag = "00000000-0000-4000-8000-000000000000";
    await assert.rejects(secret.ops.create(ctx, secretInputs({ key, tagIds: [unknownTag] })), (error: unknown) => {
      assert.ok(error instanceof PartialCreateError, String(error));
      assert.ok(error.cause instanceof ValidationError);
      assert.equal((error.cause as ValidationError).failures[0]?.path, "tagIds");
      return true;
    });
    const stored = await h.userSession().secrets.get({ projectId, environment: "dev", path: "/" }, key);
    assert.equal(stored?.version, 1, "the refused tag update left the created secret as it was");
  });
});
