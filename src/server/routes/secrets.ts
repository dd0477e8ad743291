/**
 * Secrets v3 (blind-indexed, ciphertext only): the routes, their wire shapes and limits. The
 * blind index comes from the trimmed name in the URL (or `secretName` in batch bodies); the
 * encrypted key fields are opaque. The rules live in ../secrets.ts, the SQL in ../store/secrets.ts.
 */
import { z } from "zod";
import { requireSecretAccess, requireSecretListAccess } from "../auth/access";
import type { ServerState } from "../context";
import {
  base64,
  booleanString,
  ciphertext,
  MAX_OFFSET,
  metadata,
  secretName,
  secretPath,
  secretType,
  uuid,
} from "../fields";
import { findFolder, folderById, folderPath, folderTree, requireFolder } from "../folders";
import { badRequest } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { secretJson, secretVersionJson } from "../rows";
import { expandImports, findImportedSecret, importEntriesJson } from "../secret-imports";
import {
  auditRead,
  blindIndex,
  createSecret,
  keyOf,
  requireSecret,
  runBatch,
  updateSecret,
  writeOneSecret,
} from "../secrets";
import { replaceSecretTags, requireProjectTags, type TagRow, tagsInFolder } from "../tags";

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

const nameParams = z.object({ secretName: secretName() });

const batchItemsMax = 500;

/** `tags` on an update: absent leaves the set alone; a list (of tag ids, `[]` too) replaces it. */
function tagsToSet(state: ServerState, projectId: string, ids: string[] | undefined): TagRow[] | undefined {
  return ids === undefined ? undefined : requireProjectTags(state, projectId, ids);
}

function withTags<Row extends { id: string }>(state: ServerState, row: Row, tags: TagRow[] | undefined): Row {
  if (tags !== undefined) replaceSecretTags(state, row.id, tags);
  return row;
}

