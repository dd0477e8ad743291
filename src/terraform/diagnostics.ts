/**
 * Every expected failure becomes a Terraform Diagnostic (summary, detail, attribute path), never
 * a gRPC error: Terraform points attribute diagnostics at the configuration line.
 */
import {
  ApiError,
  ConfigError,
  type FieldFailure,
  ImportUnsupportedError,
  PartialCreateError,
  ProviderError,
  type SettingSpeller,
  ValidationError,
} from "../provider/errors";
import { toSnakeCase } from "./names";
import { isProviderSetting } from "./schema-model";

export const SEVERITY_ERROR = 1;
export const SEVERITY_WARNING = 2;

export type PathStep = { attribute_name: string } | { element_key_int: number } | { element_key_string: string };

export interface Diagnostic {
  severity: number;
  summary: string;
  detail: string;
  attribute?: { steps: PathStep[] };
}

/** `scopes[0].secretPath` → attribute scopes, element 0, attribute secret_path. */
export function attributePath(corePath: string): PathStep[] | undefined {
  if (!corePath || corePath.startsWith("(")) return undefined;
  const steps: PathStep[] = [];
  for (const segment of corePath.split(".")) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
    if (!match) return undefined;
    steps.push({ attribute_name: toSnakeCase(match[1] as string) });
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) steps.push({ element_key_int: Number(index[1]) });
  }
  return steps;
}

/** The snake_case spelling of a core path, for messages. */
export function terraformPath(corePath: string): string {
  return corePath.replace(/[A-Za-z0-9]+/g, (word) => toSnakeCase(word));
}

export function failureDiagnostics(failures: FieldFailure[], typeName: string): Diagnostic[] {
  return failures.map((failure) => {
    const steps = attributePath(failure.path);
    const diagnostic: Diagnostic = {
      severity: SEVERITY_ERROR,
      summary: "Invalid Attribute Value",
      detail: `${typeName}: ${terraformPath(failure.path)}: ${failure.reason}.`,
    };
    if (steps) diagnostic.attribute = { steps };
    return diagnostic;
  });
}

export function errorDiagnostic(summary: string, detail: string, path?: string): Diagnostic {
  const diagnostic: Diagnostic = { severity: SEVERITY_ERROR, summary, detail };
  const steps = path ? attributePath(path) : undefined;
  if (steps) diagnostic.attribute = { steps };
  return diagnostic;
}

const SUMMARY_BY_CODE: Record<string, string> = {
  ERR_CONFIG: "Provider Configuration Incomplete",
  ERR_CRYPTO: "Encryption Step Failed",
  ERR_API: "Unexpected API Response",
  ERR_API_NOT_FOUND: "Object Not Found",
  ERR_API_CONFLICT: "Object Already Exists",
  ERR_API_UNAUTHORIZED: "Authentication Failed",
  ERR_API_PERMISSION_DENIED: "Permission Denied",
  ERR_API_RATE_LIMITED: "Rate Limited by Server",
  ERR_API_VALIDATION: "Request Rejected by Server",
  ERR_TRANSPORT: "Server Unreachable",
  ERR_PARTIAL_CREATE: "Resource Partially Created",
  ERR_IMPORT_UNSUPPORTED: "Import Not Supported",
  ERR_BLIND_INDICES_MISSING: "Project Needs Blind Indices",
  ERR_BLIND_INDEX_SALT_MISSING: "Project Has No Blind-Index Salt",
  ERR_CUSTOM_ROLE_LICENSE: "Custom Role Needs a Licence",
  ERR_ROLE_IN_USE: "Role Still Assigned",
  ERR_FOLDER_NOT_EMPTY: "Folder Not Empty",
};

/** `service_token (or INFISICAL_TOKEN)`; a setting the provider block lacks is its environment variable alone. */
export const terraformSettingSpelling: SettingSpeller = ({ setting, envVar }) => {
  if (!isProviderSetting(setting)) return envVar ?? toSnakeCase(setting);
  return envVar ? `${toSnakeCase(setting)} (or ${envVar})` : toSnakeCase(setting);
};

/** Any thrown value → diagnostics; `during` says what we were doing ("create infisicale2ee_secret"). */
export function errorDiagnostics(error: unknown, during: string): Diagnostic[] {
  if (error instanceof ValidationError || (ProviderError.is(error) && error.code === "ERR_VALIDATION")) {
    return failureDiagnostics((error as ValidationError).failures ?? [], during);
  }
  if (ProviderError.is(error)) {
    const summary = SUMMARY_BY_CODE[error.code] ?? "Provider Error";
    const message = error instanceof ConfigError ? error.describe(terraformSettingSpelling) : error.message;
    let detail = `Could not ${during}: ${message}`;
    if (error instanceof PartialCreateError)
      detail += " The object is kept in state so the next apply can finish or replace it.";
    if (error instanceof ApiError && error.code === "ERR_API_UNAUTHORIZED") {
      detail += " Check the provider's credentials (service_token, or email and password).";
    }
    if (error instanceof ImportUnsupportedError) return [errorDiagnostic(summary, error.message)];
    const path = error instanceof ConfigError && isProviderSetting(error.setting) ? error.setting : undefined;
    return [errorDiagnostic(summary, detail, path)];
  }
  return [errorDiagnostic("Unexpected Provider Error", `Could not ${during}: ${describeThrown(error)}`)];
}

/** The most of a foreign error's message that diagnostics and logs keep. */
export const FOREIGN_MESSAGE_LIMIT = 200;

/**
 * Any thrown value as text for diagnostics and logs. Our own errors never carry values; an error
 * that is not ours (a library's, Node's) may quote its input (JSON.parse does), so it keeps its
 * class name and a message with double-quoted text (closed or not) elided, capped at FOREIGN_MESSAGE_LIMIT.
 */
export function describeThrown(error: unknown): string {
  if (ProviderError.is(error)) return `${error.name}: ${error.message}`;
  if (!(error instanceof Error)) return `a thrown ${typeof error}`;
  const unquoted = error.message.replace(/"[^"]*("|$)/g, '"…"');
  const message =
    unquoted.length > FOREIGN_MESSAGE_LIMIT ? `${unquoted.slice(0, FOREIGN_MESSAGE_LIMIT)}… (shortened)` : unquoted;
  return message ? `${error.name}: ${message}` : error.name;
}
