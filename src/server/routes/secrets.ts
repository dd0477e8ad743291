/**
 * Secrets v3 (blind-indexed, ciphertext only). The blind index comes from the trimmed name in
 * the URL (or `secretName` in batch bodies); the encrypted key fields are opaque. Argon2 work
 * happens before the write transaction, so each request's writes stay one synchronous unit.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit";
import { requirePermission, requireSecretAccess, type SecretAccess, serviceTokenAllows } from "../auth/access";
import type { Actor, RequestInfo, ServerState } from "../context";
import { base64, booleanString, ciphertext, metadata, secretName, secretPath, secretType, uuid } from "../fields";
import { findFolder, folderTree, requireFolder } from "../folders";
import { badRequest } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso, type ProjectRow, type SecretRow, type SecretVersionRow, secretJson, secretVersionJson } from "../rows";

const iv = () => base64(64);
const tag = () => base64(64);

const target = {
  workspaceId: z.string().trim().min(1).max(100),
  environment: z.string().trim().min(1).max(64),
  secretPath: secretPath(),
};

const encryptedKey = { secretKeyCiphertext: ciphertext(), secretKeyIV: iv(), secretKeyTag: tag() };
const encryptedValue = { secretValueCiphertext: ciphertext(), secretValueIV: iv(), secretValueTag: tag() };
const encryptedComment = {
  secretCommentCiphertext: ciphertext().optional(),
  secretCommentIV: iv().optional(),
  secretCommentTag: tag().optional(),
};

const createFields = {
  ...encryptedKey,
  ...encryptedValue,
  ...encryptedComment,
  metadata: metadata(),
  skipMultilineEncoding: z.boolean().optional(),
};

type CreateFields = z.infer<z.ZodObject<typeof createFields>>;
type CommentFields = z.infer<z.ZodObject<typeof encryptedComment>>;

const nameParams = z.object({ secretName: secretName() });

function blindIndex(state: ServerState, project: ProjectRow, name: string): Promise<string> {
  return state.blindIndex.indexFor(project, name);
}

function ownerOf(type: string, access: SecretAccess): string {
  return type === "personal" ? access.personalUserId : "";
}

function findSecret(
  state: ServerState,
  folderId: string,
  index: string,
  type: string,
  userId: string,
): SecretRow | undefined {
  return state.store.get<SecretRow>(
    "SELECT * FROM secrets WHERE folder_id = ? AND blind_index = ? AND type = ? AND user_id = ?",
    folderId,
    index,
    type,
    userId,
  );
}

function requireSecret(state: ServerState, folderId: string, index: string, type: string, userId: string): SecretRow {
  const secret = findSecret(state, folderId, index, type, userId);
  // The real server adds the plaintext name to this message; we keep names out of answers and logs.
  if (!secret) throw badRequest("Secret not found");
  return secret;
}

/** The comment triple: a complete new one, or the old one when the request has none. */
function commentOf(fields: CommentFields, old?: SecretRow): [string | null, string | null, string | null] {
  if (fields.secretCommentCiphertext !== undefined) {
    return [fields.secretCommentCiphertext, fields.secretCommentIV ?? null, fields.secretCommentTag ?? null];
  }
  return old ? [old.comment_ciphertext, old.comment_iv, old.comment_tag] : [null, null, null];
}

/** Records the secret's current row as a version and returns that row (the write's answer). */
function snapshotVersion(state: ServerState, secretId: string): SecretRow {
  const s = state.store.get<SecretRow>("SELECT * FROM secrets WHERE id = ?", secretId)!;
  state.store.run(
    `INSERT INTO secret_versions (id, secret_id, version, env_id, folder_id, type, user_id, key_ciphertext, key_iv, key_tag,
       value_ciphertext, value_iv, value_tag, comment_ciphertext, comment_iv, comment_tag, reminder_note,
       reminder_repeat_days, skip_multiline, metadata, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (secret_id, version) DO NOTHING`,
    randomUUID(),
    s.id,
    s.version,
    s.env_id,
    s.folder_id,
    s.type,
    s.user_id,
    s.key_ciphertext,
    s.key_iv,
    s.key_tag,
    s.value_ciphertext,
    s.value_iv,
    s.value_tag,
    s.comment_ciphertext,
    s.comment_iv,
    s.comment_tag,
    s.reminder_note,
    s.reminder_repeat_days,
    s.skip_multiline,
    s.metadata,
    s.updated_at,
    s.updated_at,
  );
  return s;
}

