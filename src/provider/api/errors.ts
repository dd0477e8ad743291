/**
 * Mapping HTTP answers into the error registry. The real server's status codes are unusual
 * (401/403 swapped, validation = 403, "not found" = 400, auth failures = 500), so the mapping
 * looks at the body too. Server messages are scrubbed: the real server echoes secret names
 * ("Secret not found: blind index <NAME>") and concrete URLs.
 */
import {
  ApiError,
  ApiValidationError,
  BlindIndexSaltMissingError,
  ConflictError,
  CustomRoleLicenseError,
  type HttpFailure,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  RoleInUseError,
  UnauthorizedError,
} from "../errors";

export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: unknown;
}

const MAX_MESSAGE_LENGTH = 200;

/** Keep a server message useful but free of names, URLs and anything token-like. */
export function scrubServerMessage(message: unknown): string | undefined {
  if (typeof message !== "string" || message.length === 0) return undefined;
  let text = message;
  // "Secret not found: blind index <NAME>" and similar: drop everything after the label.
  text = text.replace(/(blind index)\b.*$/is, "$1 <redacted>");
  text = text.replace(/\b(?:https?:\/\/)?[^\s]*\/api\/[^\s]*/g, "<route>");
  text = text.replace(/[A-Za-z0-9+/_=.-]{24,}/g, "<redacted>");
  if (text.length > MAX_MESSAGE_LENGTH) text = `${text.slice(0, MAX_MESSAGE_LENGTH)}…`;
  return text;
}

/** Zod issues without any echoed input: only code, path and the server's message. */
export function scrubIssues(issues: unknown): unknown[] | undefined {
  if (!Array.isArray(issues)) return undefined;
  return issues.map((issue) => {
    const i = (typeof issue === "object" && issue !== null ? issue : {}) as Record<string, unknown>;
    return {
      code: typeof i.code === "string" ? i.code : undefined,
      path: Array.isArray(i.path) ? i.path.filter((p) => typeof p === "string" || typeof p === "number") : [],
      message: scrubServerMessage(i.message),
    };
  });
}

// "Unauthorized member update": the real server's answer for a membership id that is not in the project.
const NOT_FOUND = /not found|doesn't exist|does not exist|failed to find project|unauthorized member update/i;
const ALREADY_EXISTS = /already exist|already part of|already a member|admin has been created/i;
const AUTH_FAILED =
  /failed to find user|failed to authenticate|jwt|token|stale session|not allowed to access this resource|unauthorized access|expired/i;

export function mapApiError(status: number, body: ErrorBody | undefined, operation: string, route: string): ApiError {
  const rawMessage = body?.message;
  const errorName = typeof body?.error === "string" ? body.error : "";
  const text = typeof rawMessage === "string" ? rawMessage : "";
  const details: HttpFailure = { status, operation, route, serverMessage: scrubServerMessage(text) };
  if (status === 429) return new RateLimitedError(details);
  if (errorName === "ValidationFailure" || (status === 403 && Array.isArray(rawMessage))) {
    return new ApiValidationError({
      ...details,
      serverMessage: "request failed validation",
      issues: scrubIssues(rawMessage),
    });
  }
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  if (status === 401) {
    // The real server's CASL ForbiddenError is 401 "PermissionDenied"; a plain 401 is a bad credential.
    return errorName === "PermissionDenied" || /not allowed to/i.test(text)
      ? new PermissionDeniedError(details)
      : new UnauthorizedError(details);
  }
  // Login failures: 500 on the real server of 2024, 400 on some builds; either way a bad credential.
  if (/failed to find user|failed to authenticate/i.test(text)) return new UnauthorizedError(details);
  if (status === 400 && /RBAC restriction/i.test(text)) return new CustomRoleLicenseError(details);
  if (status === 400 && /role is assigned to one or more/i.test(text)) return new RoleInUseError(details);
  if (ALREADY_EXISTS.test(text)) return new ConflictError(details);
  // A project without a salt row (routes-more.md §5): no by-name operation can ever work there.
  if (status === 400 && /^blind index not found$/i.test(text.trim())) return new BlindIndexSaltMissingError(details);
  if (status === 400 && NOT_FOUND.test(text)) return new NotFoundError(details);
  if (status === 403) {
    if (/user not in project|must be (?:an )?admin|not allowed/i.test(text) && !/access this resource/i.test(text)) {
      return new PermissionDeniedError(details);
    }
    return new UnauthorizedError(details);
  }
  if (status === 500) {
    if (/failed to find project/i.test(text)) return new NotFoundError(details);
    if (AUTH_FAILED.test(text)) return new UnauthorizedError(details);
  }
  if (status === 400 && /validation|invalid/i.test(text)) return new ApiValidationError(details);
  return new ApiError("ERR_API", details);
}
