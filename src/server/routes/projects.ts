/**
 * Projects. Zero knowledge: `POST /api/v2/workspace` creates a project with no key copy; the
 * creator generates the project key and uploads its own wrapped copy with
 * `POST /api/v1/workspace/:id/key`. Until then `encrypted-key` answers 404 (docs/server.md).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit";
import { type ProjectAccess, requireDeleteAtEveryFolder, requireMember, requirePermission } from "../auth/access";
import { mayHoldProjectKey, mayReadProjectKey, membershipIdOf, membershipRoleRows } from "../auth/membership-roles";
import type { Actor, ServerState } from "../context";
import { base64, displayName, slug, uuid } from "../fields";
import { badRequest, HttpError, notFound, permissionDenied, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { type EnvironmentRow, nowIso, type ProjectRow, projectJson, projectWithEnvironmentsJson } from "../rows";
import { slugify } from "./auth";
import { requireOrgMember } from "./organizations";

const DEFAULT_ENVIRONMENTS = [
  { name: "Development", slug: "dev" },
  { name: "Staging", slug: "staging" },
  { name: "Production", slug: "prod" },
];

/** Inserts an environment and its root folder. */
export function insertEnvironment(
  state: ServerState,
  projectId: string,
  name: string,
  envSlug: string,
  position: number,
) {
  const now = nowIso();
  const id = randomUUID();
  state.store.run(
    "INSERT INTO environments (id, project_id, name, slug, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    id,
    projectId,
    name,
    envSlug,
    position,
    now,
    now,
  );
  state.store.run(
    "INSERT INTO folders (id, env_id, parent_id, name, created_at, updated_at) VALUES (?, ?, NULL, 'root', ?, ?)",
    randomUUID(),
    id,
    now,
    now,
  );
  return id;
}

export function isProjectMember(state: ServerState, projectId: string, userId: string): boolean {
  return (
    state.store.get(
      "SELECT 1 AS ok FROM project_memberships WHERE project_id = ? AND user_id = ?",
      projectId,
      userId,
    ) !== undefined
  );
}

/** Stores (or replaces) the receiver's copy of the project key, wrapped by the sender. */
export function storeProjectKeyCopy(
  state: ServerState,
  projectId: string,
  copy: { receiverId: string; senderId: string; encryptedKey: string; nonce: string },
  now: string,
): void {
  state.store.run(
    `INSERT INTO project_keys (id, project_id, receiver_id, sender_id, encrypted_key, nonce, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_id, receiver_id) DO UPDATE SET sender_id = excluded.sender_id,
       encrypted_key = excluded.encrypted_key, nonce = excluded.nonce, updated_at = excluded.updated_at`,
    randomUUID(),
    projectId,
    copy.receiverId,
    copy.senderId,
    copy.encryptedKey,
    copy.nonce,
    now,
    now,
  );
}

function defaultSlug(name: string): string {
  const base = slugify(name).slice(0, 31).replace(/-+$/, "") || "project";
  return `${base}-${randomBytes(2).toString("hex")}`;
}

function projectsOfUser(state: ServerState, actor: Actor): ProjectRow[] {
  if (actor.kind !== "user") return [];
  return state.store.all<ProjectRow>(
    `SELECT p.* FROM projects p JOIN project_memberships m ON m.project_id = p.id
     WHERE m.user_id = ? AND p.org_id = ? ORDER BY p.created_at`,
    actor.userId,
    actor.orgId ?? "",
  );
}

/** `GET|DELETE /api/v2/workspace/:slug` accept a slug, and (our addition) a project id. */
function projectIdFromSlugOrId(state: ServerState, actor: Actor, slugOrId: string): string {
  const orgId = actor.kind === "user" ? (actor.orgId ?? "") : "";
  const row = state.store.get<{ id: string }>(
    "SELECT id FROM projects WHERE org_id = ? AND (slug = ? OR id = ?)",
    orgId,
    slugOrId,
    slugOrId,
  );
  if (!row) throw unauthorized("User not in project");
  return row.id;
}

