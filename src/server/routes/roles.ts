/**
 * Project roles (routes-more.md §4): the four synthetic built-ins with their fixed ids, custom
 * roles stored as CASL packed rules, and the caller's own permissions. Role routes take the
 * project *slug*; the permissions route takes the id. Unlike the real server, assigning a
 * custom role needs no licence here (docs/server.md).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  BUILT_IN_ROLE_SLUGS,
  type BuiltInRoleSlug,
  MAX_ROLE_PERMISSIONS,
  MAX_ROLE_SLUG_LENGTH,
  PERMISSION_ACTIONS,
  PERMISSION_SUBJECTS,
  packRule,
  parsePackedRules,
  permissionGlobProblem,
  RESERVED_ROLE_SLUGS,
} from "../../provider/api/permissions";
import { recordAudit } from "../audit";
import { type ProjectAccess, requireMember, requirePermission, requireWithinOwnRules } from "../auth/access";
import { BUILT_IN_ROLE_RULES, type PermissionRule, packRules } from "../auth/permissions";
import type { Actor, ServerState } from "../context";
import { displayName, uuid } from "../fields";
import { badRequest, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso } from "../rows";

/** The real server's fixed ids of the synthetic built-in roles. */
export const BUILT_IN_ROLE_IDS: Record<BuiltInRoleSlug, string> = {
  admin: "b11b49a9-09a9-4443-916a-4246f9ff2c69",
  member: "b11b49a9-09a9-4443-916a-4246f9ff2c70",
  viewer: "b11b49a9-09a9-4443-916a-4246f9ff2c71",
  "no-access": "b11b49a9-09a9-4443-916a-4246f9ff2c72",
};

const BUILT_IN_ROLE_NAMES: Record<BuiltInRoleSlug, string> = {
  admin: "Admin",
  member: "Developer",
  viewer: "Viewer",
  "no-access": "No Access",
};

export interface ProjectRoleRow {
  id: string;
  project_id: string;
  slug: string;
  name: string;
  description: string | null;
  permissions: string;
  created_at: string;
  updated_at: string;
}

const MAX_DESCRIPTION_LENGTH = 500;
const MAX_ENVIRONMENT_SLUG_LENGTH = 64;

const roleSlug = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(MAX_ROLE_SLUG_LENGTH)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Slug must be a valid")
    .refine(
      (slug) => !RESERVED_ROLE_SLUGS.includes(slug),
      "Please choose a different slug, the slug you have entered is reserved",
    );

/** Other condition keys are silently dropped, as on the real server (zod strips them). */
const conditions = z.object({
  environment: z.string().trim().min(1).max(MAX_ENVIRONMENT_SLUG_LENGTH).optional(),
  secretPath: z
    .object({
      $glob: z
        .string()
        .trim()
        .min(1)
        .superRefine((glob, ctx) => {
          const problem = permissionGlobProblem(glob);
          if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `secretPath glob ${problem}` });
        }),
    })
    .optional(),
});

const rule = z.object({
  action: z.enum(PERMISSION_ACTIONS),
  subject: z.enum(PERMISSION_SUBJECTS),
  conditions: conditions.optional(),
});

/** One rule of a role body in the evaluator's form. */
function unpackedRule(r: z.infer<typeof rule>): PermissionRule {
  return { actions: [r.action], subjects: [r.subject], ...(r.conditions ? { conditions: r.conditions } : {}) };
}

const permissions = () => z.array(rule).max(MAX_ROLE_PERMISSIONS);
const description = () => z.string().trim().max(MAX_DESCRIPTION_LENGTH).optional();

const projectSlugParams = z.object({ projectSlug: z.string().trim().min(1).max(100) });
const roleIdParams = projectSlugParams.extend({ roleId: uuid() });

/** Role routes name the project by slug; an unknown slug (or an id given instead) is a 400 here. */
function projectBySlug(state: ServerState, actor: Actor, slug: string): string {
  const orgId = actor.kind === "user" ? (actor.orgId ?? "") : "";
  const row = state.store.get<{ id: string; org_id: string }>("SELECT id, org_id FROM projects WHERE slug = ?", slug);
  if (!row) throw badRequest("Project not found");
  if (row.org_id !== orgId) throw unauthorized("User not in project");
  return row.id;
}

