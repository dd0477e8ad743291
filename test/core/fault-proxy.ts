/**
 * A tiny HTTP proxy for fault injection: forwards to the target, except when a rule matches,
 * in which case it answers 429 (with retry-after), 503, drops the connection before forwarding,
 * or forwards and then drops the connection so the answer is lost (the request did happen).
 */
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "429" | "503" | "drop-before" | "drop-after";

export interface FaultRule {
  method: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests to hit (then the rule is spent). */
  times: number;
}

export interface FaultProxy {
  url: string;
  injected: { method: string; path: string; fault: Fault }[];
  forwarded: number;
  addRule(rule: FaultRule): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const targetUrl = new URL(target);
  const state: FaultProxy = {
    url: "",
    injected: [],
    forwarded: 0,
    addRule: (rule) => rules.push({ ...rule }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onResponse: (status: number, headers: IncomingMessage["headers"], payload: Buffer) => void,
  ) => {
    state.forwarded += 1;
    const upstream = request(
      {
        hostname: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => onResponse(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
      },
    );
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? "").split("?")[0]!;
      const rule = rules.find((r) => r.times > 0 && r.method === req.method && r.path.test(path));
      if (rule) {
        rule.times -= 1;
        state.injected.push({ method: req.method!, path, fault: rule.fault });
      }
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
        case "drop-before":
          req.socket.destroy();
          return;
        case "drop-after":
          forward(req, body, () => req.socket.destroy());
          return;
        default:
          forward(req, body, (status, headers, payload) => {
            res.writeHead(status, { "content-type": headers["content-type"] ?? "application/json" });
            res.end(payload);
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
