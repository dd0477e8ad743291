/**
 * A server that lies: forwards every request to the real (embedded) server and lets a test rewrite
 * the JSON of the answers on the way back, e.g. to swap `user.publicKey` or `sender.publicKey`.
 * Requests are forwarded unchanged, so the real server's log shows what the client really wrote.
 */
import { forwardTo, listenOnLoopback } from "./loopback-proxy";

// biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON, rewritten in place by tests
export type Json = any;

/** Change `body` in place (or return a replacement); `path` has no query string. */
export type Rewrite = (method: string, path: string, body: Json) => Json | undefined;

export interface LyingProxy {
  url: string;
  /** Answers that a rewrite changed, as `METHOD path`. */
  lies: string[];
  close(): Promise<void>;
}

export async function startLyingProxy(target: string, rewrite: Rewrite): Promise<LyingProxy> {
  const targetUrl = new URL(target);
  const lies: string[] = [];
  const listener = await listenOnLoopback((req, body, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    forwardTo(targetUrl, req, body).then(
      (answer) => {
        let payload = answer.payload;
        const type = String(answer.headers["content-type"] ?? "");
        if (type.includes("json") && payload.length > 0) {
          const original = payload.toString("utf8");
          const parsed = JSON.parse(original);
          const changed = JSON.stringify(rewrite(req.method!, path, parsed) ?? parsed);
          if (changed !== original) lies.push(`${req.method} ${path}`);
          payload = Buffer.from(changed, "utf8");
        }
        res.writeHead(answer.status, { "content-type": type || "application/json" });
        res.end(payload);
      },
      () => res.destroy(),
    );
  });
  return { url: listener.url, lies, close: listener.close };
}
