/**
 * Project memberships, E2EE style: the caller wraps the project key for each new member with
 * NaCl box and sends the copies; the server stores them with sender = caller.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { MAX_TEMPORARY_RANGE_MS, parseDuration } from "../../provider/api/durations";
import { recordAudit } from "../audit";
import { requirePermission, requireWithinOwnRules, rulesHeldBy, rulesOfRole } from "../auth/access";
import { type MembershipRoleRow, mayHoldProjectKey, membershipRoleRows } from "../auth/membership-roles";
import type { ServerState } from "../context";
import { base64, uuid } from "../fields";
import { badRequest, HttpError } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso, type OrgMembershipRow, orgMembershipJson, type UserRow } from "../rows";
import { publicUserJson } from "./organizations";
import { isProjectMember, storeProjectKeyCopy } from "./projects";
import { resolveRoleAssignment } from "./roles";

interface MembershipRow {
  id: string;
  project_id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
}

/** As the real server lists it: ended temporary rows stay, with their window. */
function roleJson(role: MembershipRoleRow) {
  return {
    id: role.id,
    role: role.role,
    projectMembershipId: role.membership_id,
    customRoleId: role.custom_role_id ?? null,
    customRoleSlug: role.custom_role_slug ?? null,
    customRoleName: role.custom_role_name ?? null,
    isTemporary: role.is_temporary === 1,
    temporaryMode: role.temporary_mode,
    temporaryRange: role.temporary_range,
    temporaryAccessStartTime: role.temporary_access_start_time,
    temporaryAccessEndTime: role.temporary_access_end_time,
    createdAt: role.created_at,
    updatedAt: role.updated_at,
  };
}

const roleSlug = z.string().trim().min(1).max(64);

/** `ms` notation, positive (the real server's message), and at most 100 years (ours: the end must be a date). */
const temporaryRange = z
  .string()
  .max(100)
  .refine((range) => (parseDuration(range) ?? 0) > 0, "Temporary range must be a positive number")
  .refine(
    (range) => (parseDuration(range) ?? 0) <= MAX_TEMPORARY_RANGE_MS,
    "Temporary range must be at most 100 years",
  );

/** A role assignment of PATCH …/memberships/:id, as the real server declares it (routes-more.md §4). */
const roleAssignment = z.union([
  z.object({ role: roleSlug, isTemporary: z.literal(false).optional() }),
  z.object({
    role: roleSlug,
    isTemporary: z.literal(true),
    temporaryMode: z.literal("relative"),
    temporaryRange,
    temporaryAccessStartTime: z.string().datetime(),
  }),
]);
type RoleAssignment = z.infer<typeof roleAssignment>;

const LONG_LIVED_REQUIRED = "At least one long lived role is required";

function membershipJson(state: ServerState, m: MembershipRow) {
  const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", m.user_id)!;
  const roles = membershipRoleRows(state, m.id);
  return {
    id: m.id,
    userId: m.user_id,
    projectId: m.project_id,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
    user: publicUserJson(user),
    roles: roles.map(roleJson),
  };
}

const workspaceParams = z.object({ workspaceId: z.string().trim().min(1).max(100) });
const membershipParams = workspaceParams.extend({ membershipId: uuid() });

function findMembership(state: ServerState, projectId: string, membershipId: string): MembershipRow {
  const m = state.store.get<MembershipRow>(
    "SELECT * FROM project_memberships WHERE id = ? AND project_id = ?",
    membershipId,
    projectId,
  );
  if (!m) throw badRequest("Membership not found");
  return m;
}

/** The real server's answer for a membership id that is unknown or in another project. */
function findMembershipToUpdate(state: ServerState, projectId: string, membershipId: string): MembershipRow {
  const m = state.store.get<MembershipRow>(
    "SELECT * FROM project_memberships WHERE id = ? AND project_id = ?",
    membershipId,
    projectId,
  );
  if (!m) throw new HttpError(400, "Update project membership", "Unauthorized member update");
  return m;
}

