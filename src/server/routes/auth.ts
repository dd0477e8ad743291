/**
 * Status, first-admin signup, SRP login and organization selection. Signup and login are SRP
 * only: a `password` field sent by clients written for the real server is not in any schema,
 * so zod strips it before a handler runs; it is never stored, hashed or logged.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { isAcceptedOrgMember } from "../auth/authenticate";
import { ACCESS_TOKEN_SECONDS, signToken } from "../auth/tokens";
import type { ServerState } from "../context";
import { accountKeyMaterial, email, hex, uuid } from "../fields";
import { badRequest, HttpError, unauthorized } from "../http/errors";
import { type AnyRoute, route } from "../route";
import { nowIso, type OrgRow, orgJson, type UserRow, userJson } from "../rows";

const INITIAL_ORGANIZATION_NAME = "Admin Org";

export function isInitialized(state: ServerState): boolean {
  return state.store.get("SELECT value FROM server_config WHERE key = 'initialized'") !== undefined;
}

export function instanceId(state: ServerState): string {
  const row = state.store.get<{ value: string }>("SELECT value FROM server_config WHERE key = 'instanceId'");
  if (row) return row.value;
  const id = randomUUID();
  state.store.run("INSERT INTO server_config (key, value) VALUES ('instanceId', ?)", id);
  return id;
}

export type AccountKeyMaterial = z.infer<z.ZodObject<typeof accountKeyMaterial>>;

/** Writes a user's client-made key material (ciphertexts, public key, SRP salt and verifier). */
export function storeKeyMaterial(state: ServerState, userId: string, body: AccountKeyMaterial): void {
  state.store.run(
    `UPDATE users SET first_name = ?, last_name = ?, is_accepted = 1, public_key = ?, encrypted_private_key = ?,
       encrypted_private_key_iv = ?, encrypted_private_key_tag = ?, protected_key = ?, protected_key_iv = ?,
       protected_key_tag = ?, srp_salt = ?, srp_verifier = ?, updated_at = ? WHERE id = ?`,
    body.firstName,
    body.lastName ?? null,
    body.publicKey,
    body.encryptedPrivateKey,
    body.encryptedPrivateKeyIV,
    body.encryptedPrivateKeyTag,
    body.protectedKey,
    body.protectedKeyIV,
    body.protectedKeyTag,
    body.salt.toLowerCase(),
    body.verifier.toLowerCase(),
    nowIso(),
    userId,
  );
}

