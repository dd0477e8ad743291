/**
 * Connection settings: explicit values first, then environment variables, then defaults.
 * Every problem is a ConfigError naming the setting and how to fix it; values are never echoed.
 */
import { ConfigError } from "../errors";
import type { ConnectionSettings } from "./types";

export const DEFAULT_HOST = "https://app.infisical.com";
export const DEFAULT_TIMEOUT_MS = 30_000;

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
} as const satisfies Record<keyof ConnectionSettings, string>;

/**
 * A ConfigError about a connection setting. `{setting}` placeholders in the remedy name other
 * settings; each face spells them (Terraform: `service_token (or INFISICAL_TOKEN)`).
 */
export function settingError(setting: keyof ConnectionSettings, problem: string, remedy: string): ConfigError {
  return new ConfigError(setting, problem, remedy, { envVars: SETTING_ENV_VARS });
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
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function pick(explicit: string | undefined, env: Env, name: string): string | undefined {
  if (explicit !== undefined && explicit !== "") return explicit;
  const fromEnv = env[name];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

function parseBoolean(raw: string, setting: keyof ConnectionSettings): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw settingError(setting, "is not a boolean", "Use 1/true or 0/false.");
}

export function resolveSettings(settings: ConnectionSettings, env: Env): ResolvedSettings {
  const rawHost = pick(settings.host, env, SETTING_ENV_VARS.host) ?? DEFAULT_HOST;
  let url: URL;
  try {
    url = new URL(rawHost);
  } catch {
    throw settingError("host", "is not a valid URL", "Set {host} to a site URL like https://app.infisical.com.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw settingError("host", "must use http or https", "Set {host} to an https:// URL.");
  }
  if (url.search || url.hash || url.username || url.password) {
    throw settingError("host", "must not carry credentials, a query or a fragment", "Use the bare site URL.");
  }
  const insecureRaw = env[SETTING_ENV_VARS.allowInsecureHttp];
  const allowInsecureHttp =
    settings.allowInsecureHttp ?? (insecureRaw ? parseBoolean(insecureRaw, "allowInsecureHttp") : false);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw settingError(
      "host",
      "uses plain HTTP to a non-loopback address",
      "Use https://, or set {allowInsecureHttp} to true if you accept sending ciphertexts and tokens unprotected.",
    );
  }
  const timeoutEnv = env[SETTING_ENV_VARS.timeoutMs];
  const timeoutRaw = settings.timeoutMs ?? (timeoutEnv ? Number(timeoutEnv) : undefined);
  const timeoutMs = timeoutRaw ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    throw settingError("timeoutMs", "must be a whole number of milliseconds from 100 to 600000", "Fix {timeoutMs}.");
  }
  const serviceToken = pick(settings.serviceToken, env, SETTING_ENV_VARS.serviceToken);
  if (serviceToken !== undefined && !/^st\.[^.]+\.[^.]+\.[^.]+$/.test(serviceToken)) {
    throw settingError(
      "serviceToken",
      "is not a 4-part service token",
      "Use the full token st.<id>.<secret>.<key>; the key part is needed to decrypt.",
    );
  }
  const email = pick(settings.email, env, SETTING_ENV_VARS.email);
  const password = pick(settings.password, env, SETTING_ENV_VARS.password);
  if (email !== undefined && password === undefined) {
    throw settingError("password", "is missing while email is set", "Set {password}.");
  }
  if (password !== undefined && email === undefined) {
    throw settingError("email", "is missing while password is set", "Set {email}.");
  }
  const organizationId = pick(settings.organizationId, env, SETTING_ENV_VARS.organizationId);
  const host = url.origin + url.pathname.replace(/\/+$/, "");
  return { host, serviceToken, email, password, allowInsecureHttp, timeoutMs, organizationId };
}
