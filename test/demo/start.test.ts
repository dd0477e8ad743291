/** `npm start` (scripts/start.ts): a private data folder, and a port clash that says how to move. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const startScript = join(__dirname, "..", "..", "scripts", "start.js");
const work = mkdtempSync(join(tmpdir(), "infisical-e2ee-start-"));
after(() => rmSync(work, { recursive: true, force: true }));

interface Started {
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  /** Resolves true once the server says it listens, false if the process ends first. */
  listening: Promise<boolean>;
  stderr: () => string;
  stop: () => void;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [startScript], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const listening = new Promise<boolean>((resolve) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes("listening on")) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  return { exited, listening, stderr: () => stderr, stop: () => child.kill("SIGTERM") };
}

test("npm start creates its data folder readable by this user only", async () => {
  const dataDir = join(work, "fresh", "data");
  const server = start({ INFISICAL_E2EE_DATA: dataDir, PORT: "0" });
  try {
    assert.equal(await server.listening, true, server.stderr());
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  } finally {
    server.stop();
    await server.exited;
  }
});

test("npm start on a port in use says so and names the PORT variable", async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const server = start({ INFISICAL_E2EE_DATA: join(work, "clash"), PORT: String(port) });
    assert.equal(await server.exited, 1);
    assert.match(server.stderr(), new RegExp(`port ${port} is already in use; set PORT to another port`));
  } finally {
    blocker.close();
  }
});
