/**
 * Project tags (`/api/v1/workspace/:projectId/tags`), as the real server of 2024 answers them
 * (routes-more.md §2), except where it is unsafe or answers 500: a tag is only found through its
 * own project's URL, a malformed id is an unknown one, and permission is checked before lookups
 * (docs/server.md, Tags). User tokens only: the real server refuses service tokens here.
 */
import { z } from "zod";
import { requirePermission } from "../auth/access";
import type { Actor } from "../context";
import { displayName, slug } from "../fields";
import { badRequest, notFound } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { deleteTag, findTag, findTagBySlug, insertTag, listTags, tagJson, updateTag } from "../tags";

export const MAX_TAG_NAME = 64;
export const MAX_TAG_SLUG = 64;
export const MAX_TAG_COLOR = 64;

const projectParams = { projectId: z.string().trim().min(1).max(100) };
const tagParams = z.object({ ...projectParams, tagId: z.string().trim().min(1).max(100) });

/** All three are required, as on the real server (a name-only PATCH is a validation failure there too). */
const tagBody = z.object({
  name: displayName(MAX_TAG_NAME),
  slug: slug(1, MAX_TAG_SLUG),
  color: z
    .string()
    .trim()
    .max(MAX_TAG_COLOR)
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
];
