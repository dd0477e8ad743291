/** Inviting further users into the organization, their account completion, and org memberships. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { SIGNUP_TOKEN_SECONDS, signToken } from "../auth/tokens";
import type { Actor, ServerState } from "../context";
import { accountKeyMaterial, email, uuid } from "../fields";
import { badRequest, permissionDenied, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso, type OrgMembershipRow, orgMembershipJson, type UserRow, userJson } from "../rows";
import { accessToken, storeKeyMaterial } from "./auth";

const INVITE_LIFETIME_MS = 24 * 3600_000;

function hashInviteCode(code: string): string {
  return createHash("sha256").update(code, "utf8").digest("hex");
}

/** The caller must hold an org-scoped token for exactly this organization. */
export function requireOrgMember(state: ServerState, actor: Actor, orgId: string): OrgMembershipRow {
  if (actor.kind !== "user" || actor.orgId !== orgId) throw unauthorized("User not part of the organization");
  const membership = state.store.get<OrgMembershipRow>(
    "SELECT * FROM org_memberships WHERE org_id = ? AND user_id = ? AND status = 'accepted'",
    orgId,
    actor.userId,
  );
  if (!membership) throw unauthorized("User not part of the organization");
  return membership;
}

export function publicUserJson(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    username: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    publicKey: user.public_key,
    isEmailVerified: user.is_accepted === 1,
  };
}

export const organizationRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v1/invite-org/signup",
    auth: ["user"],
    rateLimit: "invite",
    body: z.object({ inviteeEmail: email(), organizationId: uuid() }),
    handler: ({ state, actor, body }) => {
      const inviter = requireOrgMember(state, actor, body.organizationId);
      if (inviter.role !== "admin") throw permissionDenied("create", "member");
      const code = randomBytes(16).toString("hex");
      state.store.transaction(() => {
        const now = nowIso();
        let user = state.store.get<UserRow>("SELECT * FROM users WHERE email = ?", body.inviteeEmail);
        if (!user) {
          state.store.run(
            "INSERT INTO users (id, email, created_at, updated_at) VALUES (?, ?, ?, ?)",
            randomUUID(),
            body.inviteeEmail,
            now,
            now,
          );
          user = state.store.get<UserRow>("SELECT * FROM users WHERE email = ?", body.inviteeEmail)!;
        }
        const existing = state.store.get<OrgMembershipRow>(
          "SELECT * FROM org_memberships WHERE org_id = ? AND user_id = ?",
          body.organizationId,
          user.id,
        );
        if (existing?.status === "accepted") throw badRequest("Failed to invite an existing member of org");
        const expires = new Date(Date.now() + INVITE_LIFETIME_MS).toISOString();
        if (existing) {
          state.store.run(
            "UPDATE org_memberships SET invite_code_hash = ?, invite_expires_at = ?, updated_at = ? WHERE id = ?",
            hashInviteCode(code),
            expires,
            now,
            existing.id,
          );
        } else {
          state.store.run(
            `INSERT INTO org_memberships (id, org_id, user_id, role, status, invite_email, invite_code_hash,
               invite_expires_at, created_at, updated_at) VALUES (?, ?, ?, 'member', 'invited', ?, ?, ?, ?, ?)`,
            randomUUID(),
            body.organizationId,
            user.id,
            body.inviteeEmail,
            hashInviteCode(code),
            expires,
            now,
            now,
          );
        }
      });
      const link = new URL("/signupinvite", state.publicUrl);
      link.searchParams.set("token", code);
      link.searchParams.set("to", body.inviteeEmail);
      link.searchParams.set("organization_id", body.organizationId);
      return { message: "Successfully invited user to the organization", completeInviteLink: link.toString() };
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/invite-org/verify",
    auth: ["none"],
    rateLimit: "invite",
    body: z.object({ email: email(), organizationId: uuid(), code: z.string().trim().min(1).max(256) }),
    handler: ({ state, body }) =>
      state.store.transaction(() => {
        const row = state.store.get<OrgMembershipRow>(
          `SELECT m.* FROM org_memberships m JOIN users u ON u.id = m.user_id
           WHERE m.org_id = ? AND u.email = ? AND m.status = 'invited'`,
          body.organizationId,
          body.email,
        );
        const valid =
          row?.invite_code_hash === hashInviteCode(body.code) &&
          row.invite_expires_at !== null &&
          Date.parse(row.invite_expires_at) > Date.now();
        if (!row || !valid) throw badRequest("Invalid request");
        const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", row.user_id)!;
        state.store.run(
          "UPDATE org_memberships SET invite_code_hash = NULL, invite_expires_at = NULL, updated_at = ? WHERE id = ?",
          nowIso(),
          row.id,
        );
        if (user.srp_verifier !== null) {
          // An existing account joins directly; there is nothing to complete.
          state.store.run("UPDATE org_memberships SET status = 'accepted' WHERE id = ?", row.id);
          return { message: "Successfully verified email", user: userJson(user) };
        }
        const token = signToken(
          { authTokenType: "signupToken", userId: user.id, organizationId: body.organizationId },
          state.keys.tokenSigningKey,
          SIGNUP_TOKEN_SECONDS,
        );
        return { message: "Successfully verified email", user: userJson(user), token };
      }),
  }),

  route({
    method: "POST",
    path: "/api/v3/signup/complete-account/invite",
    auth: ["signup"],
    rateLimit: "auth",
    body: z.object(accountKeyMaterial),
    handler: ({ state, actor, body }) =>
      state.store.transaction(() => {
        if (actor.kind !== "signup") throw unauthorized("Token missing");
        const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", actor.userId)!;
        if (user.email !== body.email) throw unauthorized("Signup token does not match the email");
        if (user.srp_verifier !== null) throw badRequest("Failed to complete account for complete user");
        storeKeyMaterial(state, user.id, body);
        state.store.run(
          "UPDATE org_memberships SET status = 'accepted', updated_at = ? WHERE user_id = ? AND status = 'invited' AND org_id = ?",
          nowIso(),
          user.id,
          actor.orgId ?? "",
        );
        const updated = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", user.id)!;
        return { message: "Successfully set up account", user: userJson(updated), token: accessToken(state, user.id) };
      }),
  }),

  route({
    method: "GET",
    path: "/api/v2/organizations/:organizationId/memberships",
    auth: ["user"],
    params: z.object({ organizationId: uuid() }),
    handler: ({ state, actor, params }) => {
      requireOrgMember(state, actor, params.organizationId);
      const rows = state.store.all<OrgMembershipRow>(
        "SELECT * FROM org_memberships WHERE org_id = ? ORDER BY created_at",
        params.organizationId,
      );
      return {
        users: rows.map((m) => {
          const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", m.user_id)!;
          return { ...orgMembershipJson(m), user: publicUserJson(user) };
        }),
      };
    },
  }),
];
