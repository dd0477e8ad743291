import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inviteMember } from "../../src/provider/bootstrap";
import { publicKeyFingerprint } from "../../src/provider/crypto";
import { environment } from "../../src/provider/resources/environment";
import { project } from "../../src/provider/resources/project";
import { projectMembership } from "../../src/provider/resources/project-membership";
import { serviceToken } from "../../src/provider/resources/service-token";
import type { Outputs } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness, uniqueName } from "./harness";

const MEMBER_EMAIL = "member@example.com";
const MEMBER_PASSWORD = "member password 1";

describe("environment, project, membership and service token resources", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("environment: create, read, no-op diff, rename name+slug in place, import, drift, delete twice", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const inputs = environment.validated({ projectId, name: "QA", slug: "qa" });
    const created = await environment.ops.create(ctx, inputs);
    assert.equal(created.outputs.slug, "qa");
    assert.equal(typeof created.outputs.position, "number");
    const read = await environment.ops.read(ctx, created.id, created.outputs);
    assert.deepEqual(environment.diff(read as Outputs, inputs).changes, []);

    const renamed = environment.validated({ projectId, name: "Quality", slug: "quality" });
    const diff = environment.diff(created.outputs, renamed);
    assert.deepEqual(diff.changes.sort(), ["name", "slug"]);
    assert.deepEqual(diff.replaces, []);
    const updated = await environment.ops.update(ctx, created.id, created.outputs, renamed);
    assert.equal(updated.slug, "quality");
    assert.equal(updated.environmentId, created.id);
    assert.deepEqual(
      environment.diff(created.outputs, environment.validated({ projectId: "other", name: "QA", slug: "qa" })).replaces,
      ["projectId"],
    );

    const imported = await environment.ops.import(ctx, `${projectId}:quality`);
    assert.equal(imported.id, created.id);
    assert.equal(imported.outputs.name, "Quality");

    assert.equal(imported.outputs.position, updated.position, "import records the server's position");

    await ctx.session.api.environments.update(projectId, created.id, { name: "Renamed outside", position: 1 });
    const drifted = await environment.ops.read(ctx, created.id, updated);
    assert.equal(drifted?.name, "Renamed outside");
    assert.notEqual(updated.position, 1, "the reorder below must be a change");
    assert.equal(drifted?.position, 1, "a reorder made outside shows as drift");

    await environment.ops.delete(ctx, created.id, updated);
    assert.equal(await environment.ops.read(ctx, created.id, updated), undefined);
    await environment.ops.delete(ctx, created.id, updated);
  });

  it("project: create uploads a client-made key copy; rename in place; import; delete outside → gone; delete twice", async () => {
    const session = h.userSession();
    const ctx = h.ctx(session);
    const inputs = project.validated({ name: "Payments", slug: "payments-core" });
    const created = await project.ops.create(ctx, inputs);
    assert.equal(created.outputs.slug, "payments-core");
    assert.deepEqual(created.outputs.environments?.map((e) => e.slug).sort(), ["dev", "prod", "staging"]);
    // The key copy was uploaded: a fresh session (no remembered key) can unwrap it.
    const other = openSession({ host: h.server.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { env: {} });
    assert.match(await other.projectKey(created.id), /^[0-9a-f]{32}$/);
    assert.equal(await other.projectKey(created.id), await session.projectKey(created.id));
    await other.close();

    const read = await project.ops.read(ctx, created.id, created.outputs);
    assert.deepEqual(project.diff(read as Outputs, inputs).changes, []);
    const renamed = project.validated({ name: "Payments Platform", slug: "payments-core" });
    assert.deepEqual(project.diff(created.outputs, renamed), {
      changes: ["name"],
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(
      project.diff(created.outputs, project.validated({ name: "Payments", slug: "payments-next" })).replaces,
      ["slug"],
    );
    const updated = await project.ops.update(ctx, created.id, created.outputs, renamed);
    assert.equal(updated.name, "Payments Platform");
    assert.equal((await project.ops.read(ctx, created.id, updated))?.name, "Payments Platform");

    const imported = await project.ops.import(ctx, created.id);
    assert.equal(imported.outputs.slug, "payments-core");

    await session.api.projects.delete(created.id);
    assert.equal(await project.ops.read(ctx, created.id, updated), undefined);
    await project.ops.delete(ctx, created.id, updated);
  });

  it("service token: 4-part token that decrypts secrets; read; no-op diff; rotation replaces; import impossible; delete twice", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const inputs = serviceToken.validated({
      projectId,
      name: uniqueName("ci"),
      scopes: [{ environment: "dev", secretPath: "/" }],
      permissions: ["read"],
      rotationTrigger: "1",
    });
    const created = await serviceToken.ops.create(ctx, inputs);
    assert.match(created.outputs.token!, /^st\.[^.]+\.[^.]+\.[0-9a-f]{32}$/);
    assert.equal(created.outputs.tokenId, created.id);

    await ctx.session.secrets.create(
      { projectId, environment: "dev", path: "/" },
      { key: "FOR_TOKEN", value: "readable", comment: "" },
    );
    const tokenSession = openSession({ host: h.server.url, serviceToken: created.outputs.token }, { env: {} });
    assert.equal(
      (await tokenSession.secrets.get({ projectId, environment: "dev", path: "/" }, "FOR_TOKEN"))?.value,
      "readable",
    );
    await assert.rejects(
      tokenSession.secrets.create(
        { projectId, environment: "dev", path: "/" },
        { key: "NOPE", value: "x", comment: "" },
      ),
      { code: "ERR_API_PERMISSION_DENIED" },
    );
    await tokenSession.close();

    const read = await serviceToken.ops.read(ctx, created.id, created.outputs);
    assert.equal(read?.token, created.outputs.token);
    assert.deepEqual(serviceToken.diff(read as Outputs, inputs).changes, []);
    const rotated = serviceToken.validated({ ...inputs, rotationTrigger: "2" });
    assert.deepEqual(serviceToken.diff(created.outputs, rotated).replaces, ["rotationTrigger"]);
    await assert.rejects(serviceToken.ops.import(ctx, created.id), { code: "ERR_IMPORT_UNSUPPORTED" });

    await serviceToken.ops.delete(ctx, created.id, created.outputs);
    assert.equal(await serviceToken.ops.read(ctx, created.id, created.outputs), undefined);
    await serviceToken.ops.delete(ctx, created.id, created.outputs);
  });

  it("project membership: wraps the project key for the member, role change in place, import, delete twice", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    await assert.rejects(
      projectMembership.ops.create(ctx, projectMembership.validated({ projectId, email: "stranger@example.com" })),
      (error: Error & { code?: string }) => error.code === "ERR_VALIDATION" && /email/.test(error.message),
    );
    await inviteMember({
      host: h.server.url,
      adminEmail: ADMIN_EMAIL,
      adminPassword: ADMIN_PASSWORD,
      email: MEMBER_EMAIL,
      password: MEMBER_PASSWORD,
    });
    const inputs = projectMembership.validated({ projectId, email: MEMBER_EMAIL, role: "viewer" });
    const created = await projectMembership.ops.create(ctx, inputs);
    assert.equal(created.outputs.role, "viewer");
    assert.ok(created.outputs.userId);

    // The member's copy was sent by the admin: refused until the member trusts the admin's key.
    const adminFingerprint = publicKeyFingerprint((await ctx.session.user()).publicKey);
    const untrusting = openSession({ host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }, { env: {} });
    await assert.rejects(
      untrusting.projectKey(projectId),
      (error: Error & { code?: string; senderFingerprint?: string }) =>
        error.code === "ERR_UNTRUSTED_KEY_SENDER" && error.senderFingerprint === adminFingerprint,
    );
    await untrusting.close();
    // Trusting it, the member decrypts the same project key with their own private key.
    const member = openSession(
      { host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD, trustedKeyFingerprints: adminFingerprint },
      { env: {} },
    );
    assert.equal(await member.projectKey(projectId), await ctx.session.projectKey(projectId));
    // The pin in state is the member's own key, as the member computes it.
    assert.equal(created.outputs.publicKeyFingerprint, publicKeyFingerprint((await member.user()).publicKey));

    const read = await projectMembership.ops.read(ctx, created.id, created.outputs);
    assert.deepEqual(projectMembership.diff(read as Outputs, inputs).changes, []);
    const promoted = projectMembership.validated({ projectId, email: MEMBER_EMAIL, role: "admin" });
    assert.deepEqual(projectMembership.diff(created.outputs, promoted), {
      changes: ["role"],
      replaces: [],
      deleteBeforeReplace: false,
    });
    await projectMembership.ops.update(ctx, created.id, created.outputs, promoted);
    assert.equal((await projectMembership.ops.read(ctx, created.id, created.outputs))?.role, "admin");

    const imported = await projectMembership.ops.import(ctx, `${projectId}:${MEMBER_EMAIL}`);
    assert.equal(imported.id, created.id);

    await projectMembership.ops.delete(ctx, created.id, created.outputs);
    assert.equal(await projectMembership.ops.read(ctx, created.id, created.outputs), undefined);
    await projectMembership.ops.delete(ctx, created.id, created.outputs);
    await member.close();
  });
});
