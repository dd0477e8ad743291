/**
 * A tiny HTTP proxy for fault injection: forwards to the target, except when a rule matches,
 * in which case it answers 429 (with retry-after), 503, 401 (a token the server calls stale), drops
 * the connection before forwarding,
 * or forwards and then drops the connection so the answer is lost (the request did happen).
 */
import { forwardTo, listenOnLoopback } from "../support/loopback-proxy";

export type Fault = "429" | "503" | "401" | "drop-before" | "drop-after";

export interface FaultRule {
  method: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests to hit (then the rule is spent). */
  times: number;
}

export interface FaultProxy {
  url: string;
  /** Each injected fault, with when it was answered (Date.now()). */
  injected: { method: string; path: string; fault: Fault; at: number }[];
  forwarded: number;
  addRule(rule: FaultRule): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const targetUrl = new URL(target);
  const listener = await listenOnLoopback((req, body, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const rule = rules.find((r) => r.times > 0 && r.method === req.method && r.path.test(path));
    if (rule) {
      rule.times -= 1;
      state.injected.push({ method: req.method!, path, fault: rule.fault, at: Date.now() });
    }
    const forward = () => {
      state.forwarded += 1;
      return forwardTo(targetUrl, req, body);
    };
    switch (rule?.fault) {
      case "429":
        res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
        res.end(
          JSON.stringify({
            statusCode: 429,
            error: "Too Many Requests",
            message: "Rate limit exceeded, retry in 1 minute",
          }),
        );
        return;
      case "503":
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("Service Unavailable");
        return;
      case "401":
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: 401, error: "UnauthorizedError", message: "Token expired" }));
        return;
      case "drop-before":
        req.socket.destroy();
        return;
      case "drop-after":
        forward().then(
          () => req.socket.destroy(),
          () => req.socket.destroy(),
        );
        return;
      default:
        forward().then(
          (answer) => {
            res.writeHead(answer.status, { "content-type": answer.headers["content-type"] ?? "application/json" });
            res.end(answer.payload);
          },
          () => res.destroy(),
        );
    }
  });
  const state: FaultProxy = {
    url: listener.url,
    injected: [],
    forwarded: 0,
    addRule: (rule) => rules.push({ ...rule }),
    close: listener.close,
  };
  return state;
}
