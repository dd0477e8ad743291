/**
 * Issue #17's acceptance walk, with real terraform against the embedded server: a folder tree, a
 * tagged secret placed in it by reference, an import from another environment into that folder,
 * the `secrets` data source with `include_imports` returning the imported value, then a folder
 * rename and a tag set change in place, then destroy. The second plan is empty after each apply;
 * server-side effects are checked through the core API client, not through Terraform's word.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { lookups } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { startServer } from "../../src/server";
import { terraformHomeWithProvider } from "../support/terraform-home";
import { PROVIDER_LOGIN_HCL, runTerraform } from "../support/terraform-walk";
import { terraformMissing } from "../support/terraform-workspace";

const skip = terraformMissing() ?? false;
if (skip) process.stdout.write(`# skipping the folders/tags/imports terraform walk: ${skip}\n`);

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

interface Stage {
  folderName: string;
  tag: "ops" | "web";
}

function config(stage: Stage): string {
  return `${PROVIDER_LOGIN_HCL}
resource "infisicale2ee_folder" "app" {
  project_id  = var.project_id
  environment = "dev"
  name        = "app"
}

resource "infisicale2ee_folder" "db" {
  project_id  = var.project_id
  environment = "dev"
  path        = infisicale2ee_folder.app.full_path
  name        = "${stage.folderName}"
}

resource "infisicale2ee_secret_tag" "ops" {
  project_id = var.project_id
  name       = "Operations"
  slug       = "ops"
}

resource "infisicale2ee_secret_tag" "web" {
  project_id = var.project_id
  name       = "Web"
  slug       = "web"
  color      = "#00aa00"
}

resource "infisicale2ee_secret" "db_password" {
  project_id  = var.project_id
  environment = "dev"
  path        = infisicale2ee_folder.db.full_path
  key         = "DB_PASSWORD"
  value       = "dev-db-password"
  tag_ids     = [infisicale2ee_secret_tag.${stage.tag}.id]
}

resource "infisicale2ee_secret" "shared_in_prod" {
  project_id             = var.project_id
  environment            = "prod"
  path                   = "/shared"
  create_missing_folders = true
  key                    = "SHARED_TOKEN"
  value                  = "from-prod-shared"
}

resource "infisicale2ee_secret_import" "db_from_prod" {
  project_id         = var.project_id
  environment        = "dev"
  path               = infisicale2ee_folder.db.full_path
  import_environment = "prod"
  import_path        = "/shared"
  depends_on         = [infisicale2ee_secret.shared_in_prod]
}

data "infisicale2ee_secrets" "db" {
  project_id      = var.project_id
  environment     = "dev"
  path            = infisicale2ee_folder.db.full_path
  include_imports = true
  depends_on      = [infisicale2ee_secret_import.db_from_prod, infisicale2ee_secret.db_password]
}

output "imported" {
  value     = data.infisicale2ee_secrets.db.values["SHARED_TOKEN"]
  sensitive = true
}
output "local" {
  value     = data.infisicale2ee_secrets.db.values["DB_PASSWORD"]
  sensitive = true
}
output "db_path" {
  value = infisicale2ee_folder.db.full_path
}
`;
}

describe("folders, tags and secret imports together with real terraform (#17)", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let session: ReturnType<typeof openSession>;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let projectId: string;
  let vars: string[];

  const terraform = (args: string[]) => runTerraform(join(work, "config"), env, args);

  let lastApply = "";
  /** What terraform printed for every apply and plan: scanned for plaintexts at the end. */
  const printed: string[] = [];
  async function applyStage(stage: Stage): Promise<Record<string, { value: unknown }>> {
    writeFileSync(join(work, "config", "main.tf"), config(stage));
    const apply = await terraform(["apply", "-auto-approve", ...vars]);
    assert.equal(apply.code, 0, apply.output);
    lastApply = apply.output;
    const plan = await terraform(["plan", "-detailed-exitcode", ...vars]);
    printed.push(apply.output, plan.output);
    assert.equal(plan.code, 0, `second plan not empty:\n${plan.output}`);
    const out = await terraform(["output", "-json"]);
    assert.equal(out.code, 0, out.output);
    return JSON.parse(out.output) as Record<string, { value: unknown }>;
  }

  /** The secrets the server holds at (dev, path), decrypted by the core with their tags. */
  async function devSecrets(path: string) {
    const found = await lookups.secrets.run({ session, log: silentLogger }, { projectId, environment: "dev", path });
    return (found.secrets ?? []) as { key: string; value: string }[];
  }

  /** The tag slugs the server holds on the one secret at (dev, path): names are encrypted there. */
  async function tagSlugsAt(path: string): Promise<string[]> {
    const listed = await session.api.secrets.list({ workspaceId: projectId, environment: "dev", secretPath: path });
    assert.equal(listed.secrets.length, 1, `one secret at ${path}`);
    return (listed.secrets[0]!.tags ?? []).map((t) => t.slug).sort();
  }

  before(async () => {
    server = await startServer({ port: 0, log: () => {} });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "organize-walk" });
    projectId = boot.projectId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-organize-"));
    mkdirSync(join(work, "config"));
    // The provider's own log at its most verbose, as a user debugging a run would collect it.
    env = { ...terraformHomeWithProvider(work), TF_LOG_PROVIDER: "trace", TF_LOG_PATH: join(work, "provider.log") };
    const values = { host: server.url, email: ADMIN.email, password: ADMIN.password, project_id: projectId };
    vars = Object.entries(values).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    writeFileSync(join(work, "config", "main.tf"), config({ folderName: "db", tag: "ops" }));
    const init = await terraform(["init"]);
    assert.equal(init.code, 0, init.output);
  });

  after(async () => {
    await session?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("one apply: tree, tagged secret in it, import from prod; the lookup gives the imported value", async () => {
    const out = await applyStage({ folderName: "db", tag: "ops" });
    assert.equal(out.db_path?.value, "/app/db");
    assert.equal(out.imported?.value, "from-prod-shared", "the import's value reaches the lookup");
    assert.equal(out.local?.value, "dev-db-password");
    const placed = await devSecrets("/app/db");
    assert.deepEqual(
      placed.map((s) => [s.key, s.value]),
      [["DB_PASSWORD", "dev-db-password"]],
    );
    assert.deepEqual(await tagSlugsAt("/app/db"), ["ops"]);
  });

  test("rename of the folder and a tag set change, in place: the secret keeps its value and follows", async () => {
    const out = await applyStage({ folderName: "database", tag: "web" });
    for (const address of ["infisicale2ee_folder.db", "infisicale2ee_secret.db_password"]) {
      assert.match(lastApply, new RegExp(`${address.replace(".", "\\.")} will be updated in-place`));
      assert.doesNotMatch(lastApply, new RegExp(`${address.replace(".", "\\.")} must be replaced`));
    }
    assert.equal(out.db_path?.value, "/app/database");
    assert.equal(out.imported?.value, "from-prod-shared", "the import followed the renamed folder");
    const moved = await devSecrets("/app/database");
    assert.deepEqual(
      moved.map((s) => [s.key, s.value]),
      [["DB_PASSWORD", "dev-db-password"]],
    );
    assert.deepEqual(await tagSlugsAt("/app/database"), ["web"]);
    const imports = await session.api.secretImports.list({
      workspaceId: projectId,
      environment: "dev",
      path: "/app/database",
    });
    assert.equal(imports.secretImports.length, 1, "one import, at the renamed folder");
  });

  test("no secret value in terraform's plan or apply output, the provider's log, or state outside sensitive attributes", () => {
    const plaintexts = ["dev-db-password", "from-prod-shared"];
    const log = readFileSync(join(work, "provider.log"), "utf8");
    assert.match(log, /infisicale2ee/, "the provider log was written");
    for (const [what, text] of [
      ["terraform output", printed.join("\n")],
      ["provider log", log],
    ] as const)
      for (const plaintext of plaintexts) assert.equal(text.includes(plaintext), false, `${what} holds ${plaintext}`);
    const statePath = join(work, "config", "terraform.tfstate");
    assert.ok(existsSync(statePath));
    const state = JSON.parse(readFileSync(statePath, "utf8")) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    // Where a plaintext may live, by the user's choice: a secret's sensitive value, the lookup's results.
    const allowed: Record<string, string[]> = {
      infisicale2ee_secret: ["value"],
      infisicale2ee_secrets: ["secrets", "values"],
    };
    const outside = JSON.stringify(
      state.resources.flatMap((r) =>
        r.instances.map((i) =>
          Object.fromEntries(Object.entries(i.attributes).filter(([k]) => !(allowed[r.type] ?? []).includes(k))),
        ),
      ),
    );
    for (const plaintext of plaintexts) assert.equal(outside.includes(plaintext), false, `state holds ${plaintext}`);
  });

  test("destroy leaves no folder, tag, import or secret behind", async () => {
    const destroy = await terraform(["destroy", "-auto-approve", ...vars]);
    assert.equal(destroy.code, 0, destroy.output);
    assert.deepEqual(await devSecrets("/"), []);
    const tags = await session.api.tags.list(projectId);
    assert.deepEqual(tags.workspaceTags, []);
    const folders = await session.api.folders.list({ workspaceId: projectId, environment: "dev" }, "/");
    assert.deepEqual(folders.folders, []);
  });
});
