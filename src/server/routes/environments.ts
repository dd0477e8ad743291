/** Environments: create, get, update (name, slug, position), delete (with its secrets and tokens). */
import { z } from "zod";
import { parsePackedRules } from "../../provider/api/permissions";
import { recordAudit } from "../audit";
import { requireDeleteAtEveryFolder, requirePermission } from "../auth/access";
import { packRules } from "../auth/permissions";
import type { ServerState } from "../context";
import { displayName, slug } from "../fields";
import { badRequest } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { type EnvironmentRow, environmentJson, nowIso } from "../rows";
import { insertEnvironment } from "./projects";

const envParams = z.object({
  workspaceId: z.string().trim().min(1).max(100),
  envId: z.string().trim().min(1).max(100),
});

function findEnvironment(state: ServerState, projectId: string, envId: string): EnvironmentRow {
  const env = state.store.get<EnvironmentRow>(
    "SELECT * FROM environments WHERE id = ? AND project_id = ?",
    envId,
    projectId,
  );
  if (!env) throw badRequest("Env doesn't exist");
  return env;
}

/** Puts `env` at 1-based `position` and renumbers the others 1..n in their current order. */
function reposition(state: ServerState, projectId: string, envId: string, position: number): void {
  const others = state.store
    .all<EnvironmentRow>("SELECT * FROM environments WHERE project_id = ? ORDER BY position, created_at", projectId)
    .filter((e) => e.id !== envId)
    .map((e) => e.id);
  const index = Math.min(Math.max(position, 1), others.length + 1) - 1;
  others.splice(index, 0, envId);
  for (const [i, id] of others.entries())
    state.store.run("UPDATE environments SET position = ? WHERE id = ?", i + 1, id);
}

/** Service-token scopes name environments by slug: follow a rename. */
function renameInTokenScopes(state: ServerState, projectId: string, from: string, to: string): void {
  const tokens = state.store.all<{ id: string; scopes: string }>(
    "SELECT id, scopes FROM service_tokens WHERE project_id = ?",
    projectId,
  );
  for (const token of tokens) {
    const scopes = JSON.parse(token.scopes) as Array<{ environment: string; secretPath: string }>;
    if (!scopes.some((s) => s.environment === from)) continue;
    const renamed = scopes.map((s) => (s.environment === from ? { ...s, environment: to } : s));
    state.store.run("UPDATE service_tokens SET scopes = ? WHERE id = ?", JSON.stringify(renamed), token.id);
  }
}

/**
 * Custom roles follow a renamed environment as service tokens do: a rule on `dev` stays on the
 * environment that was dev, so swapping slugs cannot point a narrow role at another environment.
 */
function renameInRoleConditions(state: ServerState, projectId: string, from: string, to: string): void {
  const roles = state.store.all<{ id: string; permissions: string }>(
    "SELECT id, permissions FROM project_roles WHERE project_id = ?",
    projectId,
  );
  for (const role of roles) {
    const rules = parsePackedRules(role.permissions);
    if (!rules.some((r) => r.conditions?.environment === from)) continue;
    const renamed = rules.map((r) =>
      r.conditions?.environment === from ? { ...r, conditions: { ...r.conditions, environment: to } } : r,
    );
    state.store.run(
      "UPDATE project_roles SET permissions = ? WHERE id = ?",
      JSON.stringify(packRules(renamed)),
      role.id,
    );
  }
}

/**
 * A slug no environment has may still be named by custom roles (planned, or left by a delete):
 * renaming onto it would hand those roles this environment, so the roles are edited first.
 */
function refuseSlugNamedByRoles(state: ServerState, projectId: string, slug: string): void {
  const roles = state.store.all<{ permissions: string }>(
    "SELECT permissions FROM project_roles WHERE project_id = ?",
    projectId,
  );
  if (roles.some((role) => parsePackedRules(role.permissions).some((r) => r.conditions?.environment === slug)))
    throw badRequest(`Custom role conditions still name the environment slug ${slug}: edit those roles first`);
}