function insertSecret(
  state: ServerState,
  access: SecretAccess,
  folderId: string,
  index: string,
  type: string,
  fields: CreateFields,
  version: number,
): SecretRow {
  const userId = ownerOf(type, access);
  if (findSecret(state, folderId, index, type, userId)) throw badRequest("Secret already exist");
  if (type === "personal" && !findSecret(state, folderId, index, "shared", "")) {
    throw badRequest("Failed to create personal secret override for no corresponding shared secret");
  }
  const id = randomUUID();
  const now = nowIso();
  const [commentCiphertext, commentIv, commentTag] = commentOf(fields);
  state.store.run(
    `INSERT INTO secrets (id, project_id, env_id, folder_id, blind_index, type, user_id, version, key_ciphertext, key_iv,
       key_tag, value_ciphertext, value_iv, value_tag, comment_ciphertext, comment_iv, comment_tag, reminder_note,
       reminder_repeat_days, skip_multiline, metadata, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)`,
    id,
    access.project.id,
    access.environment.id,
    folderId,
    index,
    type,
    userId,
    version,
    fields.secretKeyCiphertext,
    fields.secretKeyIV,
    fields.secretKeyTag,
    fields.secretValueCiphertext,
    fields.secretValueIV,
    fields.secretValueTag,
    commentCiphertext,
    commentIv,
    commentTag,
    fields.skipMultilineEncoding ? 1 : 0,
    fields.metadata === undefined ? null : JSON.stringify(fields.metadata),
    now,
    now,
  );
  return snapshotVersion(state, id);
}

interface UpdateFields extends CommentFields {
  secretValueCiphertext: string;
  secretValueIV: string;
  secretValueTag: string;
  secretKeyCiphertext?: string;
  secretKeyIV?: string;
  secretKeyTag?: string;
  skipMultilineEncoding?: boolean;
  secretReminderRepeatDays?: number | null;
  secretReminderNote?: string | null;
  metadata?: Record<string, string>;
}

function updateSecret(state: ServerState, old: SecretRow, fields: UpdateFields, newIndex?: string): SecretRow {
  const [commentCiphertext, commentIv, commentTag] = commentOf(fields, old);
  const hasKey =
    fields.secretKeyCiphertext !== undefined && fields.secretKeyIV !== undefined && fields.secretKeyTag !== undefined;
  state.store.run(
    `UPDATE secrets SET version = version + 1, blind_index = ?, key_ciphertext = ?, key_iv = ?, key_tag = ?,
       value_ciphertext = ?, value_iv = ?, value_tag = ?, comment_ciphertext = ?, comment_iv = ?, comment_tag = ?,
       reminder_note = ?, reminder_repeat_days = ?, skip_multiline = ?, metadata = ?, updated_at = ? WHERE id = ?`,
    newIndex ?? old.blind_index,
    hasKey ? fields.secretKeyCiphertext! : old.key_ciphertext,
    hasKey ? fields.secretKeyIV! : old.key_iv,
    hasKey ? fields.secretKeyTag! : old.key_tag,
    fields.secretValueCiphertext,
    fields.secretValueIV,
    fields.secretValueTag,
    commentCiphertext,
    commentIv,
    commentTag,
    fields.secretReminderNote === undefined ? old.reminder_note : fields.secretReminderNote,
    fields.secretReminderRepeatDays === undefined ? old.reminder_repeat_days : fields.secretReminderRepeatDays,
    fields.skipMultilineEncoding === undefined ? old.skip_multiline : fields.skipMultilineEncoding ? 1 : 0,
    fields.metadata === undefined ? old.metadata : JSON.stringify(fields.metadata),
    nowIso(),
    old.id,
  );
  return snapshotVersion(state, old.id);
}

