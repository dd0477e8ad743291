/**
 * Secret imports (`/api/v1/secret-imports`), as the real server of 2024 answers them
 * (routes-more.md §3), except where docs/server.md "Secret imports" says otherwise: bad ids are
 * 400s, a missing source does not shift the next import, sources are checked for every caller.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit";
import { requireSecretAccess, type SecretAccess } from "../auth/access";
import type { Actor, RequestInfo, ServerState } from "../context";
import { secretPath } from "../fields";
import { findFolder } from "../folders";
import { badRequest } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { type FolderRow, nowIso } from "../rows";
import {
  expandImports,
  importedSecretJson,
  importsOf,
  type SecretImportRow,
  secretImportJson,
} from "../secret-imports";

/** More imports than this in one folder is a mistake, not a configuration. */
export const MAX_IMPORTS_PER_FOLDER = 100;
/** Positions are user-chosen (the real server stores any number); bounded so they stay integers. */
const MAX_POSITION = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const destination = {
  workspaceId: z.string().trim().min(1).max(100),
  environment: z.string().trim().min(1).max(64),
  path: secretPath(),
};

/** The source's path has no default: the real server requires it (403 ValidationFailure). */
const sourcePath = () => z.string().pipe(secretPath());

const importSource = {
  environment: z.string().trim().min(1).max(64),
  path: sourcePath(),
};

/** Not a zod rule: a malformed id is a 400 naming the field, where the real server answers 500. */
const idParams = z.object({ secretImportId: z.string().max(100) });

function requireImportId(id: string): string {
  if (!UUID.test(id)) throw badRequest("secretImportId must be a UUID");
  return id.toLowerCase();
}

/** The importing folder; the real server's 400 "Folder not found" when it does not exist. */
function requireDestination(
  state: ServerState,
  actor: Actor,
  target: { workspaceId: string; environment: string; path: string },
  action: "read" | "create" | "edit" | "delete",
): { access: SecretAccess; folder: FolderRow } {
  const access = requireSecretAccess(state, actor, target.workspaceId, target.environment, target.path, action);
  const folder = findFolder(state, access.environment.id, target.path);
  if (!folder) throw badRequest("Folder not found");
  return { access, folder };
}

/** The real server's direct-cycle rule: the source folder may not already import this folder. */
function refuseDirectCycle(
  state: ServerState,
  source: SecretAccess,
  sourcePath: string,
  folder: FolderRow,
  dest: SecretAccess,
  destPath: string,
) {
  const sourceFolder = findFolder(state, source.environment.id, sourcePath);
  if (!sourceFolder) return;
  const back = importsOf(state, sourceFolder.id).some(
    (i) => i.import_env_id === dest.environment.id && i.import_path === destPath,
  );
  if (back && sourceFolder.id !== folder.id) throw badRequest("Cyclic import not allowed");
}

function requireImport(state: ServerState, folder: FolderRow, id: string, message: string): SecretImportRow {
  const row = state.store.get<SecretImportRow>(
    "SELECT * FROM secret_imports WHERE id = ? AND folder_id = ?",
    id,
    folder.id,
  );
  if (!row) throw badRequest(message);
  return row;
}

function audit(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  access: SecretAccess,
  eventType: string,
  metadata: Record<string, unknown>,
) {
  recordAudit(
    state,
    actor,
    request,
    { orgId: access.project.org_id, projectId: access.project.id },
    eventType,
    metadata,
  );
}

/** Moves an import from `from` to `to`, shifting those in between by one (as the real server). */
function move(state: ServerState, row: SecretImportRow, to: number) {
  const from = row.position;
  if (to === from) return;
  if (to > from) {
    state.store.run(
      "UPDATE secret_imports SET position = position - 1 WHERE folder_id = ? AND position > ? AND position <= ?",
      row.folder_id,
      from,
      to,
    );
  } else {
    state.store.run(
      "UPDATE secret_imports SET position = position + 1 WHERE folder_id = ? AND position >= ? AND position < ?",
      row.folder_id,
      to,
      from,
    );
  }
  state.store.run("UPDATE secret_imports SET position = ? WHERE id = ?", to, row.id);
}

const PLAN_RESTRICTION =
  "Failed to create secret replication due to plan restriction. Upgrade plan to create replication.";

