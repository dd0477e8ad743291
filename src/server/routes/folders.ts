/**
 * Folder routes (`/api/v1/folders`), answering as the real server of 2024 (routes-more.md §1)
 * except where it is unsafe or wrong (docs/server.md, "Folders"): names, ids and path segments it
 * cannot resolve are 400s naming the field (not 500s), a name with `/` is refused, and listing or
 * reading folders needs read access at that path (a service token stays inside its scopes).
 */
import { z } from "zod";
import type { Answer, WireFolder } from "../../provider/api/wire";
import { recordAudit } from "../audit";
import { requireSecretAccess, type SecretAccess } from "../auth/access";
import type { Actor, RequestInfo, ServerState } from "../context";
import { FOLDER_NAME } from "../fields";
import {
  childFolder,
  childPath,
  deleteFolderTree,
  ensureFolder,
  findFolder,
  folderById,
  folderPath,
  folderTree,
  renameFolder,
  rootFolder,
} from "../folders";
import { badRequest, notFound, permissionDenied, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import type { EnvironmentRow, FolderRow, ProjectRow } from "../rows";

const MAX_FOLDER_NAME = 64;
const MAX_PATH = 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function folderJson(folder: FolderRow) {
  return {
    id: folder.id,
    name: folder.name,
    version: folder.version ?? 1,
    envId: folder.env_id,
    parentId: folder.parent_id,
    isReserved: false,
    createdAt: folder.created_at,
    updatedAt: folder.updated_at,
  } satisfies Answer<WireFolder>;
}

/** Why `name` cannot be a folder name (the real server stores `a/b` and 500s on `a.b`), or undefined. */
function folderNameProblem(name: string): string | undefined {
  if (name.length > MAX_FOLDER_NAME) return `must be at most ${MAX_FOLDER_NAME} characters`;
  if (!FOLDER_NAME.test(name)) return "may only use a-z, A-Z, 0-9, - and _";
  return undefined;
}

function requireFolderName(field: string, name: string): string {
  const problem = folderNameProblem(name);
  if (problem) throw badRequest(`Invalid ${field}: ${problem}`);
  return name;
}

/**
 * The path a request means, normalised as the real server does (trimmed, one trailing slash
 * dropped, a missing leading slash tolerated); `directory` counts only when `path` is "".
 */
function resolvePath(path: string | undefined, directory: string | undefined): string {
  let raw = (path === "" ? (directory ?? "/") : (path ?? "/")).trim();
  if (!raw.startsWith("/")) raw = `/${raw}`;
  if (raw.length > 1 && raw.endsWith("/")) raw = raw.slice(0, -1);
  if (raw === "/") return raw;
  for (const segment of raw.slice(1).split("/")) {
    if (!FOLDER_NAME.test(segment)) throw badRequest("Invalid path: each segment must match ^[a-zA-Z0-9_-]+$");
  }
  return raw;
}

const target = {
  workspaceId: z.string().trim().min(1).max(100),
  environment: z.string().trim().min(1).max(64),
  path: z.string().max(MAX_PATH).optional(),
  /** The real server's deprecated alias of `path`, used only when `path` is "". */
  directory: z.string().max(MAX_PATH).optional(),
};

/** The folder `idOrName` names under `parent`: a UUID by id (it must be that parent's child), else by name. */
function folderUnder(state: ServerState, access: SecretAccess, parent: FolderRow, idOrName: string) {
  if (UUID.test(idOrName)) {
    const folder = folderById(state, idOrName);
    return folder && folder.parent_id === parent.id && folder.env_id === access.environment.id ? folder : undefined;
  }
  requireFolderName("folderId", idOrName);
  return childFolder(state, access.environment.id, parent.id, idOrName);
}

function audit(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  access: SecretAccess,
  event: string,
  metadata: Record<string, unknown>,
) {
  recordAudit(state, actor, request, { orgId: access.project.org_id, projectId: access.project.id }, event, {
    environment: access.environment.slug,
    ...metadata,
  });
}

/** Where a folder lives and whether the caller may read there; others' folders are not found. */
function readableFolder(state: ServerState, actor: Actor, id: string): FolderRow {
  if (!UUID.test(id)) throw badRequest("Invalid id: must be a folder's UUID");
  const folder = folderById(state, id);
  const env = folder && state.store.get<EnvironmentRow>("SELECT * FROM environments WHERE id = ?", folder.env_id);
  if (!folder || !env) throw notFound("folder not found");
  const parent = folder.parent_id ? folderPath(state, folderById(state, folder.parent_id)!) : "/";
  requireSecretAccess(state, actor, env.project_id, env.slug, parent, "read");
  return folder;
}

/**
 * A folder carries its subtree: the action must be allowed at every folder under it, not only at
 * the parent the real server checks (a role limited to `/` must not delete or move `/a/**`).
 */
function requireSubtree(access: SecretAccess, tree: Array<{ path: string }>, action: "edit" | "delete") {
  for (const { path } of tree) if (!access.allows(action, path)) throw permissionDenied(action, "secrets");
}

/** A rename moves each folder of the subtree to a new path: edit at both, and no path becomes readable. */
function requireRenameAccess(
  state: ServerState,
  access: SecretAccess,
  folder: FolderRow,
  parentPath: string,
  name: string,
) {
  const from = childPath(parentPath, folder.name);
  const to = childPath(parentPath, name);
  const tree = folderTree(state, folder, from);
  const moved = tree.map(({ path }) => ({ path: to + path.slice(from.length) }));
  requireSubtree(access, [...tree, ...moved], "edit");
  tree.forEach(({ path }, i) => {
    if (access.allows("read", moved[i]!.path) && !access.allows("read", path))
      throw permissionDenied("read", "secrets");
  });
}

interface RenameItem {
  idOrName: string;
  environment: string;
  parentPath: string;
  name: string;
}

/** One rename, checked and written in the caller's transaction. */
function renameOne(state: ServerState, actor: Actor, projectId: string, item: RenameItem) {
  const access = requireSecretAccess(state, actor, projectId, item.environment, item.parentPath, "edit");
  const name = requireFolderName("name", item.name);
  const parent = findFolder(state, access.environment.id, item.parentPath);
  const folder = parent && folderUnder(state, access, parent, item.idOrName);
  if (!folder) throw badRequest("Folder not found");
  requireRenameAccess(state, access, folder, item.parentPath, name);
  const renamed = renameFolder(state, folder, name);
  return { access, before: folder, renamed };
}

export const folderRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v1/folders",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({ ...target, name: z.string().trim().max(MAX_PATH) }),
    handler: ({ state, actor, body, request }) => {
      const parentPath = resolvePath(body.path, body.directory);
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, parentPath, "create");
      // As the real server: an empty name answers the environment's root folder itself.
      if (body.name === "") return { folder: folderJson(rootFolder(state, access.environment.id)!) };
      const name = requireFolderName("name", body.name);
      const fullPath = childPath(parentPath, name);
      // Like the real server: missing parents are created, and an existing folder is returned as is.
      const folder = state.store.transaction(() => {
        const existed = findFolder(state, access.environment.id, fullPath);
        const row = ensureFolder(state, access.environment.id, fullPath);
        if (!existed) audit(state, actor, request, access, "create-folder", { folderId: row.id, folderPath: fullPath });
        return row;
      });
      return { folder: folderJson(folder) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/folders",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    query: z.object(target),
    handler: ({ state, actor, query }) => {
      const path = resolvePath(query.path, query.directory);
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, path, "read");
      const parent = findFolder(state, access.environment.id, path);
      if (!parent) return { folders: [] };
      const children = state.store.all<FolderRow>("SELECT * FROM folders WHERE parent_id = ? ORDER BY name", parent.id);
      return { folders: children.map(folderJson) };
    },
  }),

  // Registered before `/{folderId}` so that the static path wins.
  route({
    method: "PATCH",
    path: "/api/v1/folders/batch",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      projectSlug: z.string().trim().min(1).max(64),
      folders: z
        .array(
          z.object({
            id: z.string().trim().min(1).max(MAX_PATH),
            environment: z.string().trim().min(1).max(64),
            name: z.string().trim().max(MAX_PATH),
            path: z.string().max(MAX_PATH).optional(),
          }),
        )
        .min(1)
        .max(100),
    }),
    handler: ({ state, actor, body, request }) => {
      const project = state.store.get<ProjectRow>("SELECT * FROM projects WHERE slug = ?", body.projectSlug);
      if (!project) throw badRequest("Project not found");
      if (actor.kind === "service" && actor.token.project_id !== project.id) {
        throw unauthorized("Failed to find service authorization for given project");
      }
      // All or nothing: one transaction, so a refused item leaves every folder as it was.
      const renamed = state.store.transaction(() =>
        body.folders.map((item) => {
          const parentPath = resolvePath(item.path, undefined);
          const done = renameOne(state, actor, project.id, {
            idOrName: item.id,
            environment: item.environment,
            parentPath,
            name: item.name,
          });
          audit(state, actor, request, done.access, "update-folder", {
            folderId: done.renamed.id,
            oldFolderName: done.before.name,
            newFolderName: done.renamed.name,
            folderPath: parentPath,
          });
          return done.renamed;
        }),
      );
      return { folders: renamed.map(folderJson) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/folders/:id",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: z.object({ id: z.string().max(MAX_PATH) }),
    handler: ({ state, actor, params }) => ({ folder: folderJson(readableFolder(state, actor, params.id)) }),
  }),

  route({
    method: "PATCH",
    path: "/api/v1/folders/:folderId",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: z.object({ folderId: z.string().trim().min(1).max(MAX_PATH) }),
    body: z.object({ ...target, name: z.string().trim().max(MAX_PATH) }),
    handler: ({ state, actor, params, body, request }) => {
      const parentPath = resolvePath(body.path, body.directory);
      const done = state.store.transaction(() => {
        const result = renameOne(state, actor, body.workspaceId, {
          idOrName: params.folderId,
          environment: body.environment,
          parentPath,
          name: body.name,
        });
        audit(state, actor, request, result.access, "update-folder", {
          folderId: result.renamed.id,
          oldFolderName: result.before.name,
          newFolderName: result.renamed.name,
          folderPath: parentPath,
        });
        return result;
      });
      return { folder: folderJson(done.renamed) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/folders/:folderIdOrName",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: z.object({ folderIdOrName: z.string().trim().min(1).max(MAX_PATH) }),
    body: z.object(target),
    handler: ({ state, actor, params, body, request }) => {
      const parentPath = resolvePath(body.path, body.directory);
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, parentPath, "delete");
      // One transaction: the folder goes with everything under it, or nothing does.
      const deleted = state.store.transaction(() => {
        const parent = findFolder(state, access.environment.id, parentPath);
        if (!parent) throw badRequest("Secret path not found");
        const folder = folderUnder(state, access, parent, params.folderIdOrName);
        if (!folder) throw badRequest("Folder not found");
        requireSubtree(access, folderTree(state, folder, childPath(parentPath, folder.name)), "delete");
        const removed = deleteFolderTree(state, folder);
        audit(state, actor, request, access, "delete-folder", {
          folderId: folder.id,
          folderName: folder.name,
          folderPath: parentPath,
          foldersDeleted: removed.folders,
          secretsDeleted: removed.secrets,
        });
        return folder;
      });
      return { folder: folderJson(deleted) };
    },
  }),
];