export const environmentRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v1/workspace/:workspaceId/environments",
    auth: ["user"],
    params: z.object({ workspaceId: z.string().trim().min(1).max(100) }),
    body: z.object({ name: displayName(64), slug: slug(1, 64) }),
    handler: ({ state, actor, params, body, request }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "create", "environments");
      const env = state.store.transaction(() => {
        if (
          state.store.get("SELECT 1 AS ok FROM environments WHERE project_id = ? AND slug = ?", project.id, body.slug)
        ) {
          throw badRequest("Environment with slug already exist");
        }
        const last = state.store.get<{ max: number | null }>(
          "SELECT MAX(position) AS max FROM environments WHERE project_id = ?",
          project.id,
        );
        const id = insertEnvironment(state, project.id, body.name, body.slug, (last?.max ?? 0) + 1);
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "create-environment", {
          name: body.name,
          slug: body.slug,
        });
        return state.store.get<EnvironmentRow>("SELECT * FROM environments WHERE id = ?", id)!;
      });
      return {
        message: "Successfully created new environment",
        workspace: project.id,
        environment: environmentJson(env),
      };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/environments/:envId",
    auth: ["user"],
    params: envParams,
    handler: ({ state, actor, params }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "environments");
      return { environment: environmentJson(findEnvironment(state, project.id, params.envId)) };
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/workspace/:workspaceId/environments/:envId",
    auth: ["user"],
    params: envParams,
    body: z.object({
      name: displayName(64).optional(),
      slug: slug(1, 64).optional(),
      position: z.number().int().min(1).max(1000).optional(),
    }),
    handler: ({ state, actor, params, body, request }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "edit", "environments");
      const env = state.store.transaction(() => {
        const current = findEnvironment(state, project.id, params.envId);
        if (body.slug !== undefined && body.slug !== current.slug) {
          if (
            state.store.get("SELECT 1 AS ok FROM environments WHERE project_id = ? AND slug = ?", project.id, body.slug)
          ) {
            throw badRequest("Environment with slug already exist");
          }
          refuseSlugNamedByRoles(state, project.id, body.slug);
          renameInTokenScopes(state, project.id, current.slug, body.slug);
          renameInRoleConditions(state, project.id, current.slug, body.slug);
        }
        state.store.run(
          "UPDATE environments SET name = ?, slug = ?, updated_at = ? WHERE id = ?",
          body.name ?? current.name,
          body.slug ?? current.slug,
          nowIso(),
          current.id,
        );
        if (body.position !== undefined) reposition(state, project.id, current.id, body.position);
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "update-environment", {
          oldName: current.name,
          newName: body.name ?? current.name,
          oldSlug: current.slug,
          newSlug: body.slug ?? current.slug,
        });
        return state.store.get<EnvironmentRow>("SELECT * FROM environments WHERE id = ?", current.id)!;
      });
      return { message: "Successfully updated environment", workspace: project.id, environment: environmentJson(env) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/workspace/:workspaceId/environments/:envId",
    auth: ["user"],
    params: envParams,
    handler: ({ state, actor, params, request }) => {
      const { project, rules } = requirePermission(state, actor, params.workspaceId, "delete", "environments");
      const env = state.store.transaction(() => {
        const current = findEnvironment(state, project.id, params.envId);
        requireDeleteAtEveryFolder(state, rules, current);
        // Secrets, versions and folders go with the environment (ON DELETE CASCADE); so do the
        // service tokens scoped to it, whose scope no longer exists.
        const tokens = state.store.all<{ id: string; scopes: string }>(
          "SELECT id, scopes FROM service_tokens WHERE project_id = ?",
          project.id,
        );
        for (const token of tokens) {
          const scopes = JSON.parse(token.scopes) as Array<{ environment: string }>;
          if (scopes.some((s) => s.environment === current.slug))
            state.store.run("DELETE FROM service_tokens WHERE id = ?", token.id);
        }
        state.store.run("DELETE FROM environments WHERE id = ?", current.id);
        const rest = state.store.all<{ id: string }>(
          "SELECT id FROM environments WHERE project_id = ? ORDER BY position",
          project.id,
        );
        for (const [i, e] of rest.entries())
          state.store.run("UPDATE environments SET position = ? WHERE id = ?", i + 1, e.id);
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "delete-environment", {
          name: current.name,
          slug: current.slug,
        });
        return current;
      });
      return { message: "Successfully deleted environment", workspace: project.id, environment: environmentJson(env) };
    },
  }),
];
