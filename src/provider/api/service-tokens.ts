import type { Send } from "./send";
import type { WireServiceTokenData, WireServiceTokenSelf } from "./wire";

export interface CreateServiceTokenBody {
  name: string;
  workspaceId: string;
  scopes: { environment: string; secretPath: string }[];
  encryptedKey: string;
  iv: string;
  tag: string;
  expiresIn: number | null;
  permissions: ("read" | "write")[];
}

export function serviceTokensApi(send: Send) {
  return {
    create: (body: CreateServiceTokenBody) =>
      send<{ serviceToken: string; serviceTokenData: WireServiceTokenData }>({
        operation: "create service token",
        method: "POST",
        route: "/api/v2/service-token",
        body,
      }),
    /** The calling service token's own data, including its project-key copy. */
    current: () =>
      send<WireServiceTokenSelf>({
        operation: "get service token data",
        method: "GET",
        route: "/api/v2/service-token",
      }),
    list: (workspaceId: string) =>
      send<{ serviceTokenData: WireServiceTokenData[] }>({
        operation: "list service tokens",
        method: "GET",
        route: "/api/v1/workspace/{workspaceId}/service-token-data",
        params: { workspaceId },
      }),
    delete: (serviceTokenId: string) =>
      send<{ serviceTokenData: WireServiceTokenData }>({
        operation: "delete service token",
        method: "DELETE",
        route: "/api/v2/service-token/{serviceTokenId}",
        params: { serviceTokenId },
      }),
  };
}
