/**
 * The one error registry. Every error the package throws is a ProviderError with a stable
 * `code` from ERROR_CODES (a test fails on a bare Error under src/); faces map them (Pulumi CheckFailure / init-failed, Terraform diagnostics) by class.
 * Messages never contain secret values, keys, request bodies or full URLs: callers pass
 * route templates and field paths, never the data itself.
 */

const BRAND = Symbol.for("infisical-e2ee.error");

/**
 * Every code with a one-line meaning, one entry per code; `ErrorCode` is derived from it, so a code
 * cannot exist without its meaning. docs/errors.md is checked against this by a test.
 */
export const ERROR_CODES = {
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
  ERR_TRANSPORT: "The request never got an HTTP answer (connection refused or reset, timeout, TLS, or cancelled).",
  ERR_PARTIAL_CREATE: "The object was created but a follow-up step failed; `id` says what exists now.",
  ERR_IMPORT_UNSUPPORTED: "This resource cannot be imported by nature; the message says why.",
  ERR_USAGE: "A command or program was started the wrong way (unknown option, missing value, plugin run by hand).",
  ERR_UNKNOWN_TYPE: "A resource or data source type this release does not have (state written by another release).",
  ERR_NOT_CONFIGURED: "The provider was asked to work before Terraform or Pulumi configured it.",
  ERR_SERVER_DATA:
    "The embedded server's data directory is damaged or from a newer release; the message names the file.",
  ERR_INTERNAL: "A broken invariant inside infisical-e2ee (a bug, not your input); please report the message.",
  ERR_KEY_PIN_MISMATCH:
    "A member's public key does not match the pinned fingerprint; `member`, `expected` and `actual` say whose and which. Nothing was wrapped.",
  ERR_UNTRUSTED_KEY_SENDER:
    "The project key copy was sent by a key this provider cannot vouch for; `projectId` and `senderFingerprint` say which. The key was not used.",
  ERR_SERVER_START:
    "The embedded server cannot start: an option it refuses (address, port, allowed hosts) or a data folder it cannot use.",
  ERR_BLIND_INDICES_MISSING:
    "The project has secrets without blind indices (created before April 2023), so the server cannot find them by name; the message names the `enable-blind-indices` command that fixes it.",
  ERR_BLIND_INDEX_SALT_MISSING:
    "The server holds no blind-index salt for the project, so no secret can be written or read by name there; only the server's operator can fix it.",
  ERR_CUSTOM_ROLE_LICENSE:
    "The server refused to give a member a custom role because it has no enterprise (RBAC) licence; creating the role itself still works.",
  ERR_ROLE_IN_USE: "A custom role cannot be deleted while members hold it; give them another role first.",
  ERR_FOLDER_NOT_EMPTY:
    "A folder still holds secrets or subfolders and `forceDelete` is off; `secretCount` and `subfolders` say what it holds. Nothing was deleted.",
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

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
  | "fingerprint"
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

/** The server answered with a failing HTTP status. */
export interface HttpFailure {
  status: number;
  /** What we were doing, e.g. "create secret". */
  operation: string;
  /** Route template, never the concrete URL: `/api/v3/secrets/{secretName}`. */
  route: string;
  /** The server's message, scrubbed of anything that could be a secret (see api/errors). */
  serverMessage?: string;
  issues?: unknown[];
}

/**
 * A failure the client found itself in answers that were fine as HTTP (an empty lookup, a missing
 * object, an answer short of what was asked): no status or route pretends the server said so.
 */
export interface ClientFinding {
  operation: string;
  /** What the client found, in words safe to show (no names or values). */
  reason?: string;
}

export type ApiErrorDetails = HttpFailure | ClientFinding;

function isHttpFailure(details: ApiErrorDetails): details is HttpFailure {
  return "status" in details;
}

export class ApiError extends ProviderError {
  /** The HTTP status; undefined when the client found the failure itself. */
  readonly status?: number;
  readonly operation: string;
  /** The route template; undefined when the client found the failure itself. */
  readonly route?: string;
  readonly serverMessage?: string;
  /** What the client found, when no HTTP answer said so. */
  readonly reason?: string;
  readonly issues?: unknown[];
  constructor(code: ErrorCode, details: ApiErrorDetails, options: ProviderErrorOptions = {}) {
    super(code, ApiError.#phrase(details), options);
    this.operation = details.operation;
    if (isHttpFailure(details)) {
      this.status = details.status;
      this.route = details.route;
      this.serverMessage = details.serverMessage;
      this.issues = details.issues;
    } else this.reason = details.reason;
  }

  static #phrase(details: ApiErrorDetails): string {
    if (!isHttpFailure(details)) return `${details.operation} failed${details.reason ? `: ${details.reason}` : ""}`;
    const server = details.serverMessage ? `: ${details.serverMessage}` : "";
    return `${details.operation} failed (HTTP ${details.status} on ${details.route})${server}`;
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

/**
 * The real server's 400 "Failed to assign custom role due to RBAC restriction": its plan has no
 * RBAC licence. Creating the role works there; only assigning it to a member is refused.
 */
export class CustomRoleLicenseError extends ApiError {
  constructor(details: HttpFailure) {
    super("ERR_CUSTOM_ROLE_LICENSE", {
      ...details,
      serverMessage:
        "assigning a custom role needs an Infisical enterprise licence (RBAC); the role itself can still be created. Use a built-in role (admin, member, viewer, no-access), get a licence, or use the embedded server, which has no licence gate",
    });
  }
}

/** The real server's 400 "The role is assigned to one or more users": deleting it would strand them. */
export class RoleInUseError extends ApiError {
  constructor(details: HttpFailure) {
    super("ERR_ROLE_IN_USE", {
      ...details,
      serverMessage:
        "the role is assigned to one or more members; give them another role first (change their membership's role, or remove the membership), then delete the role",
    });
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

/**
 * A member's public key, as the server reports it now, is not the one pinned (input or state).
 * Raised before anything is wrapped for that key.
 */
export class KeyPinMismatchError extends ProviderError {
  readonly member: string;
  readonly expected: string;
  readonly actual: string;
  constructor(member: string, expected: string, actual: string, remedy: string) {
    super(
      "ERR_KEY_PIN_MISMATCH",
      `The public key of ${member} is ${actual}, but ${expected} is pinned; nothing was wrapped for it. ${remedy}`,
    );
    this.member = member;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The sender of our own project-key copy is neither us, nor a trusted key, nor an accepted server-side sender. */
export class UntrustedKeySenderError extends ProviderError {
  readonly projectId: string;
  readonly senderFingerprint: string;
  constructor(projectId: string, senderFingerprint: string, why: string, remedy: string) {
    super(
      "ERR_UNTRUSTED_KEY_SENDER",
      `Project ${projectId}: this user's copy of the project key was sent by ${senderFingerprint}, ${why}; the key was not used. ${remedy}`,
    );
    this.projectId = projectId;
    this.senderFingerprint = senderFingerprint;
  }
}

/** A command or program started the wrong way; the CLI prints the message and exits 2. */
export class UsageError extends ProviderError {
  constructor(message: string, options: ProviderErrorOptions = {}) {
    super("ERR_USAGE", message, options);
  }
}

/** State or configuration names a type this release does not have. */
export class UnknownTypeError extends ProviderError {
  constructor(message: string) {
    super("ERR_UNKNOWN_TYPE", message);
  }
}

export class NotConfiguredError extends ProviderError {
  constructor(message: string) {
    super("ERR_NOT_CONFIGURED", message);
  }
}

/** The embedded server's data directory: `file` names what is damaged or too new. */
export class ServerDataError extends ProviderError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super("ERR_SERVER_DATA", `${file}: ${problem}`);
    this.file = file;
  }
}

/** A broken invariant: never caused by input, always a bug to report. */
export class InternalError extends ProviderError {
  constructor(message: string) {
    super("ERR_INTERNAL", message);
  }
}

/** Who can fix a project without blind indices, and where: filled into the remedy. */
export interface BlindIndexRemedy {
  projectId: string;
  host: string;
  /** The session's email, when it is a user session (the user may or may not be an admin). */
  email?: string;
}

/**
 * A by-name operation on a project whose secrets lack blind indices (Infisical projects from
 * before April 2023): the server cannot find them by name, and a create may silently add a second
 * secret of a name it cannot see. Names the one-time remedy; nothing was written.
 */
export class BlindIndicesMissingError extends ProviderError {
  readonly projectId: string;
  readonly operation: string;
  constructor(operation: string, remedy: BlindIndexRemedy, why: string) {
    const email = remedy.email ?? "<admin email>";
    super(
      "ERR_BLIND_INDICES_MISSING",
      `${operation} refused: project ${remedy.projectId} ${why}. ` +
        "It predates Infisical's blind indices (April 2023), so the server cannot find those secrets by name " +
        "(and a create could silently duplicate one); nothing was written. An admin of the project fixes it once with " +
        `\`infisical-e2ee enable-blind-indices --host ${remedy.host} --email ${email} --password <password> --project ${remedy.projectId}\`` +
        " (the password may come from INFISICAL_PASSWORD instead), or from a program with " +
        '`enableBlindIndices({ host, email, password, projectId })` from "infisical-e2ee". See docs/migrating.md.',
    );
    this.projectId = remedy.projectId;
    this.operation = operation;
  }
}

/** The real server's 400 "Blind index not found": the project has no salt row at all. */
export class BlindIndexSaltMissingError extends ApiError {
  constructor(details: ApiErrorDetails) {
    super("ERR_BLIND_INDEX_SALT_MISSING", {
      ...details,
      ...("status" in details
        ? {
            serverMessage:
              "Blind index not found: the server holds no blind-index salt for this project, so nothing can be written or read by name; the Infisical server's operator must restore it (enable-blind-indices cannot help without it)",
          }
        : {}),
    });
  }
}

/** Deleting a folder deletes what it holds on the server; refused unless the user asked for that. */
export class FolderNotEmptyError extends ProviderError {
  readonly path: string;
  /** Secrets directly in the folder (their names are encrypted, so only counted). */
  readonly secretCount: number;
  /** Names of its direct subfolders (folder names are plaintext on the server). */
  readonly subfolders: string[];
  constructor(path: string, secretCount: number, subfolders: string[]) {
    const held = [
      ...(secretCount > 0 ? [`${secretCount} secret${secretCount === 1 ? "" : "s"}`] : []),
      ...(subfolders.length > 0
        ? [`${subfolders.length} subfolder${subfolders.length === 1 ? "" : "s"} (${subfolders.join(", ")})`]
        : []),
    ];
    super(
      "ERR_FOLDER_NOT_EMPTY",
      `Folder ${path} holds ${held.join(" and ")}; deleting it would delete them too. Set forceDelete (Terraform: force_delete = true) and apply before destroying, or empty it first.`,
    );
    this.path = path;
    this.secretCount = secretCount;
    this.subfolders = subfolders;
  }
}
