/**
 * The embedded Infisical-compatible, zero-knowledge API server (legacy E2EE routes, as the real
 * server of 2024 answers them). `startServer` is what tests, examples and the CLI call.
 */
import { createServer } from "node:http";
import { isIP } from "node:net";
import { ProviderError } from "../provider/errors";
import { Logins } from "./auth/logins";
import { BlindIndexer } from "./blind-index";
import type { ServerState } from "./context";
import { createRequestHandler } from "./http/handle";
import { hostMatcher, isLoopbackName } from "./http/host-check";
import { RequestLifecycle } from "./http/lifecycle";
import { RateLimiter } from "./http/rate-limit";
import { Router } from "./http/router";
import type { AnyRoute } from "./route";
import { allRoutes } from "./routes";
import { Store } from "./store/database";
import { preparePrivateDir, restrictFiles } from "./store/files";
import { SecretStore } from "./store/secrets";
import { loadServerKeys } from "./store/server-keys";

export interface ServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. A non-loopback address is refused unless `allowRemote` is set. */
  host?: string;
  /** Allows a non-loopback `host`, and Host headers of IP literals and of `allowedHosts`. */
  allowRemote?: boolean;
  /** Host names answered besides loopback names (DNS-rebinding defence); needs `allowRemote`. */
  allowedHosts?: string[];
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
  /**
   * Stops accepting, aborts requests in flight (each either committed or wrote nothing), waits
   * for them up to 3 s, drops every connection and closes the database.
   */
  close(): Promise<void>;
}

/** How long close() waits for requests in flight before it drops their connections. */
const SETTLE_MS = 3_000;

export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(host);
}

function startError(message: string): ProviderError {
  return new ProviderError("ERR_SERVER_START", message);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw startError(
      `refusing to listen on non-loopback address ${host}; pass allowRemote (--allow-remote) to allow it`,
    );
  }
  if (options.allowedHosts?.length && !options.allowRemote) {
    throw startError("allowedHosts (--allowed-hosts) needs allowRemote (--allow-remote)");
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw startError("port must be an integer from 0 to 65535");

  const dataDir = options.dataDir === undefined ? undefined : preparePrivateDir(options.dataDir);
  const keys = loadServerKeys(dataDir);
  const store = new Store(dataDir);
  if (dataDir) restrictFiles(dataDir);
  const state: ServerState = {
    store,
    secrets: new SecretStore(store),
    keys,
    blindIndex: new BlindIndexer(keys.atRestKey),
    logins: new Logins(),
    publicUrl: "http://127.0.0.1/",
  };
  const router = new Router<AnyRoute>();
  for (const route of allRoutes) router.add(route.method, route.path, route);
  const lifecycle = new RequestLifecycle();
  const server = createServer(
    createRequestHandler({
      state,
      router,
      rateLimiter: options.rateLimit === "infisical" ? new RateLimiter() : undefined,
      log: options.log,
      lifecycle,
      hostAllowed: hostMatcher({ allowRemote: options.allowRemote, allowedHosts: options.allowedHosts }),
    }),
  );
  server.keepAliveTimeout = 5_000;
  // A client that never finishes its headers or body holds nothing for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
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
      closing ??= (async () => {
        const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        lifecycle.close();
        server.closeIdleConnections();
        await lifecycle.settled(SETTLE_MS);
        server.closeAllConnections();
        await listenerClosed;
        store.close();
        await state.logins.close();
      })();
      return closing;
    },
  };
}