export function accessToken(state: ServerState, userId: string, organizationId?: string): string {
  return signToken(
    { authTokenType: "accessToken", userId, organizationId },
    state.keys.tokenSigningKey,
    ACCESS_TOKEN_SECONDS,
  );
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export const authRoutes: AnyRoute[] = [
  route({
    method: "GET",
    path: "/api/status",
    auth: ["none"],
    handler: () => ({
      date: nowIso(),
      message: "Ok",
      emailConfigured: false,
      inviteOnlySignup: false,
      redisConfigured: false,
      secretScanningConfigured: false,
    }),
  }),

  route({
    method: "GET",
    path: "/api/v1/admin/config",
    auth: ["none"],
    handler: ({ state }) => ({
      config: {
        id: "00000000-0000-0000-0000-000000000000",
        initialized: isInitialized(state),
        allowSignUp: true,
        allowedSignUpDomain: null,
        instanceId: instanceId(state),
        trustSamlEmails: false,
        trustLdapEmails: false,
        trustOidcEmails: false,
        defaultAuthOrgId: null,
        enabledLoginMethods: null,
        isMigrationModeOn: false,
        defaultAuthOrgSlug: null,
        isSecretScanningDisabled: false,
      },
    }),
  }),

  route({
    method: "POST",
    path: "/api/v1/admin/signup",
    auth: ["none"],
    rateLimit: "write",
    body: z.object(accountKeyMaterial),
    handler: ({ state, body }) =>
      state.store.transaction(() => {
        if (isInitialized(state)) throw new HttpError(403, "Admin sign up", "Admin has been created");
        const now = nowIso();
        const userId = randomUUID();
        state.store.run(
          "INSERT INTO users (id, email, super_admin, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
          userId,
          body.email,
          now,
          now,
        );
        storeKeyMaterial(state, userId, body);
        const org: OrgRow = {
          id: randomUUID(),
          name: INITIAL_ORGANIZATION_NAME,
          slug: `${slugify(INITIAL_ORGANIZATION_NAME)}-${randomUUID().slice(0, 4)}`,
          created_at: now,
          updated_at: now,
        };
        state.store.run(
          "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
          org.id,
          org.name,
          org.slug,
          now,
          now,
        );
        state.store.run(
          `INSERT INTO org_memberships (id, org_id, user_id, role, status, created_at, updated_at)
           VALUES (?, ?, ?, 'admin', 'accepted', ?, ?)`,
          randomUUID(),
          org.id,
          userId,
          now,
          now,
        );
        state.store.run("INSERT INTO server_config (key, value) VALUES ('initialized', 'true')");
        const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", userId)!;
        return {
          message: "Successfully set up admin account",
          user: userJson(user),
          organization: orgJson(org),
          token: accessToken(state, userId, org.id),
          new: "123",
        };
      }),
  }),

  route({
    method: "POST",
    path: "/api/v3/auth/login1",
    auth: ["none"],
    rateLimit: "auth",
    body: z.object({
      email: email(),
      providerAuthToken: z.string().max(4096).optional(),
      clientPublicKey: hex(1100),
    }),
    handler: async ({ state, body, request }) => {
      const { throttle, pending, srp } = state.logins;
      throttle.assertAllowed(body.email, request.ip);
      const user = state.store.get<UserRow>(
        "SELECT * FROM users WHERE email = ? AND srp_verifier IS NOT NULL",
        body.email,
      );
      if (!user?.srp_verifier || !user.srp_salt) {
        throttle.failed(undefined, request.ip);
        throw badRequest("Failed to find user");
      }
      const slot = pending.begin(body.email, user.id);
      let challenge: Awaited<ReturnType<typeof srp.challenge>>;
      try {
        challenge = await srp.challenge(user.srp_verifier, body.clientPublicKey);
      } catch (error) {
        slot.cancel();
        throw error;
      }
      if (!challenge) {
        slot.cancel();
        throw badRequest("Invalid client public key");
      }
      slot.ready(challenge.expectedClientProof, challenge.serverProof);
      return { serverPublicKey: challenge.serverPublicKey, salt: user.srp_salt };
    },
  }),

  route({
    method: "POST",
    path: "/api/v3/auth/login2",
    auth: ["none"],
    rateLimit: "auth",
    body: z.object({
      email: email(),
      providerAuthToken: z.string().max(4096).optional(),
      clientProof: hex(128),
      captchaToken: z.string().max(4096).optional(),
    }),
    handler: ({ state, body, request }) => {
      if (!request.userAgent) throw badRequest("user agent header is required");
      const { throttle, pending } = state.logins;
      throttle.assertAllowed(body.email, request.ip);
      const failed = badRequest("Failed to authenticate. Try again?");
      const attempt = pending.take(body.email, body.clientProof);
      // As the real server: a login2 with no login1 in progress fails but is not a guess.
      if (attempt.kind === "none") throw failed;
      if (attempt.kind === "mismatch") {
        throttle.failed(body.email, request.ip);
        throw failed;
      }
      const user = state.store.get<UserRow>("SELECT * FROM users WHERE id = ?", attempt.userId);
      if (!user?.srp_verifier) throw failed;
      throttle.succeeded(body.email);
      return {
        mfaEnabled: false,
        encryptionVersion: 2,
        protectedKey: user.protected_key,
        protectedKeyIV: user.protected_key_iv,
        protectedKeyTag: user.protected_key_tag,
        publicKey: user.public_key,
        encryptedPrivateKey: user.encrypted_private_key,
        iv: user.encrypted_private_key_iv,
        tag: user.encrypted_private_key_tag,
        token: accessToken(state, user.id),
      };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/organization",
    auth: ["userAnyOrg"],
    handler: ({ state, actor }) => {
      const userId = actor.kind === "user" ? actor.userId : "";
      const orgs = state.store.all<OrgRow>(
        `SELECT o.* FROM organizations o JOIN org_memberships m ON m.org_id = o.id
         WHERE m.user_id = ? AND m.status = 'accepted' ORDER BY o.created_at`,
        userId,
      );
      return { organizations: orgs.map(orgJson) };
    },
  }),

  route({
    method: "POST",
    path: "/api/v3/auth/select-organization",
    auth: ["userAnyOrg"],
    rateLimit: "auth",
    body: z.object({ organizationId: uuid() }),
    handler: ({ state, actor, body }) => {
      const userId = actor.kind === "user" ? actor.userId : "";
      if (!isAcceptedOrgMember(state, body.organizationId, userId)) {
        throw unauthorized("User does not have access to the organization");
      }
      return { token: accessToken(state, userId, body.organizationId) };
    },
  }),
];
