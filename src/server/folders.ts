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

function childFolder(state: ServerState, envId: string, parentId: string, name: string): FolderRow | undefined {
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
