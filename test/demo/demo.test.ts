import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { delimiter, dirname, join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import type { DemoSummary } from "../../scripts/demo/report";
import { findCdktnCli, whichAll } from "../../scripts/demo/workspace";

const demoScript = join(__dirname, "..", "..", "scripts", "demo.js");
const terraform = whichAll("terraform")[0];
const cdktn = findCdktnCli(repoRoot());
const skip = !terraform ? "terraform is not on PATH" : !cdktn ? "the cdktn CLI is not installed" : false;
const STEP_IDS = ["setup", "deploy", "read-back", "at-rest", "rotation", "drift", "destroy"];

function runDemo(env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demoScript, "--json"], {
      env: { ...env, DEMO_NONINTERACTIVE: "1" },
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

function parseSummary(code: number, stdout: string, stderr: string): DemoSummary {
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(lastLine) as DemoSummary;
  } catch {
    assert.fail(`no JSON summary on stdout (exit ${code}); stderr tail:\n${stderr.slice(-3000)}`);
  }
}

test("npm run demo: every step of the story checks out", { skip, timeout: 600_000 }, async () => {
  const { code, stdout, stderr } = await runDemo();
  const summary = parseSummary(code, stdout, stderr);
  const failed = summary.steps.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.name}`));
  assert.deepEqual(failed, [], `failed checks; stderr tail:\n${stderr.slice(-3000)}`);
  assert.equal(summary.face, "terraform");
  assert.deepEqual(
    summary.steps.map((s) => s.id),
    STEP_IDS,
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
  // The human-readable story went to stderr, with its tables; every deploy step ran cdktn.
  assert.match(stderr, /Step 5\/5/);
  assert.match(stderr, /Deploy: cdktn deploy of examples\/cdktn/);
  assert.match(stderr, /cdktn deploy \(environment, 3 secrets, membership, service token\)/);
  assert.match(stderr, /cdktn deploy with ROTATION_TRIGGER=/);
  assert.match(stderr, /cdktn diff/);
  assert.match(stderr, /cdktn destroy/);
  assert.doesNotMatch(stderr, /cdktf (deploy|diff|destroy)/);
  console.log(`demo finished in ${(summary.durationMs / 1000).toFixed(1)} s`);
});

/** PATH without any folder that holds a `terraform` executable: a machine without Terraform. */
function pathWithoutTerraform(): string {
  const withTerraform = new Set(whichAll("terraform").map((file) => dirname(file)));
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir && !withTerraform.has(dir))
    .join(delimiter);
}

test("npm run demo without terraform on PATH: says so, and the Pulumi face tells the same story", {
  timeout: 300_000,
}, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutTerraform() };
  delete env.INFISICAL_E2EE_DEMO_FACE;
  assert.deepEqual(whichAll("terraform", env.PATH), [], "the filtered PATH still finds terraform");
  const { code, stdout, stderr } = await runDemo(env);
  const summary = parseSummary(code, stdout, stderr);
  const failed = summary.steps.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.name}`));
  assert.deepEqual(failed, [], `failed checks; stderr tail:\n${stderr.slice(-3000)}`);
  assert.equal(summary.face, "pulumi");
  assert.match(summary.note ?? "", /`terraform` is not on PATH/);
  assert.match(
    stderr,
    /Terraform is not used: `terraform` is not on PATH\. The same story runs through the Pulumi face/,
  );
  assert.deepEqual(
    summary.steps.map((s) => s.id),
    STEP_IDS,
  );

  // Each step's outcome, by the checks that prove it (all of which passed, above).
  const checks = (id: string) => summary.steps.find((s) => s.id === id)!.checks.map((c) => c.name);
  assert.deepEqual(checks("deploy"), [
    "every resource was created",
    "the service token is a secret stack output",
    "the service token is a 4-part E2EE token",
  ]);
  assert.deepEqual(checks("read-back"), [
    "explicit value round-trips",
    "Pulumi secret value round-trips",
    "generated value has 32 characters",
  ]);
  assert.deepEqual(checks("at-rest"), [
    "the server's database files contain no plaintext value",
    "the API returns ciphertext with a 16-byte IV",
    "the Pulumi state holds secret values only in encrypted form",
    "the provider host's logs hold no secret value",
  ]);
  assert.deepEqual(checks("rotation"), [
    "up updated DB_PASSWORD in place and nothing else",
    "the new value differs from the old one",
    "the old value is in the version history",
    "the API serves the old value as the previous version",
    "the other secrets did not change",
  ]);
  assert.deepEqual(checks("drift"), [
    "refresh finds DB_HOST changed out of band",
    "the preview updates DB_HOST in place",
    "nothing else changes",
  ]);
  assert.deepEqual(checks("destroy"), [
    "destroy deleted every resource, the environment last",
    "the qa environment is gone",
    "no secrets are left",
    "only the admin is a member",
    "the demo's service token is gone",
    "the Pulumi state is empty",
  ]);
  assert.equal(summary.ok, true);
  assert.equal(code, 0);

  // The tables a reader sees, with masked values only.
  assert.match(stderr, /│ API_KEY \(Pulumi secret\) │ \/ +│ ak_…/);
  assert.match(stderr, /│ db-password output value \(generated\) │ sealed: v1:/);
  assert.match(stderr, /│ db-host +│ preview +│ update \(value\)/);
  assert.match(stderr, /│ secrets \(all environments\) │ 0 /);
  console.log(`demo (Pulumi face) finished in ${(summary.durationMs / 1000).toFixed(1)} s`);
});
