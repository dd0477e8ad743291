/**
 * Project tags (`/api/v1/workspace/:projectId/tags`), as the real server of 2024 answers them
 * (routes-more.md §2), except where it is unsafe or answers 500: a tag is only found through its
 * own project's URL, a malformed id is an unknown one, and permission is checked before lookups
 * (docs/server.md, Tags). User tokens only: the real server refuses service tokens here. Also
 * attaching tags to a secret by slug (`POST /api/v3/secrets/tags/:secretName`); its DELETE twin
 * takes machine identities only on the real server, which this server does not have.
 */
import { z } from "zod";
import { MAX_TAG_COLOR_LENGTH, MAX_TAG_NAME_LENGTH, MAX_TAG_SLUG_LENGTH, TAG_SLUG } from "../../provider/api/tag-rules";
import { requirePermission, requireSecretAccess } from "../auth/access";
import type { Actor } from "../context";
import { displayName, secretName, secretPath, secretType } from "../fields";
import { requireFolder } from "../folders";
import { badRequest, notFound, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { type ProjectRow, secretJson } from "../rows";
import { blindIndex, keyOf, requireSecret, updateSecret } from "../secrets";
import {
  deleteTag,
  findTag,
  findTagBySlug,
  insertTag,
  listTags,
  replaceSecretTags,
  type TagRow,
  tagJson,
  tagsOfSecret,
  updateTag,
} from "../tags";

const projectParams = { projectId: z.string().trim().min(1).max(100) };
const tagParams = z.object({ ...projectParams, tagId: z.string().trim().min(1).max(100) });

/** All three are required, as on the real server (a name-only PATCH is a validation failure there too). */
const tagBody = z.object({
  name: displayName(MAX_TAG_NAME_LENGTH),
  slug: z
    .string()
    .trim()
    .min(1)
    .max(MAX_TAG_SLUG_LENGTH)
    .regex(TAG_SLUG, "Must be lowercase words joined by single dashes"),
  color: z
    .string()
    .trim()
    .max(MAX_TAG_COLOR_LENGTH)
    .regex(/^[^\p{Cc}]*$/u, "Control characters are not allowed"),
});

function creatorOf(actor: Actor): string {
  return actor.kind === "user" ? actor.userId : "";
}

export const tagRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/workspace/:projectId/tags",
    auth: ["user"],
    params: z.object(projectParams),
    handler: ({ state, actor, params }) => {
      requirePermission(state, actor, params.projectId, "read", "tags");
      return { workspaceTags: listTags(state, params.projectId).map(tagJson) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:projectId/tags/slug/:tagSlug",
    auth: ["user"],
    params: z.object({ ...projectParams, tagSlug: z.string().trim().min(1).max(100) }),
    handler: ({ state, actor, params }) => {
      requirePermission(state, actor, params.projectId, "read", "tags");
      const tag = findTagBySlug(state, params.projectId, params.tagSlug);
      if (!tag) throw notFound("Tag doesn't exist");
      return { workspaceTag: tagJson(tag) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:projectId/tags/:tagId",
    auth: ["user"],
    params: tagParams,
    handler: ({ state, actor, params }) => {
      requirePermission(state, actor, params.projectId, "read", "tags");
      const tag = findTag(state, params.projectId, params.tagId);
      if (!tag) throw notFound("Tag doesn't exist");
      return { workspaceTag: tagJson(tag) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/workspace/:projectId/tags",
    auth: ["user"],
    rateLimit: "write",
    params: z.object(projectParams),
    body: tagBody,
    handler: ({ state, actor, params, body }) => {
      requirePermission(state, actor, params.projectId, "create", "tags");
      const tag = state.store.transaction(() => insertTag(state, params.projectId, body, creatorOf(actor)));
      return { workspaceTag: tagJson(tag) };
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/workspace/:projectId/tags/:tagId",
    auth: ["user"],
    rateLimit: "write",
    params: tagParams,
    body: tagBody,
    handler: ({ state, actor, params, body }) => {
      requirePermission(state, actor, params.projectId, "edit", "tags");
      const tag = state.store.transaction(() => {
        const found = findTag(state, params.projectId, params.tagId);
        if (!found) throw badRequest("Tag doesn't exist");
        return updateTag(state, found, body);
      });
      return { workspaceTag: tagJson(tag) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/workspace/:projectId/tags/:tagId",
    auth: ["user"],
    rateLimit: "write",
    params: tagParams,
    handler: ({ state, actor, params }) => {
      requirePermission(state, actor, params.projectId, "delete", "tags");
      const tag = state.store.transaction(() => {
        const found = findTag(state, params.projectId, params.tagId);
        if (!found) throw badRequest("Tag doesn't exist");
        deleteTag(state, found);
        return found;
      });
      return { workspaceTag: tagJson(tag) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v3/secrets/tags/:secretName",
    auth: ["user"],
    rateLimit: "write",
    params: z.object({ secretName: secretName() }),
    body: z.object({
      projectSlug: z.string().trim().min(1).max(100),
      environment: z.string().trim().min(1).max(64),
      secretPath: secretPath(),
      type: secretType(),
      tagSlugs: z.array(z.string().trim().min(1).max(MAX_TAG_SLUG_LENGTH)).min(1).max(100),
    }),
    handler: async ({ state, actor, params, body, signal }) => {
      // An unknown slug answers like a project the caller is not in: existence is not revealed.
      const project = state.store.get<ProjectRow>("SELECT * FROM projects WHERE slug = ?", body.projectSlug);
      if (!project) throw unauthorized("User not in project");
      const access = requireSecretAccess(state, actor, project.id, body.environment, body.secretPath, "edit");
      const index = await blindIndex(state, access.project, params.secretName, signal);
      signal.throwIfAborted();
      const { row, tags } = state.store.transaction(() => {
        const folder = requireFolder(state, access.environment.id, body.secretPath);
        const old = requireSecret(state, keyOf(access, folder.id, index, body.type));
        const adding = body.tagSlugs.map((s) => findTagBySlug(state, project.id, s));
        if (adding.some((t) => t === undefined)) throw badRequest("One or more tags not found.");
        const current = tagsOfSecret(state, old.id);
        const added = adding as TagRow[];
        if (added.some((t) => current.some((c) => c.id === t.id)) || new Set(body.tagSlugs).size !== added.length) {
          throw badRequest("One or more tags already exist on the secret");
        }
        // As on the real server the version is bumped; the ciphertexts stay as they are.
        const updated = updateSecret(state, old, {
          secretValueCiphertext: old.value_ciphertext,
          secretValueIV: old.value_iv,
          secretValueTag: old.value_tag,
        });
        replaceSecretTags(state, updated.id, [...current, ...added]);
        return { row: updated, tags: tagsOfSecret(state, updated.id) };
      });
      return {
        secret: {
          ...secretJson(row, access.environment.slug),
          tags: tags.map((t) => ({ id: t.id, slug: t.slug, name: t.name, color: t.color })),
        },
      };
    },
  }),
];
