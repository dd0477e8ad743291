/**
 * Turns the Authorization header into an Actor and checks that the route accepts it. Messages
 * and status codes follow the real server (403 for missing/invalid credentials).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Actor, ServerState, ServiceTokenRow } from "../context";
import { unauthorized } from "../http/errors";
import type { AuthMode } from "../route";
import { requireTokenCreatorStanding } from "./token-creator";
import { verifyToken } from "./tokens";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN_SECRET = /^[0-9a-f]{32}$/;

/**
 * Service-token secrets are 128 random bits, so a single SHA-256 is as strong as bcrypt here
 * (no dictionary to slow down) and keeps every token-authenticated request cheap.
 */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** True when the user has accepted membership of the organization. */
export function isAcceptedOrgMember(state: ServerState, orgId: string, userId: string): boolean {
  return (
    state.store.get(
      "SELECT 1 AS ok FROM org_memberships WHERE org_id = ? AND user_id = ? AND status = 'accepted'",
      orgId,
      userId,
    ) !== undefined
  );
}

export function authenticate(
  state: ServerState,
  authorization: string | undefined,
  modes: AuthMode[],
  template: string,
  now = Date.now(),
): Actor {
  if (authorization === undefined || authorization === "") {
    if (modes.includes("none")) return { kind: "anonymous" };
    throw unauthorized("Token missing");
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) {
    if (modes.includes("none")) return { kind: "anonymous" };
    throw unauthorized("Token missing");
  }
  const credential = match[1]!;
  if (credential.startsWith("st.")) {
    if (!modes.includes("serviceToken")) throw unauthorized(`${template} Unauthorized Access`);
    return { kind: "service", token: verifyServiceToken(state, credential, now) };
  }
  const claims = verifyToken(credential, state.keys.tokenSigningKey, now);
  const user = state.store.get<{ id: string }>("SELECT id FROM users WHERE id = ?", claims.userId);
  if (!user) throw unauthorized("User not found");
  if (claims.authTokenType === "signupToken") {
    if (!modes.includes("signup")) throw unauthorized(`${template} Unauthorized Access`);
    return { kind: "signup", userId: claims.userId, orgId: claims.organizationId ?? null };
  }
  const orgId = claims.organizationId ?? null;
  if (modes.includes("userAnyOrg")) return { kind: "user", userId: claims.userId, orgId };
  if (!modes.includes("user")) throw unauthorized(`${template} Unauthorized Access`);
  if (orgId === null) throw unauthorized(`${template} Unauthorized Access, no organization found in request`);
  if (!isAcceptedOrgMember(state, orgId, claims.userId)) throw unauthorized("User not part of the organization");
  return { kind: "user", userId: claims.userId, orgId };
}

/** `st.<id>.<secret>[.<key>]`: like the real server, only the first three parts are read. */
function verifyServiceToken(state: ServerState, credential: string, now: number): ServiceTokenRow {
  const [, id = "", secret = ""] = credential.split(".", 3);
  const denied = unauthorized("You are not allowed to access this resource");
  if (!UUID.test(id) || !TOKEN_SECRET.test(secret)) throw denied;
  const row = state.store.get<ServiceTokenRow>("SELECT * FROM service_tokens WHERE id = ?", id);
  if (!row) throw denied;
  const expected = Buffer.from(row.secret_hash, "hex");
  const given = Buffer.from(hashTokenSecret(secret), "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw denied;
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now) {
    // The real server deletes an expired token on its first use.
    state.store.run("DELETE FROM service_tokens WHERE id = ?", row.id);
    throw unauthorized("failed to authenticate expired service token");
  }
  requireTokenCreatorStanding(state, row);
  const lastUsed = new Date(now).toISOString();
  state.store.run("UPDATE service_tokens SET last_used = ? WHERE id = ?", lastUsed, row.id);
  return { ...row, last_used: lastUsed };
}