/** A custom role as the real server answers: unpacked rules with array `action`/`subject`. */
export function customRoleJson(role: ProjectRoleRow, withPermissions = true) {
  const base = {
    id: role.id,
    name: role.name,
    description: role.description,
    slug: role.slug,
    createdAt: role.created_at,
    updatedAt: role.updated_at,
    projectId: role.project_id,
  };
  if (!withPermissions) return base;
  const permissions = parsePackedRules(role.permissions).map(({ actions, subjects, conditions }) =>
    conditions ? { action: actions, subject: subjects, conditions } : { action: actions, subject: subjects },
  );
  return { ...base, permissions };
}

/** A built-in role: synthetic, fixed id, created "now", rules with plain-string action/subject. */
function builtInRoleJson(slug: BuiltInRoleSlug, projectId: string, withPermissions = true) {
  const now = nowIso();
  const base = {
    id: BUILT_IN_ROLE_IDS[slug],
    name: BUILT_IN_ROLE_NAMES[slug],
    description: null,
    slug,
    createdAt: now,
    updatedAt: now,
    projectId,
  };
  if (!withPermissions) return base;
  const permissions = BUILT_IN_ROLE_RULES[slug].flatMap((r) =>
    r.subjects.flatMap((subject) => r.actions.map((action) => ({ action, subject }))),
  );
  return { ...base, permissions };
}

function findCustomRole(state: ServerState, projectId: string, roleId: string): ProjectRoleRow | undefined {
  return state.store.get<ProjectRoleRow>(
    "SELECT * FROM project_roles WHERE id = ? AND project_id = ?",
    roleId,
    projectId,
  );
}

function slugTaken(state: ServerState, projectId: string, slug: string, exceptId = ""): boolean {
  return (
    state.store.get(
      "SELECT 1 AS ok FROM project_roles WHERE project_id = ? AND slug = ? AND id <> ?",
      projectId,
      slug,
      exceptId,
    ) !== undefined
  );
}

const isBuiltIn = (slug: string): slug is BuiltInRoleSlug => (BUILT_IN_ROLE_SLUGS as readonly string[]).includes(slug);

/**
 * The role row a membership gets for `slug`: a built-in by name, or `custom` plus the custom
 * role's id, as the real server stores it. Unknown slugs and the bare `custom` marker are a 400.
 */
export function resolveRoleAssignment(
  state: ServerState,
  projectId: string,
  slug: string,
): { role: string; customRoleId: string | null } {
  if (isBuiltIn(slug)) return { role: slug, customRoleId: null };
  const custom =
    slug === "custom"
      ? undefined
      : state.store.get<{ id: string }>(
          "SELECT id FROM project_roles WHERE project_id = ? AND slug = ?",
          projectId,
          slug,
        );
  if (!custom) throw badRequest("Custom role not found");
  return { role: "custom", customRoleId: custom.id };
}

function audit(
  state: ServerState,
  actor: Actor,
  request: Parameters<typeof recordAudit>[2],
  access: ProjectAccess,
  event: string,
  role: ProjectRoleRow,
) {
  recordAudit(state, actor, request, { orgId: access.project.org_id, projectId: access.project.id }, event, {
    roleId: role.id,
    slug: role.slug,
  });
}

