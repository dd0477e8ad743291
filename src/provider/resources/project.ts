import type { WireProject } from "../api/wire";
import { generateProjectKey } from "../crypto";
import { NotFoundError, PartialCreateError, PermissionDeniedError, ValidationError } from "../errors";
import { type InputsOf, type OutputsOf, objList, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { validateId, validateName, validateProjectSlug } from "./validation";

// Inner fields carry no flags: the list itself is computed.
export const projectEnvironmentFields = {
  id: str({ doc: "Environment ID." }),
  name: str({ doc: "Environment name." }),
  slug: str({ doc: "Environment slug." }),
};

export const projectFields = {
  name: str({ required: true, validate: validateName, doc: "Project name (at most 64 characters). Renames in place." }),
  slug: str({
    optional: true,
    computed: true,
    replaceOnChange: true,
    validate: validateProjectSlug,
    doc: "URL slug (5–36 characters, `^[a-z0-9-]+$`); the server derives one from the name when unset.",
  }),
  organizationId: str({
    optional: true,
    computed: true,
    replaceOnChange: true,
    validate: validateId,
    doc: "Organization that owns the project; defaults to the logged-in user's organization.",
  }),
  projectId: str({ computed: true, doc: "Server-side ID of the project." }),
  environments: objList(projectEnvironmentFields, {
    computed: true,
    doc: "The project's environments as the server reports them (new projects get dev, staging and prod).",
  }),
};

type ProjectInputs = InputsOf<typeof projectFields>;
type ProjectOutputs = OutputsOf<typeof projectFields>;

export function projectOutputs(project: WireProject): ProjectOutputs {
  return {
    name: project.name,
    slug: project.slug,
    organizationId: project.orgId,
    projectId: project.id,
    environments: (project.environments ?? []).map((e) => ({ id: e.id, name: e.name, slug: e.slug })),
  };
}

/** The real server answers 403 "User not in project" for a project that no longer exists. */
function isGoneProject(error: unknown): boolean {
  return error instanceof PermissionDeniedError && /not in project/i.test(error.serverMessage ?? "");
}

export async function getProject(ctx: ResourceContext, projectId: string): Promise<WireProject | undefined> {
  try {
    return (await ctx.session.api.projects.get(projectId)).workspace;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    if (isGoneProject(error)) return undefined;
    throw error;
  }
}

/** True when the server already holds a key copy for us (server-made key, as on the real server of 2024). */
async function hasOwnKeyCopy(ctx: ResourceContext, projectId: string): Promise<boolean> {
  try {
    await ctx.session.api.projects.encryptedKey(projectId);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/**
 * A zero-knowledge server creates the project without a key: generate it here and upload our
 * wrapped copy. Project and key copy are one unit: if the key step fails, the project is deleted.
 */
async function createProject(ctx: ResourceContext, inputs: ProjectInputs) {
  const user = await ctx.session.user();
  if (inputs.organizationId !== undefined && inputs.organizationId !== user.organizationId) {
    throw new ValidationError("project", [
      {
        path: "organizationId",
        reason: "must be the organization the provider is logged in to (set organizationId in the provider settings)",
      },
    ]);
  }
  const { project } = await ctx.session.api.projects.create(inputs.name, inputs.slug);
  try {
    if (!(await hasOwnKeyCopy(ctx, project.id))) {
      ctx.session.rememberProjectKey(project.id, generateProjectKey());
      const copy = await ctx.session.wrapProjectKeyFor(project.id, user.publicKey);
      await ctx.session.api.projects.uploadKey(project.id, { ...copy, userId: user.userId });
    }
  } catch (error) {
    try {
      await ctx.session.api.projects.delete(project.id);
    } catch (rollbackError) {
      throw new PartialCreateError(
        project.id,
        projectOutputs(project),
        ["uploading the project key failed", "deleting the half-made project failed"],
        { cause: rollbackError },
      );
    }
    throw error;
  }
  const fresh = (await getProject(ctx, project.id)) ?? project;
  return { id: project.id, outputs: projectOutputs(fresh) };
}

async function readProject(ctx: ResourceContext, id: string) {
  const project = await getProject(ctx, id);
  return project ? projectOutputs(project) : undefined;
}

async function updateProject(ctx: ResourceContext, id: string, olds: ProjectOutputs, news: ProjectInputs) {
  if (news.name !== olds.name) await ctx.session.api.projects.rename(id, news.name);
  return { ...olds, name: news.name };
}

async function deleteProject(ctx: ResourceContext, id: string) {
  try {
    await ctx.session.api.projects.delete(id);
  } catch (error) {
    if (!(error instanceof NotFoundError) && !isGoneProject(error)) throw error;
  }
}

async function importProject(ctx: ResourceContext, importId: string) {
  const reason = validateId(importId);
  if (reason) throw new ValidationError("project", [{ path: "importId", reason: `expected a project ID: ${reason}` }]);
  const project = await getProject(ctx, importId);
  if (!project) {
    throw new NotFoundError({ operation: "import project", reason: "no such project" });
  }
  return { id: project.id, outputs: projectOutputs(project) };
}

export const project = defineResource({
  name: "project",
  version: 1,
  doc: "An end-to-end encrypted project. When the server gives the creator no key copy, the project key is generated on this machine and only its wrapped copy is uploaded.",
  importId: "`<projectId>`, the project ID.",
  fields: projectFields,
  ops: {
    create: createProject,
    read: readProject,
    update: updateProject,
    delete: deleteProject,
    import: importProject,
  },
});
