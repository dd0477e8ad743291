/**
 * Real Terraform (when on PATH) against the embedded server: a custom role limited to `dev` and
 * `/app/**` read, given to a second user; that user, through an independent client with its own
 * login, reads `dev:/app/x` and is refused `prod:/app/x` and `dev:/other` by the server. Then: the
 * second plan is empty, a change made outside shows as drift and is put back, import by
 * `<project_id>:<slug>` round-trips, a role still held by a member cannot be deleted, and destroy
 * (membership first, by the reference) removes everything.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { publicKeyFingerprint } from "../../src/provider/crypto/fingerprint";
import { PermissionDeniedError } from "../../src/provider/errors";
import { openSession } from "../../src/provider/session";
import { type RunningServer, startServer } from "../../src/server";
import { terraformHomeWithProvider } from "../support/terraform-home";

const skip =
  spawnSync("terraform", ["version"], { env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0
    ? false
    : "terraform is not on PATH";
if (skip) process.stdout.write(`# skipping the project-role Terraform test: ${skip}\n`);

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const MEMBER = { email: "member@example.com", password: "another horse battery staple" };

const CONFIG = `
terraform {
  required_providers {
    infisicale2ee = { source = "infisical-e2ee/infisicale2ee" }
  }
}
variable "host" { type = string }
variable "project_id" { type = string }
variable "member_email" { type = string }
variable "password" {
  type      = string
  sensitive = true
}
provider "infisicale2ee" {
  host     = var.host
  email    = "${ADMIN.email}"
  password = var.password
}

resource "infisicale2ee_project_role" "app_reader" {
  project_id  = var.project_id
  slug        = "app-reader"
  name        = "App reader"
  description = "Reads dev /app and below"
  permissions = [
    { action = "read", subject = "secrets", environment = "dev", secret_path = "/app/**" },
    { action = "read", subject = "tags" },
  ]
}

resource "infisicale2ee_project_membership" "member" {
  project_id = var.project_id
  email      = var.member_email
  role       = infisicale2ee_project_role.app_reader.slug
}

resource "infisicale2ee_secret" "dev_app_x" {
  project_id             = var.project_id
  environment            = "dev"
  path                   = "/app/x"
  key                    = "APP_KEY"
  value                  = "dev-app-value"
  create_missing_folders = true
}

resource "infisicale2ee_secret" "prod_app_x" {
  project_id             = var.project_id
  environment            = "prod"
  path                   = "/app/x"
  key                    = "APP_KEY"
  value                  = "prod-app-value"
  create_missing_folders = true
}

resource "infisicale2ee_secret" "dev_other" {
  project_id             = var.project_id
  environment            = "dev"
  path                   = "/other"
  key                    = "OTHER_KEY"
  value                  = "dev-other-value"
  create_missing_folders = true
}
`;

describe("infisicale2ee_project_role with real terraform", { skip }, () => {
  let server: RunningServer;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let projectId: string;
  let admin: ReturnType<typeof openSession>;

  function terraform(args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn("terraform", [...args, "-no-color"], { cwd: join(work, "config"), env });
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
  async function ok(args: string[]): Promise<string> {
    const result = await terraform(args);
    assert.equal(result.code, 0, `terraform ${args.join(" ")} failed:\n${result.output}`);
    return result.output;
  }
  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  async function planCode(): Promise<{ code: number | null; output: string }> {
    return terraform(["plan", "-detailed-exitcode", "-input=false"]);
  }

  before(async () => {
    server = await startServer({ port: 0 });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "roles" });
    projectId = boot.projectId;
    await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
    admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-role-"));
    mkdirSync(join(work, "config"));
    writeFileSync(join(work, "config", "main.tf"), CONFIG);
    writeFileSync(
      join(work, "config", "terraform.tfvars"),
      [
        `host = "${server.url}"`,
        `password = "${ADMIN.password}"`,
        `project_id = "${projectId}"`,
        `member_email = "${MEMBER.email}"`,
      ].join("\n"),
    );
    env = terraformHomeWithProvider(work);
    await ok(["init"]);
  });

  after(async () => {
    await admin?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("apply; the member reads dev:/app/x and is refused prod:/app/x and dev:/other; second plan empty", async () => {
    const applied = await ok(["apply", "-auto-approve", "-input=false"]);
    assert.match(applied, /Apply complete! Resources: 5 added, 0 changed, 0 destroyed/);

    const adminFingerprint = publicKeyFingerprint((await admin.user()).publicKey);
    const member = openSession({ host: server.url, ...MEMBER, trustedKeyFingerprints: adminFingerprint }, { env: {} });
    try {
      const read = (environment: string, path: string) =>
        member.secrets.list({ projectId, environment, path }, { fresh: true });
      const allowed = await read("dev", "/app/x");
      assert.deepEqual(
        allowed.map((s) => [s.key, s.value]),
        [["APP_KEY", "dev-app-value"]],
      );
      await assert.rejects(read("prod", "/app/x"), PermissionDeniedError, "prod is outside the role");
      await assert.rejects(read("dev", "/other"), PermissionDeniedError, "/other is outside the role");
      await assert.rejects(read("dev", "/"), PermissionDeniedError, "the root is outside /app/**");
    } finally {
      await member.close();
    }

    const second = await planCode();
    assert.equal(second.code, 0, `second plan not empty:\n${second.output}`);
  });

  test("a change made outside is drift; apply puts it back", async () => {
    const project = await admin.api.projects.get(projectId);
    const slug = project.workspace!.slug;
    const { role } = await admin.api.roles.getBySlug(slug, "app-reader");
    await admin.api.roles.update(slug, role.id, {
      name: "Renamed outside",
      permissions: [{ action: "read", subject: "secrets" }],
    });
    const drift = await planCode();
    assert.equal(drift.code, 2, drift.output);
    assert.match(drift.output, /infisicale2ee_project_role\.app_reader will be updated in-place/);
    assert.match(drift.output, /Renamed outside/);
    const restored = await ok(["apply", "-auto-approve", "-input=false"]);
    assert.match(restored, /0 added, 1 changed, 0 destroyed/);
    const back = await admin.api.roles.getBySlug(slug, "app-reader");
    assert.equal(back.role.name, "App reader");
    assert.equal(back.role.permissions?.length, 2);
    assert.equal((await planCode()).code, 0);
  });

  test("import by <project_id>:<slug> round-trips (plan empty afterwards)", async () => {
    await ok(["state", "rm", "infisicale2ee_project_role.app_reader"]);
    await ok(["import", "-input=false", "infisicale2ee_project_role.app_reader", `${projectId}:app-reader`]);
    const after = await planCode();
    assert.equal(after.code, 0, `plan after import not empty:\n${after.output}`);
  });

  test("dropping the role while giving its member a built-in role: one apply is refused clearly, -target first works", async () => {
    const withoutRole = CONFIG.replace(
      /resource "infisicale2ee_project_role" "app_reader" \{[\s\S]*?\n\}\n/,
      "",
    ).replace("role       = infisicale2ee_project_role.app_reader.slug", 'role       = "viewer"');
    assert.ok(!withoutRole.includes("infisicale2ee_project_role"), "the role is gone from the configuration");
    writeFileSync(join(work, "config", "main.tf"), withoutRole);
    try {
      // Terraform destroys the role before updating the membership that depended on it.
      const together = await terraform(["apply", "-auto-approve", "-input=false"]);
      assert.equal(together.code, 1, together.output);
      assert.match(together.output, /Error: Role Still Assigned/);
      assert.match(together.output, /give them another role first/);
      const members = async () => (await admin.api.memberships.list(projectId)).memberships;
      assert.equal((await members()).find((m) => m.user.email === MEMBER.email)?.roles[0]?.role, "custom");
      // The remedy the error names: the membership first, then the rest.
      await ok(["apply", "-auto-approve", "-input=false", "-target=infisicale2ee_project_membership.member"]);
      const rest = await ok(["apply", "-auto-approve", "-input=false"]);
      assert.match(rest, /0 added, 0 changed, 1 destroyed/);
      assert.equal((await members()).find((m) => m.user.email === MEMBER.email)?.roles[0]?.role, "viewer");
    } finally {
      writeFileSync(join(work, "config", "main.tf"), CONFIG);
    }
    // Back to the configuration with the role, for the last step.
    const restored = await ok(["apply", "-auto-approve", "-input=false"]);
    assert.match(restored, /1 added, 1 changed, 0 destroyed/);
  });

  test("a role a member holds cannot be deleted (ERR_ROLE_IN_USE); destroy removes the membership first, then all", async () => {
    const project = await admin.api.projects.get(projectId);
    const { role } = await admin.api.roles.getBySlug(project.workspace!.slug, "app-reader");
    await assert.rejects(
      admin.api.roles.delete(project.workspace!.slug, role.id),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "ERR_ROLE_IN_USE");
        assert.match(error.message, /give them another role first/);
        return true;
      },
    );
    const destroyed = await ok(["destroy", "-auto-approve", "-input=false"]);
    assert.match(destroyed, /Destroy complete! Resources: 5 destroyed/);
    const roles = await admin.api.roles.list(project.workspace!.slug);
    assert.deepEqual(
      roles.roles.map((r) => r.slug),
      ["admin", "member", "viewer", "no-access"],
    );
  });
});
