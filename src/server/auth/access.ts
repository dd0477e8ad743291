/**
 * Authorization: project membership, role permissions, and service-token scopes. A user sees a
 * project only as a member inside the organization of their token; a service token only its
 * own project, environments, paths and permissions.
 */
import { BUILT_IN_ROLE_SLUGS, type BuiltInRoleSlug, parsePackedRules } from "../../provider/api/permissions";
import { scopePathMatches } from "../../provider/api/scope-path";
import type { Actor, ServerState, ServiceTokenRow } from "../context";
import { folderTree, rootFolder } from "../folders";
import { badRequest, HttpError, permissionDenied, unauthorized } from "../http/errors";
import type { EnvironmentRow, ProjectRow } from "../rows";
import { activeRoleRows, membershipIdOf, membershipRoleRows } from "./membership-roles";
import { BUILT_IN_ROLE_RULES, type PermissionRule, rulesAllow, rulesCover, type SecretTarget } from "./permissions";

export type Action = "read" | "create" | "edit" | "delete";
/**
 * The real server's subjects, plus `project`: our routes' name for the project record, read by
 * any member (the real server checks membership only) and edited or deleted as `workspace`.
 */
export type Subject =
  | "secrets"
  | "environments"
  | "member"
  | "service-tokens"
  | "project"
  | "audit-logs"
  | "tags"
  | "role"
  | "workspace"
  | "settings"
  | "integrations"
  | "webhooks"
  | "identity"
  | "secret-rollback"
  | "secret-approval"
  | "secret-rotation"
  | "groups"
  | "ip-allowlist"
  | "certificate-authorities"
  | "certificates";

export const BUILT_IN_ROLES = BUILT_IN_ROLE_SLUGS;
export type Role = BuiltInRoleSlug;

export interface ProjectAccess {
  project: ProjectRow;
  membershipId: string;
  /** Built-in role slugs held; a custom role shows as `custom`. */
  roles: string[];
  /** Every rule of every active role, OR-ed. */
  rules: PermissionRule[];
}

/** Built-in roles only (kept for callers that hold role names). */
export function can(roles: readonly string[], action: Action, subject: Subject): boolean {
  return allows(rulesOfBuiltIns(roles), action, subject);
}

function rulesOfBuiltIns(roles: readonly string[]): PermissionRule[] {
  return roles.flatMap((role) => BUILT_IN_ROLE_RULES[role as Role] ?? []);
}

/** Whether `rules` grant the action: the legacy `project` subject mapped, `target` for secret checks. */
export function allows(rules: readonly PermissionRule[], action: Action, subject: Subject, target?: SecretTarget) {
  if (subject === "project") return action === "read" || rulesAllow(rules, action, "workspace");
  return rulesAllow(rules, action, subject, target);
}

/**
 * The rules of one membership's roles that count now (a temporary role inside its window,
 * membership-roles.ts); a custom role's packed rules are read defensively.
 */
export function membershipRules(
  state: ServerState,
  membershipId: string,
): { roles: string[]; rules: PermissionRule[] } {
  const rows = activeRoleRows(state, membershipId);
  const rules: PermissionRule[] = [];
  for (const row of rows) {
    if (row.role === "custom") rules.push(...parsePackedRules(customRolePermissions(state, row.custom_role_id)));
    else rules.push(...(BUILT_IN_ROLE_RULES[row.role as Role] ?? []));
  }
  return { roles: rows.map((r) => r.role), rules };
}

function customRolePermissions(state: ServerState, customRoleId: string | null): string | null {
  if (!customRoleId) return null;
  return (
    state.store.get<{ permissions: string }>("SELECT permissions FROM project_roles WHERE id = ?", customRoleId)
      ?.permissions ?? null
  );
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
  const { roles, rules } = membershipRules(state, row.membership_id);
  const { membership_id, ...project } = row;
  return { project, membershipId: membership_id, roles, rules };
}

export function requirePermission(
  state: ServerState,
  actor: Actor,
  projectId: string,
  action: Action,
  subject: Subject,
  target?: SecretTarget,
): ProjectAccess {
  const access = requireMember(state, actor, projectId);
  if (!allows(access.rules, action, subject, target)) throw permissionDenied(action, subject);
  return access;
}

export interface SecretAccess {
  project: ProjectRow;
  environment: EnvironmentRow;
  /** Whose personal overrides this caller sees: the user, or a service token's creator. */
  personalUserId: string;
  /** Whether this caller may act on secrets at another path of the same environment. */
  allows(action: Action, secretPath: string): boolean;
}