/** Stores one assignment; a temporary one's window ends at start + range. */
function insertRole(
  state: ServerState,
  membershipId: string,
  assignment: RoleAssignment & { customRoleId: string | null },
  now: string,
): void {
  const temporary = assignment.isTemporary === true ? assignment : undefined;
  const end = temporary
    ? new Date(Date.parse(temporary.temporaryAccessStartTime) + parseDuration(temporary.temporaryRange)!).toISOString()
    : null;
  state.store.run(
    `INSERT INTO project_membership_roles (id, membership_id, role, custom_role_id, is_temporary, temporary_mode,
       temporary_range, temporary_access_start_time, temporary_access_end_time, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    randomUUID(),
    membershipId,
    assignment.role,
    assignment.customRoleId,
    temporary ? 1 : 0,
    temporary?.temporaryMode ?? null,
    temporary?.temporaryRange ?? null,
    temporary ? new Date(temporary.temporaryAccessStartTime).toISOString() : null,
    end,
    now,
    now,
  );
}

function listMemberships(state: ServerState, projectId: string) {
  return state.store
    .all<MembershipRow>("SELECT * FROM project_memberships WHERE project_id = ? ORDER BY created_at", projectId)
    .map((m) => membershipJson(state, m));
}

export const membershipRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/memberships",
    auth: ["user"],
    params: workspaceParams,
    handler: ({ state, actor, params }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "member");
      return { memberships: listMemberships(state, project.id) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/users",
    auth: ["user"],
    params: workspaceParams,
    handler: ({ state, actor, params }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "member");
      return { users: listMemberships(state, project.id) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/workspace/:workspaceId/memberships",
    auth: ["user"],
    params: workspaceParams,
    body: z.object({
      members: z
        .array(
          z.object({
            orgMembershipId: uuid(),
            workspaceEncryptedKey: base64(1024).min(1),
            workspaceEncryptedNonce: base64(64).min(1),
          }),
        )
        .min(1)
        .max(100),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const access = requirePermission(state, actor, params.workspaceId, "create", "member");
      const { project } = access;
      // New members get the built-in member role: only for a caller who holds at least that.
      requireWithinOwnRules(access, rulesOfRole(state, "member", null));
      const senderId = actor.kind === "user" ? actor.userId : "";
      const added = state.store.transaction(() => {
        const orgMemberships: OrgMembershipRow[] = [];
        for (const member of body.members) {
          const om = state.store.get<OrgMembershipRow>(
            "SELECT * FROM org_memberships WHERE id = ? AND org_id = ? AND status = 'accepted'",
            member.orgMembershipId,
            project.org_id,
          );
          if (!om) throw badRequest("Org member not found");
          if (isProjectMember(state, project.id, om.user_id)) {
            throw badRequest("Some users are already part of project");
          }
          const now = nowIso();
          const membershipId = randomUUID();
          state.store.run(
            "INSERT INTO project_memberships (id, project_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            membershipId,
            project.id,
            om.user_id,
            now,
            now,
          );
          state.store.run(
            "INSERT INTO project_membership_roles (id, membership_id, role, created_at, updated_at) VALUES (?, ?, 'member', ?, ?)",
            randomUUID(),
            membershipId,
            now,
            now,
          );
          storeProjectKeyCopy(
            state,
            project.id,
            {
              receiverId: om.user_id,
              senderId,
              encryptedKey: member.workspaceEncryptedKey,
              nonce: member.workspaceEncryptedNonce,
            },
            now,
          );
          orgMemberships.push(om);
        }
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "add-workspace-members", {
          userIds: orgMemberships.map((m) => m.user_id),
        });
        return orgMemberships;
      });
      return { success: true, data: added.map(orgMembershipJson) };
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/workspace/:workspaceId/memberships/:membershipId",
    auth: ["user"],
    params: membershipParams,
    body: z.object({
      roles: z
        .array(roleAssignment)
        .min(1, LONG_LIVED_REQUIRED)
        .max(10)
        .refine((roles) => roles.some((r) => r.isTemporary !== true), LONG_LIVED_REQUIRED),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const access = requirePermission(state, actor, params.workspaceId, "edit", "member");
      const { project } = access;
      // A custom slug is stored as role 'custom' + its id; no licence gate here (docs/server.md).
      const assignments = body.roles.map((assignment) => ({
        ...assignment,
        ...resolveRoleAssignment(state, project.id, assignment.role),
      }));
      requireWithinOwnRules(
        access,
        assignments.flatMap((a) => rulesOfRole(state, a.role, a.customRoleId)),
      );
      const roles = state.store.transaction(() => {
        const membership = findMembershipToUpdate(state, project.id, params.membershipId);
        // Nor may it change the roles of a member who holds more than the caller.
        requireWithinOwnRules(access, rulesHeldBy(state, membership.id));
        state.store.run("DELETE FROM project_membership_roles WHERE membership_id = ?", membership.id);
        const now = nowIso();
        for (const assignment of assignments) insertRole(state, membership.id, assignment, now);
        const stored = membershipRoleRows(state, membership.id);
        // No key copy for a member left with no-access only (docs/server.md); a later grant re-sends one.
        if (!mayHoldProjectKey(stored, Date.now())) {
          state.store.run(
            "DELETE FROM project_keys WHERE project_id = ? AND receiver_id = ?",
            project.id,
            membership.user_id,
          );
        }
        recordAudit(
          state,
          actor,
          request,
          { orgId: project.org_id, projectId: project.id },
          "update-user-workspace-role",
          {
            userId: membership.user_id,
            roles: body.roles.map((r) => r.role),
          },
        );
        return stored;
      });
      return { roles: roles.map(roleJson) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/workspace/:workspaceId/memberships/:membershipId",
    auth: ["user"],
    params: membershipParams,
    handler: ({ state, actor, params, request }) => {
      const access = requirePermission(state, actor, params.workspaceId, "delete", "member");
      const { project } = access;
      const membership = state.store.transaction(() => {
        const m = findMembership(state, project.id, params.membershipId);
        requireWithinOwnRules(access, rulesHeldBy(state, m.id));
        state.store.run("DELETE FROM project_memberships WHERE id = ?", m.id);
        // The member's key copy goes too; as in Infisical there is no key rotation.
        state.store.run("DELETE FROM project_keys WHERE project_id = ? AND receiver_id = ?", project.id, m.user_id);
        recordAudit(
          state,
          actor,
          request,
          { orgId: project.org_id, projectId: project.id },
          "remove-workspace-member",
          {
            userId: m.user_id,
          },
        );
        return m;
      });
      return {
        membership: {
          id: membership.id,
          userId: membership.user_id,
          projectId: membership.project_id,
          createdAt: membership.created_at,
          updatedAt: membership.updated_at,
        },
      };
    },
  }),
];
