import type { Send } from "./send";
import type { WireEnvironment } from "./wire";

export function environmentsApi(send: Send) {
  return {
    create: (workspaceId: string, body: { name: string; slug: string; position?: number }) =>
      send<{ environment: WireEnvironment }>({
        operation: "create environment",
        method: "POST",
        route: "/api/v1/workspace/{workspaceId}/environments",
        params: { workspaceId },
        body,
      }),
    get: (workspaceId: string, id: string) =>
      send<{ environment: WireEnvironment }>({
        operation: "get environment",
        method: "GET",
        route: "/api/v1/workspace/{workspaceId}/environments/{id}",
        params: { workspaceId, id },
        idempotent: true,
      }),
    update: (workspaceId: string, id: string, body: { name?: string; slug?: string; position?: number }) =>
      send<{ environment: WireEnvironment }>({
        operation: "update environment",
        method: "PATCH",
        route: "/api/v1/workspace/{workspaceId}/environments/{id}",
        params: { workspaceId, id },
        body,
        idempotent: true,
      }),
    delete: (workspaceId: string, id: string) =>
      send<{ environment: WireEnvironment }>({
        operation: "delete environment",
        method: "DELETE",
        route: "/api/v1/workspace/{workspaceId}/environments/{id}",
        params: { workspaceId, id },
      }),
  };
}
