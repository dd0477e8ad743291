/**
 * Shared setup for core integration tests: an embedded server on port 0 (real HTTP), an admin
 * bootstrapped through the real API, and sessions with a request log parsed from the server's
 * own log callback so tests can count calls per route.
 */
import { type BootstrapResult, bootstrap } from "../../src/provider/bootstrap";
import type { ResourceContext } from "../../src/provider/schema/resource";
import { silentLogger } from "../../src/provider/schema/resource";
import { type OpenSessionOptions, openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { type RunningServer, startServer } from "../../src/server";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "correct horse battery staple";

export interface LoggedRequest {
  method: string;
  route: string;
  status: number;
}

export interface Harness {
  server: RunningServer;
  boot: BootstrapResult;
  requests: LoggedRequest[];
  /** Count logged requests matching method and route template since `from` (an index into requests). */
  count(method: string, route: string | RegExp, from?: number): number;
  userSession(options?: OpenSessionOptions): Session;
  tokenSession(options?: OpenSessionOptions): Session;
  ctx(session: Session): ResourceContext;
  /** Close every session opened through the harness so far (the server stays up). */
  closeSessions(): Promise<void>;
  close(): Promise<void>;
}

export function parseLogLine(line: string): LoggedRequest | undefined {
  const match = /^(GET|POST|PATCH|PUT|DELETE) (\S+) (\d{3})\b/.exec(line);
  return match ? { method: match[1]!, route: match[2]!, status: Number(match[3]) } : undefined;
}

export async function startHarness(
  options: { rateLimit?: "off" | "infisical"; projectName?: string; dataDir?: string } = {},
): Promise<Harness> {
  const requests: LoggedRequest[] = [];
  const server = await startServer({
    port: 0,
    rateLimit: options.rateLimit,
    dataDir: options.dataDir,
    log: (line) => {
      const parsed = parseLogLine(line);
      if (parsed) requests.push(parsed);
    },
  });
  const boot = await bootstrap({
    host: server.url,
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
    projectName: options.projectName ?? "core-tests",
  });
  const sessions: Session[] = [];
  const track = (s: Session) => {
    sessions.push(s);
    return s;
  };
  return {
    server,
    boot,
    requests,
    count(method, route, from = 0) {
      return requests
        .slice(from)
        .filter((r) => r.method === method && (typeof route === "string" ? r.route === route : route.test(r.route)))
        .length;
    },
    userSession: (opts = {}) =>
      track(openSession({ host: server.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { env: {}, ...opts })),
    tokenSession: (opts = {}) =>
      track(openSession({ host: server.url, serviceToken: boot.serviceToken }, { env: {}, ...opts })),
    ctx: (session) => ({ session, log: silentLogger }),
    async closeSessions() {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    },
    async close() {
      await Promise.all(sessions.map((s) => s.close()));
      await server.close();
    },
  };
}

/** A fresh name per call so tests never collide inside one project. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
