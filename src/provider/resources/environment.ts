import { NotFoundError, PartialCreateError } from "../errors";
import { type InputsOf, num, type OutputsOf, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import { integerBetween, validateEnvironmentSlug, validateName } from "./validation";

export const environmentFields = {
  projectId: projectIdField(),
  name: str({ required: true, validate: validateName, doc: "Display name, e.g. `Staging`. Renames in place." }),
  slug: str({
    required: true,
    validate: validateEnvironmentSlug,
    doc: "Slug used in secret paths and tokens (`^[a-z0-9-]+$`, at most 64 characters). Changes in place.",
  }),
  position: num({
    optional: true,
    computed: true,
    validate: integerBetween(1, 1000),
    doc: "Order among the project's environments (1 = first); chosen by the server when unset.",
  }),
  environmentId: str({ computed: true, doc: "Server-side ID of the environment." }),
};

type EnvironmentInputs = InputsOf<typeof environmentFields>;
type EnvironmentOutputs = OutputsOf<typeof environmentFields>;

interface FoundEnvironment {
  id: string;
  name: string;
  slug: string;
  position?: number;
}

/**
 * The environment with its position. The project view lists environments without positions, so
 * only the per-environment route can report a reorder made outside (drift) or an imported position.
 */
async function getEnvironment(ctx: ResourceContext, projectId: string, id: string) {
  const found = await unlessGone(ctx.session.api.environments.get(projectId, id));
  return found?.environment;
}

/** Find an environment's id by slug in the project's list; undefined when it or its project is gone. */
async function findEnvironmentIdBySlug(ctx: ResourceContext, projectId: string, slug: string) {
  const found = await unlessGone(ctx.session.api.projects.get(projectId));
  return found?.workspace?.environments.find((e) => e.slug === slug)?.id;
}

function outputsOf(projectId: string, env: FoundEnvironment, fallbackPosition?: number): EnvironmentOutputs {
  return {
    projectId,
    name: env.name,
    slug: env.slug,
    position: env.position ?? fallbackPosition,
    environmentId: env.id,
  };
}

async function createEnvironment(ctx: ResourceContext, inputs: EnvironmentInputs) {
  const api = ctx.session.api.environments;
  const { environment: created } = await api.create(inputs.projectId, { name: inputs.name, slug: inputs.slug });
  let env: FoundEnvironment = created;
  if (inputs.position !== undefined && inputs.position !== created.position) {
    try {
      ({ environment: env } = await api.update(inputs.projectId, created.id, { position: inputs.position }));
    } catch (error) {
      throw new PartialCreateError(created.id, outputsOf(inputs.projectId, created), ["setting position failed"], {
        cause: error,
      });
    }
  }
  return { id: env.id, outputs: outputsOf(inputs.projectId, env) };
}

async function readEnvironment(ctx: ResourceContext, id: string, state: EnvironmentOutputs) {
  const found = await getEnvironment(ctx, state.projectId!, id);
  return found ? outputsOf(state.projectId!, found, state.position) : undefined;
}

async function updateEnvironment(ctx: ResourceContext, id: string, olds: EnvironmentOutputs, news: EnvironmentInputs) {
  const changes: { name?: string; slug?: string; position?: number } = {};
  if (news.name !== olds.name) changes.name = news.name;
  if (news.slug !== olds.slug) changes.slug = news.slug;
  if (news.position !== undefined && news.position !== olds.position) changes.position = news.position;
  const { environment } = await ctx.session.api.environments.update(news.projectId, id, changes);
  return outputsOf(news.projectId, environment, news.position ?? olds.position);
}

async function deleteEnvironment(ctx: ResourceContext, id: string, state: EnvironmentOutputs) {
  try {
    await ctx.session.api.environments.delete(state.projectId!, id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function importEnvironment(ctx: ResourceContext, importId: string) {
  const [projectId, slug] = splitImportId("environment", importId, ["projectId", "slug"]);
  const id = await findEnvironmentIdBySlug(ctx, projectId!, slug!);
  const found = id === undefined ? undefined : await getEnvironment(ctx, projectId!, id);
  if (!found) {
    throw new NotFoundError({
      operation: "import environment",
      reason: `the project has no environment ${JSON.stringify(slug)}`,
    });
  }
  return { id: found.id, outputs: outputsOf(projectId!, found) };
}

export const environment = defineResource({
  name: "environment",
  version: 1,
  doc: "An environment of a project (such as `dev` or `prod`): a namespace for secrets.",
  importId: "`<projectId>:<slug>`, e.g. `6f1c…:staging`.",
  fields: environmentFields,
  ops: {
    create: createEnvironment,
    read: readEnvironment,
    update: updateEnvironment,
    delete: deleteEnvironment,
    import: importEnvironment,
  },
});
