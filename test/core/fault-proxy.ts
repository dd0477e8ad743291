/**
 * A tiny HTTP proxy for fault injection: forwards to the target, except when a rule matches,
 * in which case it answers 429 (with retry-after), 503, 401 (a token the server calls stale), drops
 * the connection before forwarding,
 * or forwards and then drops the connection so the answer is lost (the request did happen).
 * Besides counted rules, faults can strike at random at given rates (seeded, so a run repeats).
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

/** Faults at random: each matching request gets at most one, with these probabilities. */
export interface RandomFaults {
  seed: number;
  rates: Partial<Record<Fault, number>>;
  /** Requests whose path (without query) matches; default all. */
  path?: RegExp;
}

/** mulberry32: a tiny seeded generator, so a faulty run can be repeated exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxy {
  url: string;
  /** Each injected fault, with when it was answered (Date.now()). */
  injected: { method: string; path: string; fault: Fault; at: number }[];
  forwarded: number;
  addRule(rule: FaultRule): void;
  close(): Promise<void>;
}

function randomFault(random: RandomFaults | undefined, draw: () => number, path: string): Fault | undefined {
  if (!random || (random.path && !random.path.test(path))) return undefined;
  let roll = draw();
  for (const [fault, rate] of Object.entries(random.rates) as [Fault, number][]) {
    if (roll < rate) return fault;
    roll -= rate;
  }
  return undefined;
}

export async function startFaultProxy(target: string, random?: RandomFaults): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const targetUrl = new URL(target);
  const draw = seeded(random?.seed ?? 0);
  const listener = await listenOnLoopback((req, body, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const rule = rules.find((r) => r.times > 0 && r.method === req.method && r.path.test(path));
    if (rule) rule.times -= 1;
    const fault = rule?.fault ?? randomFault(random, draw, path);
    if (fault) state.injected.push({ method: req.method!, path, fault, at: Date.now() });
    const forward = () => {
      state.forwarded += 1;
      return forwardTo(targetUrl, req, body);
    };
    switch (fault) {
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
