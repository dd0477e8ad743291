/**
 * Key pinning through real Terraform (when on PATH): a pinned infisicale2ee_project_membership
 * against a server that lies about the member's public key (a rewriting proxy, then a direct edit
 * of the embedded server's SQLite database). Terraform must fail naming the member and both
 * fingerprints, and the server's own request log must show no key-copy write.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { generateKeyPair, publicKeyFingerprint } from "../../src/provider/crypto";
import { openSession } from "../../src/provider/session";
import { startServer } from "../../src/server";
import { parseLogLine } from "../core/harness";
import { type Json, startLyingProxy } from "../support/lying-proxy";

const terraformVersion = spawnSync("terraform", ["version"], {
  encoding: "utf8",
  env: { ...process.env, CHECKPOINT_DISABLE: "1" },
});
const skip = terraformVersion.status === 0 ? false : "terraform is not on PATH";
if (skip) process.stdout.write(`# skipping real Terraform pinning tests: ${skip}\n`);

const CLI = join(__dirname, "..", "..", "src", "cli.js");
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const MEMBER = { email: "member@example.com", password: "another horse battery staple" };
const KEY_COPY_WRITE = /^POST \/api\/v1\/workspace\/[^/]+\/(memberships|key)$/;

const CONFIG = `
terraform {
  required_providers {
    infisicale2ee = { source = "infisical-e2ee/infisicale2ee" }
  }
}
variable "host" { type = string }
variable "email" { type = string }
variable "password" {
  type      = string
  sensitive = true
}
variable "project_id" { type = string }
variable "member_email" { type = string }
variable "fingerprint" { type = string }

provider "infisicale2ee" {
  host     = var.host
  email    = var.email
  password = var.password
}

resource "infisicale2ee_project_membership" "member" {
  project_id             = var.project_id
  email                  = var.member_email
  role                   = "viewer"
  public_key_fingerprint = var.fingerprint
}

data "infisicale2ee_project_members" "all" {
  project_id = var.project_id
  depends_on = [infisicale2ee_project_membership.member]
}

output "member_fingerprint" {
  value = one([for m in data.infisicale2ee_project_members.all.members : m.public_key_fingerprint if m.email == var.member_email])
}
`;

describe("key pinning through real terraform", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let work: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let projectId: string;
  let memberPublicKey: string;
  let memberFingerprint: string;
  const serverLog: string[] = [];
  const attacker = generateKeyPair();
  const attackerFingerprint = publicKeyFingerprint(attacker.publicKey);

  function terraform(args: string[], host: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        "terraform",
        [...args, "-no-color", "-var", `host=${host}`, "-var", `fingerprint=${memberFingerprint}`],
        { cwd: join(work, "config"), env },
      );
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

  const keyCopyWrites = (from: number) =>
    serverLog
      .slice(from)
      .map(parseLogLine)
      .filter((r) => r && KEY_COPY_WRITE.test(`${r.method} ${r.route}`)).length;

  /** Terraform wraps diagnostics to the terminal width: compare with whitespace folded. */
  const folded = (text: string) => text.replace(/[\s│]+/g, " ");

  const assertNamesTheLie = (output: string) => {
    const text = folded(output);
    assert.match(text, /ERR_KEY_PIN_MISMATCH|pinned/);
    for (const part of [MEMBER.email, memberFingerprint, attackerFingerprint]) {
      assert.ok(text.includes(part), `terraform output does not name ${part}:\n${output}`);
    }
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "tf-pinning-data-"));
    server = await startServer({ port: 0, dataDir, log: (line) => serverLog.push(line) });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "tf-pinning" });
    projectId = boot.projectId;
    await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
    const member = openSession({ host: server.url, ...MEMBER }, { env: {} });
    memberPublicKey = (await member.user()).publicKey;
    memberFingerprint = publicKeyFingerprint(memberPublicKey);
    await member.close();

    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-pin-"));
    const home = join(work, "home");
    mkdirSync(join(work, "config"), { recursive: true });
    writeFileSync(join(work, "config", "main.tf"), CONFIG);
    writeFileSync(join(work, "terraformrc"), "# the implicit local mirror\n");
    env = {
      ...process.env,
      HOME: home,
      TF_CLI_CONFIG_FILE: join(work, "terraformrc"),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    };
    const install = spawnSync(
      process.execPath,
      [CLI, "install-terraform-provider", "--dir", join(home, ".terraform.d", "plugins")],
      { env, encoding: "utf8" },
    );
    assert.equal(install.status, 0, install.stderr);
    writeFileSync(
      join(work, "config", "terraform.tfvars"),
      [
        `email = "${ADMIN.email}"`,
        `password = "${ADMIN.password}"`,
        `project_id = "${projectId}"`,
        `member_email = "${MEMBER.email}"`,
      ].join("\n"),
    );
    const init = await terraform(["init"], server.url);
    assert.equal(init.code, 0, init.output);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("a proxy swapping user.publicKey: apply fails naming the member and both fingerprints; no key copy written", async () => {
    const proxy = await startLyingProxy(server.url, (method, path, body) => {
      if (method !== "GET" || !/\/memberships$/.test(path)) return;
      for (const row of [...(body.users ?? []), ...(body.memberships ?? [])] as Json[]) {
        if (row.user?.email === MEMBER.email) row.user.publicKey = attacker.publicKey;
      }
    });
    try {
      const from = serverLog.length;
      const result = await terraform(["apply", "-auto-approve"], proxy.url);
      assert.notEqual(result.code, 0, result.output);
      assertNamesTheLie(result.output);
      assert.ok(proxy.lies.length > 0);
      assert.equal(keyCopyWrites(from), 0, "the server got no key-copy write");
      assert.ok(!readFileSync(join(work, "config", "terraform.tfstate"), "utf8").includes("project_membership"));
    } finally {
      await proxy.close();
    }
  });

  test("the honest server: the pinned apply succeeds, the data source shows the pin, the next plan is empty", async () => {
    const from = serverLog.length;
    const result = await terraform(["apply", "-auto-approve"], server.url);
    assert.equal(result.code, 0, result.output);
    assert.equal(keyCopyWrites(from), 1, "the witness counts the one key-copy write of a real create");
    assert.match(result.output, new RegExp(`member_fingerprint = "${memberFingerprint}"`));
    const plan = await terraform(["plan", "-detailed-exitcode"], server.url);
    assert.equal(plan.code, 0, plan.output);
  });

  test("a database edit of the member's key: plan (refresh) and apply fail naming the member; nothing is wrapped", async () => {
    const db = new DatabaseSync(join(dataDir, "infisical-e2ee.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000;");
    db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(attacker.publicKey, MEMBER.email);
    try {
      const from = serverLog.length;
      const plan = await terraform(["plan"], server.url);
      assert.notEqual(plan.code, 0, plan.output);
      assertNamesTheLie(plan.output);
      const apply = await terraform(["apply", "-auto-approve", "-refresh=false"], server.url);
      // Nothing to change without a refresh; with one it fails: either way no key copy moves.
      const refreshed = await terraform(["apply", "-auto-approve"], server.url);
      assert.notEqual(refreshed.code, 0, refreshed.output);
      assertNamesTheLie(refreshed.output);
      assert.equal(apply.code, 0, apply.output);
      assert.equal(keyCopyWrites(from), 0, "the server got no key-copy write");
    } finally {
      db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(memberPublicKey, MEMBER.email);
      db.close();
    }
    const destroy = await terraform(["destroy", "-auto-approve"], server.url);
    assert.equal(destroy.code, 0, destroy.output);
  });
});
