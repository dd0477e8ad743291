/**
 * Project memberships, E2EE style: the caller wraps the project key for each new member with
 * NaCl box and sends the copies; the server stores them with sender = caller.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit";
import { requirePermission } from "../auth/access";
import type { ServerState } from "../context";
import { base64, uuid } from "../fields";
import { badRequest } from "../http/errors";
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

interface RoleRow {
  id: string;
  membership_id: string;
  role: string;
  custom_role_id: string | null;
  custom_role_slug?: string | null;
  custom_role_name?: string | null;
  created_at: string;
  updated_at: string;
}

/** Role rows with the custom role's slug and name, as the real server's member list joins them. */
const ROLE_ROWS = `SELECT r.*, pr.slug AS custom_role_slug, pr.name AS custom_role_name
  FROM project_membership_roles r LEFT JOIN project_roles pr ON pr.id = r.custom_role_id
  WHERE r.membership_id = ?`;

function roleJson(role: RoleRow) {
  return {
    id: role.id,
    role: role.role,
    projectMembershipId: role.membership_id,
    customRoleId: role.custom_role_id ?? null,
    customRoleSlug: role.custom_role_slug ?? null,
    customRoleName: role.custom_role_name ?? null,
    isTemporary: false,
    temporaryMode: null,
    temporaryRange: null,
    temporaryAccessStartTime: null,
    temporaryAccessEndTime: null,
    createdAt: role.created_at,
    updatedAt: role.updated_at,
  };
}

function membershipJson(state: ServerState, m: MembershipRow) {
  const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", m.user_id)!;
  const roles = state.store.all<RoleRow>(`${ROLE_ROWS} ORDER BY r.created_at`, m.id);
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
      const { project } = requirePermission(state, actor, params.workspaceId, "create", "member");
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
        .array(
          z.object({
            role: z.string().trim().min(1).max(64),
            isTemporary: z.literal(false).optional(),
          }),
        )
        .min(1)
        .max(10),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "edit", "member");
      // A custom slug is stored as role 'custom' + its id; no licence gate here (docs/server.md).
      const assignments = body.roles.map(({ role }) => resolveRoleAssignment(state, project.id, role));
      const roles = state.store.transaction(() => {
        const membership = findMembership(state, project.id, params.membershipId);
        state.store.run("DELETE FROM project_membership_roles WHERE membership_id = ?", membership.id);
        const now = nowIso();
        for (const { role, customRoleId } of assignments) {
          state.store.run(
            "INSERT INTO project_membership_roles (id, membership_id, role, custom_role_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            randomUUID(),
            membership.id,
            role,
            customRoleId,
            now,
            now,
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
        return state.store.all<RoleRow>(ROLE_ROWS, membership.id);
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
      const { project } = requirePermission(state, actor, params.workspaceId, "delete", "member");
      const membership = state.store.transaction(() => {
        const m = findMembership(state, project.id, params.membershipId);
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
