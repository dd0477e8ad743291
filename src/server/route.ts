/** Route declarations: method, path template, accepted credentials, zod schemas and a handler. */
import type { ZodType, ZodTypeDef } from "zod";
import type { HandlerContext } from "./context";

/**
 * Which credentials a route accepts: `user` = an org-scoped access token (after
 * select-organization); `userAnyOrg` = any access token (the login2 token has no organization);
 * `serviceToken` = `st.<id>.<secret>`; `signup` = the token from invite verification.
 */
export type AuthMode = "none" | "user" | "userAnyOrg" | "serviceToken" | "signup";

/** The real server's limiter classes we apply (routes-more.md §6); limits in http/rate-limit.ts. */
export type RateClass = "secrets" | "auth" | "invite" | "write";

type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

export interface RouteSpec<P, Q, B> {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  auth: AuthMode[];
  rateLimit?: RateClass;
  params?: Schema<P>;
  query?: Schema<Q>;
  body?: Schema<B>;
  handler: (ctx: HandlerContext<P, Q, B>) => unknown;
}

export type AnyRoute = RouteSpec<unknown, unknown, unknown>;

export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}