/** Everything goes with the project: the caller must be allowed to delete every secret in it. */
function deleteProject(state: ServerState, access: ProjectAccess): void {
  const { project } = access;
  state.store.transaction(() => {
    for (const env of state.store.all<EnvironmentRow>("SELECT * FROM environments WHERE project_id = ?", project.id))
      requireDeleteAtEveryFolder(state, access.rules, env);
    state.store.run("DELETE FROM projects WHERE id = ?", project.id);
  });
  state.blindIndex.forgetProject(project.id);
}

const workspaceIdParams = z.object({ workspaceId: z.string().trim().min(1).max(100) });

export const projectRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v2/workspace",
    auth: ["user"],
    body: z.object({
      projectName: displayName(64),
      slug: slug(5, 36).optional(),
      organizationId: uuid().optional(),
    }),
    handler: ({ state, actor, body }) => {
      if (actor.kind !== "user" || !actor.orgId) throw unauthorized("Token missing");
      if (body.organizationId && body.organizationId !== actor.orgId)
        throw unauthorized("User not part of the organization");
      requireOrgMember(state, actor, actor.orgId);
      const projectSlug = body.slug ?? defaultSlug(body.projectName);
      const salt = state.blindIndex.newSealedSalt();
      const projectId = randomUUID();
      const userId = actor.userId;
      const orgId = actor.orgId;
      state.store.transaction(() => {
        if (state.store.get("SELECT 1 AS ok FROM projects WHERE slug = ?", projectSlug)) {
          throw badRequest("A project with this slug already exists");
        }
        const now = nowIso();
        state.store.run(
          `INSERT INTO projects (id, org_id, name, slug, auto_capitalization, blind_salt_ciphertext, blind_salt_iv,
             blind_salt_tag, blind_index_scheme, created_at, updated_at)
           VALUES (?, ?, ?, ?, 1, ?, ?, ?, 'hmac-sha256', ?, ?)`,
          projectId,
          orgId,
          body.projectName,
          projectSlug,
          salt.ciphertext,
          salt.iv,
          salt.tag,
          now,
          now,
        );
        for (const [i, env] of DEFAULT_ENVIRONMENTS.entries())
          insertEnvironment(state, projectId, env.name, env.slug, i + 1);
        const membershipId = randomUUID();
        state.store.run(
          "INSERT INTO project_memberships (id, project_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
          membershipId,
          projectId,
          userId,
          now,
          now,
        );
        state.store.run(
          "INSERT INTO project_membership_roles (id, membership_id, role, created_at, updated_at) VALUES (?, ?, 'admin', ?, ?)",
          randomUUID(),
          membershipId,
          now,
          now,
        );
      });
      const project = state.store.get<ProjectRow>("SELECT * FROM projects WHERE id = ?", projectId)!;
      return { project: projectWithEnvironmentsJson(state.store, project) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace",
    auth: ["user"],
    handler: ({ state, actor }) => ({
      workspaces: projectsOfUser(state, actor).map((p) => projectWithEnvironmentsJson(state.store, p)),
    }),
  }),

  route({
    method: "GET",
    path: "/api/v2/organizations/:organizationId/workspaces",
    auth: ["user"],
    params: z.object({ organizationId: uuid() }),
    handler: ({ state, actor, params }) => {
      requireOrgMember(state, actor, params.organizationId);
      return { workspaces: projectsOfUser(state, actor).map((p) => projectWithEnvironmentsJson(state.store, p)) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId",
    auth: ["user"],
    params: workspaceIdParams,
    handler: ({ state, actor, params }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "project");
      return { workspace: projectWithEnvironmentsJson(state.store, project) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v2/workspace/:slug",
    auth: ["user"],
    params: z.object({ slug: z.string().trim().min(1).max(100) }),
    handler: ({ state, actor, params }) => {
      const id = projectIdFromSlugOrId(state, actor, params.slug);
      const { project } = requirePermission(state, actor, id, "read", "project");
      return projectWithEnvironmentsJson(state.store, project);
    },
  }),

  route({
    method: "PATCH",
    path: "/api/v1/workspace/:workspaceId",
    auth: ["user"],
    params: workspaceIdParams,
    body: z.object({ name: displayName(64).optional(), autoCapitalization: z.boolean().optional() }),
    handler: ({ state, actor, params, body }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "edit", "project");
      state.store.transaction(() =>
        state.store.run(
          "UPDATE projects SET name = ?, auto_capitalization = ?, updated_at = ? WHERE id = ?",
          body.name ?? project.name,
          body.autoCapitalization === undefined ? project.auto_capitalization : body.autoCapitalization ? 1 : 0,
          nowIso(),
          project.id,
        ),
      );
      return {
        workspace: projectJson(state.store.get<ProjectRow>("SELECT * FROM projects WHERE id = ?", project.id)!),
      };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v1/workspace/:workspaceId",
    auth: ["user"],
    params: workspaceIdParams,
    handler: ({ state, actor, params }) => {
      const access = requirePermission(state, actor, params.workspaceId, "delete", "project");
      const { project } = access;
      deleteProject(state, access);
      return { workspace: projectJson(project) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v2/workspace/:slug",
    auth: ["user"],
    params: z.object({ slug: z.string().trim().min(1).max(100) }),
    handler: ({ state, actor, params }) => {
      const id = projectIdFromSlugOrId(state, actor, params.slug);
      const access = requirePermission(state, actor, id, "delete", "project");
      const { project } = access;
      deleteProject(state, access);
      return projectJson(project);
    },
  }),

  route({
    method: "POST",
    path: "/api/v1/workspace/:workspaceId/key",
    auth: ["user"],
    params: workspaceIdParams,
    body: z.object({ key: z.object({ encryptedKey: base64(1024).min(1), nonce: base64(64).min(1), userId: uuid() }) }),
    handler: ({ state, actor, params, body }) => {
      const access = requireMember(state, actor, params.workspaceId);
      const callerId = actor.kind === "user" ? actor.userId : "";
      const receiverId = body.key.userId;
      if (!isProjectMember(state, access.project.id, receiverId)) {
        throw badRequest("Failed to find project membership of the receiver");
      }
      if (receiverId !== callerId && !access.roles.includes("admin")) throw permissionDenied("edit", "member");
      const receiverRoles = membershipRoleRows(state, membershipIdOf(state, access.project.id, receiverId)!);
      if (!mayHoldProjectKey(receiverRoles, Date.now())) {
        throw badRequest("The receiver has the no-access role only: no copy of the project key is stored for them");
      }
      state.store.transaction(() =>
        storeProjectKeyCopy(
          state,
          access.project.id,
          { receiverId, senderId: callerId, encryptedKey: body.key.encryptedKey, nonce: body.key.nonce },
          nowIso(),
        ),
      );
      return { message: "Successfully uploaded key to workspace" };
    },
  }),

  route({
    method: "GET",
    path: "/api/v2/workspace/:workspaceId/encrypted-key",
    auth: ["user"],
    params: workspaceIdParams,
    handler: ({ state, actor, params, request }) => {
      const access = requireMember(state, actor, params.workspaceId);
      // A deliberate difference: the real server hands no-access members the key (routes-more.md §4).
      if (!mayReadProjectKey(membershipRoleRows(state, access.membershipId), Date.now())) {
        throw new HttpError(
          401,
          "PermissionDenied",
          "A member with the no-access role gets no copy of the project key",
        );
      }
      const userId = actor.kind === "user" ? actor.userId : "";
      const key = state.store.get<{
        id: string;
        encrypted_key: string;
        nonce: string;
        receiver_id: string;
        sender_id: string;
        project_id: string;
        created_at: string;
        updated_at: string;
        sender_public_key: string;
      }>(
        `SELECT k.*, u.public_key AS sender_public_key FROM project_keys k JOIN users u ON u.id = k.sender_id
         WHERE k.project_id = ? AND k.receiver_id = ?`,
        access.project.id,
        userId,
      );
      if (!key) throw notFound("No project key has been uploaded for this user");
      state.store.transaction(() =>
        recordAudit(
          state,
          actor,
          request,
          { orgId: access.project.org_id, projectId: access.project.id },
          "get-workspace-key",
          {
            keyId: key.id,
          },
        ),
      );
      return {
        id: key.id,
        encryptedKey: key.encrypted_key,
        nonce: key.nonce,
        receiverId: key.receiver_id,
        senderId: key.sender_id,
        projectId: key.project_id,
        createdAt: key.created_at,
        updatedAt: key.updated_at,
        sender: { publicKey: key.sender_public_key },
      };
    },
  }),
];
