/**
 * The `infisical-e2ee` binary as a user runs it: the compiled entry point in a child process,
 * `server` on a free port, then `bootstrap --json` against it, twice (signup, then login).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parseServiceToken, publicKeyFingerprint } from "../../src/provider/crypto";
import { openSession } from "../../src/provider/session";

const run = promisify(execFile);
const CLI = join(__dirname, "..", "..", "src", "cli.js");
const REPO_ROOT = join(__dirname, "..", "..", "..");
const PASSWORD = "canary-cli-password-5e1f";

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("cli: entry point", () => {
  it("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const result = await cli(["--version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it("--help lists every subcommand; an unknown one exits 2 with the usage", async () => {
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    for (const command of ["server", "bootstrap", "fingerprint", "terraform-provider", "install-terraform-provider"]) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
    }
    const unknown = await cli(["no-such-command"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "no-such-command"/);
  });
});

describe("cli: server + bootstrap", () => {
  let server: ChildProcess;
  let url: string;

  before(async () => {
    server = spawn(process.execPath, [CLI, "server", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      let buffered = "";
      server.stdout!.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const line = buffered.split("\n")[0]!;
        if (buffered.includes("\n")) {
          const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
          if (match) resolve(match[1]!);
          else reject(new Error(`unexpected first line: ${line}`));
        }
      });
      server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
  });

  after(async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    assert.equal(await exited, 0, "SIGTERM shuts the server down cleanly");
  });

  it("bootstrap --json signs up the admin, then logs in on the second run; the password never echoes", async () => {
    const args = ["bootstrap", "--host", url, "--email", "ops@example.com", "--json"];
    const first = await cli([...args, "--project", "CLI One"], { INFISICAL_PASSWORD: PASSWORD });
    assert.equal(first.code, 0, first.stderr);
    const one = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.equal(one.host, url);
    assert.match(String(one.projectId), /\S/);
    assert.match(String(one.organizationId), /\S/);
    assert.deepEqual((one.environments as { slug: string }[]).map((e) => e.slug).sort(), ["dev", "prod", "staging"]);
    assert.equal(parseServiceToken(String(one.serviceToken)).key.length, 32);

    const second = await cli([...args, "--password", PASSWORD, "--project", "CLI Two"]);
    assert.equal(second.code, 0, second.stderr);
    const two = JSON.parse(second.stdout) as Record<string, unknown>;
    assert.equal(two.organizationId, one.organizationId, "the second run logs in to the same organization");
    assert.notEqual(two.projectId, one.projectId);
    for (const output of [first.stdout, first.stderr, second.stderr]) assert.equal(output.includes(PASSWORD), false);
  });

  it("bootstrap with a wrong password fails with a typed message and a non-zero exit", async () => {
    const result = await cli([
      "bootstrap",
      "--host",
      url,
      "--email",
      "ops@example.com",
      "--password",
      "wrong-password",
    ]);
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.includes("wrong-password"), false);
    assert.match(result.stderr, /\S/);
  });

  it("fingerprint logs in and prints one's own key fingerprint as the last line; the password never echoes", async () => {
    const result = await cli(["fingerprint", "--host", url, "--email", "ops@example.com"], {
      INFISICAL_PASSWORD: PASSWORD,
    });
    assert.equal(result.code, 0, result.stderr);
    const last = result.stdout.trimEnd().split("\n").at(-1)!;
    const session = openSession({ host: url, email: "ops@example.com", password: PASSWORD }, { env: {} });
    try {
      assert.equal(last, publicKeyFingerprint((await session.user()).publicKey));
    } finally {
      await session.close();
    }
    assert.equal(result.stdout.includes(PASSWORD) || result.stderr.includes(PASSWORD), false);

    const wrong = await cli([
      "fingerprint",
      "--host",
      url,
      "--email",
      "ops@example.com",
      "--password",
      "wrong-password",
    ]);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
    assert.match(wrong.stderr, /^fingerprint failed: /);
    assert.equal(wrong.stderr.includes("wrong-password"), false);
    // No password and no terminal to ask on: a usage error, not a hang.
    const missing = await cli(["fingerprint", "--host", url, "--email", "ops@example.com"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --password/);
  });
});
