/**
 * Shared tools for the security tests: unique canary plaintexts, a deep scan of thrown errors
 * (message, stack, cause chain, own properties, util.inspect), and a recording HTTP proxy that
 * sees every request the client sends (method, URL, headers, body) and can tamper with answers.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { inspect } from "node:util";
import { forwardTo, listenOnLoopback } from "../support/loopback-proxy";

/** A plaintext that cannot appear anywhere by chance. */
export function canary(label: string): string {
  return `canary-${label}-${randomBytes(6).toString("hex")}`;
}

/** Names of the canaries found in `text`. */
export function foundIn(text: string, canaries: Record<string, string>): string[] {
  return Object.entries(canaries)
    .filter(([, value]) => value.length > 0 && text.includes(value))
    .map(([name]) => name);
}

/**
 * Everything a user, a log or a diagnostic could ever see of an error: its message and stack,
 * every cause (recursively), AggregateError members, and every own property (util.inspect
 * prints them all, including non-enumerable `cause`).
 */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 12 || value === null || value === undefined || seen.has(value)) return;
    if (typeof value !== "object" && typeof value !== "function") {
      parts.push(String(value));
      return;
    }
    seen.add(value);
    if (value instanceof Error) {
      parts.push(String(value), value.message, value.stack ?? "");
      visit((value as { cause?: unknown }).cause, depth + 1);
      if (value instanceof AggregateError) for (const inner of value.errors) visit(inner, depth + 1);
    }
    for (const key of Object.getOwnPropertyNames(value)) {
      let inner: unknown;
      try {
        inner = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      visit(inner, depth + 1);
    }
  };
  visit(error, 0);
  parts.push(inspect(error, { depth: 12, showHidden: true }));
  return parts.join("\n");
}

/** Runs `action`, which must throw; returns the error and everything it exposes as text. */
export async function captureError(action: () => unknown): Promise<{ error: unknown; text: string }> {
  try {
    await action();
  } catch (error) {
    return { error, text: errorText(error) };
  }
  throw new Error("expected the action to fail, but it succeeded");
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Everything the client sent, as one text (URLs, header names and values, bodies). */
  traffic(): string;
  /** Rewrites JSON answers whose path matches; return the new body object. */
  tamper?: { path: RegExp; rewrite: (body: Record<string, unknown>) => unknown };
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const targetUrl = new URL(target);
  const listener = await listenOnLoopback((req, body, res) => {
    proxy.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString() });
    forwardTo(targetUrl, req, body).then(
      (answer) => {
        let payload = answer.payload;
        const path = (req.url ?? "").split("?")[0]!;
        const tamper = proxy.tamper;
        if (tamper?.path.test(path) && answer.status < 300) {
          payload = Buffer.from(JSON.stringify(tamper.rewrite(JSON.parse(payload.toString()))));
        }
        const headers = { ...answer.headers, "content-length": String(payload.length) };
        delete headers["transfer-encoding"];
        res.writeHead(answer.status, headers);
        res.end(payload);
      },
      () => res.destroy(),
    );
  });
  const proxy: RecordingProxy = {
    url: listener.url,
    requests: [],
    traffic: () =>
      proxy.requests
        .map(
          (r) =>
            `${r.method} ${r.url}\n${Object.entries(r.headers)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join("\n")}\n\n${r.body}`,
        )
        .join("\n----\n"),
    close: listener.close,
  };
  return proxy;
}
