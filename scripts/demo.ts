/**
 * `npm run demo`: the whole promise, end to end, on a throwaway embedded server.
 *
 * Starts the server with a temporary data directory, bootstraps an admin, an organization, a
 * project and a second user, installs our Terraform provider into a private Terraform home and
 * runs `cdktf deploy` of examples/cdktf. Then, step by step: (1) Infisical's own legacy client
 * decrypts what was deployed; (2) the server holds only ciphertext and the state holds no
 * write-only value; (3) declarative rotation; (4) drift shows in the next plan; (5) destroy.
 *
 * Flags: --json (human output on stderr, a JSON summary on stdout); DEMO_NONINTERACTIVE=1 turns
 * the spinner off. Exit code 0 only when every check of every step passed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import InfisicalClient from "infisical-node";
import { installTerraformProvider } from "../src/cli/install-terraform-provider-command";
import { bootstrap, inviteMember } from "../src/provider/bootstrap";
import { decryptSymmetric, randomHex } from "../src/provider/crypto";
import { resources } from "../src/provider/registry";
import { silentLogger } from "../src/provider/schema/resource";
import { openSession } from "../src/provider/session";
import type { Session } from "../src/provider/session/types";
import { type RunningServer, startServer } from "../src/server";
import { repoRoot } from "./codegen/paths";
import { type DemoSummary, mask, Reporter, shorten } from "./demo/report";
import { type CdktfCli, createWorkspace, findCdktfCli, runCommand, type Workspace, whichAll } from "./demo/workspace";

const STACK = "infisical-e2ee-demo";
const ENVIRONMENT = "qa";
const DB_HOST = "db.qa.internal";

interface DemoContext {
  ui: Reporter;
  server: RunningServer;
  dataDir: string;
  admin: { email: string; password: string };
  member: { email: string };
  projectId: string;
  session: Session;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const interactive = !json && process.env.DEMO_NONINTERACTIVE !== "1";
  const ui = new Reporter(json ? process.stderr : process.stdout, interactive);
  const packageRoot = repoRoot();
  const dataDir = mkdtempSync(join(tmpdir(), "infisical-e2ee-demo-data-"));
  let summary: DemoSummary;
  let server: RunningServer | undefined;
  let session: Session | undefined;
  let workspace: Workspace | undefined;
  try {
    ui.line("infisical-e2ee demo: end-to-end encrypted secrets as infrastructure, on a throwaway local server.");
    ui.step("setup", "Setup: embedded server, admin, organization, project, a second user");
    server = await ui.progress("starting the embedded server", () => startServer({ port: 0, dataDir }));
    const admin = { email: "admin@demo.local", password: randomHex(16) };
    const boot = await ui.progress("bootstrapping the admin, organization and project (keys made here)", () =>
      bootstrap({ host: server!.url, email: admin.email, password: admin.password, projectName: "demo" }),
    );
    const member = await ui.progress("inviting and signing up a second user", () =>
      inviteMember({
        host: server!.url,
        adminEmail: admin.email,
        adminPassword: admin.password,
        email: "dev@demo.local",
        password: randomHex(16),
      }),
    );
    session = openSession({ host: server.url, email: admin.email, password: admin.password }, { env: {} });
    ui.table(
      ["what", "value"],
      [
        ["server", server.url],
        ["data dir", dataDir],
        ["admin", admin.email],
        ["project", boot.projectId],
        ["environments", boot.environments.map((e) => e.slug).join(", ")],
        ["second user", member.email],
      ],
    );
    ui.check(
      "server answers and the project exists",
      boot.projectId.length > 0,
      `project ${shorten(boot.projectId, 12)}`,
    );
    const ctx: DemoContext = { ui, server, dataDir, admin, member, projectId: boot.projectId, session };

    const terraform = whichAll("terraform")[0];
    const cdktf = terraform ? findCdktfCli(packageRoot) : undefined;
    if (terraform && cdktf) {
      workspace = createWorkspace(packageRoot);
      await terraformStory(ctx, workspace, cdktf, terraform);
      summary = ui.summary("terraform");
    } else {
      const why = terraform ? "the cdktf CLI cannot run here" : "`terraform` is not on PATH";
      ui.step("terraform", `Terraform unavailable: ${why}`);
      ui.line("  The Terraform/CDKTF story needs a terraform binary (1.11+). Install it and run the demo again.");
      ui.line("  The Pulumi face runs in the SDK's provider host without a CLI; see test/pulumi and examples/pulumi.");
      ui.check("terraform found", false, why);
      summary = ui.summary("terraform", why);
    }
  } catch (error) {
    ui.line(`\n✗ the demo stopped: ${error instanceof Error ? error.message : String(error)}`);
    summary = ui.summary("terraform", "stopped by an error");
    summary.ok = false;
  } finally {
    await session?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (process.env.DEMO_KEEP !== "1") {
      rmSync(dataDir, { recursive: true, force: true });
      if (workspace) rmSync(workspace.root, { recursive: true, force: true });
    }
  }
  ui.line();
  ui.line(
    summary.ok
      ? `All steps passed in ${(summary.durationMs / 1000).toFixed(0)} s.`
      : `Some checks failed (${summary.steps.flatMap((s) => s.checks).filter((c) => !c.ok).length}).`,
  );
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.ok ? 0 : 1;
}

// ---- the Terraform / CDKTF story ----------------------------------------------------------------

async function terraformStory(ctx: DemoContext, ws: Workspace, cli: CdktfCli, terraform: string): Promise<void> {
  const { ui, server, admin, member, projectId } = ctx;
  const apiKey = `ak_${randomHex(16)}`;
  const env: NodeJS.ProcessEnv = { ...ws.env };
  for (const name of Object.keys(env)) if (name.startsWith("INFISICAL_")) delete env[name];
  Object.assign(env, {
    INFISICAL_HOST: server.url,
    INFISICAL_EMAIL: admin.email,
    INFISICAL_PASSWORD: admin.password,
    INFISICAL_PROJECT_ID: projectId,
    MEMBER_EMAIL: member.email,
    ROTATION_TRIGGER: "2026-01",
    API_KEY_VERSION: "1",
    TF_VAR_api_key: apiKey,
  });
  const outputsFile = join(ws.root, "outputs.json");
  const cdktf = async (label: string, args: string[]) => {
    const result = await ui.progress(label, () =>
      // No registry here: the provider comes from the local mirror, so skip `terraform providers lock`.
      runCommand(cli.node, [cli.script, ...args, "--skip-provider-lock"], { cwd: ws.appDir, env, timeoutMs: 240_000 }),
    );
    if (result.code !== 0) {
      throw new Error(`cdktf ${args[0]} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`);
    }
    return result;
  };

  ui.step("deploy", "Deploy: cdktf deploy of examples/cdktf with our Terraform provider");
  const installed = installTerraformProvider({ dir: ws.pluginDir });
  ui.line(`  Terraform ${terraform}; provider v${installed.version} installed in a private plugin mirror.`);
  await cdktf("cdktf deploy (environment, 3 secrets, membership, service token)", [
    "deploy",
    "--auto-approve",
    "--outputs-file",
    outputsFile,
    "--outputs-file-include-sensitive-outputs",
  ]);
  const outputs = JSON.parse(readFileSync(outputsFile, "utf8"))[STACK] as {
    service_token: string;
    environment: string;
  };
  const token = outputs.service_token;
  ui.check("the service token is a 4-part E2EE token", /^st\.[^.]+\.[^.]+\.[^.]+$/.test(token ?? ""));

  // (1) Interoperability: Infisical's own legacy client decrypts what we deployed.
  ui.step("read-back", "Step 1/5: Infisical's own client (infisical-node 1.5.1) decrypts with the new token");
  const first = await ui.progress("reading the secrets with infisical-node", () =>
    readWithInfisicalNode(server.url, token),
  );
  ui.table(
    ["secret", "path", "decrypted by infisical-node"],
    [
      ["DB_HOST", "/", first.DB_HOST ?? "(missing)"],
      ["API_KEY (write-only)", "/", first.API_KEY ? mask(first.API_KEY) : "(missing)"],
      ["DB_PASSWORD (generated)", "/db", first.DB_PASSWORD ? mask(first.DB_PASSWORD) : "(missing)"],
    ],
  );
  ui.check("explicit value round-trips", first.DB_HOST === DB_HOST);
  ui.check("write-only value round-trips", first.API_KEY === apiKey);
  ui.check("generated value has 32 characters", first.DB_PASSWORD?.length === 32);

  // (2) What the server and the state hold.
  ui.step("at-rest", "Step 2/5: what the server stored, and what Terraform's state holds");
  const stored = await storedSecret(server.url, token, projectId, "/db", "DB_PASSWORD");
  ui.table(
    ["field the server stored for DB_PASSWORD", "value"],
    [
      ["secretKeyCiphertext", shorten(stored.secretKeyCiphertext ?? "", 28)],
      ["secretValueCiphertext", shorten(stored.secretValueCiphertext ?? "", 28)],
      ["secretValueIV", stored.secretValueIV ?? ""],
      ["secretValueTag", stored.secretValueTag ?? ""],
    ],
  );
  const plaintexts = [apiKey, first.DB_PASSWORD ?? apiKey, DB_HOST];
  const leaks = scanFiles(databaseFiles(ctx.dataDir), plaintexts);
  ui.check("the server's database files contain no plaintext value", leaks.length === 0, leaks.join(", ") || undefined);
  ui.check(
    "the API returns ciphertext with a 16-byte IV",
    Buffer.from(stored.secretValueIV ?? "", "base64").length === 16 && !!stored.secretValueCiphertext,
  );
  const stateFile = join(ws.appDir, `terraform.${STACK}.tfstate`);
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

  // (3) Declarative rotation.
  ui.step("rotation", "Step 3/5: rotation: change the trigger, deploy again");
  env.ROTATION_TRIGGER = "2026-02";
  await cdktf("cdktf deploy with ROTATION_TRIGGER=2026-02", ["deploy", "--auto-approve"]);
  const second = await ui.progress("reading DB_PASSWORD again with infisical-node", () =>
    readWithInfisicalNode(server.url, token),
  );
  const history = await versionHistory(ctx, stored.id ?? stored._id ?? "");
  ui.table(
    ["version", "DB_PASSWORD (decrypted here from the server's history)"],
    history.map((h) => [String(h.version), mask(h.value)]),
  );
  ui.check("the new value differs from the old one", !!second.DB_PASSWORD && second.DB_PASSWORD !== first.DB_PASSWORD);
  ui.check(
    "the old value is in the version history",
    history.some((h) => h.value === first.DB_PASSWORD),
    `${history.length} versions`,
  );
  ui.check("the other secrets did not change", second.DB_HOST === DB_HOST && second.API_KEY === apiKey);

  // (4) Drift.
  ui.step("drift", "Step 4/5: drift: a value changed behind Terraform's back shows in the next plan");
  await ui.progress("changing DB_HOST with infisical-node and a read/write token", () =>
    changeBehindTheBack(ctx, "DB_HOST", "db.changed-by-hand.example"),
  );
  const diff = await cdktf("cdktf diff", ["diff"]);
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

  // (5) Destroy.
  ui.step("destroy", "Step 5/5: cdktf destroy leaves the project empty");
  await cdktf("cdktf destroy", ["destroy", "--auto-approve"]);
  const left = await whatIsLeft(ctx);
  ui.table(
    ["after destroy", "left on the server"],
    [
      ["environments", left.environments.join(", ")],
      ["secrets (all environments)", String(left.secrets)],
      ["members", left.members.join(", ")],
      ["service tokens", left.tokens.join(", ") || "none"],
    ],
  );
  ui.check("the qa environment is gone", !left.environments.includes(ENVIRONMENT));
  ui.check("no secrets are left", left.secrets === 0);
  ui.check("only the admin is a member", left.members.length === 1 && left.members[0] === admin.email);
  ui.check("the demo's service token is gone", !left.tokens.includes("qa-reader"));
  const finalState = resourceCount(readFileSync(stateFile, "utf8"));
  ui.check("the Terraform state is empty", finalState === 0, `${finalState} resources`);
}

// ---- helpers ------------------------------------------------------------------------------------

async function readWithInfisicalNode(host: string, token: string): Promise<Record<string, string>> {
  const client = new InfisicalClient({ token, siteURL: host, cacheTTL: 0 });
  const values: Record<string, string> = {};
  const root = await client.getAllSecrets({
    environment: ENVIRONMENT,
    path: "/",
    attachToProcessEnv: false,
    includeImports: false,
  });
  for (const s of root) if (s.secretName && s.secretValue !== undefined) values[s.secretName] = s.secretValue;
  const password = await client.getSecret("DB_PASSWORD", { environment: ENVIRONMENT, path: "/db", type: "shared" });
  if (password.secretValue) values.DB_PASSWORD = password.secretValue;
  return values;
}

interface StoredSecret {
  id?: string;
  _id?: string;
  secretKeyCiphertext?: string;
  secretValueCiphertext?: string;
  secretValueIV?: string;
  secretValueTag?: string;
}

/** What any API client gets back: the raw stored record (ciphertext only). */
async function storedSecret(
  host: string,
  token: string,
  projectId: string,
  path: string,
  name: string,
): Promise<StoredSecret> {
  const bearer = token.split(".").slice(0, 3).join(".");
  const query = new URLSearchParams({
    workspaceId: projectId,
    environment: ENVIRONMENT,
    secretPath: path,
    type: "shared",
  });
  const response = await fetch(`${host}/api/v3/secrets/${encodeURIComponent(name)}?${query}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  if (!response.ok) throw new Error(`reading the stored secret failed with HTTP ${response.status}`);
  return ((await response.json()) as { secret: StoredSecret }).secret;
}

function databaseFiles(dataDir: string): string[] {
  return ["infisical-e2ee.sqlite", "infisical-e2ee.sqlite-wal"].map((f) => join(dataDir, f)).filter(existsSync);
}

/** Which of `needles` occur in any of the files (as UTF-8 or base64 of UTF-8). */
function scanFiles(files: string[], needles: string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) {
      if (
        bytes.includes(Buffer.from(needle, "utf8")) ||
        bytes.includes(Buffer.from(Buffer.from(needle).toString("base64")))
      ) {
        found.add(mask(needle));
      }
    }
  }
  return [...found];
}

interface StateResource {
  type: string;
  name: string;
  instances: { attributes: Record<string, unknown> }[];
}

function resourceAttributes(stateText: string, type: string, name: string): Record<string, unknown> | undefined {
  const state = JSON.parse(stateText) as { resources?: StateResource[] };
  return state.resources?.find((r) => r.type === type && r.name === name)?.instances[0]?.attributes;
}

function resourceCount(stateText: string): number {
  const state = JSON.parse(stateText) as { resources?: StateResource[] };
  return (state.resources ?? []).filter((r) => r.instances.length > 0).length;
}

/** Every stored version of a secret, decrypted here with the project key (the server cannot). */
async function versionHistory(ctx: DemoContext, secretId: string): Promise<{ version: number; value: string }[]> {
  const key = await ctx.session.projectKey(ctx.projectId);
  const db = new DatabaseSync(join(ctx.dataDir, "infisical-e2ee.sqlite"), { readOnly: true });
  try {
    const rows = db
      .prepare(
        "SELECT version, value_ciphertext, value_iv, value_tag FROM secret_versions WHERE secret_id = ? ORDER BY version",
      )
      .all(secretId) as { version: number; value_ciphertext: string; value_iv: string; value_tag: string }[];
    return rows.map((r) => ({
      version: r.version,
      value: decryptSymmetric({ ciphertext: r.value_ciphertext, iv: r.value_iv, tag: r.value_tag }, key),
    }));
  } finally {
    db.close();
  }
}

/** Another Infisical client with its own read/write token changes a value; the token is removed afterwards. */
async function changeBehindTheBack(ctx: DemoContext, name: string, value: string): Promise<void> {
  const opCtx = { session: ctx.session, log: silentLogger };
  const created = await resources.serviceToken.ops.create(
    opCtx,
    resources.serviceToken.validated({
      projectId: ctx.projectId,
      name: "hand-edit",
      scopes: [{ environment: ENVIRONMENT, secretPath: "/**" }],
      permissions: ["read", "write"],
    }),
  );
  try {
    const client = new InfisicalClient({ token: created.outputs.token!, siteURL: ctx.server.url, cacheTTL: 0 });
    await client.updateSecret(name, value, { environment: ENVIRONMENT, path: "/", type: "shared" });
  } finally {
    await resources.serviceToken.ops.delete(opCtx, created.id, created.outputs);
  }
}

async function whatIsLeft(ctx: DemoContext) {
  const api = ctx.session.api;
  const { workspace } = await api.projects.get(ctx.projectId);
  const environments = (workspace?.environments ?? []).map((e) => e.slug);
  let secrets = 0;
  for (const environment of environments) {
    secrets += (await ctx.session.secrets.list({ projectId: ctx.projectId, environment, path: "/" }, { fresh: true }))
      .length;
  }
  const { memberships } = await api.memberships.list(ctx.projectId);
  const members = memberships.map((m) => (m as unknown as { user?: { email?: string } }).user?.email ?? "?");
  const { serviceTokenData } = await api.serviceTokens.list(ctx.projectId);
  return { environments, secrets, members, tokens: serviceTokenData.map((t) => t.name) };
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape codes
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
