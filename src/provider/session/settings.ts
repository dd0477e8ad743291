/**
 * Connection settings: explicit values first, then environment variables, then defaults.
 * `connectionFields` is the one declaration of the settings; every face derives its own view
 * (Terraform provider block, Pulumi config keys) from it. Every problem is a ConfigError naming
 * the setting and how to fix it; values are never echoed.
 */
import { fingerprintProblem, normalizeFingerprint } from "../crypto/fingerprint";
import { ConfigError, type FieldFailure } from "../errors";
import { checkFields } from "../schema/check";
import { bool, type FieldMap, type InputsOf, num, str } from "../schema/fields";

export const DEFAULT_HOST = "https://app.infisical.com";
export const DEFAULT_TIMEOUT_MS = 30_000;
const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 600_000;

export type Env = Record<string, string | undefined>;

/** The environment variable behind each setting (docs/configuration.md). */
export const SETTING_ENV_VARS = {
  host: "INFISICAL_HOST",
  serviceToken: "INFISICAL_TOKEN",
  email: "INFISICAL_EMAIL",
  password: "INFISICAL_PASSWORD",
  organizationId: "INFISICAL_ORGANIZATION_ID",
  allowInsecureHttp: "INFISICAL_ALLOW_INSECURE_HTTP",
  timeoutMs: "INFISICAL_TIMEOUT_MS",
  coalescing: "INFISICAL_COALESCING",
  trustedKeyFingerprints: "INFISICAL_TRUSTED_KEY_FINGERPRINTS",
  allowServerKeyedProjects: "INFISICAL_ALLOW_SERVER_KEYED_PROJECTS",
} as const;

/**
 * The connection settings. Every one is optional: unset falls back to its environment variable,
 * then to the default. Defaults are applied by resolveSettings, not declared here, so a face never
 * plans a default the environment would override. Settings limited to `faces` are set through the
 * environment on the other faces.
 */
export const connectionFields = {
  host: str({
    optional: true,
    doc: `Infisical site URL, e.g. ${DEFAULT_HOST}. Falls back to ${SETTING_ENV_VARS.host}.`,
    validate: hostProblem,
  }),
  serviceToken: str({
    optional: true,
    sensitive: true,
    doc: `Service token \`st.<id>.<secret>.<key>\` (secrets of one project only). Falls back to ${SETTING_ENV_VARS.serviceToken}.`,
    validate: (token) =>
      /^st\.[^.]+\.[^.]+\.[^.]+$/.test(token)
        ? undefined
        : "is not a 4-part service token; use the full token st.<id>.<secret>.<key>, whose key part is needed to decrypt",
  }),
  email: str({
    optional: true,
    doc: `User login for projects, environments, memberships and service tokens. Falls back to ${SETTING_ENV_VARS.email}.`,
  }),
  password: str({
    optional: true,
    sensitive: true,
    doc: `Password of that user. Falls back to ${SETTING_ENV_VARS.password}.`,
  }),
  organizationId: str({
    optional: true,
    faces: ["pulumi"],
    doc: `Organization to act in when the user belongs to several. Falls back to ${SETTING_ENV_VARS.organizationId}.`,
  }),
  allowInsecureHttp: bool({
    optional: true,
    faces: ["pulumi"],
    doc: `Permit plain HTTP to a non-loopback host. Falls back to ${SETTING_ENV_VARS.allowInsecureHttp}; off by default.`,
  }),
  timeoutMs: num({
    optional: true,
    faces: ["pulumi"],
    doc: `Per-request timeout in milliseconds, ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}. Falls back to ${SETTING_ENV_VARS.timeoutMs}, then ${DEFAULT_TIMEOUT_MS}.`,
    validate: (ms) =>
      Number.isInteger(ms) && ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS
        ? undefined
        : `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`,
  }),
  coalescing: bool({
    optional: true,
    faces: ["pulumi"],
    doc: `Group secret writes per location into batch requests and serve reads from one list call; on by default. Off sends one request per operation (for comparison, or a server that refuses batch routes). Falls back to ${SETTING_ENV_VARS.coalescing}.`,
  }),
  trustedKeyFingerprints: str({
    optional: true,
    doc: `Public-key fingerprints (comma-separated, as \`infisical-e2ee fingerprint\` prints them) of members whose copies of a project key this user accepts, besides its own: set the fingerprint of whoever added you to a project, after checking it with them. Falls back to ${SETTING_ENV_VARS.trustedKeyFingerprints}.`,
    validate: (text) => {
      const bad = splitFingerprints(text).find((one) => fingerprintProblem(one) !== undefined);
      return bad === undefined ? undefined : fingerprintProblem(bad);
    },
  }),
  allowServerKeyedProjects: bool({
    optional: true,
    doc: `Accept project keys of server-keyed projects (\`version: 2\`, as Infisical creates them since 2024), whose key copies a server-side sender wraps and which the server can read anyway. Falls back to ${SETTING_ENV_VARS.allowServerKeyedProjects}, then true; false refuses them (docs/security.md).`,
  }),
} satisfies FieldMap & Record<keyof typeof SETTING_ENV_VARS, unknown>;

