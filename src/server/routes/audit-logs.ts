/** `GET /api/v1/workspace/:workspaceId/audit-logs`: newest first, with the real server's filters. */
import { z } from "zod";
import { requirePermission } from "../auth/access";
import { dateTime, MAX_OFFSET } from "../fields";
import { type AnyRoute, route } from "../route";
import type { Param } from "../store/database";

interface AuditRow {
  id: string;
  org_id: string | null;
  project_id: string | null;
  actor_type: string;
  actor_id: string;
  actor_metadata: string;
  event_type: string;
  event_metadata: string;
  ip_address: string | null;
  user_agent: string | null;
  user_agent_type: string | null;
  created_at: string;
}

export const auditLogRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/workspace/:workspaceId/audit-logs",
    auth: ["user"],
    params: z.object({ workspaceId: z.string().trim().min(1).max(100) }),
    query: z.object({
      eventType: z
        .string()
        .trim()
        .max(64)
        .regex(/^[a-z0-9-]+$/)
        .optional(),
      userAgentType: z
        .enum(["web", "cli", "k8-operator", "terraform", "other", "InfisicalPythonSDK", "InfisicalNodeSDK"])
        .optional(),
      startDate: dateTime().optional(),
      endDate: dateTime().optional(),
      offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(20),
      actor: z.string().trim().max(200).optional(),
    }),
    handler: ({ state, actor, params, query }) => {
      const { project } = requirePermission(state, actor, params.workspaceId, "read", "audit-logs");
      const where = ["project_id = ?"];
      const args: Param[] = [project.id];
      if (query.eventType) {
        where.push("event_type = ?");
        args.push(query.eventType);
      }
      if (query.userAgentType) {
        where.push("user_agent_type = ?");
        args.push(query.userAgentType);
      }
      if (query.startDate) {
        where.push("created_at >= ?");
        args.push(query.startDate);
      }
      if (query.endDate) {
        where.push("created_at <= ?");
        args.push(query.endDate);
      }
      if (query.actor) {
        // Era M's "user-<id>" / "service-<id>" forms, or a bare id.
        const match = /^(user|service)-(.+)$/.exec(query.actor);
        if (match) {
          where.push("actor_type = ? AND actor_id = ?");
          args.push(match[1]!, match[2]!);
        } else {
          where.push("actor_id = ?");
          args.push(query.actor);
        }
      }
      args.push(query.limit, query.offset);
      const rows = state.store.all<AuditRow>(
        `SELECT * FROM audit_logs WHERE ${where.join(" AND ")} ORDER BY rowid DESC LIMIT ? OFFSET ?`,
        ...args,
      );
      return {
        auditLogs: rows.map((row) => ({
          id: row.id,
          ipAddress: row.ip_address,
          userAgent: row.user_agent,
          userAgentType: row.user_agent_type,
          expiresAt: null,
          orgId: row.org_id,
          projectId: row.project_id,
          createdAt: row.created_at,
          updatedAt: row.created_at,
          event: { type: row.event_type, metadata: JSON.parse(row.event_metadata) as unknown },
          actor: { type: row.actor_type, metadata: JSON.parse(row.actor_metadata) as unknown },
        })),
      };
    },
  }),
];
