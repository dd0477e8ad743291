import type { Send } from "./send";
import type { Login2Response, SignupKeyMaterial, WireOrganization, WireUser } from "./wire";

export function authApi(send: Send) {
  return {
    status: () =>
      send<{ message: string }>({ operation: "get server status", method: "GET", route: "/api/status", auth: "none" }),
    adminConfig: () =>
      send<{ config: { initialized?: boolean | null; allowSignUp?: boolean | null } }>({
        operation: "get admin config",
        method: "GET",
        route: "/api/v1/admin/config",
        auth: "none",
      }),
    adminSignup: (body: SignupKeyMaterial) =>
      send<{ user: WireUser; organization: WireOrganization; token: string }>({
        operation: "admin signup",
        method: "POST",
        route: "/api/v1/admin/signup",
        body,
        auth: "none",
      }),
    login1: (email: string, clientPublicKey: string) =>
      send<{ serverPublicKey: string; salt: string }>({
        operation: "log in (step 1)",
        method: "POST",
        route: "/api/v3/auth/login1",
        body: { email, clientPublicKey },
        auth: "none",
        idempotent: true,
      }),
    login2: (email: string, clientProof: string) =>
      send<Login2Response>({
        operation: "log in (step 2)",
        method: "POST",
        route: "/api/v3/auth/login2",
        body: { email, clientProof },
        auth: "none",
      }),
    organizations: (bearer: string) =>
      send<{ organizations: WireOrganization[] }>({
        operation: "list organizations",
        method: "GET",
        route: "/api/v1/organization",
        auth: { bearer },
      }),
    selectOrganization: (bearer: string, organizationId: string) =>
      send<{ token: string }>({
        operation: "select organization",
        method: "POST",
        route: "/api/v3/auth/select-organization",
        body: { organizationId },
        auth: { bearer },
      }),
    inviteToOrganization: (inviteeEmail: string, organizationId: string) =>
      send<{ completeInviteLink?: string }>({
        operation: "invite user to organization",
        method: "POST",
        route: "/api/v1/invite-org/signup",
        body: { inviteeEmail, organizationId },
      }),
    verifyInvite: (email: string, organizationId: string, code: string) =>
      send<{ token?: string; user: WireUser }>({
        operation: "verify organization invite",
        method: "POST",
        route: "/api/v1/invite-org/verify",
        body: { email, organizationId, code },
        auth: "none",
      }),
    completeInviteSignup: (signupToken: string, body: SignupKeyMaterial) =>
      send<{ user: WireUser; token?: string }>({
        operation: "complete invited signup",
        method: "POST",
        route: "/api/v3/signup/complete-account/invite",
        body,
        auth: { bearer: signupToken },
      }),
  };
}
