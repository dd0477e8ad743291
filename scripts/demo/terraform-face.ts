/**
 * The demo's Terraform face: `cdktn deploy` (CDK Terrain) of examples/cdktn with our provider
 * installed in a private plugin mirror; the state is the stack's terraform.tfstate.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installTerraformProvider } from "../../src/cli/install-terraform-provider-command";
import { randomHex } from "../../src/provider/crypto";
import { type DemoContext, FIRST_ROTATION } from "./context";
import type { DemoFace } from "./story";
import { runCommand, type Workspace } from "./workspace";

const STACK = "infisical-e2ee-demo";

interface StateResource {
  type: string;
  name: string;
  instances: { attributes: Record<string, unknown> }[];
}

/** `cdktnCli`: the cdktn CLI's script, run with this process's Node. */
export function terraformFace(ctx: DemoContext, ws: Workspace, cdktnCli: string, terraform: string): DemoFace {
  const { server, admin, member, projectId } = ctx;
  const apiKey = `ak_${randomHex(16)}`;
  const env: NodeJS.ProcessEnv = { ...ws.env };
  for (const name of Object.keys(env)) if (name.startsWith("INFISICAL_")) delete env[name];
  Object.assign(env, {
    INFISICAL_HOST: server.url,
    INFISICAL_EMAIL: admin.email,
    INFISICAL_PASSWORD: admin.password,
    INFISICAL_PROJECT_ID: projectId,
    MEMBER_EMAIL: member.email,
    ROTATION_TRIGGER: FIRST_ROTATION,
    API_KEY_VERSION: "1",
    TF_VAR_api_key: apiKey,
  });
  const outputsFile = join(ws.root, "outputs.json");
  const stateFile = join(ws.appDir, `terraform.${STACK}.tfstate`);
  const cdktn = async (label: string, args: string[]) => {
    const result = await ctx.ui.progress(label, () =>
      // The provider comes from the local mirror: without this flag the CLI runs
      // `terraform providers lock`, which asks registry.terraform.io for checksums.
      runCommand(process.execPath, [cdktnCli, ...args, "--skip-provider-lock"], {
        cwd: ws.appDir,
        env,
        timeoutMs: 240_000,
      }),
    );
    if (result.code !== 0) {
      throw new Error(`cdktn ${args[0]} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`);
    }
    return result;
  };

  return {
    id: "terraform",
    tool: "Terraform",
    apiKeyKind: "write-only",
    apiKey,
    deployTitle: "Deploy: cdktn deploy of examples/cdktn (CDK Terrain) with our Terraform provider",
    destroyCommand: "cdktn destroy",

    async deploy(ui) {
      const installed = installTerraformProvider({ dir: ws.pluginDir });
      ui.line(`  Terraform ${terraform}; provider v${installed.version} installed in a private plugin mirror.`);
      await cdktn("cdktn deploy (environment, 3 secrets, membership, service token)", [
        "deploy",
        "--auto-approve",
        "--outputs-file",
        outputsFile,
        "--outputs-file-include-sensitive-outputs",
      ]);
      const outputs = JSON.parse(readFileSync(outputsFile, "utf8"))[STACK] as { service_token: string };
      return { serviceToken: outputs.service_token };
    },

    showState(ui) {
      const stateText = readFileSync(stateFile, "utf8");
      const apiKeyState = resourceAttributes(stateText, "infisicale2ee_secret", "api_key_secret");
      ui.table(
        ["in terraform.tfstate", "holds"],
        [
          ["API_KEY value_wo", apiKeyState?.value_wo === null ? "null (write-only)" : "PRESENT"],
          ["API_KEY value", apiKeyState?.value ? "PRESENT" : "null"],
          ["DB_PASSWORD value", "the generated value, marked sensitive"],
        ],
      );
      ui.check("the state holds no write-only value", apiKeyState?.value_wo === null && !stateText.includes(apiKey));
    },

    async rotate(_ui, trigger) {
      env.ROTATION_TRIGGER = trigger;
      await cdktn(`cdktn deploy with ROTATION_TRIGGER=${trigger}`, ["deploy", "--auto-approve"]);
    },

    async showDrift(ui) {
      const diff = await cdktn("cdktn diff", ["diff"]);
      writeFileSync(join(ws.root, "diff.txt"), diff.stdout);
      const lines = diff.stdout.split("\n").map((l) => stripAnsi(l).replace(`${STACK} `, "").trim());
      const actions = lines
        .map((l) => /^# (infisicale2ee_\w+\.\w+)(?: \([^)]*\))? (?:will|must) be (.+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ address: m[1]!, action: m[2]! }));
      const planLine = lines.find((l) => l.startsWith("Plan:")) ?? "(no plan line)";
      ui.table(["resource", "next plan says"], [...actions.map((a) => [a.address, a.action]), ["", planLine]]);
      ui.check(
        "the plan updates DB_HOST in place",
        actions.some((a) => a.address === "infisicale2ee_secret.db_host" && a.action === "updated in-place"),
      );
      ui.check("nothing else changes", actions.length === 1, planLine);
    },

    async destroy() {
      await cdktn("cdktn destroy", ["destroy", "--auto-approve"]);
    },

    stateResourceCount() {
      const state = JSON.parse(readFileSync(stateFile, "utf8")) as { resources?: StateResource[] };
      return (state.resources ?? []).filter((r) => r.instances.length > 0).length;
    },
  };
}

function resourceAttributes(stateText: string, type: string, name: string): Record<string, unknown> | undefined {
  const state = JSON.parse(stateText) as { resources?: StateResource[] };
  return state.resources?.find((r) => r.type === type && r.name === name)?.instances[0]?.attributes;
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape codes
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}
