/**
 * User login: SRP (login1/login2), Argon2id recovery of the private key, organization selection.
 * Done once per process per (host, email, password, organization) and shared: the real server
 * invalidates older tokens of the same (IP, User-Agent) on every select-organization, so logging
 * in again per resource would break concurrent callers.
 */
import { createHash } from "node:crypto";
import type { Api } from "../api";
import { recoverPrivateKey, SrpClient } from "../crypto";
import { CryptoError, UnauthorizedError } from "../errors";
import type { SessionUser } from "./session";
import { settingError } from "./settings";

export interface UserLogin {
  /** Organization-scoped JWT. */
  token: string;
  user: SessionUser;
  /** base64 NaCl private key; memory only. */
  privateKey: string;
}

export interface LoginCredentials {
  email: string;
  password: string;
  organizationId?: string;
}

const cache = new Map<string, Promise<UserLogin>>();

function cacheKey(host: string, credentials: LoginCredentials): string {
  // Hash so the password is not kept as a map key in clear beside the cached login.
  return createHash("sha256")
    .update(JSON.stringify([host, credentials.email, credentials.password, credentials.organizationId ?? ""]))
    .digest("hex");
}

/** The cached login for these credentials, logging in when there is none yet (concurrent callers share one). */
export function loginOnce(api: Api, credentials: LoginCredentials): Promise<UserLogin> {
  const key = cacheKey(api.host, credentials);
  let pending = cache.get(key);
  if (!pending) {
    pending = login(api, credentials);
    cache.set(key, pending);
    pending.catch(() => {
      if (cache.get(key) === pending) cache.delete(key);
    });
  }
  return pending;
}

/**
 * Forget a login whose token the server no longer accepts (stale or expired), unless already
 * replaced. Awaited before the next loginOnce, so that one logs in afresh.
 */
export async function forgetLogin(api: Api, credentials: LoginCredentials, token: string): Promise<void> {
  const key = cacheKey(api.host, credentials);
  const pending = cache.get(key);
  if (!pending) return;
  const login = await pending.catch(() => undefined);
  if (login?.token === token && cache.get(key) === pending) cache.delete(key);
}

async function login(api: Api, credentials: LoginCredentials): Promise<UserLogin> {
  const { email, password } = credentials;
  const srp = new SrpClient(email, password);
  const { serverPublicKey, salt } = await api.auth.login1(email, srp.publicKey);
  const proof = srp.computeProof(salt, serverPublicKey);
  const answer = await api.auth.login2(email, proof);
  if (answer.mfaEnabled) {
    throw settingError(
      "email",
      "the account has multi-factor authentication enabled",
      "Use a service token or an account without MFA for automation.",
    );
  }
  let privateKey: string;
  try {
    privateKey = await recoverPrivateKey({
      password,
      salt,
      encryptionVersion: answer.encryptionVersion === 1 ? 1 : 2,
      protectedKey: answer.protectedKey ?? undefined,
      protectedKeyIV: answer.protectedKeyIV ?? undefined,
      protectedKeyTag: answer.protectedKeyTag ?? undefined,
      encryptedPrivateKey: answer.encryptedPrivateKey,
      encryptedPrivateKeyIV: answer.iv,
      encryptedPrivateKeyTag: answer.tag,
      publicKey: answer.publicKey,
    });
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError("recover-private-key", "could not recover the private key", { cause: error });
  }
  const organizationId = await chooseOrganization(api, answer.token, credentials.organizationId);
  const { token } = await api.auth.selectOrganization(answer.token, organizationId);
  const userId = await findUserId(api, token, organizationId, email);
  return { token, privateKey, user: { userId, email, organizationId, publicKey: answer.publicKey } };
}

async function chooseOrganization(api: Api, loginToken: string, wanted: string | undefined): Promise<string> {
  const { organizations } = await api.auth.organizations(loginToken);
  if (wanted) {
    if (!organizations.some((o) => o.id === wanted)) {
      throw settingError("organizationId", "is not an organization of this user", "Check {organizationId}.");
    }
    return wanted;
  }
  if (organizations.length === 1) return organizations[0]!.id;
  if (organizations.length === 0) {
    throw new UnauthorizedError({ operation: "list organizations", reason: "the user belongs to no organization" });
  }
  throw settingError(
    "organizationId",
    `is required because the user belongs to ${organizations.length} organizations`,
    "Set {organizationId}.",
  );
}

/** login2 does not return the user's ID; the organization member list does. */
async function findUserId(api: Api, token: string, organizationId: string, email: string): Promise<string> {
  const { users } = await api.organizations.memberships(organizationId, token);
  const me = users.find((m) => (m.user.email ?? m.user.username ?? "").toLowerCase() === email.toLowerCase());
  if (!me) {
    throw new UnauthorizedError({
      operation: "find own user",
      reason: "the logged-in user is not in the organization member list",
    });
  }
  return me.userId ?? me.user.id;
}
