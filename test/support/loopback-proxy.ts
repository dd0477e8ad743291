/**
 * The plumbing the test proxies share: a loopback listener that reads each request whole, and a
 * forwarder that replays it against the target and collects the whole answer.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  payload: Buffer;
}

/** Replays `req` (with its already-read `body`) against `target`; rejects when the target fails. */
export function forwardTo(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("end", () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, payload: Buffer.concat(parts) }),
        );
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}

export interface LoopbackProxy {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0 and calls `handle` once each request body has been read. */
export async function listenOnLoopback(
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<LoopbackProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
