/**
 * The real Infisical of 2024 without an enterprise licence: role routes work, but giving a member
 * a custom role answers 400 "Failed to assign custom role due to RBAC restriction…". A loopback
 * server in front of the embedded one answers exactly that for such a PATCH (everything else is
 * forwarded), so the provider's handling is tested against the real answer: a typed error saying
 * a licence is needed and that the role itself still works, and nothing assigned.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BUILT_IN_ROLE_SLUGS } from "../../src/provider/api/permissions";
import { inviteMember } from "../../src/provider/bootstrap";
import { projectMembership } from "../../src/provider/resources/project-membership";
import { projectRole } from "../../src/provider/resources/project-role";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { forwardTo, type LoopbackProxy, listenOnLoopback } from "../support/loopback-proxy";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

const MEMBER = { email: "member@example.com", password: "member password 1" };
const RBAC = "Failed to assign custom role due to RBAC restriction. Upgrade plan to assign custom role to member.";

describe("custom roles on a server without an RBAC licence", () => {
  let h: Harness;
  let gate: LoopbackProxy;
  let refused = 0;

  before(async () => {
    h = await startHarness();
    await inviteMember({ host: h.server.url, adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, ...MEMBER });
    const target = new URL(h.server.url);
    gate = await listenOnLoopback((req, body, res) => {
      const customAssignment =
        req.method === "PATCH" &&
        /\/memberships\/[^/]+$/.test(req.url ?? "") &&
        (JSON.parse(body.toString("utf8")) as { roles: { role: string }[] }).roles.some(
          (r) => !(BUILT_IN_ROLE_SLUGS as readonly string[]).includes(r.role) && r.role !== "custom",
        );
      if (customAssignment) {
        refused++;
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: 400, message: RBAC, error: "BadRequest" }));
        return;
      }
      forwardTo(target, req, body).then(
        (answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.payload);
        },
        () => res.destroy(),
      );
    });
  });
  after(async () => {
    await gate?.close();
    await h?.close();
  });

  it("the role is created; giving it to a member fails with ERR_CUSTOM_ROLE_LICENSE, the member keeps a built-in role", async () => {
    const session = openSession({ host: gate.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { env: {} });
    const ctx = { session, log: silentLogger };
    const projectId = h.boot.projectId;
    try {
      const role = await projectRole.ops.create(
        ctx,
        projectRole.validated({
          projectId,
          slug: "app-reader",
          name: "App reader",
          permissions: [{ action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" }],
        }),
      );
      assert.equal(role.outputs.slug, "app-reader", "creating the role is not licence-gated");

      // Create with the custom role: the membership exists (the key copy is written first), the role is not set.
      await assert.rejects(
        projectMembership.ops.create(
          ctx,
          projectMembership.validated({ projectId, email: MEMBER.email, role: "app-reader" }),
        ),
        (error: Error & { code?: string; id?: string; cause?: { code?: string } }) => {
          assert.equal(error.code, "ERR_PARTIAL_CREATE");
          assert.equal(error.cause?.code, "ERR_CUSTOM_ROLE_LICENSE");
          assert.match(error.message, /enterprise licence \(RBAC\)/);
          assert.match(error.message, /role itself can still be created/);
          return true;
        },
      );
      const listed = (await session.api.memberships.list(projectId)).memberships.find(
        (m) => m.user.email === MEMBER.email,
      );
      assert.equal(listed?.roles[0]?.role, "member", "nothing custom was assigned");

      // Update in place to the custom role: the typed error itself.
      const state = {
        projectId,
        email: MEMBER.email,
        role: "member",
        membershipId: listed!.id,
        userId: listed!.userId,
      };
      await assert.rejects(
        projectMembership.ops.update(
          ctx,
          listed!.id,
          state,
          projectMembership.validated({ projectId, email: MEMBER.email, role: "app-reader" }),
        ),
        (error: Error & { code?: string; status?: number }) => {
          assert.equal(error.code, "ERR_CUSTOM_ROLE_LICENSE");
          assert.equal(error.status, 400);
          assert.match(error.message, /Use a built-in role/);
          return true;
        },
      );
      assert.equal(refused, 2, "both assignments reached the gate and were refused there");
      // Built-in roles still work through the same server.
      const viewer = await projectMembership.ops.update(
        ctx,
        listed!.id,
        state,
        projectMembership.validated({ projectId, email: MEMBER.email, role: "viewer" }),
      );
      assert.equal(viewer.role, "viewer");
      await projectMembership.ops.delete(ctx, listed!.id, viewer);
      await projectRole.ops.delete(ctx, role.id, role.outputs);
    } finally {
      await session.close();
    }
  });
});
