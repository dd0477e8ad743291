/**
 * Errors a route can throw, rendered exactly as the real Infisical server of 2024 renders them
 * (docs/server.md lists the shapes). Note the real server's swapped codes: "unauthorized"
 * (bad or missing credentials) is 403 and a permission failure is 401.
 */
import type { ZodIssue } from "zod";

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: unknown;
}

export class HttpError extends Error {
  readonly status: number;
  readonly errorName: string;
  readonly payload: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, errorName: string, payload: unknown, headers: Record<string, string> = {}) {
    super(typeof payload === "string" ? payload : errorName);
    this.status = status;
    this.errorName = errorName;
    this.payload = payload;
    this.headers = headers;
  }

  body(): ErrorBody {
    return { statusCode: this.status, message: this.payload, error: this.errorName };
  }
}

/** 400, the real server's answer for most "not found" and "already exists" cases. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, "BadRequest", message);
}

/** 403: credentials missing, invalid, expired, or not a member of the project. */
export function unauthorized(message: string): HttpError {
  return new HttpError(403, "UnauthorizedError", message);
}

/** 401: valid credentials that may not do this (role, scope or permission). */
export function permissionDenied(action: string, subject: string): HttpError {
  return new HttpError(401, "PermissionDenied", `You are not allowed to ${action} on ${subject}`);
}

/** 403 with the zod issues as the message, like the real server's zod error handler. */
export function validationFailure(issues: ZodIssue[]): HttpError {
  return new HttpError(403, "ValidationFailure", issues);
}

/** 404, used where the real server's later builds answer NotFoundError. */
export function notFound(message: string): HttpError {
  return new HttpError(404, "NotFound", message);
}

export function routeNotFound(method: string, path: string): HttpError {
  return new HttpError(404, "Not Found", `Route ${method}:${path} not found`);
}

export function tooManyRequests(retryAfterSeconds: number): HttpError {
  return new HttpError(429, "Too Many Requests", "Rate limit exceeded, retry in 1 minute", {
    "retry-after": String(retryAfterSeconds),
  });
}

/** 429 from a login brake (failures, logins in progress, SRP queue): says why and when to retry. */
export function throttled(reason: string, retryAfterSeconds: number): HttpError {
  const unit = retryAfterSeconds === 1 ? "second" : "seconds";
  return new HttpError(429, "Too Many Requests", `${reason}; retry in ${retryAfterSeconds} ${unit}`, {
    "retry-after": String(retryAfterSeconds),
  });
}

export function internalError(): HttpError {
  return new HttpError(500, "InternalServerError", "Something went wrong");
}
