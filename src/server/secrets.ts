/**
 * The rules of secret reads and writes, between the routes (wire shapes, zod) and the storage
 * (store/secrets.ts, SQL): blind indexes, who owns a personal override, which names collide,
 * one transaction and one audit entry per request. Blind-index work happens before the write
 * transaction, so each request's writes stay one synchronous, all-or-nothing unit; a request
 * whose client has gone away stops before it writes.
 */
import { recordAudit } from "./audit";
import { requireSecretAccess, type SecretAccess } from "./auth/access";
import type { Actor, RequestInfo, ServerState } from "./context";
import { requireFolder } from "./folders";
import { badRequest } from "./http/errors";
import { type ProjectRow, type SecretRow, secretJson } from "./rows";
import type { SecretContent, SecretKey } from "./store/secrets";

/** The encrypted fields and settings of a write, as the wire names them. */
export interface SecretFields {
  secretKeyCiphertext?: string;
  secretKeyIV?: string;
  secretKeyTag?: string;
  secretValueCiphertext: string;
  secretValueIV: string;
  secretValueTag: string;
  secretCommentCiphertext?: string;
  secretCommentIV?: string;
  secretCommentTag?: string;
  skipMultilineEncoding?: boolean;
  secretReminderRepeatDays?: number | null;
  secretReminderNote?: string | null;
  metadata?: Record<string, string>;
}

export interface NewSecretFields extends SecretFields {
  secretKeyCiphertext: string;
  secretKeyIV: string;
  secretKeyTag: string;
}

export type SecretJson = ReturnType<typeof secretJson>;

export function blindIndex(state: ServerState, project: ProjectRow, name: string, signal?: AbortSignal) {
  return state.blindIndex.indexFor(project, name, signal);
}

/** The unique key of `type` secret under `index` as this caller sees it (their own personal override). */
export function keyOf(access: SecretAccess, folderId: string, index: string, type: string): SecretKey {
  return { folder_id: folderId, blind_index: index, type, user_id: type === "personal" ? access.personalUserId : "" };
}

export function requireSecret(state: ServerState, key: SecretKey): SecretRow {
  const secret = state.secrets.find(key);
  // The real server adds the plaintext name to this message; we keep names out of answers and logs.
  if (!secret) throw badRequest("Secret not found");
  return secret;
}

/** What to store: the request's fields, and the old row's where the request leaves them out. */
function contentOf(fields: SecretFields, old?: SecretRow): SecretContent {
  const newKey =
    fields.secretKeyCiphertext !== undefined && fields.secretKeyIV !== undefined && fields.secretKeyTag !== undefined;
  const newComment = fields.secretCommentCiphertext !== undefined;
  return {
    key_ciphertext: newKey || !old ? fields.secretKeyCiphertext! : old.key_ciphertext,
    key_iv: newKey || !old ? fields.secretKeyIV! : old.key_iv,
    key_tag: newKey || !old ? fields.secretKeyTag! : old.key_tag,
    value_ciphertext: fields.secretValueCiphertext,
    value_iv: fields.secretValueIV,
    value_tag: fields.secretValueTag,
    comment_ciphertext: newComment ? fields.secretCommentCiphertext! : (old?.comment_ciphertext ?? null),
    comment_iv: newComment ? (fields.secretCommentIV ?? null) : (old?.comment_iv ?? null),
    comment_tag: newComment ? (fields.secretCommentTag ?? null) : (old?.comment_tag ?? null),
    reminder_note: fields.secretReminderNote === undefined ? (old?.reminder_note ?? null) : fields.secretReminderNote,
    reminder_repeat_days:
      fields.secretReminderRepeatDays === undefined
        ? (old?.reminder_repeat_days ?? null)
        : fields.secretReminderRepeatDays,
    skip_multiline:
      fields.skipMultilineEncoding === undefined ? (old?.skip_multiline ?? 0) : fields.skipMultilineEncoding ? 1 : 0,
    metadata: fields.metadata === undefined ? (old?.metadata ?? null) : JSON.stringify(fields.metadata),
  };
}

export function createSecret(
  state: ServerState,
  access: SecretAccess,
  key: SecretKey,
  fields: NewSecretFields,
  version: number,
): SecretRow {
  if (state.secrets.find(key)) throw badRequest("Secret already exist");
  if (key.type === "personal" && !state.secrets.find({ ...key, type: "shared", user_id: "" })) {
    throw badRequest("Failed to create personal secret override for no corresponding shared secret");
  }
  return state.secrets.insert({
    ...key,
    project_id: access.project.id,
    env_id: access.environment.id,
    version,
    ...contentOf(fields),
  });
}

/**
 * New content, and a new name when `newIndex` is given. A rename may not land on a name in use:
 * a shared secret moves with everyone's personal overrides, so no override may already sit under
 * the new name; a personal override may only move onto a shared secret's name (as on create).
 */