export const secretImportRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v1/secret-imports",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      ...destination,
      import: z.object(importSource),
      isReplication: z.boolean().default(false),
    }),
    handler: ({ state, actor, body, request }) => {
      if (body.isReplication) throw badRequest(PLAN_RESTRICTION);
      const { access, folder } = requireDestination(state, actor, body, "create");
      // Creating an import needs create on the source as well (as on the real server).
      const source = requireSecretAccess(
        state,
        actor,
        body.workspaceId,
        body.import.environment,
        body.import.path,
        "create",
      );
      return state.store.transaction(() => {
        refuseDirectCycle(state, source, body.import.path, folder, access, body.path);
        const count = state.store.get<{ n: number; top: number | null }>(
          "SELECT COUNT(*) AS n, MAX(position) AS top FROM secret_imports WHERE folder_id = ?",
          folder.id,
        )!;
        if (count.n >= MAX_IMPORTS_PER_FOLDER)
          throw badRequest(`A folder can hold at most ${MAX_IMPORTS_PER_FOLDER} secret imports`);
        const now = nowIso();
        const id = randomUUID();
        state.store.run(
          `INSERT INTO secret_imports (id, folder_id, import_env_id, import_path, position, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          id,
          folder.id,
          source.environment.id,
          body.import.path,
          (count.top ?? 0) + 1,
          now,
          now,
        );
        const row = state.store.get<SecretImportRow>("SELECT * FROM secret_imports WHERE id = ?", id)!;
        audit(state, actor, request, access, "create-secret-import", {
          secretImportId: id,
          folderId: folder.id,
          importFromEnvironment: source.environment.slug,
          importFromSecretPath: body.import.path,
          importToEnvironment: access.environment.slug,
          importToSecretPath: body.path,
        });
        return { message: "Successfully created secret import", secretImport: secretImportJson(state, row) };
      });
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/secret-imports",
    auth: ["user", "serviceToken"],
    // The real server's readLimit, a class this server does not apply (docs/server.md, rate limits).
    query: z.object(destination),
    handler: ({ state, actor, query }) => {
      const { folder } = requireDestination(state, actor, query, "read");
      return {
        message: "Successfully fetched secret imports",
        secretImports: importsOf(state, folder.id).map((row) => secretImportJson(state, row)),
      };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/secret-imports/secrets",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    query: z.object(destination),
    handler: ({ state, actor, query }) => {
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, query.path, "read");
      const folder = findFolder(state, access.environment.id, query.path);
      if (!folder) return { secrets: [] };
      const sources = expandImports(state, actor, access.project.id, folder.id, {
        envId: access.environment.id,
        path: query.path,
      });
      return {
        secrets: sources.map((s) => ({
          secretPath: s.path,
          environment: s.env.slug,
          environmentInfo: { id: s.env.id, name: s.env.name, slug: s.env.slug },
          ...(s.folderId ? { folderId: s.folderId } : {}),
          secrets: s.secrets.map(({ row, env }) => importedSecretJson(row, env)),
        })),
      };
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/secret-imports/:secretImportId",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: idParams,
    body: z.object({
      ...destination,
      import: z.object({
        environment: importSource.environment.optional(),
        path: sourcePath().optional(),
        position: z.number().int().min(1).max(MAX_POSITION).optional(),
      }),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const id = requireImportId(params.secretImportId);
      const change = body.import;
      if (change.environment === undefined && change.path === undefined && change.position === undefined)
        throw badRequest("import must change environment, path or position");
      const { access, folder } = requireDestination(state, actor, body, "edit");
      return state.store.transaction(() => {
        const row = requireImport(state, folder, id, "Secret import not found");
        let envId = row.import_env_id;
        let path = row.import_path;
        if (change.environment !== undefined || change.path !== undefined) {
          const currentEnv = state.store.get<{ slug: string }>("SELECT slug FROM environments WHERE id = ?", envId)!;
          const nextEnv = change.environment ?? currentEnv.slug;
          const nextPath = change.path ?? path;
          // Unlike the real server, the new source is checked as on create: edit on the folder is not create on another.
          const source = requireSecretAccess(state, actor, body.workspaceId, nextEnv, nextPath, "create");
          refuseDirectCycle(state, source, nextPath, folder, access, body.path);
          envId = source.environment.id;
          path = nextPath;
        }
        if (change.position !== undefined) move(state, row, change.position);
        state.store.run(
          "UPDATE secret_imports SET import_env_id = ?, import_path = ?, version = version + 1, updated_at = ? WHERE id = ?",
          envId,
          path,
          nowIso(),
          id,
        );
        const updated = state.store.get<SecretImportRow>("SELECT * FROM secret_imports WHERE id = ?", id)!;
        audit(state, actor, request, access, "update-secret-import", {
          secretImportId: id,
          folderId: folder.id,
          position: updated.position,
          importToEnvironment: access.environment.slug,
          importToSecretPath: body.path,
        });
        return { message: "Successfully updated secret import", secretImport: secretImportJson(state, updated) };
      });
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/secret-imports/:secretImportId",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    params: idParams,
    body: z.object(destination),
    handler: ({ state, actor, params, body, request }) => {
      const id = requireImportId(params.secretImportId);
      const { access, folder } = requireDestination(state, actor, body, "delete");
      return state.store.transaction(() => {
        const row = requireImport(state, folder, id, "Secret import doc not found");
        const answer = secretImportJson(state, row);
        state.store.run("DELETE FROM secret_imports WHERE id = ?", id);
        state.store.run(
          "UPDATE secret_imports SET position = position - 1 WHERE folder_id = ? AND position > ?",
          folder.id,
          row.position,
        );
        audit(state, actor, request, access, "delete-secret-import", {
          secretImportId: id,
          folderId: folder.id,
          importToEnvironment: access.environment.slug,
          importToSecretPath: body.path,
        });
        return { message: "Successfully deleted secret import", secretImport: answer };
      });
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/secret-imports/:secretImportId/replication-resync",
    auth: ["user"],
    rateLimit: "secrets",
    params: idParams,
    handler: () => {
      // Replication needs a licence on the real server; without one it always answers this.
      throw badRequest(PLAN_RESTRICTION);
    },
  }),
];
