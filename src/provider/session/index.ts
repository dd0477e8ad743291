/**
 * Opening a session: resolve settings (explicit, then environment, then defaults), build the one
 * request function, and log in lazily on first use. A user session logs in once per process and
 * re-logs in once when the server calls its token stale; a service-token session unwraps the
 * token's project-key copy with the token's key part.
 */
import { randomBytes } from "node:crypto";
import { packageVersion } from "../../version";
import { type Api, createApi, createRequester, type RetryPolicy } from "../api";
import type { ApiCall } from "../api/send";
import { type Logger, silentLogger } from "../contract";
import {
  decryptAsymmetric,
  decryptSymmetric,
  encryptAsymmetric,
  parseServiceToken,
  publicKeyFromPrivateKey,
  type ServiceTokenParts,
} from "../crypto";
import { CryptoError, PermissionDeniedError, UnauthorizedError } from "../errors";
import { BlindIndexGuard } from "./blind-index-guard";
import { KeyRing } from "./key-ring";
import { vouchForSender } from "./key-sender";
import { forgetLogin, type LoginCredentials, loginOnce, releaseLogins, type UserLogin } from "./login";
import { type CoalescingOptions, CoalescingSecretStore, NO_COALESCING } from "./secret-store";
import type { AuthMode, Session, SessionUser } from "./session";
import { type Env, type ResolvedSettings, resolveSettings, settingError } from "./settings";
import type { ConnectionSettings } from "./types";

export type {
  AuthMode,
  PlainSecret,
  SecretLocation,
  SecretStore,
  SecretUpdate,
  SecretWrite,
  Session,
  SessionUser,
} from "./session";
export { type Env, type ResolvedSettings, resolveSettings } from "./settings";
export type { ConnectionSettings } from "./types";

export interface OpenSessionOptions {
  /** Environment variables to fall back on; defaults to process.env. */
  env?: Env;
  log?: Logger;
  /** Tuning for request coalescing (tests); the `coalescing` setting turns it off. */
  coalescing?: Partial<CoalescingOptions>;
  /** Tuning for retries (tests shorten the delays). */
  retry?: Partial<RetryPolicy>;
}

/** One tag per process: the real server keys sessions by (IP, User-Agent). */
const PROCESS_TAG = randomBytes(4).toString("hex");

export const USER_AGENT = `infisical-e2ee/${packageVersion()} (node ${process.versions.node}; ${PROCESS_TAG})`;

export function openSession(settings: ConnectionSettings, options: OpenSessionOptions = {}): Session {
  const resolved = resolveSettings(settings, options.env ?? process.env);
  return new ConnectedSession(resolved, options);
}

class ConnectedSession implements Session {
  readonly host: string;
  readonly mode: AuthMode;
  readonly api: Api;
  readonly secrets: CoalescingSecretStore;
  readonly #settings: ResolvedSettings;
  readonly #requester: ReturnType<typeof createRequester>;
  readonly #keys: KeyRing;
  readonly #log: Logger;
  #tokenParts?: ServiceTokenParts;

