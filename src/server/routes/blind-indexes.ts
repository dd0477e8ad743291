/**
 * Blind indexes for secrets that lack one (Infisical projects from before April 2023,
 * routes-more.md §5): the status any member may ask, and the admin-only list and names routes a
 * client uses to index them from the names it decrypts. JWT only. The names route is
 * all-or-nothing, bumps each version without a version row (as the real server), computes each
 * index in the project's own scheme, and (unlike the real server) refuses a name that would
 * collide with another secret of the same folder, type and owner (docs/server.md "Blind indices").
 */
import { z } from "zod";
import { recordAudit } from "../audit";
import { requireMember } from "../auth/access";
import type { Actor, ServerState } from "../context";
import { secretName, uuid } from "../fields";
import { badRequest, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { secretJson } from "../rows";
import { blindIndex } from "../secrets";

/** Names per request; the CLI sends larger projects in chunks of this size. */
export const MAX_NAMES_PER_REQUEST = 5000;

const projectParams = z.object({ workspaceId: z.string().trim().min(1).max(100) });

/** The built-in admin role, permanent or an active temporary one (a role check, not a permission). */
function requireAdmin(state: ServerState, actor: Actor, projectId: string) {
  const access = requireMember(state, actor, projectId);
  if (!access.roles.includes("admin")) throw unauthorized("User must be admin");
  return access;
}

export const blindIndexRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v3/workspaces/:workspaceId/secrets/blind-index-status",
    auth: ["user"],
    params: projectParams,
    handler: ({ state, actor, params }) => {
      const { project } = requireMember(state, actor, params.workspaceId);
      return state.secrets.countUnindexed(project.id) === 0;
    },
  }),

  route({
    method: "GET",
    path: "/api/v3/workspaces/:workspaceId/secrets",
    auth: ["user"],
    params: projectParams,
    handler: ({ state, actor, params }) => {
      const { project } = requireAdmin(state, actor, params.workspaceId);
      return { secrets: state.secrets.listProject(project.id).map((s) => secretJson(s, s.environment_slug)) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v3/workspaces/:workspaceId/secrets/names",
    auth: ["user"],
    rateLimit: "write",
    params: projectParams,
    body: z.object({
      secretsToUpdate: z.array(z.object({ secretName: secretName(), secretId: uuid() })).max(MAX_NAMES_PER_REQUEST),
    }),
    handler: async ({ state, actor, params, body, request, signal }) => {
      const { project } = requireAdmin(state, actor, params.workspaceId);
      const items = body.secretsToUpdate;
      const ids = new Set(items.map((i) => i.secretId));
      if (ids.size !== items.length) throw badRequest("Each secretId may appear only once");
      const projectSecret = (id: string) => {
        const row = state.secrets.byId(id);
        return row && row.project_id === project.id ? row : undefined;
      };
      // Every id first: one that is not this project's ends the request before any index is computed.
      if (items.some((i) => !projectSecret(i.secretId))) throw badRequest("Secret not found");
      const indexes: string[] = [];
      for (const item of items) indexes.push(await blindIndex(state, project, item.secretName, signal));
      signal.throwIfAborted();
      state.store.transaction(() => {
        const keys = new Map<string, string>();
        items.forEach((item, i) => {
          // Looked up again inside the transaction: a secret deleted meanwhile undoes the whole request.
          const row = projectSecret(item.secretId);
          if (!row) throw badRequest("Secret not found");
          const key = JSON.stringify([row.folder_id, indexes[i], row.type, row.user_id]);
          const twin = keys.get(key);
          const holder = state.secrets.find({
            folder_id: row.folder_id,
            blind_index: indexes[i]!,
            type: row.type,
            user_id: row.user_id,
          });
          const other = twin ?? (holder && !ids.has(holder.id) ? holder.id : undefined);
          if (other !== undefined) {
            throw badRequest(
              `The name given for secret ${row.id} collides with secret ${other} in the same environment and folder; nothing was changed`,
            );
          }
          keys.set(key, row.id);
        });
        // Clear first so that secrets swapping names never meet under the uniqueness rule.
        for (const item of items) state.secrets.clearIndex(item.secretId);
        items.forEach((item, i) => {
          state.secrets.setIndex(item.secretId, indexes[i]!);
        });
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "name-secrets", {
          numberOfSecrets: items.length,
        });
      });
      return { message: "Successfully named workspace secrets" };
    },
  }),
];
