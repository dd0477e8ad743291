import type { Send } from "./send";
import type { WireOrgMembership } from "./wire";

export function organizationsApi(send: Send) {
  return {
    memberships: (organizationId: string) =>
      send<{ users: WireOrgMembership[] }>({
        operation: "list organization members",
        method: "GET",
        route: "/api/v2/organizations/{organizationId}/memberships",
        params: { organizationId },
      }),
    /** Same list with an explicit token (used during login, before the session has one). */
    membershipsWithToken: (organizationId: string, bearer: string) =>
      send<{ users: WireOrgMembership[] }>({
        operation: "list organization members",
        method: "GET",
        route: "/api/v2/organizations/{organizationId}/memberships",
        params: { organizationId },
        auth: { bearer },
      }),
  };
}
