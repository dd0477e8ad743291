/**
 * Real `terraform` against a project whose secrets lost their blind indexes (as one from before
 * April 2023; test/support/unindexed-project.ts): plan still works (reads list), an apply that
 * writes by name fails with the remedy in Terraform's own output and writes nothing; after
 * `infisical-e2ee enable-blind-indices` the same apply succeeds and the next plan is empty.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import { type RunningServer, startServer } from "../../src/server";
import { RequestLog } from "../support/request-log";
import {
  expectedValue,
  type Shape,
  secretKey,
  TerraformWorkspace,
  terraformMissing,
  type WorkspaceTarget,
} from "../support/terraform-workspace";
import { dropBlindIndexes, indexState } from "../support/unindexed-project";

const skip = terraformMissing() ?? false;
if (skip) process.stdout.write(`# skipping real Terraform on an un-indexed project: ${skip}\n`);

const run = promisify(execFile);
const CLI = join(__dirname, "..", "..", "src", "cli.js");
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const FIRST: Shape = { environments: ["dev"], perEnvironment: 3 };
const CHANGED: Shape = { environments: ["dev"], perEnvironment: 4, valuePrefix: "w" };

describe("real terraform on a project from before April 2023", { skip }, () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-blind-")), "data");
  let server: RunningServer;
  let workspace: TerraformWorkspace;
  let target: WorkspaceTarget;
  const log = new RequestLog();
  const statusAsked = (mark: number) =>
    log.since(mark).filter((r) => r.route === "/api/v3/workspaces/:workspaceId/secrets/blind-index-status").length;

  before(async () => {
    server = await startServer({ port: 0, dataDir, log: log.line });
    const boot = await bootstrap({ host: server.url, email: ADMIN.email, password: ADMIN.password });
    target = { host: server.url, email: ADMIN.email, password: ADMIN.password, projectId: boot.projectId };
    workspace = await TerraformWorkspace.create();
  });
  after(async () => {
    workspace?.close();
    await server?.close();
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("plan works, apply fails with the remedy and writes nothing; after enable-blind-indices it converges", async () => {
    let mark = log.mark();
    const first = await workspace.apply(target, FIRST);
    assert.equal(first.code, 0, first.output.slice(-3000));
    assert.equal(statusAsked(mark), 1, "a healthy project: one status request for the apply's creates");
    assert.equal(dropBlindIndexes(dataDir, target.projectId), 3);

    mark = log.mark();
    const plan = await workspace.plan(target, FIRST);
    assert.equal(statusAsked(mark), 0, "a plan asks nothing");
    assert.equal(plan.code, 0, `reads list, so the refresh sees no change:\n${plan.output.slice(-3000)}`);

    const refused = await workspace.apply(target, CHANGED);
    assert.equal(refused.code, 1, refused.output.slice(-3000));
    assert.match(refused.output, /Error: Project Needs Blind Indices/);
    const flat = refused.output.replace(/\s+/g, " ");
    assert.match(flat, /enable-blind-indices --host \S+ --email admin@example\.com --password <password> --project/);
    assert.match(flat, new RegExp(`--project ${target.projectId}`));
    assert.ok(!refused.output.includes(ADMIN.password), "no password in Terraform's output");
    assert.equal(indexState(dataDir, target.projectId).unindexed.length, 3, "nothing was written");

    const fixed = await run(
      process.execPath,
      [
        CLI,
        "enable-blind-indices",
        "--host",
        server.url,
        "--email",
        ADMIN.email,
        "--project",
        target.projectId,
        "--allow-insecure-http",
      ],
      { env: { PATH: process.env.PATH, INFISICAL_PASSWORD: ADMIN.password } },
    );
    assert.match(fixed.stdout, /indexed 3 secrets/);

    mark = log.mark();
    const applied = await workspace.apply(target, CHANGED);
    assert.equal(applied.code, 0, applied.output.slice(-3000));
    assert.equal(statusAsked(mark), 1, "one status request for the apply (updates ask nothing)");
    const again = await workspace.plan(target, CHANGED);
    assert.equal(again.code, 0, `second plan not empty:\n${again.output.slice(-3000)}`);
    const session = openSession(target, { env: {} });
    try {
      const secrets = await session.secrets.list({ projectId: target.projectId, environment: "dev", path: "/" });
      assert.deepEqual(
        secrets.map((s) => [s.key, s.value]).sort(),
        [0, 1, 2, 3].map((i) => [secretKey(i), expectedValue("dev", i, "w")]),
        "every secret once, with the new value (no duplicate)",
      );
    } finally {
      await session.close();
    }
  });
});
