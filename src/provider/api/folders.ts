/**
 * Folder routes (`/api/v1/folders`) as the real server of 2024 answers them (routes-more.md §1).
 * Its 500s for input it cannot look up (an id that is not a UUID, a path segment outside
 * `[a-zA-Z0-9_-]`) are mapped here to the typed errors they mean, so callers never see ERR_API.
 */
import { ApiError, ApiValidationError, NotFoundError } from "../errors";
import type { Send } from "./send";
import type { WireFolder } from "./wire";

export interface FolderScope {
  workspaceId: string;
  environment: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isFolderUuid(value: string): boolean {
  return UUID.test(value);
}

/** The real server wraps its own lookup failures in a DatabaseError (500 "Something went wrong"). */
function isLookupFailure(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "ERR_API" && error.status === 500;
}

/** A 500 for a path it could not resolve: a segment the server's rule refuses. */
async function pathChecked<T>(call: Promise<T>, field: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!isLookupFailure(error)) throw error;
    throw new ApiValidationError({
      status: error.status!,
      operation: error.operation,
      route: error.route!,
      serverMessage: `the server could not resolve ${field}: each segment must match ^[a-zA-Z0-9_-]+$`,
    });
  }
}

function isFolder(value: unknown): value is WireFolder {
  const f = value as WireFolder | null;
  return typeof f === "object" && f !== null && typeof f.id === "string" && typeof f.name === "string";
}

/** An answer without the folder (or list of folders) it must carry is the server's fault, not ours to guess at. */
async function shaped<T extends { folder?: unknown; folders?: unknown }>(call: Promise<T>, operation: string) {
  const answer: unknown = await call;
  const body = (typeof answer === "object" && answer !== null ? answer : {}) as { folder?: unknown; folders?: unknown };
  const ok = "folders" in body ? Array.isArray(body.folders) && body.folders.every(isFolder) : isFolder(body.folder);
  if (!ok) throw new ApiError("ERR_API", { operation, reason: "the server's answer does not hold a folder" });
  return answer as T;
}

/** A 500 for an id it could not look up: an id that is not a UUID names no folder. */
async function idChecked<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!isLookupFailure(error)) throw error;
    throw new NotFoundError({
      status: error.status!,
      operation: error.operation,
      route: error.route!,
      serverMessage: "no folder has this id (the server answers 500 for ids that are not UUIDs)",
    });
  }
}

export function foldersApi(send: Send) {
  return {
    /** Direct children of `path` (one level); a path that does not exist lists empty. */
    list: (scope: FolderScope, path: string) =>
      shaped(
        pathChecked(
          send<{ folders: WireFolder[] }>({
            operation: "list folders",
            method: "GET",
            route: "/api/v1/folders",
            query: { ...scope, path },
          }),
          "path",
        ),
        "list folders",
      ),
    /** Creates missing parents too; an existing folder is answered as is (idempotent). */
    create: (scope: FolderScope, path: string, name: string) =>
      shaped(
        pathChecked(
          send<{ folder: WireFolder }>({
            operation: "create folder",
            method: "POST",
            route: "/api/v1/folders",
            body: { ...scope, path, name },
          }),
          "path and name",
        ),
        "create folder",
      ),
    /** 404 for an unknown UUID (one of the real server's few 404s). */
    get: (folderId: string) =>
      shaped(
        idChecked(
          send<{ folder: WireFolder }>({
            operation: "get folder",
            method: "GET",
            route: "/api/v1/folders/{folderId}",
            params: { folderId },
          }),
        ),
        "get folder",
      ),
    /** Renames the folder `folderId` (UUID, or a name under `path`); `path` is its parent. */
    rename: (scope: FolderScope, folderId: string, path: string, name: string) =>
      shaped(
        idChecked(
          send<{ folder: WireFolder }>({
            operation: "rename folder",
            method: "PATCH",
            route: "/api/v1/folders/{folderId}",
            params: { folderId },
            body: { ...scope, path, name },
            // Renaming to the same name again is harmless (only the version moves).
            idempotent: true,
          }),
        ),
        "rename folder",
      ),
    /** Deletes the folder with everything in it (the server cascades); `path` is its parent. */
    delete: (scope: FolderScope, folderIdOrName: string, path: string) =>
      idChecked(
        send<{ folder: WireFolder }>({
          operation: "delete folder",
          method: "DELETE",
          route: "/api/v1/folders/{folderIdOrName}",
          params: { folderIdOrName },
          // The real server requires a JSON body on this DELETE.
          body: { ...scope, path },
        }),
      ),
  };
}