export const secretRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v3/secrets",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    query: z.object({ ...target, recursive: booleanString(), include_imports: booleanString() }),
    handler: ({ state, actor, query, request, signal }) => {
      // The recursive list never refuses a member: it drops the folders the caller cannot read.
      const access =
        query.recursive === "true"
          ? requireSecretListAccess(state, actor, query.workspaceId, query.environment, query.secretPath)
          : requireSecretAccess(state, actor, query.workspaceId, query.environment, query.secretPath, "read");
      const root = findFolder(state, access.environment.id, query.secretPath);
      const folders = !root
        ? []
        : query.recursive === "true"
          ? folderTree(state, root, query.secretPath)
          : [{ folder: root, path: query.secretPath }];
      const visible = folders.filter(({ path }) => access.allows("read", path));
      const secrets = visible.flatMap(({ folder, path }) => {
        const tags = tagsInFolder(state, folder.id);
        return state.secrets
          .listVisible(folder.id, access.personalUserId)
          .map((s) => ({ ...secretJson(s, access.environment.slug), secretPath: path, tags: tags.get(s.id) ?? [] }));
      });
      auditRead({ state, actor, request, signal }, access, query.secretPath, "get-secrets", {
        numberOfSecrets: secrets.length,
      });
      if (query.include_imports !== "true") return root ? { secrets } : { secrets, imports: [] };
      const imports = root
        ? importEntriesJson(
            expandImports(state, actor, access.project.id, root.id, {
              envId: access.environment.id,
              path: query.secretPath,
            }),
          )
        : [];
      return { secrets, imports };
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
    handler: async ({ state, actor, params, query, request, signal }) => {
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, query.secretPath, "read");
      const index = await blindIndex(state, access.project, params.secretName, signal);
      const folder = requireFolder(state, access.environment.id, query.secretPath);
      const own = state.secrets.find(keyOf(access, folder.id, index, query.type));
      if (!own && query.include_imports === "true" && query.type === "shared") {
        const sources = expandImports(state, actor, access.project.id, folder.id, {
          envId: access.environment.id,
          path: query.secretPath,
        });
        const imported = findImportedSecret(sources, index);
        if (imported) {
          auditRead({ state, actor, request, signal }, access, query.secretPath, "get-secret", {
            secretId: imported.row.id,
            secretVersion: imported.row.version,
          });
          // As on the real server: the import's environment, and the project as `workspace`.
          return { secret: { ...secretJson(imported.row, imported.env.slug), workspace: access.project.id } };
        }
      }
      const secret = own ?? requireSecret(state, keyOf(access, folder.id, index, query.type));
      let shown = secret;
      if (query.version !== undefined && query.version !== secret.version) {
        const version = state.secrets.version(secret.id, query.version);
        if (!version) throw badRequest("Secret not found");
        shown = { ...version, id: secret.id, project_id: secret.project_id, blind_index: secret.blind_index };
      }
      auditRead({ state, actor, request, signal }, access, query.secretPath, "get-secret", {
        secretId: secret.id,
        secretVersion: shown.version,
      });
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
    handler: ({ body, ...scope }) =>
      runBatch(scope, body, body.secrets, "create", "create-secrets", (access, keys) =>
        // Secrets created in a batch are stored with version 0, as on the real server.
        body.secrets.map((item, i) => createSecret(scope.state, access, keys[i]!, item, 0)),
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
    handler: ({ body, ...scope }) =>
      runBatch(scope, body, body.secrets, "edit", "update-secrets", (access, keys) => {
        // Every item's tags are checked before any secret is written.
        const tags = body.secrets.map((item) => tagsToSet(scope.state, access.project.id, item.tags));
        return body.secrets.map((item, i) =>
          withTags(scope.state, updateSecret(scope.state, requireSecret(scope.state, keys[i]!), item), tags[i]),
        );
      }),
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
    handler: ({ body, ...scope }) =>
      runBatch(scope, body, body.secrets, "delete", "delete-secrets", (_access, keys) => {
        // Look every secret up before deleting any: deleting a shared one also drops its personal overrides.
        const rows = keys.map((key) => requireSecret(scope.state, key));
        for (const row of rows) scope.state.secrets.delete(row);
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
    handler: ({ params, body, ...scope }) =>
      writeOneSecret(scope, body, [params.secretName], "create", "create-secret", (access, folderId, [index]) =>
        createSecret(scope.state, access, keyOf(access, folderId, index!, body.type), body, 1),
      ),
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
    handler: ({ params, body, ...scope }) => {
      const renaming = body.secretName !== undefined && body.secretName !== params.secretName;
      if (renaming && (!body.secretKeyCiphertext || !body.secretKeyIV || !body.secretKeyTag)) {
        throw badRequest("Missing encrypted key");
      }
      const names: [string] | [string, string] = renaming ? [params.secretName, body.secretName!] : [params.secretName];
      return writeOneSecret(scope, body, names, "edit", "update-secret", (access, folderId, [index, newIndex]) => {
        const old = requireSecret(scope.state, keyOf(access, folderId, index!, body.type));
        const tags = tagsToSet(scope.state, access.project.id, body.tags);
        return withTags(scope.state, updateSecret(scope.state, old, body, newIndex), tags);
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
    handler: ({ params, body, ...scope }) =>
      writeOneSecret(scope, body, [params.secretName], "delete", "delete-secret", (access, folderId, [index]) => {
        const row = requireSecret(scope.state, keyOf(access, folderId, index!, body.type));
        scope.state.secrets.delete(row);
        return row;
      }),
  }),

  route({
    method: "GET",
    path: "/api/v1/secret/:secretId/secret-versions",
    auth: ["user"],
    params: z.object({ secretId: uuid() }),
    query: z.object({
      offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(20),
    }),
    handler: ({ state, actor, params, query }) => {
      const secret = state.secrets.byId(params.secretId);
      if (!secret) throw badRequest("Secret not found");
      // Read where the secret lives: a whole-subject check would pass any conditioned read rule.
      const folder = folderById(state, secret.folder_id);
      const env = state.store.get<{ slug: string }>("SELECT slug FROM environments WHERE id = ?", secret.env_id);
      if (!folder || !env) throw badRequest("Secret not found");
      requireSecretAccess(state, actor, secret.project_id, env.slug, folderPath(state, folder), "read");
      if (secret.type === "personal" && (actor.kind !== "user" || secret.user_id !== actor.userId)) {
        throw badRequest("Secret not found");
      }
      return { secretVersions: state.secrets.versions(secret.id, query.limit, query.offset).map(secretVersionJson) };
    },
  }),
];
