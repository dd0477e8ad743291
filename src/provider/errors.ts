/**
 * The one error registry. Every error the package throws is a ProviderError with a stable
 * `code`; faces map them (Pulumi CheckFailure / init-failed, Terraform diagnostics) by class.
 * Messages never contain secret values, keys, request bodies or full URLs: callers pass
 * route templates and field paths, never the data itself.
 */

const BRAND = Symbol.for("infisical-e2ee.error");

export type ErrorCode =
  | "ERR_VALIDATION"
  | "ERR_CONFIG"
  | "ERR_CRYPTO"
  | "ERR_API"
  | "ERR_API_NOT_FOUND"
  | "ERR_API_CONFLICT"
  | "ERR_API_UNAUTHORIZED"
  | "ERR_API_PERMISSION_DENIED"
  | "ERR_API_RATE_LIMITED"
  | "ERR_API_VALIDATION"
  | "ERR_TRANSPORT"
  | "ERR_PARTIAL_CREATE"
  | "ERR_IMPORT_UNSUPPORTED"
  | "ERR_SERVER_START";

/** Every code with a one-line meaning; docs/errors.md is checked against this by a test. */
export const ERROR_CODES: Record<ErrorCode, string> = {
  ERR_VALIDATION: "An input failed the resource schema; `failures` names each field and the reason.",
  ERR_CONFIG: "A connection setting is missing or malformed; `setting` names it and `remedy` says how to set it.",
  ERR_CRYPTO: "Encryption, decryption or key derivation failed; `step` names the step. Lengths only, never bytes.",
  ERR_API: "The API answered with an unexpected status; `status`, `operation` and `route` say where.",
  ERR_API_NOT_FOUND: 'The object does not exist (including the real server\'s 400 "... not found").',
  ERR_API_CONFLICT: "The object already exists, or a create collided with an object that is not ours.",
  ERR_API_UNAUTHORIZED: "The credentials were missing, invalid, expired or stale.",
  ERR_API_PERMISSION_DENIED: "The credentials are valid but may not do this (role, scope or permission).",
  ERR_API_RATE_LIMITED: "The server kept answering 429 after the retries were spent.",
  ERR_API_VALIDATION: "The server rejected the request body; `issues` carries the server's own list.",
  ERR_TRANSPORT: "The request never got an HTTP answer (connection refused or reset, timeout, TLS).",
  ERR_PARTIAL_CREATE: "The object was created but a follow-up step failed; `id` says what exists now.",
  ERR_IMPORT_UNSUPPORTED: "This resource cannot be imported by nature; the message says why.",
  ERR_SERVER_START:
    "The embedded server cannot start: an option it refuses (address, port, allowed hosts) or a data folder it cannot use.",
};

export interface ProviderErrorOptions {
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly code: ErrorCode;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** Works across copies of this package (a brand, not instanceof). */
  static is(value: unknown): value is ProviderError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export interface FieldFailure {
  /** Dotted path in the resource's camelCase field names, e.g. `generate.length` or `scopes[0].environment`. */
  path: string;
  reason: string;
}

export class ValidationError extends ProviderError {
  readonly failures: FieldFailure[];
  constructor(resource: string, failures: FieldFailure[]) {
    super("ERR_VALIDATION", `Invalid ${resource} input: ${failures.map((f) => `${f.path}: ${f.reason}`).join("; ")}`);
    this.failures = failures;
  }
}

/** A connection setting by its core (camelCase) name, with the environment variable that also sets it. */
export interface SettingName {
  setting: string;
  envVar?: string;
}

/** How a face writes a setting for its users, e.g. Terraform's `service_token (or INFISICAL_TOKEN)`. */
export type SettingSpeller = (name: SettingName) => string;

export const coreSettingSpelling: SettingSpeller = ({ setting, envVar }) =>
  envVar ? `${setting} (or ${envVar})` : setting;

export interface ConfigErrorOptions {
  /**
   * Environment variable of each connection setting. `setting` and every `{name}` placeholder in
   * the remedy that is a key here are spelled by the face (see `describe`); others stay as written.
   */
  envVars?: Readonly<Record<string, string>>;
}

export class ConfigError extends ProviderError {
  readonly setting: string;
  /** The environment variable that also sets `setting`, if any. */
  readonly envVar?: string;
  readonly problem: string;
  /** The remedy in the core's spelling. */
  readonly remedy: string;
  readonly #remedyTemplate: string;
  readonly #envVars: Readonly<Record<string, string>>;

