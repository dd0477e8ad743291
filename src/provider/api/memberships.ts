import type { Send } from "./send";
import type { RoleAssignment, WireMembershipRole, WireProjectMembership } from "./wire";

export interface MemberKeyCopy {
  orgMembershipId: string;
  workspaceEncryptedKey: string;
  workspaceEncryptedNonce: string;
}

export function membershipsApi(send: Send) {
  return {
    list: (workspaceId: string) =>
      send<{ memberships: WireProjectMembership[] }>({
        operation: "list project members",
        method: "GET",
        route: "/api/v1/workspace/{workspaceId}/memberships",
        params: { workspaceId },
      }),
    add: (workspaceId: string, members: MemberKeyCopy[]) =>
      send<{ success: boolean }>({
        operation: "add project members",
        method: "POST",
        route: "/api/v1/workspace/{workspaceId}/memberships",
        params: { workspaceId },
        body: { members },
      }),
    /** Replaces all of the membership's roles; at least one must be long-lived (the server's rule). */
    setRoles: (workspaceId: string, membershipId: string, roles: RoleAssignment[]) =>
      send<{ roles: WireMembershipRole[] }>({
        operation: "change project member role",
        method: "PATCH",
        route: "/api/v1/workspace/{workspaceId}/memberships/{membershipId}",
        params: { workspaceId, membershipId },
        body: { roles },
        idempotent: true,
      }),
    remove: (workspaceId: string, membershipId: string) =>
      send<{ membership: { id: string } }>({
        operation: "remove project member",
        method: "DELETE",
        route: "/api/v1/workspace/{workspaceId}/memberships/{membershipId}",
        params: { workspaceId, membershipId },
      }),
  };
}
