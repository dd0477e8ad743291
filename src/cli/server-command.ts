/**
 * `infisical-e2ee server [--port N] [--host H] [--data DIR] [--rate-limit off|infisical] [--allow-remote]
 * [--allowed-hosts a,b]`. The first stdout line is exactly `listening on http://HOST:PORT`;
 * SIGTERM/SIGINT close within 5 s (requests in flight finish or write nothing).
 * Another command module may extend the flags and hook into start-up (see `ServerCommandHooks`).
 */
import { type RunningServer, type ServerOptions, startServer } from "../server";
import { parseFlags, UsageError } from "./args";

export const SERVER_FLAGS = {
  port: "string",
  host: "string",
  data: "string",
  "rate-limit": "string",
  "allow-remote": "boolean",
  "allowed-hosts": "string",
  quiet: "boolean",
  help: "boolean",
} as const;

/** What the command passes to `startServer`; extended by hooks such as `--seed`. */
export interface ServerCommandOptions extends ServerOptions {
  /** Print one log line per request to stderr (default true; `--quiet` turns it off). */
  requestLog: boolean;
}

export interface ServerCommandHooks {
  /** Extra flags accepted by the command (name → kind), e.g. `{ seed: "boolean" }`. */
  flags?: Record<string, "string" | "boolean">;
  /** Runs after the server listens and after the `listening on` line. */
  afterStart?: (server: RunningServer, flags: Record<string, string | boolean | undefined>) => Promise<void> | void;
}

const USAGE = `Usage: infisical-e2ee server [--port N] [--host H] [--data DIR] [--rate-limit off|infisical] [--allow-remote] [--allowed-hosts a,b] [--quiet]

  --port N          Port to listen on (0 = any free port; default 8080)
  --host H          Address to bind (default 127.0.0.1; non-loopback needs --allow-remote)
  --data DIR        Keep the database and server keys in DIR (default: in memory)
  --rate-limit M    off (default) or infisical (60/min per route on secret and folder routes, like Infisical)
  --allow-remote    Allow binding a non-loopback address (and Host headers that are IP addresses)
  --allowed-hosts L Comma-separated host names answered besides loopback names (needs --allow-remote)
  --quiet           No per-request log lines on stderr`;

export function parseServerArgs(
  argv: string[],
  extraFlags: Record<string, "string" | "boolean"> = {},
): { options: ServerCommandOptions; flags: Record<string, string | boolean | undefined>; help: boolean } {
  const flags = parseFlags(argv, { ...extraFlags, ...SERVER_FLAGS }) as Record<string, string | boolean | undefined>;
  const portText = (flags.port as string | undefined) ?? "8080";
  if (!/^\d+$/.test(portText) || Number(portText) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535`);
  const rateLimit = (flags["rate-limit"] as string | undefined) ?? "off";
  if (rateLimit !== "off" && rateLimit !== "infisical")
    throw new UsageError(`--rate-limit must be "off" or "infisical"`);
  const allowedHosts = parseHostList(flags["allowed-hosts"] as string | undefined);
  if (allowedHosts && flags["allow-remote"] !== true) throw new UsageError("--allowed-hosts needs --allow-remote");
  return {
    options: {
      port: Number(portText),
      host: (flags.host as string | undefined) ?? "127.0.0.1",
      dataDir: flags.data as string | undefined,
      rateLimit,
      allowRemote: flags["allow-remote"] === true,
      allowedHosts,
      requestLog: flags.quiet !== true,
    },
    flags,
    help: flags.help === true,
  };
}

/** `a.example,b.example` → names; each a plain host name (no scheme, port or path). */
function parseHostList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  if (names.length === 0 || !names.every((h) => /^[a-z0-9.-]+$/.test(h))) {
    throw new UsageError("--allowed-hosts must be a comma-separated list of host names (no scheme, port or path)");
  }
  return names;
}

/** After close, a lingering handle (an Argon2id still on the thread pool) may delay exit this long at most. */
const EXIT_GRACE_MS = 1_000;

export async function run(argv: string[], hooks: ServerCommandHooks = {}): Promise<number> {
  let parsed: ReturnType<typeof parseServerArgs>;
  try {
    parsed = parseServerArgs(argv, hooks.flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`infisical-e2ee server: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { requestLog, ...options } = parsed.options;
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      log: requestLog ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
  } catch (error) {
    process.stderr.write(`infisical-e2ee server: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  await hooks.afterStart?.(server, parsed.flags);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      server.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  return 0;
}
