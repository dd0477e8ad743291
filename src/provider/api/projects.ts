import type { Send } from "./send";
import type { WireProject, WireProjectKey } from "./wire";

export function projectsApi(send: Send) {
  return {
    create: (projectName: string, slug?: string) =>
      send<{ project: WireProject }>({
        operation: "create project",
        method: "POST",
        route: "/api/v2/workspace",
        body: slug ? { projectName, slug } : { projectName },
      }),
    list: () =>
      send<{ workspaces: WireProject[] }>({ operation: "list projects", method: "GET", route: "/api/v1/workspace" }),
    get: (workspaceId: string) =>
      send<{ workspace?: WireProject }>({
        operation: "get project",
        method: "GET",
        route: "/api/v1/workspace/{workspaceId}",
        params: { workspaceId },
      }),
    getBySlug: (slug: string) =>
      send<{ workspace?: WireProject } & Partial<WireProject>>({
        operation: "get project by slug",
        method: "GET",
        route: "/api/v2/workspace/{slug}",
        params: { slug },
      }),
    rename: (workspaceId: string, name: string) =>
      send<{ workspace: WireProject }>({
        operation: "rename project",
        method: "PATCH",
        route: "/api/v1/workspace/{workspaceId}",
        params: { workspaceId },
        body: { name },
        idempotent: true,
      }),
    delete: (workspaceId: string) =>
      send<{ workspace?: WireProject }>({
        operation: "delete project",
        method: "DELETE",
        route: "/api/v1/workspace/{workspaceId}",
        params: { workspaceId },
      }),
    encryptedKey: (workspaceId: string) =>
      send<WireProjectKey>({
        operation: "get project key copy",
        method: "GET",
        route: "/api/v2/workspace/{workspaceId}/encrypted-key",
        params: { workspaceId },
      }),
    uploadKey: (workspaceId: string, key: { encryptedKey: string; nonce: string; userId: string }) =>
      send<{ message: string }>({
        operation: "upload project key copy",
        method: "POST",
        route: "/api/v1/workspace/{workspaceId}/key",
        params: { workspaceId },
        body: { key },
        idempotent: true,
      }),
  };
}
