/** The types every route handler sees. */
import type { Logins } from "./auth/logins";
import type { BlindIndexer } from "./blind-index";
import type { Store } from "./store/database";
import type { SecretStore } from "./store/secrets";
import type { ServerKeys } from "./store/server-keys";

export interface ServerState {
  store: Store;
  /** Rows of secrets and their versions (the same database as `store`). */
  secrets: SecretStore;
  keys: ServerKeys;
  blindIndex: BlindIndexer;
  /** SRP attempts in progress (one per login1, not one per email), login brakes, the SRP worker. */
  logins: Logins;
  /** Set once the server listens; used for links the server hands out. */
  publicUrl: string;
}

export interface ServiceTokenRow {
  id: string;
  project_id: string;
  name: string;
  scopes: string;
  permissions: string;
  secret_hash: string;
  encrypted_key: string;
  iv: string;
  tag: string;
  expires_at: string | null;
  last_used: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export type Actor =
  | { kind: "user"; userId: string; orgId: string | null }
  | { kind: "service"; token: ServiceTokenRow }
  | { kind: "signup"; userId: string; orgId: string | null }
  | { kind: "anonymous" };

export interface RequestInfo {
  ip: string;
  userAgent: string | undefined;
  method: string;
  template: string;
}

export interface HandlerContext<P, Q, B> {
  state: ServerState;
  actor: Actor;
  request: RequestInfo;
  params: P;
  query: Q;
  body: B;
  /** Aborts when the client goes away or the server shuts down: stop before writing. */
  signal: AbortSignal;
}
