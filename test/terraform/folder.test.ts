/**
 * One real-terraform walk for folders against the embedded server: a tree `/app` and `/app/db`,
 * secrets placed by referencing `full_path`, renames in place (a parent and its child at once) that carry the secrets along
 * (no replacement, same ids and values), import, a non-empty destroy refused without
 * `force_delete`, destroy. The second plan is empty after every apply.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { resources } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import type { PlainSecret } from "../../src/provider/session/session";
import { startServer } from "../../src/server";
import { type LoggedRequest, parseLogLine } from "../core/harness";
import { terraformHomeWithProvider } from "../support/terraform-home";
import { terraformMissing } from "../support/terraform-workspace";

const skip = terraformMissing() ?? false;
if (skip) process.stdout.write(`# skipping the real Terraform folder walk: ${skip}\n`);

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

const CONFIG = `
terraform {
  required_providers {
    infisicale2ee = { source = "infisical-e2ee/infisicale2ee" }
  }
}

variable "host" { type = string }
variable "token" {
  type      = string
  sensitive = true
}
variable "project_id" { type = string }
variable "app_folder" {
  type    = string
  default = "app"
}
variable "db_folder" {
  type    = string
  default = "db"
}
variable "force_delete" {
  type    = bool
  default = false
}

# A service token: the provider starts without a login (no key derivation) on every run.
provider "infisicale2ee" {
  host          = var.host
  service_token = var.token
}

resource "infisicale2ee_folder" "app" {
  project_id   = var.project_id
  environment  = "dev"
  name         = var.app_folder
  force_delete = var.force_delete
}

resource "infisicale2ee_folder" "db" {
  project_id   = var.project_id
  environment  = "dev"
  path         = infisicale2ee_folder.app.full_path
  name         = var.db_folder
  force_delete = var.force_delete
}

resource "infisicale2ee_secret" "url" {
  project_id  = var.project_id
  environment = "dev"
  path        = infisicale2ee_folder.db.full_path
  key         = "DB_URL"
  value       = "postgres://db.internal/app"
}

resource "infisicale2ee_secret" "password" {
  project_id  = var.project_id
  environment = "dev"
  path        = infisicale2ee_folder.db.full_path
  key         = "DB_PASSWORD"
  generate    = { length = 40 }
}
`;

describe("folders with real terraform", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let projectId: string;
  let session: ReturnType<typeof openSession>;
  const requests: LoggedRequest[] = [];
  /** Requests since `from` as "METHOD route template" → count, for one family of routes. */
  const counted = (from: number, family: RegExp) => {
    const counts: Record<string, number> = {};
    for (const r of requests.slice(from).filter((r) => family.test(r.route))) {
      const key = `${r.method} ${r.route}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  function terraform(
    args: string[],
    vars: Record<string, string> = {},
    positional: string[] = [],
  ): Promise<{ code: number | null; output: string }> {
    const varArgs = Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    return new Promise((resolve) => {
      const child = spawn("terraform", [...args, "-no-color", ...varArgs, ...positional], {
        cwd: join(work, "config"),
        env,
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      child.on("close", (code) => resolve({ code, output }));
    });
  }
  async function ok(args: string[], vars: Record<string, string> = {}, positional: string[] = []) {
    const result = await terraform(args, vars, positional);
    assert.equal(result.code, 0, `terraform ${args.join(" ")} failed:\n${result.output}`);
    return result.output;
  }
  async function planIsEmpty(vars: Record<string, string> = {}) {
    const plan = await terraform(["plan", "-detailed-exitcode"], vars);
    assert.equal(plan.code, 0, `plan not empty:\n${plan.output}`);
  }
  const location = (path: string) => ({ projectId, environment: "dev", path });
  const secretsAt = async (path: string): Promise<PlainSecret[]> =>
    (await session.secrets.list(location(path), { fresh: true }).catch(() => [])) as PlainSecret[];
  const foldersAt = async (path: string) =>
    (await session.api.folders.list({ workspaceId: projectId, environment: "dev" }, path)).folders.map((f) => f.name);
  const state = () => JSON.parse(readFileSync(join(work, "config", "terraform.tfstate"), "utf8"));
  const resourceIn = (type: string, name: string) =>
    state().resources.find((r: { type: string; name: string }) => r.type === type && r.name === name)?.instances[0]
      ?.attributes;

  before(async () => {
    server = await startServer({
      port: 0,
      log: (line) => {
        const parsed = parseLogLine(line);
        if (parsed) requests.push(parsed);
      },
    });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "tf-folders" });
    projectId = boot.projectId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    const made = await resources.serviceToken.ops.create(
      { session, log: silentLogger },
      resources.serviceToken.validated({
        projectId,
        name: "tf-folders",
        scopes: [{ environment: "dev", secretPath: "/**" }],
        permissions: ["read", "write"],
      }),
    );
    const token = String(made.outputs.token);
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-folder-"));
    mkdirSync(join(work, "config"));
    writeFileSync(join(work, "config", "main.tf"), CONFIG);
    writeFileSync(
      join(work, "config", "terraform.tfvars"),
      [`host = "${server.url}"`, `token = "${token}"`, `project_id = "${projectId}"`].join("\n"),
    );
    env = terraformHomeWithProvider(work);
    await ok(["init"]);
  });

  after(async () => {
    await session?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  let passwordValue: string | undefined;
  let ids: Record<string, string> = {};

  test("one apply builds the tree and places the secrets by reference; full_path is known at plan; second plan empty", async () => {
    // The apply prints its plan: full_path is known there, and so is the secret path referencing it.
    const applied = await ok(["apply", "-auto-approve"]);
    assert.match(applied, /full_path\s+= "\/app\/db"/, "full_path is planned known");
    assert.match(applied, /\+ path\s+= "\/app\/db"/, "so is the secret's path that references it");
    assert.deepEqual(await foldersAt("/app"), ["db"]);
    const secrets = await secretsAt("/app/db");
    assert.deepEqual(secrets.map((s) => s.key).sort(), ["DB_PASSWORD", "DB_URL"]);
    passwordValue = secrets.find((s) => s.key === "DB_PASSWORD")?.value;
    assert.equal(passwordValue?.length, 40);
    ids = Object.fromEntries(secrets.map((s) => [s.key, s.secretId]));
    assert.equal(resourceIn("infisicale2ee_folder", "db").full_path, "/app/db");
    await planIsEmpty();
  });

  test("rename app → application and db → database: folders updated in place, secrets follow without a replacement, values and ids kept", async () => {
    const renamed = { app_folder: "application", db_folder: "database" };
    const from = requests.length;
    const applied = await ok(["apply", "-auto-approve"], renamed);
    // Measured at the server: two renames, no folder or secret created or deleted on the way.
    const writes = (family: RegExp) =>
      Object.entries(counted(from, family)).filter(([call]) => !call.startsWith("GET"));
    assert.deepEqual(writes(/^\/api\/v1\/folders/), [["PATCH /api/v1/folders/:folderId", 2]]);
    assert.deepEqual(writes(/^\/api\/v3\/secrets/), [], "the secrets moved with their folder: nothing rewritten");
    assert.match(applied, /infisicale2ee_folder\.app will be updated in-place/);
    assert.match(applied, /infisicale2ee_folder\.db will be updated in-place/);
    assert.match(applied, /infisicale2ee_secret\.url will be updated in-place/);
    assert.match(applied, /~ path\s+= "\/app\/db" -> "\/application\/database"/);
    assert.match(applied, /0 to add, 4 to change, 0 to destroy/);
    assert.deepEqual(await foldersAt("/"), ["application"]);
    assert.deepEqual(await foldersAt("/application"), ["database"]);
    const secrets = await secretsAt("/application/database");
    assert.deepEqual(Object.fromEntries(secrets.map((s) => [s.key, s.secretId])), ids, "the same secrets, moved");
    assert.equal(secrets.find((s) => s.key === "DB_PASSWORD")?.value, passwordValue);
    assert.equal(secrets.find((s) => s.key === "DB_URL")?.value, "postgres://db.internal/app");
    assert.equal(resourceIn("infisicale2ee_secret", "url").path, "/application/database");
    await planIsEmpty(renamed);
  });

  test("import by <project>:<environment>:<full path> gives an empty plan", async () => {
    const vars = { app_folder: "application", db_folder: "database" };
    await ok(["state", "rm", "infisicale2ee_folder.db"]);
    await ok(["import"], vars, ["infisicale2ee_folder.db", `${projectId}:dev:/application/database`]);
    assert.equal(resourceIn("infisicale2ee_folder", "db").full_path, "/application/database");
    await planIsEmpty(vars);
  });

  test("destroy of a folder holding an unmanaged secret is refused without force_delete; with it, everything goes", async () => {
    const vars = { app_folder: "application", db_folder: "database" };
    await session.secrets.create(location("/application/database"), {
      key: "HAND_MADE",
      value: "made-by-hand-value",
      comment: "",
    });
    const before = requests.length;
    const refused = await terraform(["destroy", "-auto-approve"], vars);
    assert.equal(counted(before, /^\/api\/v1\/folders/)["DELETE /api/v1/folders/:folderIdOrName"], undefined);
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(refused.output, /Folder Not Empty/);
    assert.match(refused.output, /\/application\/database holds 1\s+secret/);
    assert.doesNotMatch(refused.output, /HAND_MADE|made-by-hand-value/);
    assert.deepEqual(
      (await secretsAt("/application/database")).map((s) => s.key),
      ["HAND_MADE"],
      "the managed secrets went first; the folder and what it holds stayed",
    );
    const forced = { ...vars, force_delete: "true" };
    await ok(["apply", "-auto-approve"], forced);
    await planIsEmpty(forced);
    await ok(["destroy", "-auto-approve"], forced);
    assert.deepEqual(await foldersAt("/"), []);
    assert.deepEqual(await secretsAt("/application/database"), []);
  });
});
