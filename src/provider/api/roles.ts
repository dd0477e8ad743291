/** Project roles (routes-more.md §4). These routes name the project by its **slug**, not its id. */
import type { PermissionConditions, UnpackedRule } from "./permissions";
import type { Send } from "./send";

/** A rule as role answers carry it: arrays for custom roles, plain strings for built-ins. */
export interface WireRoleRule {
  action: string | string[];
  subject: string | string[];
  conditions?: PermissionConditions | null;
}

export interface WireRole {
  id: string;
  name: string;
  description?: string | null;
  slug: string;
  permissions?: WireRoleRule[];
  projectId?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RoleBody {
  slug: string;
  name: string;
  description?: string;
  permissions: UnpackedRule[];
}

export function rolesApi(send: Send) {
  return {
    list: (projectSlug: string) =>
      send<{ roles: WireRole[] }>({
        operation: "list project roles",
        method: "GET",
        route: "/api/v1/workspace/{projectSlug}/roles",
        params: { projectSlug },
      }),
    getBySlug: (projectSlug: string, slug: string) =>
      send<{ role: WireRole }>({
        operation: "get project role",
        method: "GET",
        route: "/api/v1/workspace/{projectSlug}/roles/slug/{slug}",
        params: { projectSlug, slug },
      }),
    create: (projectSlug: string, body: RoleBody) =>
      send<{ role: WireRole }>({
        operation: "create project role",
        method: "POST",
        route: "/api/v1/workspace/{projectSlug}/roles",
        params: { projectSlug },
        body,
      }),
    /** `permissions` is required by the server on every update. */
    update: (projectSlug: string, roleId: string, body: Partial<RoleBody> & Pick<RoleBody, "permissions">) =>
      send<{ role: WireRole }>({
        operation: "update project role",
        method: "PATCH",
        route: "/api/v1/workspace/{projectSlug}/roles/{roleId}",
        params: { projectSlug, roleId },
        body,
        idempotent: true,
      }),
    delete: (projectSlug: string, roleId: string) =>
      send<{ role: WireRole }>({
        operation: "delete project role",
        method: "DELETE",
        route: "/api/v1/workspace/{projectSlug}/roles/{roleId}",
        params: { projectSlug, roleId },
      }),
  };
}
