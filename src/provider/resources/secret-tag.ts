import type { WireTag } from "../api/wire";
import { NotFoundError } from "../errors";
import { type InputsOf, type OutputsOf, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import {
  MAX_TAG_COLOR_LENGTH,
  MAX_TAG_NAME_LENGTH,
  MAX_TAG_SLUG_LENGTH,
  validateTagColor,
  validateTagName,
  validateTagSlug,
} from "./validation";

const PLAINTEXT = "Stored in plaintext on the server (tags are not end-to-end encrypted): do not put secrets in it.";

export const secretTagFields = {
  projectId: projectIdField(),
  name: str({
    required: true,
    validate: validateTagName,
    doc: `Display name, e.g. \`Production DB\` (at most ${MAX_TAG_NAME_LENGTH} characters). Changes in place. ${PLAINTEXT}`,
  }),
  slug: str({
    required: true,
    validate: validateTagSlug,
    doc: `Slug, unique in the project: lowercase words joined by single \`-\`, e.g. \`prod-db\` (at most ${MAX_TAG_SLUG_LENGTH} characters). Changes in place. ${PLAINTEXT}`,
  }),
  color: str({
    optional: true,
    validate: validateTagColor,
    doc: `Colour shown in Infisical's app, e.g. \`#ff0000\` (at most ${MAX_TAG_COLOR_LENGTH} characters); unset for none. Changes in place. ${PLAINTEXT}`,
  }),
};

type TagInputs = InputsOf<typeof secretTagFields>;
type TagOutputs = OutputsOf<typeof secretTagFields>;

/**
 * The tag routes take user logins only (the real server refuses service tokens there): fail with
 * the connection setting to fix, not the server's bare "Unauthorized Access".
 */
async function requireUserLogin(ctx: ResourceContext): Promise<void> {
  await ctx.session.user();
}

/** No colour is `null`, so one cleared outside shows as drift and an unset one never differs. */
function outputsOf(projectId: string, tag: WireTag): TagOutputs {
  return { projectId, name: tag.name, slug: tag.slug, color: (tag.color || null) as string | undefined };
}

/** The real server needs all three on create and on every update; no colour is `""`. */
function bodyOf(inputs: TagInputs) {
  return { name: inputs.name, slug: inputs.slug, color: inputs.color ?? "" };
}

async function createTag(ctx: ResourceContext, inputs: TagInputs) {
  await requireUserLogin(ctx);
  const { workspaceTag } = await ctx.session.api.tags.create(inputs.projectId, bodyOf(inputs));
  return { id: workspaceTag.id, outputs: outputsOf(inputs.projectId, workspaceTag) };
}

async function readTag(ctx: ResourceContext, id: string, state: TagOutputs) {
  await requireUserLogin(ctx);
  const found = await unlessGone(ctx.session.api.tags.get(state.projectId!, id));
  // The real server finds a tag by id through any project's URL: one of another project is not this one.
  if (!found || found.workspaceTag.projectId !== state.projectId) return undefined;
  return outputsOf(state.projectId!, found.workspaceTag);
}

async function updateTag(ctx: ResourceContext, id: string, _olds: TagOutputs, news: TagInputs) {
  await requireUserLogin(ctx);
  const { workspaceTag } = await ctx.session.api.tags.update(news.projectId, id, bodyOf(news));
  return outputsOf(news.projectId, workspaceTag);
}

async function deleteTag(ctx: ResourceContext, id: string, state: TagOutputs) {
  await requireUserLogin(ctx);
  await unlessGone(ctx.session.api.tags.delete(state.projectId!, id));
}

async function importTag(ctx: ResourceContext, importId: string) {
  const [projectId, slug] = splitImportId("secretTag", importId, ["projectId", "slug"]);
  await requireUserLogin(ctx);
  const found = await unlessGone(ctx.session.api.tags.getBySlug(projectId!, slug!));
  if (!found) {
    throw new NotFoundError({
      operation: "import secret tag",
      reason: `the project has no tag ${JSON.stringify(slug)}`,
    });
  }
  return { id: found.workspaceTag.id, outputs: outputsOf(projectId!, found.workspaceTag) };
}

export const secretTag = defineResource({
  name: "secretTag",
  version: 1,
  doc: "A tag of a project, to label secrets with (a secret's `tag_ids` / `tagIds`). Its name, slug and colour are stored in plaintext on the server.",
  importId: "`<projectId>:<slug>`, e.g. `6f1c…:prod-db`.",
  fields: secretTagFields,
  ops: {
    create: createTag,
    read: readTag,
    update: updateTag,
    delete: deleteTag,
    import: importTag,
  },
});
