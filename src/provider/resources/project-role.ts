import {
  MAX_ROLE_PERMISSIONS,
  PERMISSION_ACTIONS,
  PERMISSION_SUBJECTS,
  permissionGlobProblem,
  roleSlugProblem,
  type UnpackedRule,
} from "../api/permissions";
import type { WireRole, WireRoleRule } from "../api/roles";
import { type FieldFailure, NotFoundError } from "../errors";
import { type InputsOf, type OutputsOf, objList, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import { validateEnvironmentSlug, validateName } from "./validation";

const MAX_DESCRIPTION_LENGTH = 500;

export const permissionFields = {
  action: str({
    required: true,
    oneOf: PERMISSION_ACTIONS,
    doc: "What the rule allows: `read`, `create`, `edit` or `delete`.",
  }),
  subject: str({
    required: true,
    oneOf: PERMISSION_SUBJECTS,
    doc: "What the rule is about, e.g. `secrets`, `tags` or `member`.",
  }),
  environment: str({
    optional: true,
    validate: validateEnvironmentSlug,
    doc: "Only for subject `secrets`: the environment slug the rule is limited to (exact match). Unset = every environment.",
  }),
  secretPath: str({
    optional: true,
    validate: permissionGlobProblem,
    doc: "Only for subject `secrets`: a folder path or glob the rule is limited to, matched as the server does (picomatch): `/app/**` covers `/app` and everything below it, `/app/*` one level below, `/` the root only. Unset = every path. The service-token scope rule bounds it (at most two `*`/`**` runs).",
  }),
};

/** An empty description reads back as none; refusing it keeps plans empty. */
function describeProblem(text: string): string | undefined {
  if (text.trim().length === 0) return "must not be empty (leave it unset for none)";
  if (text !== text.trim()) return "must not start or end with whitespace (the server trims it)";
  if (text.length > MAX_DESCRIPTION_LENGTH) return `must be at most ${MAX_DESCRIPTION_LENGTH} characters`;
  return undefined;
}

export const projectRoleFields = {
  projectId: projectIdField(),
  slug: str({
    required: true,
    validate: roleSlugProblem,
    doc: "Slug members are given the role by (`role` of `infisicale2ee_project_membership`): lower-case letters, digits and single dashes; not `admin`, `member`, `viewer`, `no-access` or `custom`. Changes in place.",
  }),
  name: str({ required: true, validate: validateName, doc: "Display name. Changes in place." }),
  description: str({
    optional: true,
    validate: describeProblem,
    doc: "Free text shown with the role.",
  }),
  permissions: objList(permissionFields, {
    required: true,
    validate: (list) =>
      list.length > MAX_ROLE_PERMISSIONS ? `must have at most ${MAX_ROLE_PERMISSIONS} rules` : undefined,
    doc: 'The rules the role grants, OR-ed (there are no deny rules), e.g. `[{ action = "read", subject = "secrets", environment = "dev", secret_path = "/app/**" }]`. Changes in place. Assigning the role to a member needs an enterprise (RBAC) licence on the real Infisical server (ERR_CUSTOM_ROLE_LICENSE); creating it does not.',
  }),
};

type RoleInputs = InputsOf<typeof projectRoleFields>;
type RoleOutputs = OutputsOf<typeof projectRoleFields>;
type Permission = { action: string; subject: string; environment?: string; secretPath?: string };

function toRule(p: Permission): UnpackedRule {
  const conditions: UnpackedRule["conditions"] = {};
  if (p.environment !== undefined) conditions.environment = p.environment;
  if (p.secretPath !== undefined) conditions.secretPath = { $glob: p.secretPath };
  return Object.keys(conditions).length > 0
    ? { action: p.action, subject: p.subject, conditions }
    : { action: p.action, subject: p.subject };
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * The server's rules in our form, in the server's order. Custom roles answer `action`/`subject`
 * as arrays, built-ins as strings; a rule packing several (made outside) becomes one entry per pair.
 */
function fromRules(rules: WireRoleRule[] | undefined): Permission[] {
  return (rules ?? []).flatMap((rule) =>
    asList(rule.subject).flatMap((subject) =>
      asList(rule.action).map((action) => {
        const out: Permission = { action, subject };
        const conditions = rule.conditions ?? {};
        if (typeof conditions.environment === "string") out.environment = conditions.environment;
        if (typeof conditions.secretPath?.$glob === "string") out.secretPath = conditions.secretPath.$glob;
        return out;
      }),
    ),
  );
}

function outputsOf(projectId: string, role: WireRole): RoleOutputs {
  return {
    projectId,
    slug: role.slug,
    name: role.name,
    description: role.description || undefined,
    permissions: fromRules(role.permissions),
  };
}

/** Role routes address the project by slug; undefined when the project is gone. */
async function projectSlug(ctx: ResourceContext, projectId: string): Promise<string | undefined> {
  return (await unlessGone(ctx.session.api.projects.get(projectId)))?.workspace?.slug;
}

async function requireProjectSlug(ctx: ResourceContext, projectId: string, operation: string): Promise<string> {
  const slug = await projectSlug(ctx, projectId);
  if (slug === undefined) throw new NotFoundError({ operation, reason: "the project does not exist" });
  return slug;
}

/** The role with its rules: by the slug we know, else (renamed outside) by id through the list. */
async function findRole(ctx: ResourceContext, project: string, id: string, slug: string | undefined) {
  const roles = ctx.session.api.roles;
  if (slug !== undefined) {
    const bySlug = await unlessGone(roles.getBySlug(project, slug));
    if (bySlug?.role.id === id) return bySlug.role;
  }
  const listed = (await roles.list(project)).roles.find((r) => r.id === id);
  if (!listed) return undefined;
  return (await unlessGone(roles.getBySlug(project, listed.slug)))?.role;
}

async function createRole(ctx: ResourceContext, inputs: RoleInputs) {
  const project = await requireProjectSlug(ctx, inputs.projectId, "create project role");
  const { role } = await ctx.session.api.roles.create(project, {
    slug: inputs.slug,
    name: inputs.name,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    permissions: (inputs.permissions as Permission[]).map(toRule),
  });
  return { id: role.id, outputs: outputsOf(inputs.projectId, role) };
}

async function readRole(ctx: ResourceContext, id: string, state: RoleOutputs) {
  const project = await projectSlug(ctx, state.projectId!);
  if (project === undefined) return undefined;
  const role = await findRole(ctx, project, id, state.slug);
  return role ? outputsOf(state.projectId!, role) : undefined;
}

/** The server needs `permissions` on every update, so they are always sent. */
async function updateRole(ctx: ResourceContext, id: string, olds: RoleOutputs, news: RoleInputs) {
  const project = await requireProjectSlug(ctx, news.projectId, "update project role");
  const { role } = await ctx.session.api.roles.update(project, id, {
    ...(news.slug !== olds.slug ? { slug: news.slug } : {}),
    ...(news.name !== olds.name ? { name: news.name } : {}),
    ...(news.description !== olds.description ? { description: news.description ?? "" } : {}),
    permissions: (news.permissions as Permission[]).map(toRule),
  });
  return outputsOf(news.projectId, role);
}

async function deleteRole(ctx: ResourceContext, id: string, state: RoleOutputs) {
  const project = await projectSlug(ctx, state.projectId!);
  if (project === undefined) return;
  try {
    await ctx.session.api.roles.delete(project, id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function importRole(ctx: ResourceContext, importId: string) {
  const [projectId, slug] = splitImportId("projectRole", importId, ["projectId", "slug"]);
  const project = await requireProjectSlug(ctx, projectId!, "import project role");
  const found = await unlessGone(ctx.session.api.roles.getBySlug(project, slug!));
  if (!found || roleSlugProblem(found.role.slug) !== undefined) {
    throw new NotFoundError({
      operation: "import project role",
      reason: `the project has no custom role ${JSON.stringify(slug)} (built-in roles cannot be imported)`,
    });
  }
  return { id: found.role.id, outputs: outputsOf(projectId!, found.role) };
}

/** Conditions mean something only on `secrets`; elsewhere the server would keep them and never use them. */
function checkConditions(inputs: Record<string, unknown>): FieldFailure[] {
  const list = Array.isArray(inputs.permissions) ? (inputs.permissions as Partial<Permission>[]) : [];
  return list.flatMap((p, i) =>
    typeof p !== "object" || p === null || p.subject === "secrets" || typeof p.subject !== "string"
      ? []
      : (["environment", "secretPath"] as const)
          .filter((key) => p[key] !== undefined && p[key] !== null)
          .map((key) => ({
            path: `permissions[${i}].${key}`,
            reason: "is a condition on secrets only; remove it or set subject to secrets",
          })),
  );
}

export const projectRole = defineResource({
  name: "projectRole",
  version: 1,
  doc: "A custom project role: a named set of permission rules, optionally limited to an environment and a secret-path glob, that memberships can be given by its slug.",
  importId: "`<projectId>:<slug>`, e.g. `6f1c…:app-reader`.",
  fields: projectRoleFields,
  ops: {
    create: createRole,
    read: readRole,
    update: updateRole,
    delete: deleteRole,
    import: importRole,
    check: checkConditions,
  },
});
