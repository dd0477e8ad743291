/**
 * Service tokens (v2). The client wraps the project key with the token's own key (the 4th
 * part of `st.<id>.<secret>.<key>`, which the server never sees); the server draws `<secret>`
 * and keeps only its SHA-256 (see hashTokenSecret).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { normalizeScopePath, scopePathProblem } from "../../provider/api/scope-path";
import { recordAudit } from "../audit";
import { type Action, allows, requirePermission } from "../auth/access";
import { hashTokenSecret } from "../auth/authenticate";
import type { ServerState, ServiceTokenRow } from "../context";
import { base64, displayName, slug, uuid } from "../fields";
import { badRequest, notFound, permissionDenied, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso, type UserRow } from "../rows";

/** A folder path or glob, trimmed and without a trailing slash as the real server stores it; the shared rule. */
const scopePath = z
  .string()
  .max(1024)
  .transform(normalizeScopePath)
  .superRefine((pattern, ctx) => {
    const problem = scopePathProblem(pattern);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Scope path ${problem}` });
  });

/** What a token's `write` grants on secrets (as the real server turns scopes into rules). */
const WRITE_ACTIONS: Action[] = ["create", "edit", "delete"];

export function serviceTokenDataJson(token: ServiceTokenRow) {
  return {
    id: token.id,
    name: token.name,
    scopes: JSON.parse(token.scopes) as unknown,
    permissions: JSON.parse(token.permissions) as unknown,
    lastUsed: token.last_used,
    expiresAt: token.expires_at,
    createdBy: token.created_by,
    projectId: token.project_id,
    createdAt: token.created_at,
    updatedAt: token.updated_at,
  };
}

function findToken(state: ServerState, id: string): ServiceTokenRow | undefined {
  return state.store.get<ServiceTokenRow>("SELECT * FROM service_tokens WHERE id = ?", id);
}

export const serviceTokenRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v2/service-token",
    auth: ["user"],
    body: z.object({
      name: displayName(256),
      workspaceId: z.string().trim().min(1).max(100),
      scopes: z
        .array(z.object({ environment: slug(1, 64), secretPath: scopePath }))
        .min(1)
        .max(100),
      encryptedKey: base64(1024).min(1),
      iv: base64(64).min(1),
      tag: base64(64).min(1),
      expiresIn: z
        .number()
        .int()
        .positive()
        .max(10 * 365 * 24 * 3600)
        .nullable(),
      permissions: z
        .array(z.enum(["read", "write"]))
        .min(1)
        .max(2),
    }),
    handler: ({ state, actor, body, request }) => {
      const { project, rules } = requirePermission(state, actor, body.workspaceId, "create", "service-tokens");
      // No scope beyond the creator's own reach: a conditioned role may not mint a wider token.
      const granted: Action[] = body.permissions.flatMap((p) => (p === "read" ? ["read"] : WRITE_ACTIONS));
      for (const scope of body.scopes)
        for (const action of granted)
          if (!allows(rules, action, "secrets", scope)) throw permissionDenied(action, "secrets");
      const createdBy = actor.kind === "user" ? actor.userId : "";
      const secret = randomBytes(16).toString("hex");
      const id = randomUUID();
      const token = state.store.transaction(() => {
        for (const scope of body.scopes) {
          if (
            !state.store.get(
              "SELECT 1 AS ok FROM environments WHERE project_id = ? AND slug = ?",
              project.id,
              scope.environment,
            )
          ) {
            throw badRequest("Environment not found");
          }
        }
        const now = nowIso();
        const expiresAt = body.expiresIn === null ? null : new Date(Date.now() + body.expiresIn * 1000).toISOString();
        state.store.run(
          `INSERT INTO service_tokens (id, project_id, name, scopes, permissions, secret_hash, encrypted_key, iv, tag,
             expires_at, last_used, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
          id,
          project.id,
          body.name,
          JSON.stringify(body.scopes),
          JSON.stringify([...new Set(body.permissions)]),
          hashTokenSecret(secret),
          body.encryptedKey,
          body.iv,
          body.tag,
          expiresAt,
          createdBy,
          now,
          now,
        );
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "create-service-token", {
          name: body.name,
          scopes: body.scopes,
        });
        return findToken(state, id)!;
      });
      return { serviceToken: `st.${id}.${secret}`, serviceTokenData: serviceTokenDataJson(token) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v2/service-token",
    auth: ["serviceToken"],
    handler: ({ state, actor }) => {
      if (actor.kind !== "service") throw unauthorized("Token missing");
      const token = actor.token;
      const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", token.created_by);
      return {
        ...serviceTokenDataJson(token),
        _id: token.id,
        __v: 0,
        workspace: token.project_id,
        secretHash: token.secret_hash,
        encryptedKey: token.encrypted_key,
        iv: token.iv,
        tag: token.tag,
        user: {
          id: token.created_by,
          _id: token.created_by,
          __v: 0,
          email: user?.email ?? null,
          firstName: user?.first_name ?? null,
          lastName: user?.last_name ?? null,
          authMethods: ["email"],
          mfaMethods: null,
          devices: null,
          createdAt: user?.created_at ?? token.created_at,
          updatedAt: user?.updated_at ?? token.updated_at,
        },
      };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/service-token-data",
    auth: ["user"],
    params: z.object({ workspaceId: z.string().trim().min(1).max(100) }),
    handler: ({ state, actor, params }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "service-tokens");
      const tokens = state.store.all<ServiceTokenRow>(
        "SELECT * FROM service_tokens WHERE project_id = ? ORDER BY created_at",
        project.id,
      );
      return { serviceTokenData: tokens.map(serviceTokenDataJson) };
    },
  }),

  route({
    method: "DELETE",
    path: "/api/v2/service-token/:serviceTokenId",
    auth: ["user"],
    params: z.object({ serviceTokenId: uuid() }),
    handler: ({ state, actor, params, request }) => {
      const existing = findToken(state, params.serviceTokenId);
      if (!existing) throw notFound("Service token not found");
      const { project } = requirePermission(state, actor, existing.project_id, "delete", "service-tokens");
      state.store.transaction(() => {
        state.store.run("DELETE FROM service_tokens WHERE id = ?", existing.id);
        recordAudit(state, actor, request, { orgId: project.org_id, projectId: project.id }, "delete-service-token", {
          name: existing.name,
          scopes: JSON.parse(existing.scopes) as unknown,
        });
      });
      return { serviceTokenData: serviceTokenDataJson(existing) };
    },
  }),
];
