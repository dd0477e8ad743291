/**
 * One real-terraform walk (when terraform is on PATH) for secret tags against the embedded server:
 * two tags (one imported back by `<projectId>:<slug>`), secrets tagged [a] then [b], a second plan
 * empty after each apply, a tag set and a
 * tag name changed outside showing as drift, destroy. Request counts come from the server's own
 * log: the tagged creates (the real server drops `tags` on create) ride as batch create + batch update.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { type RunningServer, startServer } from "../../src/server";
import { RequestLog } from "../support/request-log";
import { terraformHomeWithProvider } from "../support/terraform-home";
import { PROVIDER_LOGIN_HCL, runTerraform } from "../support/terraform-walk";
import { terraformMissing } from "../support/terraform-workspace";

const skip = terraformMissing() ?? false;
if (skip) process.stdout.write(`# skipping the real Terraform tag walk: ${skip}\n`);

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const TAGGED = 4;

const CONFIG = `${PROVIDER_LOGIN_HCL}variable "tags" { type = list(string) }

resource "infisicale2ee_secret_tag" "a" {
  project_id = var.project_id
  name       = "Alpha"
  slug       = "alpha"
  color      = "#ff0000"
}

resource "infisicale2ee_secret_tag" "b" {
  project_id = var.project_id
  name       = "Beta"
  slug       = "beta"
}

locals {
  tag_ids = { a = infisicale2ee_secret_tag.a.id, b = infisicale2ee_secret_tag.b.id }
}

resource "infisicale2ee_secret" "tagged" {
  count       = ${TAGGED}
  project_id  = var.project_id
  environment = "dev"
  key         = format("TAGGED_%02d", count.index)
  value       = "v-\${count.index}"
  tag_ids     = [for t in var.tags : local.tag_ids[t]]
}

resource "infisicale2ee_secret" "untagged" {
  project_id  = var.project_id
  environment = "dev"
  key         = "UNTAGGED"
  value       = "plain"
}
`;

describe("secret tags through real terraform", { skip }, () => {
  const log = new RequestLog();
  let server: RunningServer;
  let session: Session;
  let projectId: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let vars: (tags: string[]) => string[];

  const terraform = (args: string[]) => runTerraform(join(work, "config"), env, args);
  async function ok(args: string[]) {
    const result = await terraform(args);
    assert.equal(result.code, 0, `terraform ${args[0]} failed:\n${result.output.slice(-4000)}`);
    return result.output;
  }
  async function planIsEmpty(tags: string[], what: string) {
    const plan = await terraform(["plan", "-detailed-exitcode", ...vars(tags)]);
    assert.equal(plan.code, 0, `${what}: the second plan must be empty:\n${plan.output.slice(-3000)}`);
  }

  const dev = () => ({ projectId, environment: "dev", path: "/" });
  const tagsOnServer = async () => {
    const list = await session.secrets.list(dev(), { fresh: true });
    return new Map(list.map((s) => [s.key, s.tagIds ?? []]));
  };
  const tagBySlug = async (slug: string) =>
    (await session.api.tags.list(projectId)).workspaceTags.find((t) => t.slug === slug)!;

  before(async () => {
    server = await startServer({ port: 0, log: log.line });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "tf-tags" });
    projectId = boot.projectId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-tags-"));
    mkdirSync(join(work, "config"));
    writeFileSync(join(work, "config", "main.tf"), CONFIG);
    env = terraformHomeWithProvider(work);
    vars = (tags) => [
      "-var",
      `host=${server.url}`,
      "-var",
      `email=${ADMIN.email}`,
      "-var",
      `password=${ADMIN.password}`,
      "-var",
      `project_id=${projectId}`,
      "-var",
      `tags=${JSON.stringify(tags)}`,
    ];
    await ok(["init"]);
  });
  after(async () => {
    await session?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("tag, retag, drift, destroy", async () => {
    const atCreate = log.mark();
    await ok(["apply", "-auto-approve", ...vars(["a"])]);
    const a = await tagBySlug("alpha");
    const b = await tagBySlug("beta");
    assert.equal(a.color, "#ff0000");
    assert.equal(b.color, "", "no colour is sent as the real server's empty string");
    let onServer = await tagsOnServer();
    for (let i = 0; i < TAGGED; i++) assert.deepEqual(onServer.get(`TAGGED_0${i}`), [a.id]);
    assert.deepEqual(onServer.get("UNTAGGED"), []);
    const created = log.since(atCreate).filter((r) => r.route.startsWith("/api/v3/secrets") && r.method !== "GET");
    const creates = created.filter((r) => r.method === "POST").length;
    const tagUpdates = created.filter((r) => r.method === "PATCH").length;
    process.stdout.write(
      `# ${TAGGED} tagged + 1 untagged secret created through terraform: ${creates} create request(s), ${tagUpdates} tag update request(s) (one request per write would be ${TAGGED + 1} + ${TAGGED}); ${log.summary(atCreate)}\n`,
    );
    assert.ok(tagUpdates >= 1, "the tags were set by an update after the create");
    assert.ok(tagUpdates < TAGGED, `the tag updates shared batches: ${log.summary(atCreate)}`);
    // Import by `<projectId>:<slug>`: forget the tag, import it back, and nothing is left to change.
    await ok(["state", "rm", "infisicale2ee_secret_tag.a"]);
    await ok(["import", ...vars(["a"]), "infisicale2ee_secret_tag.a", `${projectId}:alpha`]);
    await planIsEmpty(["a"], "after tagging with [a] and importing tag a");

    const atRetag = log.mark();
    await ok(["apply", "-auto-approve", ...vars(["b"])]);
    onServer = await tagsOnServer();
    for (let i = 0; i < TAGGED; i++) assert.deepEqual(onServer.get(`TAGGED_0${i}`), [b.id]);
    assert.deepEqual(onServer.get("UNTAGGED"), [], "the untagged secret was left alone");
    process.stdout.write(`# retag ${TAGGED} secrets [a] -> [b]: ${log.writes(atRetag)} secret write request(s)\n`);
    await planIsEmpty(["b"], "after retagging with [b]");

    // Outside: a secret gains tag a, and tag b is renamed. Both show as drift and are put back.
    const scope = { workspaceId: projectId, environment: "dev", secretPath: "/" };
    const wire = (await session.api.secrets.get(scope, "TAGGED_01")).secret;
    await session.api.secrets.update(scope, "TAGGED_01", {
      secretValueCiphertext: wire.secretValueCiphertext,
      secretValueIV: wire.secretValueIV,
      secretValueTag: wire.secretValueTag,
      tags: [a.id, b.id],
    });
    await session.api.tags.update(projectId, b.id, { name: "Renamed outside", slug: "beta", color: "" });
    const drift = await terraform(["plan", "-detailed-exitcode", ...vars(["b"])]);
    assert.equal(drift.code, 2, `changes outside must plan updates:\n${drift.output.slice(-3000)}`);
    assert.match(drift.output, /infisicale2ee_secret\.tagged\[1\] will be updated in-place/);
    assert.match(drift.output, /tag_ids/);
    assert.match(drift.output, /infisicale2ee_secret_tag\.b will be updated in-place/);
    assert.match(drift.output, /"Renamed outside" -> "Beta"/);
    assert.doesNotMatch(drift.output, /tagged\[0\] will be/, "only the drifted secret is updated");
    await ok(["apply", "-auto-approve", ...vars(["b"])]);
    assert.deepEqual((await tagsOnServer()).get("TAGGED_01"), [b.id]);
    assert.equal((await tagBySlug("beta")).name, "Beta");
    await planIsEmpty(["b"], "after putting the drift back");

    // [] removes every tag and plans empty afterwards (no perpetual diff against "no tags").
    await ok(["apply", "-auto-approve", ...vars([])]);
    onServer = await tagsOnServer();
    for (let i = 0; i < TAGGED; i++) assert.deepEqual(onServer.get(`TAGGED_0${i}`), []);
    await planIsEmpty([], "after clearing the tags");

    await ok(["destroy", "-auto-approve", ...vars([])]);
    assert.deepEqual((await session.api.tags.list(projectId)).workspaceTags, []);
    assert.deepEqual(await session.secrets.list(dev(), { fresh: true }), []);
  });
});
