import type { Send } from "./send";
import type { WireOrgMembership } from "./wire";

export function organizationsApi(send: Send) {
  return {
    /** `bearer` overrides the session's token (login uses it before the session has one). */
    memberships: (organizationId: string, bearer?: string) =>
      send<{ users: WireOrgMembership[] }>({
        operation: "list organization members",
        method: "GET",
        route: "/api/v2/organizations/{organizationId}/memberships",
        params: { organizationId },
        ...(bearer === undefined ? {} : { auth: { bearer } }),
      }),
  };
}
