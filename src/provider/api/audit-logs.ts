import type { Send } from "./send";
import type { WireAuditLog } from "./wire";

export interface AuditLogQuery {
  eventType?: string;
  actor?: string;
  startDate?: string;
  endDate?: string;
  offset?: number;
  limit?: number;
}

export function auditLogsApi(send: Send) {
  return {
    query: (workspaceId: string, query: AuditLogQuery) =>
      send<{ auditLogs: WireAuditLog[] }>({
        operation: "query audit logs",
        method: "GET",
        route: "/api/v1/workspace/{workspaceId}/audit-logs",
        params: { workspaceId },
        query: { ...query },
      }),
  };
}
