/**
 * Authorization: project membership, role permissions, and service-token scopes. A user sees a
 * project only as a member inside the organization of their token; a service token only its
 * own project, environments, paths and permissions.
 */
import { scopePathMatches } from "../../provider/api/scope-path";
import type { Actor, ServerState, ServiceTokenRow } from "../context";
import { badRequest, permissionDenied, unauthorized } from "../http/errors";
import type { EnvironmentRow, ProjectRow } from "../rows";
import { activeRoleRows } from "./membership-roles";

export type Action = "read" | "create" | "edit" | "delete";
export type Subject = "secrets" | "environments" | "member" | "service-tokens" | "project" | "audit-logs" | "tags";

export const BUILT_IN_ROLES = ["admin", "member", "viewer", "no-access"] as const;
export type Role = (typeof BUILT_IN_ROLES)[number];

const ALL: Action[] = ["read", "create", "edit", "delete"];
const RULES: Record<Role, Partial<Record<Subject, Action[]>>> = {
  admin: {
    secrets: ALL,
    environments: ALL,
    member: ALL,
    "service-tokens": ALL,
    project: ALL,
    "audit-logs": ["read"],
    tags: ALL,
  },
  member: {
    secrets: ALL,
    environments: ALL,
    member: ["read"],
    "service-tokens": ALL,
    project: ["read"],
    "audit-logs": ["read"],
    tags: ALL,
  },
  viewer: {
    secrets: ["read"],
    environments: ["read"],
    member: ["read"],
    "service-tokens": ["read"],
    project: ["read"],
    "audit-logs": ["read"],
    tags: ["read"],
  },
  "no-access": {},
};

export interface ProjectAccess {
  project: ProjectRow;
  membershipId: string;
  roles: Role[];
}

export function can(roles: Role[], action: Action, subject: Subject): boolean {
  return roles.some((role) => RULES[role]?.[subject]?.includes(action) ?? false);
}

/** The user's membership of the project; 403 "User not in project" otherwise (as the real server). */
export function requireMember(state: ServerState, actor: Actor, projectId: string): ProjectAccess {
  if (actor.kind !== "user") throw unauthorized("User not in project");
  const row = state.store.get<ProjectRow & { membership_id: string }>(
    `SELECT p.*, m.id AS membership_id FROM projects p
     JOIN project_memberships m ON m.project_id = p.id AND m.user_id = ?
     WHERE p.id = ? AND p.org_id = ?`,
    actor.userId,
    projectId,
    actor.orgId ?? "",
  );
  if (!row) throw unauthorized("User not in project");
  // Only roles that count now: a temporary one inside its window (membership-roles.ts).
  const roles = activeRoleRows(state, row.membership_id).map((r) => r.role as Role);
  const { membership_id, ...project } = row;
  return { project, membershipId: membership_id, roles };
}

export function requirePermission(
  state: ServerState,
  actor: Actor,
  projectId: string,
  action: Action,
  subject: Subject,
): ProjectAccess {
  const access = requireMember(state, actor, projectId);
  if (!can(access.roles, action, subject)) throw permissionDenied(action, subject);
  return access;
}

export interface SecretAccess {
  project: ProjectRow;
  environment: EnvironmentRow;
  /** Whose personal overrides this caller sees: the user, or a service token's creator. */
  personalUserId: string;
}

/**
 * Access to secrets (and folders) in one (project, environment, path). Users need the role's
 * permission; service tokens need the project, a scope whose environment matches and whose
 * path pattern matches (picomatch, as Infisical), and `read` (for reads) or `write` (for changes).
 */
export function requireSecretAccess(
  state: ServerState,
  actor: Actor,
  projectId: string,
  environmentSlug: string,
  secretPath: string,
  action: Action,
): SecretAccess {
  let project: ProjectRow;
  let personalUserId: string;
  if (actor.kind === "service") {
    if (actor.token.project_id !== projectId)
      throw unauthorized("Failed to find service authorization for given project");
    const row = state.store.get<ProjectRow>("SELECT * FROM projects WHERE id = ?", projectId);
    if (!row) throw unauthorized("Failed to find service authorization for given project");
    if (!serviceTokenAllows(actor.token, environmentSlug, secretPath, action))
      throw permissionDenied(action, "secrets");
    project = row;
    personalUserId = actor.token.created_by;
  } else {
    const access = requirePermission(state, actor, projectId, action, "secrets");
    project = access.project;
    personalUserId = actor.kind === "user" ? actor.userId : "";
  }
  const environment = state.store.get<EnvironmentRow>(
    "SELECT * FROM environments WHERE project_id = ? AND slug = ?",
    projectId,
    environmentSlug,
  );
  if (!environment) throw badRequest("Environment not found");
  return { project, environment, personalUserId };
}

export function serviceTokenAllows(
  token: ServiceTokenRow,
  environment: string,
  secretPath: string,
  action: Action,
): boolean {
  const permissions = JSON.parse(token.permissions) as string[];
  const needed = action === "read" ? "read" : "write";
  if (!permissions.includes(needed)) return false;
  const scopes = JSON.parse(token.scopes) as Array<{ environment: string; secretPath: string }>;
  return scopes.some((scope) => scope.environment === environment && scopePathMatches(scope.secretPath, secretPath));
}
