/**
 * The embedded Infisical-compatible, zero-knowledge API server (legacy E2EE routes, as the real
 * server of 2024 answers them). `startServer` is what tests, examples and the CLI call.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { isIP } from "node:net";
import { ConfigError } from "../provider/errors";
import { Logins } from "./auth/logins";
import { BlindIndexer } from "./blind-index";
import type { ServerState } from "./context";
import { createRequestHandler } from "./http/handle";
import { RateLimiter } from "./http/rate-limit";
import { Router } from "./http/router";
import type { AnyRoute } from "./route";
import { allRoutes } from "./routes";
import { Store } from "./store/database";
import { loadServerKeys } from "./store/server-keys";

export interface ServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. A non-loopback address is refused unless `allowRemote` is set. */
  host?: string;
  allowRemote?: boolean;
  /** Where the SQLite database and the server's keys live; absent = in memory. */
  dataDir?: string;
  /** `infisical` mimics the real server's 60/min per route on secret routes. Default off. */
  rateLimit?: "off" | "infisical";
  /** One line per request: method, route template, status, duration. Never secret material. */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new ConfigError(
      "host",
      `refusing to listen on non-loopback address ${host}`,
      "Pass allowRemote (--allow-remote) to allow it.",
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError("port", "must be an integer from 0 to 65535", "Pass 0 for a free port.");

  const keys = loadServerKeys(options.dataDir === undefined ? undefined : ensureDir(options.dataDir));
  const store = new Store(options.dataDir);
  const state: ServerState = {
    store,
    keys,
    blindIndex: new BlindIndexer(keys.atRestKey),
    logins: new Logins(),
    publicUrl: "http://127.0.0.1/",
  };
  const router = new Router<AnyRoute>();
  for (const route of allRoutes) router.add(route.method, route.path, route);
  const server = createServer(
    createRequestHandler({
      state,
      router,
      rateLimiter: options.rateLimit === "infisical" ? new RateLimiter() : undefined,
      log: options.log,
    }),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    store.close();
    throw error;
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const url = `http://${urlHost}:${actualPort}`;
  state.publicUrl = `${url}/`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    host,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          void state.logins.close().then(resolve);
        });
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