/** Deletes the secret; deleting a shared secret also deletes its personal overrides. */
function deleteSecret(state: ServerState, secret: SecretRow): void {
  state.store.run("DELETE FROM secrets WHERE id = ?", secret.id);
  if (secret.type === "shared") {
    state.store.run(
      "DELETE FROM secrets WHERE folder_id = ? AND blind_index = ? AND type = 'personal'",
      secret.folder_id,
      secret.blind_index,
    );
  }
}

function audit(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  access: SecretAccess,
  secretPathValue: string,
  eventType: string,
  metadata: Record<string, unknown>,
): void {
  recordAudit(state, actor, request, { orgId: access.project.org_id, projectId: access.project.id }, eventType, {
    environment: access.environment.slug,
    secretPath: secretPathValue,
    ...metadata,
  });
}

function assertUniqueNames(names: string[]): void {
  if (new Set(names).size !== names.length) throw badRequest("Secret already exist");
}

/**
 * One secret written in one transaction: the folder must exist, and the audit entry names the
 * secret's id and version. Answers with the written row.
 */
function writeOneSecret(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  access: SecretAccess,
  secretPathValue: string,
  eventType: string,
  write: (folderId: string) => SecretRow,
): { secret: ReturnType<typeof secretJson> } {
  const written = state.store.transaction(() => {
    const folder = requireFolder(state, access.environment.id, secretPathValue);
    const row = write(folder.id);
    audit(state, actor, request, access, secretPathValue, eventType, {
      secretId: row.id,
      secretVersion: row.version,
    });
    return row;
  });
  return { secret: secretJson(written, access.environment.slug) };
}

const batchItemsMax = 500;

type BatchItem = { secretName: string; type: string };
type BatchBody<Item extends BatchItem> = {
  workspaceId: string;
  environment: string;
  secretPath: string;
  secrets: Item[];
};

/**
 * What the three batch routes share: one access check, names unique per type, every blind index
 * computed before the write transaction, and one audit entry listing each secret touched.
 * `apply` gets the item's blind index at the same position and returns the rows to answer with.
 */
async function runBatch<Item extends BatchItem>(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  body: BatchBody<Item>,
  action: "create" | "edit" | "delete",
  eventType: string,
  apply: (access: SecretAccess, folderId: string, indexes: string[]) => SecretRow[],
): Promise<{ secrets: ReturnType<typeof secretJson>[] }> {
  const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, body.secretPath, action);
  assertUniqueNames(body.secrets.map((s) => `${s.type}\u0000${s.secretName}`));
  // One at a time: a 0.1.0 (Argon2id) project's indexes queue server-wide, one slot per request.
  const indexes: string[] = [];
  for (const s of body.secrets) indexes.push(await blindIndex(state, access.project, s.secretName));
  const touched = state.store.transaction(() => {
    const folder = requireFolder(state, access.environment.id, body.secretPath);
    const rows = apply(access, folder.id, indexes);
    audit(state, actor, request, access, body.secretPath, eventType, {
      secrets: rows.map((r) => ({ secretId: r.id, secretVersion: r.version })),
    });
    return rows;
  });
  return { secrets: touched.map((s) => secretJson(s, access.environment.slug)) };
}

