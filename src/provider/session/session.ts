/**
 * What a resource op may do with a connection. The implementation (session/index.ts) logs in once,
 * keeps project keys in memory only, coalesces secret writes into batch calls and serves reads
 * from one list call. Everything here speaks plaintext; encryption happens behind it.
 */
import type { Api } from "../api";

export type AuthMode = "user" | "serviceToken";

/** The logged-in user; never carries the password or the private key. */
export interface SessionUser {
  userId: string;
  email: string;
  organizationId: string;
  publicKey: string;
}

/** Where a secret lives. */
export interface SecretLocation {
  projectId: string;
  environment: string;
  /** Folder path, `/` for the root. */
  path: string;
}

/** A decrypted secret as the resource ops see it. */
export interface PlainSecret {
  secretId: string;
  key: string;
  value: string;
  comment: string;
  version: number;
  type: string;
  /** Sorted tag ids; only answers of the list route carry them (undefined elsewhere). */
  tagIds?: string[];
}

export interface SecretWrite {
  key: string;
  value: string;
  comment: string;
}

export interface SecretUpdate {
  /** Current name on the server. */
  key: string;
  /** New name when renaming. */
  newKey?: string;
  value: string;
  comment: string;
  /** Tag ids: undefined leaves the secret's tags alone, a list (`[]` too) replaces the whole set. */
  tagIds?: string[];
}

/** Coalescing, encrypting access to secrets; concurrent calls on one location share requests. */
export interface SecretStore {
  /** One secret, or undefined when it does not exist (served from a shared list snapshot). */
  get(location: SecretLocation, key: string): Promise<PlainSecret | undefined>;
  /** Every secret of the location, decrypted. */
  list(location: SecretLocation, options?: { fresh?: boolean }): Promise<PlainSecret[]>;
  create(location: SecretLocation, secret: SecretWrite): Promise<PlainSecret>;
  update(location: SecretLocation, update: SecretUpdate): Promise<PlainSecret>;
  /** Resolves false when it was already gone. */
  delete(location: SecretLocation, key: string): Promise<boolean>;
  /** Create each missing folder of `path` (idempotent). */
  ensureFolders(location: SecretLocation): Promise<void>;
}

export interface Session {
  /** Site URL without a trailing slash, e.g. `https://app.infisical.com`. */
  readonly host: string;
  readonly mode: AuthMode;
  /** Typed API areas; authentication is attached (and performed lazily) for every call. */
  readonly api: Api;
  readonly secrets: SecretStore;
  /** The logged-in user (logs in on first use); ConfigError when the session has only a service token. */
  user(): Promise<SessionUser>;
  /** The decrypted project key, unwrapped once per project and kept in memory only. */
  projectKey(projectId: string): Promise<string>;
  /** Remember a project key this process generated (project creation), so it is never fetched back. */
  rememberProjectKey(projectId: string, projectKey: string): void;
  /** Wrap a project key for another user's public key, sent by the logged-in user (NaCl box). */
  wrapProjectKeyFor(projectId: string, receiverPublicKey: string): Promise<{ encryptedKey: string; nonce: string }>;
  /** Release sockets; later calls fail. */
  close(): Promise<void>;
}
