/**
 * One real-terraform walk for secret imports against the embedded server: a secret in
 * `prod:/shared`, an `infisicale2ee_secret_import` of it into `dev:/`, the `secrets` data source
 * with `include_imports` giving the imported value as an output, then a local secret of the same
 * name in `dev:/` winning together with a source change in place; the second plan is empty after
 * each apply; destroy removes the import. (Removing a local override is not walked: Terraform reads
 * a data source before it applies deletions, so its new value would arrive with the next apply.) Server-side effects are checked through the core API client.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import { startServer } from "../../src/server";
import { terraformHomeWithProvider } from "../support/terraform-home";
import { PROVIDER_LOGIN_HCL, runTerraform } from "../support/terraform-walk";
import { terraformMissing } from "../support/terraform-workspace";

const skip = terraformMissing() ?? false;
if (skip) process.stdout.write(`# skipping the secret-import terraform walk: ${skip}\n`);

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

function config(stage: { localOverride: boolean; importPath: string }): string {
  return `${PROVIDER_LOGIN_HCL}
resource "infisicale2ee_secret" "shared" {
  project_id             = var.project_id
  environment            = "prod"
  path                   = "/shared"
  create_missing_folders = true
  key                    = "SHARED_KEY"
  value                  = "from-prod"
}

resource "infisicale2ee_secret" "other" {
  project_id             = var.project_id
  environment            = "prod"
  path                   = "/other"
  create_missing_folders = true
  key                    = "SHARED_KEY"
  value                  = "from-prod-other"
}

resource "infisicale2ee_secret_import" "dev_from_prod" {
  project_id         = var.project_id
  environment        = "dev"
  import_environment = "prod"
  import_path        = "${stage.importPath}"
  depends_on         = [infisicale2ee_secret.shared, infisicale2ee_secret.other]
}
${
  stage.localOverride
    ? `
resource "infisicale2ee_secret" "local" {
  project_id  = var.project_id
  environment = "dev"
  key         = "SHARED_KEY"
  value       = "local-wins"
}
`
    : ""
}
data "infisicale2ee_secrets" "dev" {
  project_id      = var.project_id
  environment     = "dev"
  include_imports = true
  depends_on      = [infisicale2ee_secret_import.dev_from_prod${stage.localOverride ? ", infisicale2ee_secret.local" : ""}]
}

output "effective" {
  value     = data.infisicale2ee_secrets.dev.values["SHARED_KEY"]
  sensitive = true
}
output "import_position" {
  value = infisicale2ee_secret_import.dev_from_prod.position
}
`;
}

describe("infisicale2ee_secret_import with real terraform", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let projectId: string;
  let vars: string[];

  const terraform = (args: string[]) => runTerraform(join(work, "config"), env, args);

  async function applyStage(stage: { localOverride: boolean; importPath: string }) {
    writeFileSync(join(work, "config", "main.tf"), config(stage));
    const apply = await terraform(["apply", "-auto-approve", ...vars]);
    assert.equal(apply.code, 0, apply.output);
    const plan = await terraform(["plan", "-detailed-exitcode", ...vars]);
    assert.equal(plan.code, 0, `second plan not empty:\n${plan.output}`);
    const out = await terraform(["output", "-json"]);
    assert.equal(out.code, 0, out.output);
    return JSON.parse(out.output) as Record<string, { value: unknown }>;
  }

  before(async () => {
    server = await startServer({ port: 0, log: () => {} });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "import-walk" });
    projectId = boot.projectId;
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-import-"));
    mkdirSync(join(work, "config"));
    env = terraformHomeWithProvider(work);
    const values = { host: server.url, email: ADMIN.email, password: ADMIN.password, project_id: projectId };
    vars = Object.entries(values).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    writeFileSync(join(work, "config", "main.tf"), config({ localOverride: false, importPath: "/shared" }));
    const init = await terraform(["init"]);
    assert.equal(init.code, 0, init.output);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("import, effective value, local override with a source change in place, destroy", async () => {
    const session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    const scope = { workspaceId: projectId, environment: "dev", path: "/" };
    try {
      const first = await applyStage({ localOverride: false, importPath: "/shared" });
      assert.equal(first.effective?.value, "from-prod");
      assert.equal(first.import_position?.value, 1);
      const [created] = (await session.api.secretImports.list(scope)).secretImports;
      assert.equal(`${created?.importEnv.slug}:${created?.importPath}`, "prod:/shared");

      // A local secret of the same name wins; repointing the import keeps its id (PATCH, in place).
      const second = await applyStage({ localOverride: true, importPath: "/other" });
      assert.equal(second.effective?.value, "local-wins");
      const [repointed] = (await session.api.secretImports.list(scope)).secretImports;
      assert.equal(repointed?.id, created?.id);
      assert.equal(repointed?.importPath, "/other");

      const destroy = await terraform(["destroy", "-auto-approve", ...vars]);
      assert.equal(destroy.code, 0, destroy.output);
      assert.deepEqual((await session.api.secretImports.list(scope)).secretImports, []);
      assert.deepEqual(await session.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true }), []);
    } finally {
      await session.close();
    }
  });
});