export const roleRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/workspace/:projectSlug/roles",
    auth: ["user"],
    params: projectSlugParams,
    handler: ({ state, actor, params }) => {
      const projectId = projectBySlug(state, actor, params.projectSlug);
      requirePermission(state, actor, projectId, "read", "role");
      const custom = state.store.all<ProjectRoleRow>(
        "SELECT * FROM project_roles WHERE project_id = ? ORDER BY created_at, id",
        projectId,
      );
      return {
        roles: [
          ...BUILT_IN_ROLE_SLUGS.map((slug) => builtInRoleJson(slug, projectId, false)),
          ...custom.map((role) => customRoleJson(role, false)),
        ],
      };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:projectSlug/roles/slug/:slug",
    auth: ["user"],
    params: projectSlugParams.extend({ slug: z.string().trim().min(1).max(MAX_ROLE_SLUG_LENGTH) }),
    handler: ({ state, actor, params }) => {
      const projectId = projectBySlug(state, actor, params.projectSlug);
      requirePermission(state, actor, projectId, "read", "role");
      if (isBuiltIn(params.slug)) return { role: builtInRoleJson(params.slug, projectId) };
      const role = state.store.get<ProjectRoleRow>(
        "SELECT * FROM project_roles WHERE project_id = ? AND slug = ?",
        projectId,
        params.slug,
      );
      if (!role) throw badRequest("Role not found");
      return { role: customRoleJson(role) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/workspace/:projectSlug/roles",
    auth: ["user"],
    rateLimit: "write",
    params: projectSlugParams,
    body: z.object({
      slug: roleSlug(),
      name: displayName(64),
      description: description(),
      permissions: permissions(),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const projectId = projectBySlug(state, actor, params.projectSlug);
      const access = requirePermission(state, actor, projectId, "create", "role");
      requireWithinOwnRules(access, body.permissions.map(unpackedRule));
      const role = state.store.transaction(() => {
        if (slugTaken(state, projectId, body.slug)) throw badRequest("Duplicate role");
        const now = nowIso();
        const id = randomUUID();
        state.store.run(
          "INSERT INTO project_roles (id, project_id, slug, name, description, permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          id,
          projectId,
          body.slug,
          body.name,
          body.description ?? null,
          JSON.stringify(body.permissions.map(packRule)),
          now,
          now,
        );
        const created = findCustomRole(state, projectId, id)!;
        audit(state, actor, request, access, "create-project-role", created);
        return created;
      });
      return { role: customRoleJson(role) };
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/workspace/:projectSlug/roles/:roleId",
    auth: ["user"],
    rateLimit: "write",
    params: roleIdParams,
    body: z.object({
      slug: roleSlug().optional(),
      name: displayName(64).optional(),
      description: description(),
      permissions: permissions(),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const projectId = projectBySlug(state, actor, params.projectSlug);
      const access = requirePermission(state, actor, projectId, "edit", "role");
      requireWithinOwnRules(access, body.permissions.map(unpackedRule));
      const role = state.store.transaction(() => {
        const existing = findCustomRole(state, projectId, params.roleId);
        if (!existing) throw badRequest("Role not found");
        if (body.slug !== undefined && slugTaken(state, projectId, body.slug, existing.id))
          throw badRequest("Duplicate role");
        state.store.run(
          "UPDATE project_roles SET slug = ?, name = ?, description = ?, permissions = ?, updated_at = ? WHERE id = ?",
          body.slug ?? existing.slug,
          body.name ?? existing.name,
          body.description === undefined ? existing.description : body.description,
          JSON.stringify(body.permissions.map(packRule)),
          nowIso(),
          existing.id,
        );
        const updated = findCustomRole(state, projectId, existing.id)!;
        audit(state, actor, request, access, "update-project-role", updated);
        return updated;
      });
      return { role: customRoleJson(role) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/workspace/:projectSlug/roles/:roleId",
    auth: ["user"],
    rateLimit: "write",
    params: roleIdParams,
    handler: ({ state, actor, params, request }) => {
      const projectId = projectBySlug(state, actor, params.projectSlug);
      const access = requirePermission(state, actor, projectId, "delete", "role");
      const role = state.store.transaction(() => {
        const existing = findCustomRole(state, projectId, params.roleId);
        if (!existing) throw badRequest("Role not found");
        if (state.store.get("SELECT 1 AS ok FROM project_membership_roles WHERE custom_role_id = ?", existing.id)) {
          throw badRequest(
            "The role is assigned to one or more users. Make sure to unassign them before deleting the role.",
          );
        }
        state.store.run("DELETE FROM project_roles WHERE id = ?", existing.id);
        audit(state, actor, request, access, "delete-project-role", existing);
        return existing;
      });
      return { role: customRoleJson(role) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/permissions",
    auth: ["user"],
    params: z.object({ workspaceId: z.string().trim().min(1).max(100) }),
    handler: ({ state, actor, params }) => {
      const access = requireMember(state, actor, params.workspaceId);
      const membership = state.store.get<{
        id: string;
        user_id: string;
        project_id: string;
        created_at: string;
        updated_at: string;
      }>("SELECT * FROM project_memberships WHERE id = ?", access.membershipId)!;
      return {
        data: {
          membership: {
            id: membership.id,
            createdAt: membership.created_at,
            updatedAt: membership.updated_at,
            userId: membership.user_id,
            projectId: membership.project_id,
            roles: access.roles.map((role) => ({ role })),
          },
          permissions: packRules(access.rules),
        },
      };
    },
  }),
];
