/**
 * Secret imports: rows, their API shape, and what an import makes visible. Unlike the real server
 * of 2024 (routes-more.md §3), an import whose source folder is missing yields an empty entry
 * instead of shifting the next import's secrets, and every source (nested ones too) must pass the
 * caller's own read check, service tokens included: an import never widens what a caller reads.
 */
import { requireSecretAccess } from "./auth/access";
import type { Actor, ServerState } from "./context";
import { findFolder } from "./folders";
import { HttpError } from "./http/errors";
import type { EnvironmentRow, SecretRow } from "./rows";
import { secretJson } from "./rows";

export interface SecretImportRow {
  id: string;
  folder_id: string;
  import_env_id: string;
  import_path: string;
  position: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/** Nested imports are followed this deep, as on the real server. */
const MAX_DEPTH = 10;

export function importsOf(state: ServerState, folderId: string): SecretImportRow[] {
  return state.store.all<SecretImportRow>(
    "SELECT * FROM secret_imports WHERE folder_id = ? ORDER BY position, created_at, id",
    folderId,
  );
}

export function environmentById(state: ServerState, id: string): EnvironmentRow {
  return state.store.get<EnvironmentRow>("SELECT * FROM environments WHERE id = ?", id)!;
}

export function secretImportJson(state: ServerState, row: SecretImportRow) {
  const env = environmentById(state, row.import_env_id);
  return {
    id: row.id,
    version: row.version,
    importPath: row.import_path,
    position: row.position,
    folderId: row.folder_id,
    isReplication: false,
    isReplicationSuccess: null,
    replicationStatus: null,
    lastReplicated: null,
    isReserved: false,
    importEnv: { name: env.name, slug: env.slug, id: env.id },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether the caller may read secrets at (env, path): the same check as a direct read. */
function canRead(state: ServerState, actor: Actor, projectId: string, envSlug: string, path: string): boolean {
  try {
    requireSecretAccess(state, actor, projectId, envSlug, path, "read");
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) return false;
    throw error;
  }
}

export interface ImportedSource {
  env: EnvironmentRow;
  path: string;
  folderId?: string;
  /** Shared secrets of the source, then those it imports itself (each with its own environment). */
  secrets: Array<{ row: SecretRow; env: EnvironmentRow }>;
}

/**
 * The folder's imports in position order, each with the secrets it brings. A duplicate import at
 * the top level appears twice (as on the real server); below it, each (env, path) adds its secrets
 * once per request. A source the caller cannot read is left out, with everything it imports.
 */
export function expandImports(
  state: ServerState,
  actor: Actor,
  projectId: string,
  folderId: string,
  origin: { envId: string; path: string },
): ImportedSource[] {
  const top = importsOf(state, folderId);
  const seen = new Set<string>([`${origin.envId}:${origin.path}`]);
  for (const row of top) seen.add(`${row.import_env_id}:${row.import_path}`);
  const out: ImportedSource[] = [];
  for (const row of top) {
    const env = environmentById(state, row.import_env_id);
    if (!canRead(state, actor, projectId, env.slug, row.import_path)) continue;
    const folder = findFolder(state, env.id, row.import_path);
    const secrets: ImportedSource["secrets"] = [];
    if (folder) collect(state, actor, projectId, env, folder.id, secrets, seen, 1);
    out.push({ env, path: row.import_path, folderId: folder?.id, secrets });
  }
  return out;
}

function collect(
  state: ServerState,
  actor: Actor,
  projectId: string,
  env: EnvironmentRow,
  folderId: string,
  into: ImportedSource["secrets"],
  seen: Set<string>,
  depth: number,
): void {
  for (const row of state.secrets.listVisible(folderId, "")) if (row.type === "shared") into.push({ row, env });
  if (depth >= MAX_DEPTH) return;
  for (const nested of importsOf(state, folderId)) {
    const key = `${nested.import_env_id}:${nested.import_path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const nestedEnv = environmentById(state, nested.import_env_id);
    if (!canRead(state, actor, projectId, nestedEnv.slug, nested.import_path)) continue;
    const folder = findFolder(state, nestedEnv.id, nested.import_path);
    if (folder) collect(state, actor, projectId, nestedEnv, folder.id, into, seen, depth + 1);
  }
}

/** An imported secret as the real server lists it: encrypted, `workspace: ""`, no `secretPath` or `tags`. */
export function importedSecretJson(row: SecretRow, env: EnvironmentRow) {
  return { ...secretJson(row, env.slug), workspace: "" };
}

/** `imports` of `GET /api/v3/secrets?include_imports=true`. */
export function importEntriesJson(sources: ImportedSource[]) {
  return sources.map((s) => ({
    secretPath: s.path,
    environment: s.env.slug,
    ...(s.folderId ? { folderId: s.folderId } : {}),
    secrets: s.secrets.map(({ row, env }) => importedSecretJson(row, env)),
  }));
}

/**
 * The real server's fallback for one name: the last import that holds it wins, and within an
 * import the source's own secret first; reported with the entry's environment (as there).
 */
export function findImportedSecret(sources: ImportedSource[], blindIndex: string) {
  for (let i = sources.length - 1; i >= 0; i--) {
    const source = sources[i]!;
    const hit = source.secrets.find(({ row }) => row.blind_index === blindIndex);
    if (hit) return { row: hit.row, env: source.env };
  }
  return undefined;
}