export const secretRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v3/secrets",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    query: z.object({ ...target, recursive: booleanString(), include_imports: booleanString() }),
    handler: ({ state, actor, query, request }) => {
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, query.secretPath, "read");
      const root = findFolder(state, access.environment.id, query.secretPath);
      const folders = !root
        ? []
        : query.recursive === "true"
          ? folderTree(state, root, query.secretPath)
          : [{ folder: root, path: query.secretPath }];
      const visible = folders.filter(
        ({ path }) =>
          actor.kind !== "service" || serviceTokenAllows(actor.token, access.environment.slug, path, "read"),
      );
      const secrets = visible.flatMap(({ folder, path }) =>
        state.store
          .all<SecretRow>(
            "SELECT * FROM secrets WHERE folder_id = ? AND (type = 'shared' OR user_id = ?) ORDER BY created_at, id",
            folder.id,
            access.personalUserId,
          )
          .map((s) => ({ ...secretJson(s, access.environment.slug), secretPath: path, tags: [] })),
      );
      state.store.transaction(() =>
        audit(state, actor, request, access, query.secretPath, "get-secrets", { numberOfSecrets: secrets.length }),
      );
      return query.include_imports === "true" ? { secrets, imports: [] } : { secrets };
    },
  }),

  route({
    method: "GET",
    path: "/api/v3/secrets/:secretName",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: nameParams,
    query: z.object({
      ...target,
      type: secretType(),
      version: z.coerce.number().int().min(0).max(1_000_000).optional(),
      include_imports: booleanString(),
    }),
    handler: async ({ state, actor, params, query, request }) => {
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, query.secretPath, "read");
      const index = await blindIndex(state, access.project, params.secretName);
      const folder = requireFolder(state, access.environment.id, query.secretPath);
      const secret = requireSecret(state, folder.id, index, query.type, ownerOf(query.type, access));
      let shown = secret;
      if (query.version !== undefined && query.version !== secret.version) {
        const version = state.store.get<SecretVersionRow>(
          "SELECT * FROM secret_versions WHERE secret_id = ? AND version = ?",
          secret.id,
          query.version,
        );
        if (!version) throw badRequest("Secret not found");
        shown = { ...version, id: secret.id, project_id: secret.project_id, blind_index: secret.blind_index };
      }
      state.store.transaction(() =>
        audit(state, actor, request, access, query.secretPath, "get-secret", {
          secretId: secret.id,
          secretVersion: shown.version,
        }),
      );
      return { secret: secretJson(shown, access.environment.slug) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v3/secrets/batch",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      ...target,
      secrets: z
        .array(z.object({ secretName: secretName(), type: secretType(), ...createFields }))
        .min(1)
        .max(batchItemsMax),
    }),
    handler: ({ state, actor, body, request }) =>
      runBatch(state, actor, request, body, "create", "create-secrets", (access, folderId, indexes) =>
        // Secrets created in a batch are stored with version 0, as on the real server.
        body.secrets.map((item, i) => insertSecret(state, access, folderId, indexes[i]!, item.type, item, 0)),
      ),
  }),

  route({
    method: "PATCH",
    path: "/api/v3/secrets/batch",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      ...target,
      secrets: z
        .array(
          z.object({
            secretName: secretName(),
            type: secretType(),
            ...encryptedValue,
            ...encryptedKey,
            ...encryptedComment,
            skipMultilineEncoding: z.boolean().optional(),
            tags: z.array(z.string().max(100)).max(100).optional(),
          }),
        )
        .min(1)
        .max(batchItemsMax),
    }),
    handler: ({ state, actor, body, request }) =>
      runBatch(state, actor, request, body, "edit", "update-secrets", (access, folderId, indexes) =>
        body.secrets.map((item, i) =>
          updateSecret(state, requireSecret(state, folderId, indexes[i]!, item.type, ownerOf(item.type, access)), item),
        ),
      ),
  }),

  route({
    method: "DELETE",
    path: "/api/v3/secrets/batch",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      ...target,
      secrets: z
        .array(z.object({ secretName: secretName(), type: secretType() }))
        .min(1)
        .max(batchItemsMax),
    }),
    handler: ({ state, actor, body, request }) =>
      runBatch(state, actor, request, body, "delete", "delete-secrets", (access, folderId, indexes) => {
        // Look every secret up before deleting any: deleting a shared one also drops its personal overrides.
        const rows = body.secrets.map((item, i) =>
          requireSecret(state, folderId, indexes[i]!, item.type, ownerOf(item.type, access)),
        );
        for (const row of rows) deleteSecret(state, row);
        return rows;
      }),
  }),

  route({
    method: "POST",
    path: "/api/v3/secrets/:secretName",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: nameParams,
    body: z.object({ ...target, type: secretType(), ...createFields }),
    handler: async ({ state, actor, params, body, request }) => {
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, body.secretPath, "create");
      const index = await blindIndex(state, access.project, params.secretName);
      return writeOneSecret(state, actor, request, access, body.secretPath, "create-secret", (folderId) =>
        insertSecret(state, access, folderId, index, body.type, body, 1),
      );
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v3/secrets/:secretName",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: nameParams,
    body: z.object({
      ...target,
      type: secretType(),
      secretId: z.string().max(100).optional(),
      ...encryptedValue,
      ...encryptedComment,
      secretReminderRepeatDays: z.number().int().min(1).max(365).nullable().optional(),
      secretReminderNote: z.string().max(1024).nullable().optional(),
      tags: z.array(z.string().max(100)).max(100).optional(),
      skipMultilineEncoding: z.boolean().optional(),
      secretName: secretName().optional(),
      secretKeyCiphertext: ciphertext().optional(),
      secretKeyIV: iv().optional(),
      secretKeyTag: tag().optional(),
      metadata: metadata(),
    }),
    handler: async ({ state, actor, params, body, request }) => {
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, body.secretPath, "edit");
      const renaming = body.secretName !== undefined && body.secretName !== params.secretName;
      if (renaming && (!body.secretKeyCiphertext || !body.secretKeyIV || !body.secretKeyTag)) {
        throw badRequest("Missing encrypted key");
      }
      const [index, newIndex] = await Promise.all([
        blindIndex(state, access.project, params.secretName),
        renaming ? blindIndex(state, access.project, body.secretName!) : Promise.resolve(undefined),
      ]);
      return writeOneSecret(state, actor, request, access, body.secretPath, "update-secret", (folderId) => {
        const owner = ownerOf(body.type, access);
        const old = requireSecret(state, folderId, index, body.type, owner);
        if (newIndex !== undefined && findSecret(state, folderId, newIndex, body.type, owner)) {
          throw badRequest("Secret with the provided name already exist");
        }
        if (newIndex !== undefined && old.type === "shared") {
          // Personal overrides follow their shared secret's new name.
          state.store.run(
            "UPDATE secrets SET blind_index = ? WHERE folder_id = ? AND blind_index = ? AND type = 'personal'",
            newIndex,
            folderId,
            old.blind_index,
          );
        }
        return updateSecret(state, old, body, newIndex);
      });
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v3/secrets/:secretName",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: nameParams,
    body: z.object({ ...target, type: secretType(), secretId: z.string().max(100).optional() }),
    handler: async ({ state, actor, params, body, request }) => {
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, body.secretPath, "delete");
      const index = await blindIndex(state, access.project, params.secretName);
      return writeOneSecret(state, actor, request, access, body.secretPath, "delete-secret", (folderId) => {
        const row = requireSecret(state, folderId, index, body.type, ownerOf(body.type, access));
        deleteSecret(state, row);
        return row;
      });
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/secret/:secretId/secret-versions",
    auth: ["user"],
    params: z.object({ secretId: uuid() }),
    query: z.object({
      offset: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(20),
    }),
    handler: ({ state, actor, params, query }) => {
      const secret = state.store.get<SecretRow>("SELECT * FROM secrets WHERE id = ?", params.secretId);
      if (!secret) throw badRequest("Secret not found");
      requirePermission(state, actor, secret.project_id, "read", "secrets");
      if (secret.type === "personal" && (actor.kind !== "user" || secret.user_id !== actor.userId)) {
        throw badRequest("Secret not found");
      }
      const versions = state.store.all<SecretVersionRow>(
        "SELECT * FROM secret_versions WHERE secret_id = ? ORDER BY version DESC LIMIT ? OFFSET ?",
        secret.id,
        query.limit,
        query.offset,
      );
      return { secretVersions: versions.map(secretVersionJson) };
    },
  }),
];
