/** Blind indices for projects from before April 2023 (routes-more.md §5); JWT only, list and names admin only. */
import type { Send } from "./send";
import type { WireSecret } from "./wire";

/** A row of the admin-only project listing: every environment and folder, no path. */
export interface WireProjectSecret extends WireSecret {
  environment: string;
  folderId: string;
  /** The owner of a personal override; null for a shared secret. */
  userId?: string | null;
}

export interface SecretNameItem {
  secretId: string;
  secretName: string;
}

export function blindIndexesApi(send: Send) {
  return {
    /** True when no secret of the project lacks a blind index (a bare JSON boolean). */
    status: (projectId: string) =>
      send<boolean>({
        operation: "get blind-index status",
        method: "GET",
        route: "/api/v3/workspaces/{projectId}/secrets/blind-index-status",
        params: { projectId },
      }),
    listAll: (projectId: string) =>
      send<{ secrets: WireProjectSecret[] }>({
        operation: "list all project secrets",
        method: "GET",
        route: "/api/v3/workspaces/{projectId}/secrets",
        params: { projectId },
      }),
    /** All-or-nothing on the real server; setting the same names twice is harmless. */
    submitNames: (projectId: string, secretsToUpdate: SecretNameItem[]) =>
      send<{ message?: string }>({
        operation: "submit secret names",
        method: "POST",
        route: "/api/v3/workspaces/{projectId}/secrets/names",
        params: { projectId },
        body: { secretsToUpdate },
        idempotent: true,
      }),
  };
}
