/**
 * Audit events for secrets, memberships, environments, folders and service tokens. Event
 * metadata holds ids, versions, environment slugs and paths, never a secret name, value or key
 * (the real server also records the plaintext secret name; we do not: see docs/server.md).
 */
import { randomUUID } from "node:crypto";
import type { Actor, RequestInfo, ServerState } from "./context";
import { nowIso } from "./rows";

export function recordAudit(
  state: ServerState,
  actor: Actor,
  request: RequestInfo,
  target: { orgId: string | null; projectId: string },
  eventType: string,
  metadata: Record<string, unknown>,
): void {
  let actorType = "user";
  let actorId = "";
  let actorMetadata: Record<string, unknown> = {};
  if (actor.kind === "service") {
    actorType = "service";
    actorId = actor.token.id;
    actorMetadata = { serviceId: actor.token.id, name: actor.token.name };
  } else if (actor.kind === "user" || actor.kind === "signup") {
    actorId = actor.userId;
    const user = state.store.get<{ email: string }>("SELECT email FROM users WHERE id = ?", actor.userId);
    actorMetadata = { userId: actor.userId, email: user?.email ?? null };
  }
  state.store.run(
    `INSERT INTO audit_logs (id, org_id, project_id, actor_type, actor_id, actor_metadata, event_type,
       event_metadata, ip_address, user_agent, user_agent_type, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    randomUUID(),
    target.orgId,
    target.projectId,
    actorType,
    actorId,
    JSON.stringify(actorMetadata),
    eventType,
    JSON.stringify(metadata),
    request.ip,
    request.userAgent?.slice(0, 256) ?? null,
    userAgentType(request.userAgent),
    nowIso(),
  );
}

/** The real server's coarse user-agent classes. */
export function userAgentType(userAgent: string | undefined): string {
  if (!userAgent) return "other";
  if (userAgent === "InfisicalNodeSDK") return "InfisicalNodeSDK";
  if (userAgent === "InfisicalPythonSDK") return "InfisicalPythonSDK";
  if (/terraform/i.test(userAgent)) return "terraform";
  if (/^k8-operator/i.test(userAgent)) return "k8-operator";
  if (/^cli/i.test(userAgent) || /infisical-cli/i.test(userAgent)) return "cli";
  if (/mozilla/i.test(userAgent)) return "web";
  return "other";
}
