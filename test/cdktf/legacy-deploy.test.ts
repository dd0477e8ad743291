/**
 * The legacy path end to end: examples/cdktf (the `cdktf` library and `infisical-e2ee/cdktf`)
 * deployed by the cdktn CLI with real terraform against the embedded server: `cdktn deploy`,
 * `cdktn diff` with nothing to change, `cdktn destroy`. The CDK Terrain app (examples/cdktn) runs
 * the same way in `npm run demo` (test/demo/demo.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { createWorkspace, findCdktnCli, runCommand, type Workspace, whichAll } from "../../scripts/demo/workspace";
import { installTerraformProvider } from "../../src/cli/install-terraform-provider-command";
import { bootstrap } from "../../src/provider/bootstrap";
import { lookups } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import { type RunningServer, startServer } from "../../src/server";

const STACK = "infisical-e2ee-demo";
const ADMIN = { email: "legacy@example.com", password: "legacy horse battery staple" };
const cdktnCli = findCdktnCli(repoRoot());
const skip =
  whichAll("terraform").length === 0 ? "terraform is not on PATH" : !cdktnCli ? "cdktn-cli is missing" : false;

test("examples/cdktf is examples/cdktn on the legacy library: only the imports differ", () => {
  const lines = (example: string) =>
    readFileSync(join(repoRoot(), "examples", example, "main.ts"), "utf8")
      .split("\n")
      .map((line) => line.replace(/\bcdkt[nf]\b/g, "<framework>"));
  const differing = lines("cdktn")
    .map((line, i) => [line, lines("cdktf")[i]])
    .filter(([main, legacy]) => main !== legacy);
  // The first doc line names the framework in words; everything else matches once the module names do.
  assert.equal(differing.length, 1, differing.map(([a, b]) => `${a}\n${b}`).join("\n---\n"));
});

describe("examples/cdktf (legacy cdktf library) with the cdktn CLI and real terraform", { skip }, () => {
  let server: RunningServer;
  let session: Session;
  let ws: Workspace;
  let projectId: string;
  let env: NodeJS.ProcessEnv;

  async function cdktn(args: string[]): Promise<string> {
    const result = await runCommand(process.execPath, [cdktnCli!, ...args, "--skip-provider-lock"], {
      cwd: ws.appDir,
      env,
      timeoutMs: 240_000,
    });
    const output = result.stdout + result.stderr;
    assert.equal(result.code, 0, `cdktn ${args.join(" ")} failed:\n${output.slice(-3000)}`);
    return output;
  }

  async function qaSecretKeys(): Promise<string[]> {
    const found = await lookups.secrets.run(
      { session, log: silentLogger },
      { projectId, environment: "qa", path: "/" },
    );
    return ((found.secrets ?? []) as { key: string }[]).map((s) => s.key).sort();
  }

  before(async () => {
    server = await startServer({ port: 0 });
    projectId = (await bootstrap({ host: server.url, ...ADMIN, projectName: "legacy" })).projectId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    ws = createWorkspace(repoRoot(), "cdktf");
    installTerraformProvider({ dir: ws.pluginDir });
    env = { ...ws.env };
    for (const name of Object.keys(env)) if (name.startsWith("INFISICAL_")) delete env[name];
    Object.assign(env, {
      INFISICAL_HOST: server.url,
      INFISICAL_EMAIL: ADMIN.email,
      INFISICAL_PASSWORD: ADMIN.password,
      INFISICAL_PROJECT_ID: projectId,
      ROTATION_TRIGGER: "legacy-1",
      TF_VAR_api_key: "legacy-write-only-key",
    });
  });

  after(async () => {
    await session?.close();
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  test("cdktn deploy creates the environment, the secrets and the service token", async () => {
    const outputs = join(ws.root, "outputs.json");
    await cdktn(["deploy", "--auto-approve", "--outputs-file", outputs, "--outputs-file-include-sensitive-outputs"]);
    const token = (JSON.parse(readFileSync(outputs, "utf8"))[STACK] as { service_token: string }).service_token;
    assert.match(token, /^st\.[^.]+\.[^.]+\.[^.]+$/);
    assert.deepEqual(await qaSecretKeys(), ["API_KEY", "DB_HOST"]);
    const state = readFileSync(join(ws.appDir, `terraform.${STACK}.tfstate`), "utf8");
    assert.doesNotMatch(state, /legacy-write-only-key/);
  });

  test("cdktn diff finds nothing to change", async () => {
    const output = await cdktn(["diff"]);
    assert.match(output, /No changes/);
  });

  test("cdktn destroy removes everything it created", async () => {
    await cdktn(["destroy", "--auto-approve"]);
    const state = JSON.parse(readFileSync(join(ws.appDir, `terraform.${STACK}.tfstate`), "utf8")) as {
      resources: unknown[];
    };
    assert.deepEqual(state.resources, []);
    const found = await lookups.project.run({ session, log: silentLogger }, { projectId });
    const slugs = ((found.environments ?? []) as { slug: string }[]).map((e) => e.slug).sort();
    assert.deepEqual(slugs, ["dev", "prod", "staging"], "the qa environment (and its secrets) should be gone");
  });
});
