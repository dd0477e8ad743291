/**
 * Pulumi config → core connection settings, and one shared session per process.
 * Credentials live only in memory here: they come from stack config (decrypted by the engine)
 * or, through openSession, from the core's environment variables; never from captured values.
 */
import { createHash } from "node:crypto";
import { type ConfigError, ProviderError, type SettingSpeller } from "../provider/errors";
import { isFieldOnFace } from "../provider/schema/fields";
import type { Logger, ResourceContext } from "../provider/schema/resource";
import { openSession } from "../provider/session";
import { connectionFields, parseSettingText, type SettingName } from "../provider/session/settings";
import type { ConnectionSettings, Session } from "../provider/session/types";

/** Stack config namespace: `pulumi config set infisical-e2ee:host ...`. */
export const CONFIG_NAMESPACE = "infisical-e2ee";

/** Pulumi's established key for a setting whose config key differs from its core name. */
const KEY_RENAMES: Partial<Record<SettingName, string>> = { serviceToken: "token" };

/** The config key (without namespace) of every connection setting the Pulumi face exposes. */
export const CONFIG_KEYS: Readonly<Partial<Record<SettingName, string>>> = Object.fromEntries(
  (Object.keys(connectionFields) as SettingName[])
    .filter((setting) => isFieldOnFace(connectionFields[setting], "pulumi"))
    .map((setting) => [setting, KEY_RENAMES[setting] ?? setting]),
);

/** Namespaced keys of the sensitive settings: the engine stores and passes them as secrets. */
export const SECRET_CONFIG_KEYS: readonly string[] = Object.entries(CONFIG_KEYS)
  .filter(([setting]) => connectionFields[setting as SettingName].sensitive === true)
  .map(([, key]) => `${CONFIG_NAMESPACE}:${key}`);

/** `infisical-e2ee:token (or INFISICAL_TOKEN)`; a setting without a config key is its environment variable. */
export const pulumiSettingSpelling: SettingSpeller = ({ setting, envVar }) => {
  const key = CONFIG_KEYS[setting as SettingName];
  if (key === undefined) return envVar ?? setting;
  return envVar ? `${CONFIG_NAMESPACE}:${key} (or ${envVar})` : `${CONFIG_NAMESPACE}:${key}`;
};

/**
 * Reads settings through `get(key)`, where key is the un-namespaced config key. Unset stays unset
 * (environment fallback). Config values are text: this only converts them to the setting's kind;
 * the core's rules check them when the session opens.
 */
export function settingsFromConfig(get: (key: string) => unknown): ConnectionSettings {
  const settings: Record<string, unknown> = {};
  for (const [setting, key] of Object.entries(CONFIG_KEYS)) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    settings[setting] =
      typeof value === "string" ? withPulumiSpelling(() => parseSettingText(setting as SettingName, value)) : value;
  }
  return settings as ConnectionSettings;
}

/** Runs `body`, rewording a ConfigError it throws with the settings spelled as Pulumi users write them. */
export function withPulumiSpelling<T>(body: () => T): T {
  try {
    const result = body();
    if (result instanceof Promise) return result.catch(respell) as T;
    return result;
  } catch (error) {
    return respell(error);
  }
}

function respell(error: unknown): never {
  // By code, not instanceof: the error may come from another copy of the package.
  if (ProviderError.is(error) && error.code === "ERR_CONFIG" && typeof (error as ConfigError).describe === "function") {
    error.message = (error as ConfigError).describe(pulumiSettingSpelling);
  }
  throw error;
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
      session = withPulumiSpelling(() => openSession(settings, { log: this.log }));
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
