/**
 * The embedded server as users run it: `infisical-e2ee server` in its own process, reached over
 * loopback HTTP. `stop()` sends SIGTERM and reports how the process ended and how long it took.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { RawClient } from "./helpers";

export const CLI = join(__dirname, "..", "..", "src", "cli.js");

export interface ServerProcess {
  url: string;
  client: RawClient;
  child: ChildProcess;
  stderr: string[];
  /** SIGTERM, then waits for the exit (SIGKILL after `killAfterMs`). */
  stop(killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export async function startServerProcess(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, "server", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const first = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve)),
    exited.then(({ code }) => {
      throw new Error(`server exited with ${code} before listening: ${stderr.join("\n")}`);
    }),
  ]);
  const match = /^listening on (http:\/\/\S+)$/.exec(first);
  if (!match) throw new Error(`unexpected first line: ${first}`);
  const url = match[1]!;
  return {
    url,
    client: new RawClient(url),
    child,
    stderr,
    stop: async (killAfterMs = 20_000) => {
      const started = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: performance.now() - started };
    },
  };
}

/** A private copy of a committed data-folder fixture (never run a server on the fixture itself). */
export function copyFixture(name: string): string {
  const source = join(__dirname, "..", "..", "..", "test", "fixtures", name, "data");
  const target = join(mkdtempSync(join(tmpdir(), `infisical-e2ee-${name}-`)), "data");
  cpSync(source, target, { recursive: true });
  return target;
}

export function fixturePath(name: string, file: string): string {
  return join(__dirname, "..", "..", "..", "test", "fixtures", name, file);
}

/** One secret as the 0.1.0 fixture's manifest records it (written by scripts/make-server-fixture.ts). */
export interface FixtureSecret {
  environment: string;
  path: string;
  name: string;
  type: "shared" | "personal";
  /** Whose personal override this is (an email), for `type: "personal"`. */
  owner?: string;
  value: string;
  comment?: string;
  version: number;
  /** Earlier values, oldest first (versions `version - n` .. `version - 1`). */
  history?: string[];
}