  constructor(setting: string, problem: string, remedy: string, options: ConfigErrorOptions = {}) {
    const envVars = options.envVars ?? {};
    super("ERR_CONFIG", ConfigError.#phrase({ setting, envVar: envVars[setting] }, problem, remedy, envVars));
    this.setting = setting;
    this.envVar = envVars[setting];
    this.problem = problem;
    this.remedy = ConfigError.#spellRemedy(remedy, envVars, coreSettingSpelling);
    this.#remedyTemplate = remedy;
    this.#envVars = envVars;
  }

  /** The message with every setting spelled the way a face's users write it. */
  describe(spell: SettingSpeller): string {
    return ConfigError.#phrase(
      { setting: this.setting, envVar: this.envVar },
      this.problem,
      this.#remedyTemplate,
      this.#envVars,
      spell,
    );
  }

  static #phrase(
    name: SettingName,
    problem: string,
    remedy: string,
    envVars: Readonly<Record<string, string>>,
    spell: SettingSpeller = coreSettingSpelling,
  ): string {
    return `Configuration setting ${spell(name)}: ${problem}. ${ConfigError.#spellRemedy(remedy, envVars, spell)}`;
  }

  static #spellRemedy(remedy: string, envVars: Readonly<Record<string, string>>, spell: SettingSpeller): string {
    return remedy.replace(/\{([A-Za-z]+)\}/g, (placeholder, setting: string) =>
      Object.hasOwn(envVars, setting) ? spell({ setting, envVar: envVars[setting] }) : placeholder,
    );
  }
}

export type CryptoStep =
  | "encrypt-symmetric"
  | "decrypt-symmetric"
  | "encrypt-asymmetric"
  | "decrypt-asymmetric"
  | "derive-key"
  | "recover-private-key"
  | "verify-private-key"
  | "parse-service-token"
  | "srp"
  | "unwrap-project-key"
  | "decrypt-secret"
  | "encrypt-secret"
  | "input";

export class CryptoError extends ProviderError {
  readonly step: CryptoStep;
  constructor(step: CryptoStep, message: string, options: ProviderErrorOptions = {}) {
    super("ERR_CRYPTO", `${step}: ${message}`, options);
    this.step = step;
  }
}

export interface ApiErrorDetails {
  /** The HTTP status, or 0 when the client determined the failure itself (e.g. an empty lookup). */
  status: number;
  /** What we were doing, e.g. "create secret". */
  operation: string;
  /** Route template, never the concrete URL: `/api/v3/secrets/{secretName}`. */
  route: string;
  /** The server's message, scrubbed of anything that could be a secret (see api/errors). */
  serverMessage?: string;
  issues?: unknown[];
}

export class ApiError extends ProviderError {
  readonly status: number;
  readonly operation: string;
  readonly route: string;
  readonly serverMessage?: string;
  readonly issues?: unknown[];
  constructor(code: ErrorCode, details: ApiErrorDetails, options: ProviderErrorOptions = {}) {
    const server = details.serverMessage ? `: ${details.serverMessage}` : "";
    // Status 0 marks a failure found by the client itself (no HTTP answer said so): no status to show.
    const where = details.status === 0 ? "" : ` (HTTP ${details.status} on ${details.route})`;
    super(code, `${details.operation} failed${where}${server}`, options);
    this.status = details.status;
    this.operation = details.operation;
    this.route = details.route;
    this.serverMessage = details.serverMessage;
    this.issues = details.issues;
  }
}

export class NotFoundError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_NOT_FOUND", details);
  }
}
export class ConflictError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_CONFLICT", details);
  }
}
export class UnauthorizedError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_UNAUTHORIZED", details);
  }
}
export class PermissionDeniedError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_PERMISSION_DENIED", details);
  }
}
export class RateLimitedError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_RATE_LIMITED", details);
  }
}
export class ApiValidationError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_API_VALIDATION", details);
  }
}

export class TransportError extends ProviderError {
  readonly operation: string;
  readonly route: string;
  /** The undici/Node error code, e.g. ECONNRESET or UND_ERR_HEADERS_TIMEOUT. */
  readonly transportCode?: string;
  constructor(operation: string, route: string, transportCode: string | undefined, options: ProviderErrorOptions = {}) {
    super(
      "ERR_TRANSPORT",
      `${operation} failed: no answer from ${route} (${transportCode ?? "transport error"})`,
      options,
    );
    this.operation = operation;
    this.route = route;
    this.transportCode = transportCode;
  }
}

/** The object exists on the server but a follow-up step failed; faces keep `id` in state. */
export class PartialCreateError extends ProviderError {
  readonly id: string;
  readonly outputs: Record<string, unknown>;
  readonly reasons: string[];
  constructor(id: string, outputs: Record<string, unknown>, reasons: string[], options: ProviderErrorOptions = {}) {
    super("ERR_PARTIAL_CREATE", `Created ${id} but could not finish: ${reasons.join("; ")}`, options);
    this.id = id;
    this.outputs = outputs;
    this.reasons = reasons;
  }
}

export class ImportUnsupportedError extends ProviderError {
  constructor(resource: string, why: string) {
    super("ERR_IMPORT_UNSUPPORTED", `${resource} cannot be imported: ${why}`);
  }
}