/** The items of a comma-separated fingerprint list (blanks around each item are ignored). */
export function splitFingerprints(text: string): string[] {
  return text
    .split(",")
    .map((one) => one.trim())
    .filter((one) => one !== "");
}

/**
 * Explicit settings; anything unset falls back to environment variables, then defaults. Derived
 * from `connectionFields`, which documents each one and its variable.
 */
export type ConnectionSettings = InputsOf<typeof connectionFields>;

export type SettingName = keyof typeof connectionFields;

function hostProblem(host: string): string | undefined {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return `is not a valid URL; use a site URL like ${DEFAULT_HOST}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use http or https";
  if (url.search || url.hash || url.username || url.password) {
    return "must not carry credentials, a query or a fragment; use the bare site URL";
  }
  return undefined;
}

/**
 * A ConfigError about a connection setting. `{setting}` placeholders in the remedy name other
 * settings; each face spells them (Terraform: `service_token (or INFISICAL_TOKEN)`).
 */
export function settingError(setting: SettingName, problem: string, remedy: string): ConfigError {
  return new ConfigError(setting, problem, remedy, { envVars: SETTING_ENV_VARS });
}

/**
 * Checks settings against `connectionFields` (kind and rules; the schema kit's UNKNOWN is skipped).
 * Empty strings and null count as unset, as they do for environment variables.
 */
export function checkSettings(values: Record<string, unknown>): {
  settings: ConnectionSettings;
  failures: FieldFailure[];
} {
  const present = Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined && value !== null && value !== ""),
  );
  // The schema kit's checker, as for resource inputs: settings follow the same rules.
  const { inputs, failures } = checkFields(connectionFields, present);
  return { settings: inputs as ConnectionSettings, failures };
}

/**
 * Parses a setting written as text (an environment variable, Pulumi config) into its kind.
 * Only the conversion happens here; checkSettings applies the rules. Empty text is unset.
 */
export function parseSettingText(setting: SettingName, text: string): string | number | boolean | undefined {
  if (text === "") return undefined;
  switch (connectionFields[setting].kind) {
    case "boolean":
      if (/^(1|true|yes)$/i.test(text)) return true;
      if (/^(0|false|no)$/i.test(text)) return false;
      throw settingError(setting, "is not a boolean", "Use 1/true/yes or 0/false/no.");
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw settingError(setting, "is not a number", `Set {${setting}} to a whole number.`);
      }
      return value;
    }
    default:
      return text;
  }
}

export interface ResolvedSettings {
  /** Site URL without a trailing slash. */
  host: string;
  serviceToken?: string;
  email?: string;
  password?: string;
  allowInsecureHttp: boolean;
  timeoutMs: number;
  organizationId?: string;
  /** Group commit of secret writes and shared list snapshots (default on). */
  coalescing: boolean;
  /** Canonical fingerprints of keys trusted as project-key senders (besides the user's own). */
  trustedKeyFingerprints: string[];
  allowServerKeyedProjects: boolean;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Each setting from its explicit value when set, else from its environment variable. */
function mergeSources(settings: ConnectionSettings, env: Env): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const setting of Object.keys(connectionFields) as SettingName[]) {
    const explicit = (settings as Record<string, unknown>)[setting];
    if (explicit !== undefined && explicit !== null && explicit !== "") merged[setting] = explicit;
    else merged[setting] = parseSettingText(setting, env[SETTING_ENV_VARS[setting]] ?? "");
  }
  return merged;
}

/** Values of the wrong kind (from JavaScript callers or a face) are ConfigErrors too, via the checker. */
export function resolveSettings(settings: ConnectionSettings, env: Env): ResolvedSettings {
  const { settings: checked, failures } = checkSettings(mergeSources(settings, env));
  const [failure] = failures;
  if (failure) {
    const setting = failure.path as SettingName;
    throw settingError(setting, failure.reason, `Fix {${setting}}.`);
  }
  const url = new URL(checked.host ?? DEFAULT_HOST);
  const allowInsecureHttp = checked.allowInsecureHttp ?? false;
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw settingError(
      "host",
      "uses plain HTTP to a non-loopback address",
      "Use https://, or set {allowInsecureHttp} to true if you accept sending ciphertexts and tokens unprotected.",
    );
  }
  const { serviceToken, email, password, organizationId } = checked;
  if (email !== undefined && password === undefined) {
    throw settingError("password", "is missing while email is set", "Set {password}.");
  }
  if (password !== undefined && email === undefined) {
    throw settingError("email", "is missing while password is set", "Set {email}.");
  }
  const host = url.origin + url.pathname.replace(/\/+$/, "");
  const timeoutMs = checked.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const coalescing = checked.coalescing ?? true;
  const trustedKeyFingerprints = splitFingerprints(checked.trustedKeyFingerprints ?? "").map(
    (one) => normalizeFingerprint(one)!,
  );
  const allowServerKeyedProjects = checked.allowServerKeyedProjects ?? true;
  return {
    host,
    serviceToken,
    email,
    password,
    allowInsecureHttp,
    timeoutMs,
    organizationId,
    trustedKeyFingerprints,
    allowServerKeyedProjects,
    coalescing,
  };
}
