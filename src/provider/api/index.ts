/** Typed API areas over one request function (retry, timeouts and error mapping composed once in http.ts). */
import { auditLogsApi } from "./audit-logs";
import { authApi } from "./auth";
import { blindIndexesApi } from "./blind-indexes";
import { environmentsApi } from "./environments";
import { foldersApi } from "./folders";
import { membershipsApi } from "./memberships";
import { organizationsApi } from "./organizations";
import { projectsApi } from "./projects";
import { rolesApi } from "./roles";
import { secretImportsApi } from "./secret-imports";
import { secretsApi } from "./secrets";
import type { Send } from "./send";
import { serviceTokensApi } from "./service-tokens";
import { tagsApi } from "./tags";

export function createApi(send: Send, host: string) {
  return {
    host,
    auth: authApi(send),
    organizations: organizationsApi(send),
    projects: projectsApi(send),
    environments: environmentsApi(send),
    memberships: membershipsApi(send),
    serviceTokens: serviceTokensApi(send),
    secrets: secretsApi(send),
    folders: foldersApi(send),
    auditLogs: auditLogsApi(send),
    blindIndexes: blindIndexesApi(send),
    tags: tagsApi(send),
    roles: rolesApi(send),
    secretImports: secretImportsApi(send),
  };
}

export type Api = ReturnType<typeof createApi>;

export { type Call, createRequester, type Requester, type RequesterOptions, type RetryPolicy } from "./http";
export type { RoleBody, WireRole, WireRoleRule } from "./roles";
export type { ApiCall, Auth, Send } from "./send";
export type * from "./wire";
