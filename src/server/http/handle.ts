/**
 * One HTTP request: route, rate-limit, read and parse the body, authenticate, validate with
 * zod, run the handler, answer JSON. Every failure becomes a JSON body in the real server's
 * shape; nothing reaches the client as a stack trace, and the log line names only the method,
 * route template, status and duration (never a URL, which may carry a secret name).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ZodError, type ZodType } from "zod";
import { authenticate } from "../auth/authenticate";
import type { ServerState } from "../context";
import type { AnyRoute } from "../route";
import { HttpError, internalError, routeNotFound, tooManyRequests, validationFailure } from "./errors";
import { INFISICAL_LIMITS, type RateLimiter } from "./rate-limit";
import type { Router } from "./router";

/** fastify's default body limit, which the real server keeps. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerOptions {
  state: ServerState;
  router: Router<AnyRoute>;
  rateLimiter?: RateLimiter;
  log?: (line: string) => void;
}

export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    let template = "(unmatched)";
    const method = req.method ?? "GET";
    const headers: Record<string, string> = {};
    const finish = (status: number, body: unknown) => {
      send(res, status, body, headers);
      options.log?.(`${method} ${template} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    };
    handle(req, options, headers, (t) => {
      template = t;
    }).then(
      (result) => finish(200, result),
      (error: unknown) => {
        const httpError = toHttpError(error);
        Object.assign(headers, httpError.headers);
        finish(httpError.status, httpError.body());
      },
    );
  };
}

async function handle(
  req: IncomingMessage,
  options: HandlerOptions,
  headers: Record<string, string>,
  setTemplate: (template: string) => void,
): Promise<unknown> {
  const method = req.method ?? "GET";
  const rawUrl = req.url ?? "/";
  const queryStart = rawUrl.indexOf("?");
  const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const match = options.router.match(method, pathname);
  if (!match) {
    await drain(req);
    throw routeNotFound(method, pathname);
  }
  const route = match.value;
  setTemplate(route.path);
  const ip = req.socket.remoteAddress ?? "unknown";

  if (route.rateLimit && options.rateLimiter) {
    const limit = INFISICAL_LIMITS[route.rateLimit];
    const decision = options.rateLimiter.check(`${method}${route.path}-${ip}`, limit);
    headers["x-ratelimit-limit"] = String(decision.limit);
    headers["x-ratelimit-remaining"] = String(decision.remaining);
    headers["x-ratelimit-reset"] = String(decision.resetSeconds);
    if (!decision.allowed) {
      await drain(req);
      throw tooManyRequests(decision.resetSeconds);
    }
  }

  const rawBody = await readBody(req);
  const actor = authenticate(options.state, headerValue(req.headers.authorization), route.auth, route.path);
  const params = validate(route.params, match.params);
  const body = validate(route.body, parseJsonBody(rawBody, req.headers["content-type"]));
  const query = validate(route.query, parseQuery(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1)));
  return await route.handler({
    state: options.state,
    actor,
    request: { ip, userAgent: headerValue(req.headers["user-agent"]), method, template: route.path },
    params,
    query,
    body,
  });
}

function validate<T>(schema: ZodType<T, never, unknown> | ZodType<T> | undefined, input: unknown): T {
  if (!schema) return input as T;
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailure(result.error.issues);
  return result.data;
}

function parseJsonBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  const type = (contentType ?? "").trim().toLowerCase();
  if (!type.startsWith("application/json")) {
    throw new HttpError(415, "Unsupported Media Type", `Unsupported Media Type: ${type.slice(0, 64) || "none"}`);
  }
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    // The real server echoes the parser's message, which quotes the body; we do not.
    throw new HttpError(400, "Bad Request", "Body is not valid JSON");
  }
}

function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) if (!(key in out)) out[key] = value;
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) reject(new HttpError(413, "Payload Too Large", "Request body is too large"));
      else resolve(size === 0 ? undefined : Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

async function drain(req: IncomingMessage): Promise<void> {
  try {
    await readBody(req);
  } catch {
    // Only draining; the answer is already decided.
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) return validationFailure(error.issues);
  return internalError();
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
