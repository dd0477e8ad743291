import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import type { DemoSummary } from "../../scripts/demo/report";
import { findCdktfCli, whichAll } from "../../scripts/demo/workspace";

const demoScript = join(__dirname, "..", "..", "scripts", "demo.js");
const terraform = whichAll("terraform")[0];
const cdktf = terraform ? findCdktfCli(repoRoot()) : undefined;
const skip = !terraform ? "terraform is not on PATH" : !cdktf ? "no Node on PATH can run the cdktf CLI" : false;

function runDemo(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demoScript, "--json"], {
      env: { ...process.env, DEMO_NONINTERACTIVE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test("npm run demo: every step of the story checks out", { skip, timeout: 600_000 }, async () => {
  const { code, stdout, stderr } = await runDemo();
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  let summary: DemoSummary;
  try {
    summary = JSON.parse(lastLine) as DemoSummary;
  } catch {
    assert.fail(`no JSON summary on stdout (exit ${code}); stderr tail:\n${stderr.slice(-3000)}`);
  }
  const failed = summary.steps.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.name}`));
  assert.deepEqual(failed, [], `failed checks; stderr tail:\n${stderr.slice(-3000)}`);
  assert.equal(summary.face, "terraform");
  assert.deepEqual(
    summary.steps.map((s) => s.id),
    ["setup", "deploy", "read-back", "at-rest", "rotation", "drift", "destroy"],
  );
  const checks = (id: string) => summary.steps.find((s) => s.id === id)!.checks.map((c) => c.name);
  assert.ok(checks("read-back").includes("write-only value round-trips"));
  assert.ok(checks("at-rest").includes("the server's database files contain no plaintext value"));
  assert.ok(checks("at-rest").includes("the state holds no write-only value"));
  assert.ok(checks("rotation").includes("the old value is in the version history"));
  assert.ok(checks("drift").includes("the plan updates DB_HOST in place"));
  assert.ok(checks("destroy").includes("no secrets are left"));
  assert.equal(summary.ok, true);
  assert.equal(code, 0);
  // The human-readable story went to stderr, with its tables.
  assert.match(stderr, /Step 5\/5/);
  console.log(`demo finished in ${(summary.durationMs / 1000).toFixed(1)} s`);
});
