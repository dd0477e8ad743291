/**
 * User login: SRP (login1/login2), Argon2id recovery of the private key, organization selection.
 * Done once per process per (host, email, password, organization) and shared by the open sessions
 * with those credentials: the real server invalidates older tokens of the same (IP, User-Agent) on
 * every select-organization, so logging in again per resource would break concurrent callers.
 * The shared login (it holds the private key) lives only while a session holding it is open.
 */
import { createHash } from "node:crypto";
import type { Api } from "../api";
import { publicKeyFromPrivateKey, recoverPrivateKey, SrpClient } from "../crypto";
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

interface CachedLogin {
  pending: Promise<UserLogin>;
  /** The open sessions using it; the entry goes when the last one is released. */
  holders: Set<object>;
}

const cache = new Map<string, CachedLogin>();

function cacheKey(host: string, credentials: LoginCredentials): string {
  // Hash so the password is not kept as a map key in clear beside the cached login.
  return createHash("sha256")
    .update(JSON.stringify([host, credentials.email, credentials.password, credentials.organizationId ?? ""]))
    .digest("hex");
}

/**
 * The cached login for these credentials, logging in when there is none yet (concurrent callers
 * share one). `holder` (the session) keeps it alive until `releaseLogins(holder)`.
 */
export function loginOnce(api: Api, credentials: LoginCredentials, holder: object): Promise<UserLogin> {
  const key = cacheKey(api.host, credentials);
  let entry = cache.get(key);
  if (!entry) {
    const pending = login(api, credentials);
    const created: CachedLogin = { pending, holders: new Set() };
    entry = created;
    cache.set(key, created);
    pending.catch(() => {
      if (cache.get(key) === created) cache.delete(key);
    });
  }
  entry.holders.add(holder);
  return entry.pending;
}

/** A closed session lets go of its logins; a login no open session holds is dropped with its key. */
export function releaseLogins(holder: object): void {
  for (const [key, entry] of cache) {
    entry.holders.delete(holder);
    if (entry.holders.size === 0) cache.delete(key);
  }
}

/** How many logins (private keys) the process holds now: for tests of the lifetime rule. */
export function cachedLoginCount(): number {
  return cache.size;
}

/**
 * Forget a login whose token the server no longer accepts (stale or expired), unless already
 * replaced. Awaited before the next loginOnce, so that one logs in afresh.
 */
export async function forgetLogin(api: Api, credentials: LoginCredentials, token: string): Promise<void> {
  const key = cacheKey(api.host, credentials);
  const entry = cache.get(key);
  if (!entry) return;
  const login = await entry.pending.catch(() => undefined);
  if (login?.token === token && cache.get(key) === entry) cache.delete(key);
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
  // Our own public key comes from the private key, never from the answer: it is what project keys
  // are wrapped for and what `infisical-e2ee fingerprint` prints (the answer may omit or fake it).
  const publicKey = publicKeyFromPrivateKey(privateKey);
  return { token, privateKey, user: { userId, email, organizationId, publicKey } };
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
