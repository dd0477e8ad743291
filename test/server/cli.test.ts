import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { parseServerArgs } from "../../src/cli/server-command";
import { startServer } from "../../src/server";

const CLI = join(__dirname, "..", "..", "src", "cli.js");

describe("server: CLI and start-up options", () => {
  it("`server --port 0` prints `listening on http://HOST:PORT` first and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--quiet"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve) => lines.once("line", resolve));
    assert.match(first, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = first.slice("listening on ".length);
    const status = await fetch(`${url}/api/status`);
    assert.equal(status.status, 200);
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exit, 0);
  });

  it("bad flags are usage errors", () => {
    assert.throws(() => parseServerArgs(["--port", "abc"]), /--port/);
    assert.throws(() => parseServerArgs(["--rate-limit", "fast"]), /--rate-limit/);
    assert.throws(() => parseServerArgs(["--nope"]), /unknown option/);
    assert.equal(parseServerArgs(["--port", "0", "--rate-limit", "infisical"]).options.rateLimit, "infisical");
  });

  it("refuses a non-loopback address unless allowRemote", async () => {
    await assert.rejects(startServer({ host: "0.0.0.0" }), /non-loopback/);
    const server = await startServer({ host: "0.0.0.0", allowRemote: true });
    assert.ok(server.port > 0);
    await server.close();
  });
});