  constructor(settings: ResolvedSettings, options: OpenSessionOptions) {
    this.#settings = settings;
    this.host = settings.host;
    this.#log = options.log ?? silentLogger;
    this.mode = settings.email !== undefined ? "user" : "serviceToken";
    this.#requester = createRequester({
      host: settings.host,
      timeoutMs: settings.timeoutMs,
      userAgent: USER_AGENT,
      log: this.#log,
      retry: options.retry,
    });
    this.api = createApi((call) => this.#send(call), settings.host);
    this.#keys = new KeyRing((projectId) => this.#unwrapProjectKey(projectId));
    this.secrets = new CoalescingSecretStore(
      this.api,
      (projectId) => this.#keys.get(projectId),
      this.#log,
      settings.coalescing ? options.coalescing : NO_COALESCING,
      new BlindIndexGuard(
        this.api,
        { canAskStatus: this.mode === "user", host: settings.host, email: settings.email },
        this.#log,
      ),
    );
  }

  get #credentials(): LoginCredentials {
    const { email, password, organizationId } = this.#settings;
    return { email: email!, password: password!, organizationId };
  }

  #requireCredentials(): void {
    if (this.mode === "user") return;
    if (this.#settings.serviceToken === undefined) {
      throw settingError("email", "no credentials are set", "Set {email} and {password}, or {serviceToken}.");
    }
  }

  /** Parsed on first use (not per request); a malformed token keeps failing at each use, as before. */
  #serviceTokenParts(): ServiceTokenParts {
    this.#tokenParts ??= parseServiceToken(this.#settings.serviceToken!);
    return this.#tokenParts;
  }

  #login(): Promise<UserLogin> {
    this.#requireCredentials();
    if (this.mode !== "user") {
      throw settingError(
        "email",
        "is required for this operation (a service token only reaches secrets)",
        "Set {email} and {password}.",
      );
    }
    return loginOnce(this.api, this.#credentials, this);
  }

  async #send<T>(call: ApiCall): Promise<T> {
    const { auth = "session", ...rest } = call;
    if (auth === "none") return this.#requester<T>(rest);
    if (typeof auth === "object") return this.#requester<T>({ ...rest, token: auth.bearer });
    this.#requireCredentials();
    if (this.mode === "serviceToken") {
      return this.#requester<T>({ ...rest, token: this.#serviceTokenParts().bearer });
    }
    const login = await this.#login();
    try {
      return await this.#requester<T>({ ...rest, token: login.token });
    } catch (error) {
      // A token made stale by another login from this process (or expired): log in again once.
      if (!(error instanceof UnauthorizedError)) throw error;
      this.#log.debug("token rejected; logging in again", { operation: call.operation });
      await forgetLogin(this.api, this.#credentials, login.token);
      const fresh = await this.#login();
      return this.#requester<T>({ ...rest, token: fresh.token });
    }
  }

  async user(): Promise<SessionUser> {
    return (await this.#login()).user;
  }

  projectKey(projectId: string): Promise<string> {
    return this.#keys.get(projectId);
  }

  rememberProjectKey(projectId: string, projectKey: string): void {
    this.#keys.remember(projectId, projectKey);
  }

  async wrapProjectKeyFor(
    projectId: string,
    receiverPublicKey: string,
  ): Promise<{ encryptedKey: string; nonce: string }> {
    const [projectKey, login] = await Promise.all([this.#keys.get(projectId), this.#login()]);
    const sealed = encryptAsymmetric(projectKey, receiverPublicKey, login.privateKey);
    return { encryptedKey: sealed.ciphertext, nonce: sealed.nonce };
  }

  async #unwrapProjectKey(projectId: string): Promise<string> {
    this.#requireCredentials();
    if (this.mode === "serviceToken") {
      const parts = this.#serviceTokenParts();
      const data = await this.api.serviceTokens.current();
      const tokenProject = data.projectId ?? data.workspace;
      if (tokenProject !== projectId) {
        throw new PermissionDeniedError({
          operation: "get project key",
          reason: "the service token belongs to another project",
        });
      }
      if (!data.encryptedKey || !data.iv || !data.tag) {
        throw new CryptoError("unwrap-project-key", "the service token has no project-key copy");
      }
      try {
        return decryptSymmetric({ ciphertext: data.encryptedKey, iv: data.iv, tag: data.tag }, parts.key);
      } catch (cause) {
        // The server accepted the id and secret parts, so the key part is what is wrong.
        throw new CryptoError(
          "unwrap-project-key",
          "the service token's key part (the 4th dot-separated part) does not decrypt the project key; check that the token was copied whole",
          { cause },
        );
      }
    }
    const login = await this.#login();
    const copy = await this.api.projects.encryptedKey(projectId);
    await vouchForSender(
      projectId,
      copy.sender.publicKey,
      {
        ownPublicKey: publicKeyFromPrivateKey(login.privateKey),
        trustedFingerprints: this.#settings.trustedKeyFingerprints,
        allowServerKeyedProjects: this.#settings.allowServerKeyedProjects,
      },
      async () => (await this.api.projects.get(projectId)).workspace?.version,
      this.#log,
    );
    try {
      return decryptAsymmetric(
        { ciphertext: copy.encryptedKey, nonce: copy.nonce },
        copy.sender.publicKey,
        login.privateKey,
      );
    } catch (cause) {
      throw new CryptoError(
        "unwrap-project-key",
        `project ${projectId}: the key copy did not open with this user's key`,
        { cause },
      );
    }
  }

  async close(): Promise<void> {
    this.#keys.clear();
    releaseLogins(this);
    await this.#requester.close();
  }
}