/**
 * Access to secrets (and folders) in one (project, environment, path). Users need a rule of their
 * roles granting the action there (conditions on environment and path evaluated); service tokens
 * need the project, a scope whose environment matches and whose path pattern matches (picomatch,
 * as Infisical), and `read` (for reads) or `write` (for changes).
 */
export function requireSecretAccess(
  state: ServerState,
  actor: Actor,
  projectId: string,
  environmentSlug: string,
  secretPath: string,
  action: Action,
): SecretAccess {
  const access = secretAccessOf(state, actor, projectId, environmentSlug);
  if (!access.allows(action, secretPath)) throw permissionDenied(action, "secrets");
  return withEnvironment(state, access, environmentSlug);
}

/**
 * For listings that filter instead of refusing (the recursive secret list): a member gets the
 * access object even where the start path itself is refused and drops what `allows` refuses, as
 * the real server does. A service token keeps the strict check.
 */
export function requireSecretListAccess(
  state: ServerState,
  actor: Actor,
  projectId: string,
  environmentSlug: string,
  secretPath: string,
): SecretAccess {
  if (actor.kind === "service")
    return requireSecretAccess(state, actor, projectId, environmentSlug, secretPath, "read");
  return withEnvironment(state, secretAccessOf(state, actor, projectId, environmentSlug), environmentSlug);
}

type EnvironmentlessAccess = Omit<SecretAccess, "environment">;

function secretAccessOf(
  state: ServerState,
  actor: Actor,
  projectId: string,
  environment: string,
): EnvironmentlessAccess {
  if (actor.kind === "service") {
    const token = actor.token;
    if (token.project_id !== projectId) throw unauthorized("Failed to find service authorization for given project");
    const row = state.store.get<ProjectRow>("SELECT * FROM projects WHERE id = ?", projectId);
    if (!row) throw unauthorized("Failed to find service authorization for given project");
    // The token acts for its creator: never beyond what the creator's roles allow now (docs/server.md).
    const creatorMembership = membershipIdOf(state, projectId, token.created_by);
    const creatorRules = creatorMembership ? membershipRules(state, creatorMembership).rules : [];
    return {
      project: row,
      personalUserId: token.created_by,
      allows: (action, secretPath) =>
        serviceTokenAllows(token, environment, secretPath, action) &&
        allows(creatorRules, action, "secrets", { environment, secretPath }),
    };
  }
  const member = requireMember(state, actor, projectId);
  return {
    project: member.project,
    personalUserId: actor.kind === "user" ? actor.userId : "",
    allows: (action, secretPath) => allows(member.rules, action, "secrets", { environment, secretPath }),
  };
}

function withEnvironment(state: ServerState, access: EnvironmentlessAccess, environmentSlug: string): SecretAccess {
  const environment = state.store.get<EnvironmentRow>(
    "SELECT * FROM environments WHERE project_id = ? AND slug = ?",
    access.project.id,
    environmentSlug,
  );
  if (!environment) throw badRequest("Environment not found");
  return { ...access, environment };
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

/**
 * A caller who may edit members or roles gives only what it holds: every grant of `wanted` must
 * be one of its own (the built-in admin holds the project). The real server checks this for
 * machine identities only (docs/server.md).
 */
export function requireWithinOwnRules(access: ProjectAccess, wanted: readonly PermissionRule[]): void {
  if (access.roles.includes("admin") || rulesCover(access.rules, wanted)) return;
  throw new HttpError(403, "ForbiddenRequestError", "Failed to change to a more privileged role");
}

/** The rules a role assignment would give: a built-in's table or the custom role's stored rules. */
export function rulesOfRole(state: ServerState, role: string, customRoleId: string | null): PermissionRule[] {
  if (role === "custom") return parsePackedRules(customRolePermissions(state, customRoleId));
  return [...(BUILT_IN_ROLE_RULES[role as Role] ?? [])];
}

/** Every rule a membership's roles give, inside their windows or not (what it holds at all). */
export function rulesHeldBy(state: ServerState, membershipId: string): PermissionRule[] {
  return membershipRoleRows(state, membershipId).flatMap((row) => rulesOfRole(state, row.role, row.custom_role_id));
}

/**
 * Deleting a whole environment (or project) deletes its secrets: the caller must be allowed to
 * delete secrets at every folder of it, not only hold `delete` on environments or the workspace.
 */
export function requireDeleteAtEveryFolder(
  state: ServerState,
  rules: readonly PermissionRule[],
  environment: { id: string; slug: string },
): void {
  const root = rootFolder(state, environment.id);
  for (const { path } of root ? folderTree(state, root, "/") : []) {
    if (!allows(rules, "delete", "secrets", { environment: environment.slug, secretPath: path }))
      throw permissionDenied("delete", "secrets");
  }
}
