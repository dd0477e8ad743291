/**
 * Pulumi config → core connection settings, and one shared session per process.
 * Credentials live only in memory here: they come from stack config (decrypted by the engine)
 * or, through openSession, from the core's environment variables; never from captured values.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../provider/errors";
import type { Logger, ResourceContext } from "../provider/schema/resource";
import { openSession } from "../provider/session";
import type { ConnectionSettings, Session } from "../provider/session/types";

/** Stack config namespace: `pulumi config set infisical-e2ee:host ...`. */
export const CONFIG_NAMESPACE = "infisical-e2ee";

/** Config keys (without namespace) and the connection setting each one fills. */
const STRING_SETTINGS = {
  host: "host",
  token: "serviceToken",
  email: "email",
  password: "password",
  organizationId: "organizationId",
} as const satisfies Record<string, keyof ConnectionSettings>;

/** Reads settings through `get(key)`, where key is the un-namespaced config key. Unset stays unset (env fallback). */
export function settingsFromConfig(get: (key: string) => unknown): ConnectionSettings {
  const settings: ConnectionSettings = {};
  for (const [key, setting] of Object.entries(STRING_SETTINGS)) {
    const value = get(key);
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") {
      throw new ConfigError(
        `${CONFIG_NAMESPACE}:${key}`,
        "expected a string",
        `Run: pulumi config set ${CONFIG_NAMESPACE}:${key} <value>`,
      );
    }
    settings[setting] = value;
  }
  const insecure = get("allowInsecureHttp");
  if (insecure !== undefined && insecure !== null && insecure !== "") {
    if (String(insecure) !== "true" && String(insecure) !== "false") {
      throw new ConfigError(
        `${CONFIG_NAMESPACE}:allowInsecureHttp`,
        "expected true or false",
        `Run: pulumi config set ${CONFIG_NAMESPACE}:allowInsecureHttp true`,
      );
    }
    settings.allowInsecureHttp = String(insecure) === "true";
  }
  const timeout = get("timeoutMs");
  if (timeout !== undefined && timeout !== null && timeout !== "") {
    const ms = Number(timeout);
    if (!Number.isInteger(ms) || ms <= 0) {
      throw new ConfigError(
        `${CONFIG_NAMESPACE}:timeoutMs`,
        "expected a positive whole number of milliseconds",
        `Run: pulumi config set ${CONFIG_NAMESPACE}:timeoutMs 30000`,
      );
    }
    settings.timeoutMs = ms;
  }
  return settings;
}

/** Writes warnings to stderr, which the Pulumi engine records in its logs; values never reach it. */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn(message, fields) {
    process.stderr.write(`infisical-e2ee: ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}\n`);
  },
};

/**
 * Sessions keyed by a digest of their settings (never the settings themselves), so every resource
 * of a process shares one login: SRP and Argon2id are expensive and must run once.
 */
export class SessionPool {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly log: Logger = stderrLogger) {}

  context(settings: ConnectionSettings): ResourceContext {
    const key = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
    let session = this.sessions.get(key);
    if (!session) {
      session = openSession(settings, { log: this.log });
      this.sessions.set(key, session);
    }
    return { session, log: this.log };
  }

  async close(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((session) => session.close()));
  }
}
