/** Folder paths: `/` is an environment's root folder; `/a/b` walks named children. */
import { randomUUID } from "node:crypto";
import type { ServerState } from "./context";
import { badRequest } from "./http/errors";
import { type FolderRow, nowIso } from "./rows";

export function pathSegments(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

export function rootFolder(state: ServerState, envId: string): FolderRow | undefined {
  return state.store.get<FolderRow>("SELECT * FROM folders WHERE env_id = ? AND parent_id IS NULL", envId);
}

export function findFolder(state: ServerState, envId: string, path: string): FolderRow | undefined {
  let folder = rootFolder(state, envId);
  for (const name of pathSegments(path)) {
    if (!folder) return undefined;
    folder = childFolder(state, envId, folder.id, name);
  }
  return folder;
}

export function childFolder(state: ServerState, envId: string, parentId: string, name: string): FolderRow | undefined {
  return state.store.get<FolderRow>(
    "SELECT * FROM folders WHERE env_id = ? AND parent_id = ? AND name = ?",
    envId,
    parentId,
    name,
  );
}

/** The folder at `path`, or the real server's 400 when it does not exist. */
export function requireFolder(state: ServerState, envId: string, path: string): FolderRow {
  const folder = findFolder(state, envId, path);
  if (!folder) throw badRequest("Folder not found for the given environment slug & secret path");
  return folder;
}

/** Creates every missing folder along `path` (inside the caller's transaction) and returns the last. */
export function ensureFolder(state: ServerState, envId: string, path: string): FolderRow {
  let folder = rootFolder(state, envId);
  if (!folder) throw badRequest("Environment not found");
  for (const name of pathSegments(path)) {
    const parent: FolderRow = folder;
    const existing = childFolder(state, envId, parent.id, name);
    if (existing) {
      folder = existing;
      continue;
    }
    const now = nowIso();
    const id = randomUUID();
    state.store.run(
      "INSERT INTO folders (id, env_id, parent_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      id,
      envId,
      parent.id,
      name,
      now,
      now,
    );
    folder = state.store.get<FolderRow>("SELECT * FROM folders WHERE id = ?", id)!;
  }
  return folder;
}

/** The folder and all its descendants, each with its path. */
export function folderTree(
  state: ServerState,
  root: FolderRow,
  rootPath: string,
): Array<{ folder: FolderRow; path: string }> {
  const out = [{ folder: root, path: rootPath }];
  for (let i = 0; i < out.length; i++) {
    const { folder, path } = out[i]!;
    const children = state.store.all<FolderRow>("SELECT * FROM folders WHERE parent_id = ? ORDER BY name", folder.id);
    for (const child of children)
      out.push({ folder: child, path: path === "/" ? `/${child.name}` : `${path}/${child.name}` });
  }
  return out;
}

export function folderById(state: ServerState, id: string): FolderRow | undefined {
  return state.store.get<FolderRow>("SELECT * FROM folders WHERE id = ?", id);
}

/** The folder's path from its parents (`/` for an environment's root). */
export function folderPath(state: ServerState, folder: FolderRow): string {
  const names: string[] = [];
  let current: FolderRow | undefined = folder;
  while (current?.parent_id) {
    names.push(current.name);
    current = folderById(state, current.parent_id);
  }
  return `/${names.reverse().join("/")}`;
}

/** `parent` joined with `name`, in the normal form paths are kept in. */
export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/** Renames a folder (inside the caller's transaction): its secrets and subfolders move along. */
export function renameFolder(state: ServerState, folder: FolderRow, name: string): FolderRow {
  if (folder.name !== name && folder.parent_id && childFolder(state, folder.env_id, folder.parent_id, name)) {
    throw badRequest("Folder with specified name already exists");
  }
  state.store.run(
    "UPDATE folders SET name = ?, version = version + 1, updated_at = ? WHERE id = ?",
    name,
    nowIso(),
    folder.id,
  );
  return folderById(state, folder.id)!;
}

/**
 * Deletes a folder with everything under it (subfolders at any depth, their secrets and the
 * secrets' versions: the foreign keys cascade), in the caller's transaction.
 */
export function deleteFolderTree(state: ServerState, folder: FolderRow): { folders: number; secrets: number } {
  const tree = folderTree(state, folder, "/");
  let secrets = 0;
  for (const { folder: f } of tree) {
    secrets += state.store.get<{ n: number }>("SELECT COUNT(*) AS n FROM secrets WHERE folder_id = ?", f.id)!.n;
  }
  state.store.run("DELETE FROM folders WHERE id = ?", folder.id);
  return { folders: tree.length, secrets };
}