export function updateSecret(state: ServerState, old: SecretRow, fields: SecretFields, newIndex?: string): SecretRow {
  if (newIndex === undefined || newIndex === old.blind_index) return state.secrets.update(old, contentOf(fields, old));
  const target: SecretKey = { folder_id: old.folder_id, blind_index: newIndex, type: old.type, user_id: old.user_id };
  const taken =
    state.secrets.find(target) !== undefined ||
    (old.type === "shared" && state.secrets.hasPersonalOverrides(old.folder_id, newIndex));
  if (taken) throw badRequest("Secret with the provided name already exist");
  if (old.type === "personal" && !state.secrets.find({ ...target, type: "shared", user_id: "" })) {
    throw badRequest("A personal override can only be renamed to the name of an existing shared secret");
  }
  // A row found by name has an index; an un-indexed one has no overrides reachable under it.
  if (old.type === "shared" && old.blind_index !== null) {
    state.secrets.reindexPersonalOverrides(old.folder_id, old.blind_index, newIndex);
  }
  return state.secrets.update(old, contentOf(fields, old), newIndex);
}

function audit(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  access: SecretAccess,
  secretPath: string,
  eventType: string,
  metadata: Record<string, unknown>,
): void {
  recordAudit(state, actor, request, { orgId: access.project.org_id, projectId: access.project.id }, eventType, {
    environment: access.environment.slug,
    secretPath,
    ...metadata,
  });
}

/** Where a request reads or writes, as its body or query names it. */
export interface SecretTarget {
  workspaceId: string;
  environment: string;
  secretPath: string;
}

export interface RequestScope {
  state: ServerState;
  actor: Actor;
  request: RequestInfo;
  signal: AbortSignal;
}

/** Records a read in the audit log (its own small transaction). */
export function auditRead(
  { state, actor, request }: RequestScope,
  access: SecretAccess,
  secretPath: string,
  eventType: string,
  metadata: Record<string, unknown>,
): void {
  state.store.transaction(() => audit(state, actor, request, access, secretPath, eventType, metadata));
}

/**
 * One secret by name (and, for a rename, its new name): access check, blind indexes, then
 * `write` in one transaction with its audit entry (the secret's id and version). Answers with
 * the written row.
 */
export async function writeOneSecret(
  scope: RequestScope,
  target: SecretTarget,
  names: [string] | [string, string],
  action: "create" | "edit" | "delete",
  eventType: string,
  write: (access: SecretAccess, folderId: string, indexes: string[]) => SecretRow,
): Promise<{ secret: SecretJson }> {
  const { state, actor, request, signal } = scope;
  const access = requireSecretAccess(state, actor, target.workspaceId, target.environment, target.secretPath, action);
  const indexes: string[] = [];
  for (const name of names) indexes.push(await blindIndex(state, access.project, name, signal));
  signal.throwIfAborted();
  const written = state.store.transaction(() => {
    const folder = requireFolder(state, access.environment.id, target.secretPath);
    const row = write(access, folder.id, indexes);
    audit(state, actor, request, access, target.secretPath, eventType, {
      secretId: row.id,
      secretVersion: row.version,
    });
    return row;
  });
  return { secret: secretJson(written, access.environment.slug) };
}

export interface BatchItem {
  secretName: string;
  type: string;
}

/**
 * What the three batch routes share: one access check, names unique per type, every blind index
 * computed before the write transaction, one after another (a 0.1.0 project's Argon2id queue gets
 * one slot per request), and one audit entry listing each secret touched. With `mustExist`
 * (update, delete) the first unknown name ends the request before any further index is computed.
 * `apply` gets each item's unique key at the same position and returns the rows to answer with.
 */
export async function runBatch<Item extends BatchItem>(
  scope: RequestScope,
  target: SecretTarget,
  items: Item[],
  action: "create" | "edit" | "delete",
  eventType: string,
  apply: (access: SecretAccess, keys: SecretKey[]) => SecretRow[],
): Promise<{ secrets: SecretJson[] }> {
  const { state, actor, request, signal } = scope;
  const access = requireSecretAccess(state, actor, target.workspaceId, target.environment, target.secretPath, action);
  const names = items.map((s) => `${s.type}\u0000${s.secretName}`);
  if (new Set(names).size !== names.length) throw badRequest("Secret already exist");
  const mustExist = action !== "create";
  const folderAtStart = requireFolder(state, access.environment.id, target.secretPath);
  const indexes: string[] = [];
  for (const item of items) {
    const index = await blindIndex(state, access.project, item.secretName, signal);
    if (mustExist) requireSecret(state, keyOf(access, folderAtStart.id, index, item.type));
    indexes.push(index);
  }
  signal.throwIfAborted();
  const touched = state.store.transaction(() => {
    const folder = requireFolder(state, access.environment.id, target.secretPath);
    const rows = apply(
      access,
      items.map((item, i) => keyOf(access, folder.id, indexes[i]!, item.type)),
    );
    audit(state, actor, request, access, target.secretPath, eventType, {
      secrets: rows.map((r) => ({ secretId: r.id, secretVersion: r.version })),
    });
    return rows;
  });
  return { secrets: touched.map((s) => secretJson(s, access.environment.slug)) };
}
