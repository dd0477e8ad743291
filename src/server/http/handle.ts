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
import { badRequest, HttpError, internalError, routeNotFound, tooManyRequests, validationFailure } from "./errors";
import { clientGone, RequestLifecycle, shuttingDown } from "./lifecycle";
import { INFISICAL_LIMITS, type RateLimiter } from "./rate-limit";
import type { Router } from "./router";

/** fastify's default body limit, which the real server keeps. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerOptions {
  state: ServerState;
  router: Router<AnyRoute>;
  rateLimiter?: RateLimiter;
  log?: (line: string) => void;
  /** Requests in flight (for shutdown); a fresh one when absent. */
  lifecycle?: RequestLifecycle;
  /** Whether a Host header may be answered (DNS-rebinding defence); every host when absent. */
  hostAllowed?: (host: string | undefined) => boolean;
}

export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const lifecycle = options.lifecycle ?? new RequestLifecycle();
  return (req, res) => {
    const started = performance.now();
    let template = "(unmatched)";
    const method = req.method ?? "GET";
    const headers: Record<string, string> = {};
    const controller = lifecycle.begin();
    // "close" before the answer went out means the client went away.
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(clientGone());
    });
    const finish = (status: number, body: unknown) => {
      lifecycle.end(controller);
      send(req, res, status, body, headers);
      options.log?.(`${method} ${template} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    };
    const guarded = async () => {
      if (lifecycle.closing) throw shuttingDown();
      if (options.hostAllowed && !options.hostAllowed(headerValue(req.headers.host))) throw hostNotAllowed();
      return handle(req, options, headers, controller.signal, (t) => {
        template = t;
      });
    };
    guarded().then(
      (result) => finish(200, result),
      (error: unknown) => {
        const httpError = toHttpError(error);
        Object.assign(headers, httpError.headers);
        finish(httpError.status, httpError.body());
      },
    );
  };
}

function hostNotAllowed(): HttpError {
  // The value is the caller's; it is not echoed.
  return new HttpError(
    400,
    "BadRequest",
    "Host header not allowed: use a loopback name, or start the server with --allow-remote --allowed-hosts",
  );
}

async function handle(
  req: IncomingMessage,
  options: HandlerOptions,
  headers: Record<string, string>,
  signal: AbortSignal,
  setTemplate: (template: string) => void,
): Promise<unknown> {
  const method = req.method ?? "GET";
  const rawUrl = req.url ?? "/";
  const queryStart = rawUrl.indexOf("?");
  const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const match = options.router.match(method, pathname);
  if (!match) throw routeNotFound(method, pathname);
  const route = match.value;
  setTemplate(route.path);
  const ip = req.socket.remoteAddress ?? "unknown";

  if (route.rateLimit && options.rateLimiter) {
    const limit = INFISICAL_LIMITS[route.rateLimit];
    const decision = options.rateLimiter.check(`${method}${route.path}-${ip}`, limit);
    headers["x-ratelimit-limit"] = String(decision.limit);
    headers["x-ratelimit-remaining"] = String(decision.remaining);
    headers["x-ratelimit-reset"] = String(decision.resetSeconds);
    if (!decision.allowed) throw tooManyRequests(decision.resetSeconds);
  }

  const rawBody = await readBody(req);
  const actor = authenticate(options.state, headerValue(req.headers.authorization), route.auth, route.path);
  const params = validate(route.params, match.params);
  const body = validate(route.body, parseJsonBody(rawBody, req.headers["content-type"]));
  const query = validate(route.query, parseQuery(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1)));
  const result = await route.handler({
    state: options.state,
    actor,
    request: { ip, userAgent: headerValue(req.headers["user-agent"]), method, template: route.path },
    params,
    query,
    body,
    signal,
  });
  // A change is acknowledged only once it is on disk (reads' audit entries ride along later).
  if (method !== "GET") await options.state.store.durable();
  return result;
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

/** The body, up to MAX_BODY_BYTES; past that (declared or sent) a 413 at once, without reading on. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, "Payload Too Large", "Request body is too large");
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.pause();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.on("end", () => resolve(size === 0 ? undefined : Buffer.concat(chunks)));
    // A client that disconnects mid-body errors the stream or never sends "end": settle either way.
    req.on("error", () => reject(clientGone()));
    req.once("close", () => {
      if (!req.complete) reject(clientGone());
    });
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) return validationFailure(error.issues);
  // A uniqueness rule the route's own checks missed is still the caller's conflict, not a crash.
  if (isConstraintViolation(error)) return badRequest("The request conflicts with existing data");
  return internalError();
}

function isConstraintViolation(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" && (code & 0xff) === SQLITE_CONSTRAINT;
}

const SQLITE_CONSTRAINT = 19;
/** After a refused body, how long the client may read the answer before the socket is dropped. */
const LINGER_MS = 5_000;

/**
 * Writes the answer. A request whose body was not read to its end (refused, too large, or never
 * needed) closes its connection: nothing more is read from it, so an endless body costs nothing.
 */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body ?? null);
  const unread = !req.complete;
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...(unread ? { connection: "close" } : {}),
  });
  if (!unread) {
    res.end(text);
    return;
  }
  // Node drops a "connection: close" socket right after the answer; with the client's unread
  // body still queued, that close is a TCP reset, which can destroy the answer before the client
  // reads it. Instead: read nothing more, close our side only, drop the socket after a grace period.
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.pause();
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  req.pause();
  res.end(text);
}
