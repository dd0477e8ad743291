/**
 * The one request function every API area goes through: URL building from a route template,
 * JSON bodies, a timeout on every request, a User-Agent always, retry with exponential backoff
 * and full jitter, and error mapping. Retry policy:
 *  - 429: always retried (the limiter answers before any handler runs), honouring retry-after;
 *  - connection refused / connect timeout: always retried (nothing reached the server);
 *  - 502/503/504 and connection resets: retried only for calls marked idempotent, because a
 *    create may already have happened; callers of creates resolve that by looking the object up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, type Dispatcher, request } from "undici";
import type { Logger } from "../contract";
import { ConfigError, InternalError, ProviderError, TransportError } from "../errors";
import { type ErrorBody, mapApiError } from "./errors";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface Call {
  /** What we are doing, for errors and logs: "create secret". */
  operation: string;
  method: HttpMethod;
  /** Route template with `{name}` placeholders: `/api/v3/secrets/{secretName}`. */
  route: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Bearer token; omitted for unauthenticated routes. */
  token?: string;
  /** Safe to repeat after an ambiguous failure (5xx gateway error, reset). Defaults: GET/DELETE yes. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server-given retry-after. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 90_000,
};

export interface RequesterOptions {
  /** Site URL without trailing slash. */
  host: string;
  timeoutMs: number;
  userAgent: string;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  dispatcher?: Dispatcher;
}

export interface Requester {
  <T>(call: Call): Promise<T>;
  readonly host: string;
  readonly userAgent: string;
  close(): Promise<void>;
}

const RETRYABLE_GATEWAY = new Set([502, 503, 504]);
/** Errors where the request provably never reached a handler. */
const NEVER_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN"]);
/** Errors after which the request may or may not have been processed. */
const AMBIGUOUS = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
  "ETIMEDOUT",
]);

export function buildPath(route: string, params: Record<string, string> = {}): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new InternalError(`route ${route} needs parameter ${name}`);
    return encodeURIComponent(value);
  });
}

function buildQuery(query: Call["query"]): string {
  if (!query) return "";
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** retry-after in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

function transportCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function createRequester(options: RequesterOptions): Requester {
  if (!options.userAgent.trim())
    throw new ConfigError("userAgent", "must not be empty", "The real server rejects logins without a User-Agent.");
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const ownDispatcher = options.dispatcher
    ? undefined
    : new Agent({
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connectTimeout: options.timeoutMs,
        keepAliveTimeout: 4_000,
      });
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  let closed = false;

  async function once<T>(
    call: Call,
  ): Promise<{ status: number; body: T | ErrorBody | undefined; retryAfter?: number }> {
    const url = options.host + buildPath(call.route, call.params) + buildQuery(call.query);
    const headers: Record<string, string> = { "user-agent": options.userAgent, accept: "application/json" };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    let payload: string | undefined;
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(call.body);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const response = await request(url, { method: call.method, headers, body: payload, dispatcher, signal });
    const text = await response.body.text();
    let body: T | ErrorBody | undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as T;
      } catch {
        body = undefined;
      }
    }
    return { status: response.statusCode, body, retryAfter: parseRetryAfter(response.headers["retry-after"]) };
  }

  const requester = async <T>(call: Call): Promise<T> => {
    if (closed) throw new TransportError(call.operation, call.route, "SESSION_CLOSED");
    const idempotent = call.idempotent ?? (call.method === "GET" || call.method === "DELETE");
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= policy.maxAttempts;
      let waitMs: number;
      try {
        const { status, body, retryAfter } = await once<T>(call);
        if (status >= 200 && status < 300) return body as T;
        const retryable = status === 429 || (RETRYABLE_GATEWAY.has(status) && idempotent);
        if (!retryable || last) throw mapApiError(status, body as ErrorBody | undefined, call.operation, call.route);
        waitMs =
          retryAfter !== undefined
            ? Math.min(retryAfter, policy.maxRetryAfterMs) + backoffDelay(0, policy)
            : backoffDelay(attempt, policy);
        options.log.debug("retrying request", {
          operation: call.operation,
          route: call.route,
          status,
          attempt: attempt + 1,
          waitMs,
        });
      } catch (error) {
        if (ProviderError.is(error)) throw error;
        if (call.signal?.aborted) throw new TransportError(call.operation, call.route, "ABORTED", { cause: error });
        const code = (error as Error)?.name === "TimeoutError" ? "TIMEOUT" : transportCode(error);
        const retryable =
          code !== undefined && (NEVER_SENT.has(code) || (idempotent && (AMBIGUOUS.has(code) || code === "TIMEOUT")));
        if (!retryable || last) throw new TransportError(call.operation, call.route, code);
        waitMs = backoffDelay(attempt, policy);
        options.log.debug("retrying request", {
          operation: call.operation,
          route: call.route,
          transport: code,
          attempt: attempt + 1,
          waitMs,
        });
      }
      try {
        await sleep(waitMs, undefined, call.signal ? { signal: call.signal } : undefined);
      } catch (error) {
        // Only the caller's signal ends a backoff early: the same error as an abort mid-request.
        throw new TransportError(call.operation, call.route, "ABORTED", { cause: error });
      }
    }
  };
  return Object.assign(requester, {
    host: options.host,
    userAgent: options.userAgent,
    async close() {
      // Idempotent: a second close (a session closed twice) is a no-op, not undici's destroyed error.
      if (closed) return;
      closed = true;
      await ownDispatcher?.close();
    },
  }) as Requester;
}
