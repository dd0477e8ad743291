/**
 * The connection a resource op works through. The concrete class lives in session/ (login once,
 * project-key ring in memory, request coalescing, read snapshots); ops only see this surface.
 */

/** Explicit settings; anything unset falls back to environment variables, then defaults. */
export interface ConnectionSettings {
  /** Site URL, e.g. https://app.infisical.com (env INFISICAL_HOST). */
  host?: string;
  /** 4-part service token `st.<id>.<secret>.<key>` (env INFISICAL_TOKEN): secrets of one project only. */
  serviceToken?: string;
  /** User login (env INFISICAL_EMAIL / INFISICAL_PASSWORD): needed for projects, environments, memberships, tokens. */
  email?: string;
  password?: string;
  /** Permit plain HTTP to a non-loopback host (env INFISICAL_ALLOW_INSECURE_HTTP=1). */
  allowInsecureHttp?: boolean;
  /** Per-request timeout in milliseconds (env INFISICAL_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Organization to act in when the user belongs to several (env INFISICAL_ORGANIZATION_ID). */
  organizationId?: string;
}

// The full Session interface is declared by session/session.ts; this alias keeps the schema kit
// free of the API layer's types.
export type { Session } from "./session";
