/**
 * The membership resource's temporary access and key-copy lifecycle against the embedded server
 * over real HTTP (docs/design/0039): check names the field, a grant is written in the PATCH roles
 * format, expiry is a diff (renewal) never an error, and a member upgraded from no-access gets a
 * new key copy they can open.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inviteMember } from "../../src/provider/bootstrap";
import { publicKeyFingerprint } from "../../src/provider/crypto";
import { projectMembership } from "../../src/provider/resources/project-membership";
import type { Outputs, ResourceContext } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

const MEMBER = { email: "temp-member@example.com", password: "temp member password 1" };
const HOUR = 3_600_000;

describe("projectMembership: temporary access and key copies", () => {
  let h: Harness;
  let ctx: ResourceContext;
  let projectId: string;
  let member: Session;

  before(async () => {
    h = await startHarness();
    ctx = h.ctx(h.userSession());
    projectId = h.boot.projectId;
    await inviteMember({ host: h.server.url, adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, ...MEMBER });
    const adminFingerprint = publicKeyFingerprint((await ctx.session.user()).publicKey);
    member = openSession({ host: h.server.url, ...MEMBER, trustedKeyFingerprints: adminFingerprint }, { env: {} });
  });
  after(async () => {
    await member?.close();
    await h?.close();
  });

  const serverRoles = async (membershipId: string) =>
    (await ctx.session.api.memberships.list(projectId)).memberships.find((m) => m.id === membershipId)!.roles;

  it("check names the field: range format, start format, window fields only with isTemporary", () => {
    const failures = (inputs: Record<string, unknown>) =>
      projectMembership.check({ projectId: "p1", email: MEMBER.email, ...inputs }).failures;
    assert.deepEqual(failures({ isTemporary: true }), [
      { path: "temporaryRange", reason: "is required when isTemporary is true" },
    ]);
    for (const range of ["abc", "0s", "-1h", "1 fortnight", "", "9".repeat(90)]) {
      const [failure] = failures({ isTemporary: true, temporaryRange: range });
      assert.equal(failure?.path, "temporaryRange", range);
    }
    for (const range of ["30m", "1h", "4s", "2 days", "1.5h", "500ms", "1w"]) {
      assert.deepEqual(failures({ isTemporary: true, temporaryRange: range }), [], range);
    }
    for (const start of ["tomorrow", "2026-01-31", "2026-01-31T09:00:00", "2026-13-01T00:00:00Z"]) {
      const [failure] = failures({ isTemporary: true, temporaryRange: "1h", temporaryAccessStartTime: start });
      assert.equal(failure?.path, "temporaryAccessStartTime", start);
    }
    assert.deepEqual(
      failures({ isTemporary: true, temporaryRange: "1h", temporaryAccessStartTime: "2026-01-31T10:00:00+01:00" }),
      [],
    );
    assert.deepEqual(
      failures({ temporaryRange: "1h", temporaryAccessStartTime: "2026-01-31T09:00:00Z", baseRole: "viewer" }).map(
        (f) => f.path,
      ),
      ["temporaryRange", "temporaryAccessStartTime", "baseRole"],
    );
  });

  it("a temporary grant: written as base role + window, no drift while it runs, renewed by a diff once over", async () => {
    const inputs = projectMembership.validated({
      projectId,
      email: MEMBER.email,
      role: "member",
      isTemporary: true,
      temporaryRange: "2s",
      baseRole: "viewer",
    });
    const created = await projectMembership.ops.create(ctx, inputs);
    const out = created.outputs;
    assert.equal(out.isTemporary, true);
    assert.equal(out.baseRole, "viewer");
    assert.equal(Date.parse(out.temporaryAccessEndTime!) - Date.parse(out.temporaryAccessStartTime!), 2000);
    const roles = await serverRoles(created.id);
    assert.deepEqual(
      roles.map((r) => [r.role, r.isTemporary, r.temporaryMode, r.temporaryRange]),
      [
        ["viewer", false, null, null],
        ["member", true, "relative", "2s"],
      ],
    );
    // While the window runs: read and diff agree with the inputs.
    const read = (await projectMembership.ops.read(ctx, created.id, out))!;
    if (Date.now() < Date.parse(out.temporaryAccessEndTime!)) {
      assert.deepEqual(projectMembership.diff(read as Outputs, inputs).changes, []);
    }
    // Once over: the read succeeds, and the plan is a renewal of the window, in place.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(out.temporaryAccessEndTime!) - Date.now()) + 20),
    );
    const expired = (await projectMembership.ops.read(ctx, created.id, read))!;
    assert.equal(
      expired.temporaryAccessEndTime,
      out.temporaryAccessEndTime,
      "the ended window is what the server says",
    );
    const diff = projectMembership.diff(expired as Outputs, inputs);
    assert.deepEqual(diff, { changes: ["temporaryAccessStartTime"], replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(projectMembership.ops.computedChanges!(expired as Outputs, inputs, diff), [
      "temporaryAccessStartTime",
      "temporaryAccessEndTime",
    ]);
    const renewed = await projectMembership.ops.update(ctx, created.id, expired, inputs);
    assert.ok(Date.parse(renewed.temporaryAccessEndTime!) > Date.parse(out.temporaryAccessEndTime!));
    assert.equal((await serverRoles(created.id)).length, 2, "the renewal replaced the roles, it did not add any");

    // A window with a configured start is fixed: over is over, no perpetual diff.
    const fixedStart = new Date(Date.now() - HOUR).toISOString().replace("Z", "+00:00");
    const fixed = projectMembership.validated({
      ...inputs,
      temporaryRange: "30m",
      temporaryAccessStartTime: fixedStart,
    });
    const fixedState = await projectMembership.ops.update(ctx, created.id, renewed, fixed);
    assert.equal(fixedState.temporaryAccessStartTime, fixedStart, "the user's spelling of the start stays in state");
    const fixedRead = (await projectMembership.ops.read(ctx, created.id, fixedState))!;
    assert.equal(fixedRead.temporaryAccessStartTime, fixedStart);
    assert.deepEqual(projectMembership.diff(fixedRead as Outputs, fixed).changes, []);

    // Made permanent outside: a refresh shows it, the diff puts the window back.
    await ctx.session.api.memberships.setRoles(projectId, created.id, [{ role: "admin", isTemporary: false }]);
    const outside = (await projectMembership.ops.read(ctx, created.id, fixedRead))!;
    assert.equal(outside.isTemporary, false);
    assert.equal(outside.temporaryAccessEndTime, null);
    assert.deepEqual(projectMembership.diff(outside as Outputs, inputs).changes.sort(), [
      "baseRole",
      "isTemporary",
      "role",
      "temporaryRange",
    ]);
    await projectMembership.ops.delete(ctx, created.id, outside);
  });

  it("no-access then a real role: the member's key copy goes, and the update sends a new one they can open", async () => {
    const created = await projectMembership.ops.create(
      ctx,
      projectMembership.validated({ projectId, email: MEMBER.email, role: "no-access" }),
    );
    assert.equal(created.outputs.role, "no-access");
    await assert.rejects(
      member.projectKey(projectId),
      (error: Error & { code?: string }) => error.code === "ERR_API_PERMISSION_DENIED",
    );
    const from = h.requests.length;
    const upgraded = projectMembership.validated({ projectId, email: MEMBER.email, role: "viewer" });
    const state = await projectMembership.ops.update(ctx, created.id, created.outputs, upgraded);
    assert.equal(state.role, "viewer");
    assert.equal(h.count("POST", "/api/v1/workspace/:workspaceId/key", from), 1, "one new key copy");
    const fresh = openSession(
      {
        host: h.server.url,
        ...MEMBER,
        trustedKeyFingerprints: publicKeyFingerprint((await ctx.session.user()).publicKey),
      },
      { env: {} },
    );
    try {
      assert.equal(await fresh.projectKey(projectId), await ctx.session.projectKey(projectId));
    } finally {
      await fresh.close();
    }
    // Viewer to member: the copy is still there, nothing is re-sent.
    const again = h.requests.length;
    await projectMembership.ops.update(
      ctx,
      created.id,
      state,
      projectMembership.validated({ projectId, email: MEMBER.email, role: "member" }),
    );
    assert.equal(h.count("POST", "/api/v1/workspace/:workspaceId/key", again), 0);
    await projectMembership.ops.delete(ctx, created.id, state);
  });
});
