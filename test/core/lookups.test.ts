import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { lookups } from "../../src/provider/registry";
import { type Harness, startHarness } from "./harness";

describe("lookups against the embedded server", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ projectName: "lookup-project" });
  });
  after(() => h.close());

  it("secrets: every decrypted secret of a location, sorted by key", async () => {
    const session = h.userSession();
    const location = { projectId: h.boot.projectId, environment: "dev", path: "/" };
    await Promise.all([
      session.secrets.create(location, { key: "B", value: "b-value", comment: "bee" }),
      session.secrets.create(location, { key: "A", value: "a-value", comment: "" }),
    ]);
    const result = await lookups.secrets.run(h.ctx(h.userSession()), {
      projectId: h.boot.projectId,
      environment: "dev",
    });
    assert.deepEqual(
      result.secrets?.map((s) => [s.key, s.value, s.comment]),
      [
        ["A", "a-value", ""],
        ["B", "b-value", "bee"],
      ],
    );
    assert.deepEqual(result.values, { A: "a-value", B: "b-value" });
  });

  it("project by ID and by slug", async () => {
    const ctx = h.ctx(h.userSession());
    const byId = await lookups.project.run(ctx, { projectId: h.boot.projectId });
    assert.equal(byId.name, "lookup-project");
    const bySlug = await lookups.project.run(ctx, { slug: byId.slug });
    assert.equal(bySlug.projectId, h.boot.projectId);
    assert.deepEqual(bySlug.environments?.map((e) => e.slug).sort(), ["dev", "prod", "staging"]);
    await assert.rejects(lookups.project.run(ctx, { slug: "no-such-project" }), { code: "ERR_API_NOT_FOUND" });
  });

  it("audit logs with filters", async () => {
    const ctx = h.ctx(h.userSession());
    await ctx.session.secrets.create(
      { projectId: h.boot.projectId, environment: "staging", path: "/" },
      { key: "AUDITED", value: "x", comment: "" },
    );
    const all = await lookups.auditLogs.run(ctx, { projectId: h.boot.projectId, limit: 100 });
    assert.ok((all.entries ?? []).length > 0);
    const creates = await lookups.auditLogs.run(ctx, { projectId: h.boot.projectId, eventType: "create-secret" });
    assert.ok((creates.entries ?? []).length > 0);
    assert.ok(creates.entries!.every((e) => e.eventType === "create-secret"));
    // The embedded server records the environment but (unlike the real one) never the secret name.
    assert.ok(creates.entries!.some((e) => e.environment === "staging"));
    const limited = await lookups.auditLogs.run(ctx, { projectId: h.boot.projectId, limit: 1 });
    assert.equal(limited.entries?.length, 1);
    const future = await lookups.auditLogs.run(ctx, { projectId: h.boot.projectId, startDate: "2999-01-01T00:00:00Z" });
    assert.deepEqual(future.entries, []);
    assert.ok(!JSON.stringify(all).includes('"x"'));
  });
});
