/**
 * Project tags (routes-more.md §2): `/api/v1/workspace/{projectId}/tags`, user logins only. The
 * real server answers a malformed tag id with 500 "Find by id" (or "Find all by ids" for `tags` on
 * a secret update); such an id names no tag, so those answers become the typed errors an unknown
 * id gets instead of a server error.
 */
import { ApiError, ApiValidationError, NotFoundError } from "../errors";
import type { Send } from "./send";
import { isTagId } from "./tag-rules";
import type { WireTag } from "./wire";

export interface TagBody {
  name: string;
  slug: string;
  /** Required by the real server (`""` for none). */
  color: string;
}

/**
 * The real server's DatabaseError for a lookup by a non-UUID id (its body names the db op, its
 * message is only "Something went wrong"): a 500 for a request that carried such an id. A 500 for
 * well-formed ids stays a server error.
 */
function isMalformedIdAnswer(error: unknown, ids: readonly string[]): error is ApiError {
  return error instanceof ApiError && error.status === 500 && ids.some((id) => !isTagId(id));
}

/** A 500 for a malformed tag id on a tag route is "no such tag". */
async function unknownIfMalformed<T>(call: Promise<T>, tagId: string, operation: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!isMalformedIdAnswer(error, [tagId])) throw error;
    throw new NotFoundError({ status: 500, operation, route: TAG, serverMessage: "Tag doesn't exist (malformed id)" });
  }
}

/** A 500 for a malformed id in a secret update's `tags` is a rejected request body naming `tags`. */
export async function rejectMalformedTagIds<T>(call: Promise<T>, tagIds: readonly string[]): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!isMalformedIdAnswer(error, tagIds)) throw error;
    throw new ApiValidationError({
      status: 500,
      operation: error.operation,
      route: error.route ?? "",
      serverMessage: "tags: every tag id must be a UUID",
      issues: [{ code: "invalid_string", path: ["tags"], message: "Invalid uuid" }],
    });
  }
}

const TAGS = "/api/v1/workspace/{projectId}/tags";
const TAG = "/api/v1/workspace/{projectId}/tags/{tagId}";

export function tagsApi(send: Send) {
  return {
    list: (projectId: string) =>
      send<{ workspaceTags: WireTag[] }>({
        operation: "list tags",
        method: "GET",
        route: TAGS,
        params: { projectId },
      }),
    get: (projectId: string, tagId: string) =>
      unknownIfMalformed(
        send<{ workspaceTag: WireTag }>({
          operation: "get tag",
          method: "GET",
          route: TAG,
          params: { projectId, tagId },
        }),
        tagId,
        "get tag",
      ),
    getBySlug: (projectId: string, tagSlug: string) =>
      send<{ workspaceTag: WireTag }>({
        operation: "get tag by slug",
        method: "GET",
        route: "/api/v1/workspace/{projectId}/tags/slug/{tagSlug}",
        params: { projectId, tagSlug },
      }),
    create: (projectId: string, body: TagBody) =>
      send<{ workspaceTag: WireTag }>({
        operation: "create tag",
        method: "POST",
        route: TAGS,
        params: { projectId },
        body,
      }),
    /** All three fields are required by the real server, even to change one. */
    update: (projectId: string, tagId: string, body: TagBody) =>
      unknownIfMalformed(
        send<{ workspaceTag: WireTag }>({
          operation: "update tag",
          method: "PATCH",
          route: TAG,
          params: { projectId, tagId },
          body,
          idempotent: true,
        }),
        tagId,
        "update tag",
      ),
    delete: (projectId: string, tagId: string) =>
      unknownIfMalformed(
        send<{ workspaceTag: WireTag }>({
          operation: "delete tag",
          method: "DELETE",
          route: TAG,
          params: { projectId, tagId },
        }),
        tagId,
        "delete tag",
      ),
  };
}
