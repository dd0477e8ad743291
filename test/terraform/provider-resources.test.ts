/**
 * The real provider process (`infisical-e2ee terraform-provider`, started as go-plugin does, mutual
 * TLS) driving the core's real resources and lookups against the embedded server over HTTP, the
 * way Terraform drives it (terraform-driver.ts applies Terraform's own consistency rules).
 * Out-of-band changes and server-side checks go through the core in this process.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { publicKeyFingerprint } from "../../src/provider/crypto";
import { resources } from "../../src/provider/registry";
import { isUnknown, UNKNOWN } from "../../src/provider/schema/fields";
import { openSession } from "../../src/provider/session";
import { DEFAULT_COALESCING } from "../../src/provider/session/secret-store";
import type { Session } from "../../src/provider/session/session";
import { startServer } from "../../src/server";
import { toSnakeCase } from "../../src/terraform/names";
import { dv, type PluginConnection, startPlugin } from "./harness";
import { type Diag, type Obj, pathText, TerraformDriver } from "./terraform-driver";

const CLI = join(__dirname, "..", "..", "src", "cli.js");
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const MEMBER = { email: "member@example.com", password: "another horse battery staple" };
const INFISICAL_VARIABLES = [
  "INFISICAL_HOST",
  "INFISICAL_TOKEN",
  "INFISICAL_EMAIL",
  "INFISICAL_PASSWORD",
  "INFISICAL_ORGANIZATION_ID",
];

const SECRET = "infisicale2ee_secret";
const ENVIRONMENT = "infisicale2ee_environment";
const MEMBERSHIP = "infisicale2ee_project_membership";
const PROJECT = "infisicale2ee_project";
const TOKEN = "infisicale2ee_service_token";

/** Plaintexts that must never appear in planned or applied state, logs or diagnostics. */
const CANARY_WO_FIRST = "canary-write-only-first-7f3a";
const CANARY_WO_SECOND = "canary-write-only-second-91be";

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid % 1000}x${++counter}`;

describe("terraform provider: real resources against the embedded server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let projectId: string;
  let serviceToken: string;
  let memberUserId: string;
  let session: Session;
  let userPlugin: PluginConnection;
  let tokenPlugin: PluginConnection;
  let tf: TerraformDriver;
  let tfToken: TerraformDriver;
  /** The server's request log lines (`METHOD /route STATUS …`). */
  const serverLog: string[] = [];

  /** What the server holds, decrypted by the core (a fresh list, no cached snapshot). */
  async function serverSecrets(
    environment = "dev",
    path = "/",
  ): Promise<Map<string, { value: string; version: number }>> {
    const list = await session.secrets.list({ projectId, environment, path }, { fresh: true });
    return new Map(list.map((s) => [s.key, { value: s.value, version: s.version }]));
  }

  before(async () => {
    server = await startServer({ port: 0, log: (line) => serverLog.push(line) });
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "tf-provider-resources" });
    projectId = boot.projectId;
    serviceToken = boot.serviceToken;
    memberUserId = (
      await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER })
    ).userId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });

    [userPlugin, tokenPlugin] = await Promise.all([
      startPlugin({ script: CLI, args: ["terraform-provider"], removeEnv: INFISICAL_VARIABLES }),
      // host from the environment, the token from the provider block: both sources are honoured.
      startPlugin({
        script: CLI,
        args: ["terraform-provider"],
        removeEnv: INFISICAL_VARIABLES,
        env: { INFISICAL_HOST: server.url },
      }),
    ]);
    tf = await TerraformDriver.connect(userPlugin);
    tfToken = await TerraformDriver.connect(tokenPlugin);
  });

  after(async () => {
    const leaks: string[] = [];
    for (const plugin of [userPlugin, tokenPlugin]) {
      if (!plugin) continue;
      for (const canary of [CANARY_WO_FIRST, CANARY_WO_SECOND, ADMIN.password, serviceToken]) {
        if (plugin.stderr().includes(canary)) leaks.push("plugin stderr");
      }
      assert.equal(await plugin.shutdown(), 0, "plugin exits 0 after GRPCController.Shutdown");
    }
    await session?.close();
    await server?.close();
    assert.deepEqual(leaks, [], "no secret value, password or token in the provider's logs");
  });

  test("GetProviderSchema: every core resource and lookup, attributes derived from the core fields", () => {
    assert.deepEqual(Object.keys(tf.schema.resource_schemas).sort(), [
      ENVIRONMENT,
      "infisicale2ee_folder",
      PROJECT,
      MEMBERSHIP,
      "infisicale2ee_project_role",
      SECRET,
      "infisicale2ee_secret_import",
      "infisicale2ee_secret_tag",
      TOKEN,
    ]);
    const tagIds = tf.attributes(SECRET).find((a) => a.name === "tag_ids");
    assert.deepEqual(JSON.parse(String(tagIds?.type)), ["set", "string"], "tag_ids is a set of strings");
    assert.deepEqual(Object.keys(tf.schema.data_source_schemas).sort(), [
      "infisicale2ee_audit_logs",
      "infisicale2ee_project",
      "infisicale2ee_project_members",
      "infisicale2ee_secrets",
    ]);
    for (const resource of Object.values(resources)) {
      const typeName = `infisicale2ee_${toSnakeCase(resource.name)}`;
      const block = tf.schema.resource_schemas[typeName];
      assert.equal(Number(block?.version), resource.version, `${typeName} schema version`);
      const expected = Object.entries(resource.fields)
        .filter(([, spec]) => !spec.faces || spec.faces.includes("terraform"))
        .map(([name]) => toSnakeCase(name));
      assert.deepEqual(
        block?.block.attributes.map((a) => a.name),
        ["id", ...expected],
        `${typeName} attributes`,
      );
    }
    const flags = (typeName: string, name: string) => {
      const a = tf.attributes(typeName).find((x) => x.name === name);
      assert.ok(a, `${typeName}.${name}`);
      return ["required", "optional", "computed", "sensitive", "write_only"]
        .filter((f) => a[f as "required"])
        .join(",");
    };
    assert.equal(flags(SECRET, "value"), "optional,computed,sensitive");
    assert.equal(flags(SECRET, "value_wo"), "optional,sensitive,write_only");
    assert.equal(flags(SECRET, "value_wo_version"), "optional");
    assert.equal(flags(SECRET, "project_id"), "required");
    assert.equal(flags(SECRET, "path"), "optional,computed", "defaulted: the plan fills in /");
    assert.equal(flags(SECRET, "version"), "computed");
    assert.equal(flags(TOKEN, "token"), "computed,sensitive");
    assert.equal(flags(PROJECT, "slug"), "optional,computed");
    const scopes = tf.attributes(TOKEN).find((a) => a.name === "scopes");
    assert.deepEqual(
      scopes?.nested_type?.attributes.map((a) => [a.name, a.required, a.optional]),
      [
        ["environment", true, false],
        ["secret_path", false, true],
      ],
    );
    assert.match(tf.attributes(SECRET).find((a) => a.name === "id")?.description ?? "", /<projectId>:<environment>/);
    assert.equal(tf.dataAttributes("infisicale2ee_secrets").find((a) => a.name === "secrets")?.sensitive, true);
    assert.deepEqual(
      tf.dataAttributes(PROJECT).map((a) => [a.name, a.optional, a.computed]),
      [
        ["project_id", true, true],
        ["slug", true, true],
        ["name", false, true],
        ["organization_id", false, true],
        ["environments", false, true],
      ],
    );
  });

  test("ValidateProviderConfig: strings pass; a non-string setting is an error at that attribute", async () => {
    const good = await userPlugin.call<{ diagnostics?: Diag[] }>("ValidateProviderConfig", {
      config: dv({ host: server.url, service_token: null, email: ADMIN.email, password: UNKNOWN }),
    });
    assert.deepEqual(good.diagnostics ?? [], []);
    const bad = await userPlugin.call<{ diagnostics?: Diag[] }>("ValidateProviderConfig", {
      config: dv({ host: 8080, service_token: null, email: null, password: null }),
    });
    assert.equal(bad.diagnostics?.length, 1);
    assert.equal(pathText(bad.diagnostics?.[0]), "host");
  });

  test("ConfigureProvider: host/email/password from the block; service_token (host from INFISICAL_HOST)", async () => {
    const user = await userPlugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
      terraform_version: "1.11.4",
      config: dv({ host: server.url, service_token: null, ...ADMIN }),
      client_capabilities: { write_only_attributes_allowed: true },
    });
    assert.deepEqual(user.diagnostics ?? [], []);
    const token = await tokenPlugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
      terraform_version: "1.11.4",
      config: dv({ host: null, service_token: serviceToken, email: null, password: null }),
      client_capabilities: { write_only_attributes_allowed: true },
    });
    assert.deepEqual(token.diagnostics ?? [], []);
    // Both work: the user lists the project, the token writes and reads a secret.
    const found = await tf.readData(PROJECT, { project_id: projectId });
    assert.deepEqual(found.diagnostics, []);
    assert.equal(found.state?.name, "tf-provider-resources");
  });

  test("service token: secrets work; user-only resources fail with a diagnostic naming the credentials", async () => {
    const key = unique("TOKEN_MADE_");
    const state = await tfToken.create(SECRET, {
      project_id: projectId,
      environment: "staging",
      key,
      value: "via-token",
    });
    assert.equal((await serverSecrets("staging")).get(key)?.value, "via-token");
    const listed = await tfToken.readData("infisicale2ee_secrets", { project_id: projectId, environment: "staging" });
    assert.equal(((listed.state?.secrets ?? []) as Obj[]).find((s) => s.key === key)?.value, "via-token");

    const config = tfToken.config(ENVIRONMENT, { project_id: projectId, name: "Nope", slug: unique("nope-") });
    const { planned } = await tfToken.plan(ENVIRONMENT, null, config);
    const refused = await tfToken.apply(ENVIRONMENT, null, planned, config);
    assert.equal(refused.diagnostics.length, 1);
    assert.equal(refused.diagnostics[0]?.severity, 1);
    assert.match(refused.diagnostics[0]?.detail ?? "", /email/);
    assert.doesNotMatch(JSON.stringify(refused.diagnostics), new RegExp(serviceToken.split(".")[2] as string));
    await tfToken.destroy(SECRET, state);
    assert.equal((await serverSecrets("staging")).has(key), false);
  });

  test("ValidateResourceConfig: bad input gives one error whose attribute path points at the field", async () => {
    const cases: [string, Obj, string, RegExp][] = [
      [SECRET, { project_id: projectId, environment: "dev", key: "bad/key" }, "key", /key/],
      [SECRET, { project_id: projectId, environment: "dev", key: "K", value: "v", generate: {} }, "value", /generate/],
      [
        SECRET,
        { project_id: projectId, environment: "dev", key: "K", generate: { length: 2 } },
        "generate.length",
        /8/,
      ],
      [
        SECRET,
        { project_id: projectId, environment: "dev", key: "K", rotation_trigger: "1" },
        "rotation_trigger",
        /generate/,
      ],
      [ENVIRONMENT, { project_id: projectId, name: "QA", slug: "Not A Slug" }, "slug", /slug|a-z0-9/],
      [MEMBERSHIP, { project_id: projectId, email: "not-an-email" }, "email", /email/],
      [TOKEN, { project_id: projectId, name: "t", scopes: [{ environment: "BAD ENV" }] }, "scopes[0].environment", /./],
      [
        TOKEN,
        { project_id: projectId, name: "t", scopes: [{ environment: "dev" }], permissions: ["admin"] },
        "permissions[0]",
        /read, write/,
      ],
      [
        TOKEN,
        { project_id: projectId, name: "t", scopes: [{ environment: "dev" }], expires_in: 5 },
        "expires_in",
        /60/,
      ],
      [
        "infisicale2ee_project_role",
        {
          project_id: projectId,
          slug: "r",
          name: "R",
          permissions: [
            { action: "read", subject: "secrets" },
            { action: "read", subject: "secrets", secret_path: "/*/*/*" },
          ],
        },
        "permissions[1].secret_path",
        /wildcards/,
      ],
    ];
    for (const [typeName, values, path, detail] of cases) {
      const diagnostics = await tf.validate(typeName, tf.config(typeName, values));
      assert.equal(diagnostics.length, 1, `${typeName} ${path}: ${JSON.stringify(diagnostics)}`);
      assert.equal(diagnostics[0]?.severity, 1);
      assert.equal(pathText(diagnostics[0]), path, `${typeName} diagnostic path`);
      assert.match(diagnostics[0]?.detail ?? "", detail);
    }
    // A write-only value set by a client that cannot hold write-only attributes; the value is never echoed.
    const writeOnly = await tf.validate(
      SECRET,
      tf.config(SECRET, { project_id: projectId, environment: "dev", key: "K", value_wo: CANARY_WO_FIRST }),
      { write_only_attributes_allowed: false },
    );
    assert.equal(pathText(writeOnly[0]), "value_wo");
    assert.doesNotMatch(JSON.stringify(writeOnly), new RegExp(CANARY_WO_FIRST));
  });

  test("PlanResourceChange with unknown inputs: computed values are planned unknown (msgpack ext 0)", async () => {
    const config = tf.config(SECRET, { project_id: UNKNOWN, environment: "dev", key: "FROM_UNKNOWN", value: UNKNOWN });
    assert.deepEqual(await tf.validate(SECRET, config), [], "unknowns are not validated");
    const { planned, raw, diagnostics } = await tf.plan(SECRET, null, config);
    assert.deepEqual(diagnostics, []);
    for (const name of ["id", "project_id", "value", "secret_id", "version"]) {
      assert.ok(isUnknown(planned?.[name]), `${name} planned unknown`);
    }
    assert.equal(planned?.key, "FROM_UNKNOWN");
    assert.equal(planned?.path, "/", "the core default is planned");
    assert.equal(planned?.comment, "");
    assert.ok(raw.includes(Buffer.from([0xd4, 0x00, 0x00])), "unknown is written as fixext1 type 0");

    const token = tf.config(TOKEN, { project_id: projectId, name: "t", scopes: UNKNOWN });
    const tokenPlan = await tf.plan(TOKEN, null, token);
    assert.deepEqual(tokenPlan.diagnostics, []);
    for (const name of ["scopes", "token", "token_id", "expires_at"])
      assert.ok(isUnknown(tokenPlan.planned?.[name]), name);
    assert.deepEqual(tokenPlan.planned?.permissions, ["read"]);
  });

  test("secret: create, empty second plan, in-place update, replace on environment, delete", async () => {
    const key = unique("API_URL_");
    const values = { project_id: projectId, environment: "dev", key, value: "https://one.example", comment: "c1" };
    const state = await tf.create(SECRET, values);
    const onServer = (await serverSecrets()).get(key);
    assert.equal(onServer?.value, "https://one.example");
    assert.equal(state.value, "https://one.example", "value is kept in state (sensitive)");
    assert.equal(state.version, onServer?.version, "state version is the server's");
    assert.match(String(state.id), /\S/);
    assert.equal(state.id, state.secret_id);
    await tf.assertNoChanges(SECRET, state, values);
    assert.deepEqual(await tf.read(SECRET, state), state, "refresh right after create finds no drift");

    const changed = { ...values, value: "https://two.example" };
    const update = await tf.converge(SECRET, state, changed);
    assert.deepEqual(update.plan.replace, []);
    assert.ok(isUnknown(update.plan.planned?.version), "version changes with the update");
    assert.equal(update.plan.planned?.secret_id, state.secret_id, "the id stays known");
    assert.equal((await serverSecrets()).get(key)?.value, "https://two.example");
    assert.ok(Number(update.state.version) > Number(state.version));
    assert.equal(update.state.version, (await serverSecrets()).get(key)?.version);
    await tf.assertNoChanges(SECRET, update.state, changed);

    const moved = await tf.plan(SECRET, update.state, tf.config(SECRET, { ...changed, environment: "staging" }));
    assert.deepEqual(moved.replace, ["environment"]);
    const renamed = await tf.plan(SECRET, update.state, tf.config(SECRET, { ...changed, key: `${key}_2` }));
    assert.deepEqual(renamed.replace, [], "a rename is in place");

    await tf.destroy(SECRET, update.state);
    assert.equal((await serverSecrets()).has(key), false);
  });

  test("secret: parallel creates in one folder (Terraform's parallelism) each record the server's version", async () => {
    const keys = [unique("PAR_A_"), unique("PAR_B_"), unique("PAR_C_"), unique("PAR_D_")];
    const logStart = serverLog.length;
    const states = await Promise.all(
      keys.map((key) => tf.create(SECRET, { project_id: projectId, environment: "dev", key, value: `v-${key}` })),
    );
    assert.ok(
      serverLog.slice(logStart).some((line) => line.startsWith("POST /api/v3/secrets/batch 2")),
      "the concurrent creates were coalesced into a batch call (the path that once reported version 0)",
    );
    const onServer = await serverSecrets();
    for (const [i, state] of states.entries()) {
      const key = keys[i] as string;
      assert.equal(onServer.get(key)?.value, `v-${key}`);
      assert.equal(state.version, onServer.get(key)?.version, `${key}: state version is the server's`);
      assert.deepEqual(await tf.read(SECRET, state), state, `${key}: no drift right after create`);
    }
    await Promise.all(states.map((state) => tf.destroy(SECRET, state)));
    const after = await serverSecrets();
    assert.deepEqual(
      keys.filter((key) => after.has(key)),
      [],
    );
  });

  test("secret: drift from an out-of-band change shows on refresh; deleted outside reads null", async () => {
    const key = unique("DRIFT_");
    const values = { project_id: projectId, environment: "dev", key, value: "terraform-value" };
    const state = await tf.create(SECRET, values);
    await session.secrets.update(
      { projectId, environment: "dev", path: "/" },
      { key, value: "edited-outside", comment: "x" },
    );
    const refreshed = await tf.read(SECRET, state);
    assert.equal(refreshed?.value, "edited-outside");
    assert.equal(refreshed?.comment, "x");
    const plan = await tf.plan(SECRET, refreshed, tf.config(SECRET, values));
    assert.equal(plan.planned?.value, "terraform-value", "the next plan restores the configured value");
    assert.equal(plan.planned?.comment, "");

    // Applying that plan restores the value on the server.
    const restored = await tf.apply(SECRET, refreshed, plan.planned, tf.config(SECRET, values));
    assert.deepEqual(restored.diagnostics, []);
    assert.equal((await serverSecrets()).get(key)?.value, "terraform-value");

    await session.secrets.delete({ projectId, environment: "dev", path: "/" }, key);
    assert.equal(await tf.read(SECRET, restored.state as Obj), null);
  });

  test("secret: value_wo never in plan or state; a version bump re-sends it; without a bump nothing changes", async () => {
    const key = unique("DB_PASSWORD_");
    const values = { project_id: projectId, environment: "dev", key, value_wo: CANARY_WO_FIRST, value_wo_version: 1 };
    const created = await tf.converge(SECRET, null, values);
    for (const raw of [created.plan.raw, created.raw]) assert.ok(!raw.includes(Buffer.from(CANARY_WO_FIRST)));
    assert.equal(created.plan.planned?.value_wo, null);
    assert.equal(created.plan.planned?.value, null, "value is planned null, not unknown, when value_wo supplies it");
    assert.equal(created.state.value_wo, null);
    assert.equal(created.state.value, null, "a write-only value does not enter state through value");
    assert.equal((await serverSecrets()).get(key)?.value, CANARY_WO_FIRST);
    await tf.assertNoChanges(SECRET, created.state, values);
    const refreshed = await tf.read(SECRET, created.state);
    assert.equal(refreshed?.value, null, "nor through a refresh");
    assert.deepEqual(refreshed, created.state);

    await tf.assertNoChanges(SECRET, created.state, { ...values, value_wo: CANARY_WO_SECOND });

    const bumped = { ...values, value_wo: CANARY_WO_SECOND, value_wo_version: 2 };
    const update = await tf.converge(SECRET, created.state, bumped);
    assert.ok(!update.plan.raw.includes(Buffer.from(CANARY_WO_SECOND)));
    assert.ok(!update.raw.includes(Buffer.from(CANARY_WO_SECOND)));
    assert.equal(update.state.value_wo_version, 2);
    assert.equal(
      (await serverSecrets()).get(key)?.value,
      CANARY_WO_SECOND,
      "the new write-only value reached the server",
    );
    await tf.assertNoChanges(SECRET, update.state, bumped);
    await tf.destroy(SECRET, update.state);
  });

  test("secret: importing one managed with value_wo does not keep its plaintext in state after the next apply", async () => {
    const key = unique("WO_IMPORTED_");
    const values = { project_id: projectId, environment: "dev", key, value_wo: CANARY_WO_FIRST, value_wo_version: 1 };
    const created = await tf.create(SECRET, values);
    const imported = await tf.import(SECRET, `${projectId}:dev:/:${key}`);
    assert.deepEqual(imported.diagnostics, []);
    assert.equal(imported.state?.value, null, "the import itself holds no value");
    const refreshed = (await tf.read(SECRET, imported.state as Obj)) as Obj;
    assert.equal(refreshed.value, null, "nor does the refresh after it");
    const next = await tf.converge(SECRET, refreshed, values);
    assert.ok(!next.raw.includes(Buffer.from(CANARY_WO_FIRST)), "no write-only plaintext in state");
    assert.equal(next.state.value, null);
    assert.equal(next.state.value_wo_version, 1);
    await tf.assertNoChanges(SECRET, next.state, values);
    assert.equal((await serverSecrets()).get(key)?.value, CANARY_WO_FIRST);
    await tf.destroy(SECRET, created);
  });

  test("secret: value_wo changed outside is drift: refresh shows it, the next apply re-sends it, then no changes", async () => {
    const key = unique("WO_DRIFT_");
    const values = { project_id: projectId, environment: "dev", key, value_wo: CANARY_WO_FIRST, value_wo_version: 1 };
    const created = await tf.converge(SECRET, null, values);
    assert.match(String(created.state.value_fingerprint), /^hmac-sha256:/);
    await session.secrets.update(
      { projectId, environment: "dev", path: "/" },
      { key, value: "out-of-band", comment: "" },
    );
    const refreshed = (await tf.read(SECRET, created.state)) as Obj;
    assert.equal(refreshed.value, null, "the refresh keeps the server's value out of state");
    assert.notEqual(refreshed.value_fingerprint, created.state.value_fingerprint, "drift shows in the refresh");
    assert.equal(refreshed.sent_value_fingerprint, created.state.sent_value_fingerprint);
    const restored = await tf.converge(SECRET, refreshed, values);
    assert.deepEqual(restored.plan.replace, []);
    assert.ok(isUnknown(restored.plan.planned?.value_fingerprint), "an in-place update of the value");
    for (const raw of [restored.plan.raw, restored.raw]) {
      assert.ok(!raw.includes(Buffer.from(CANARY_WO_FIRST)) && !raw.includes(Buffer.from("out-of-band")));
    }
    assert.equal((await serverSecrets()).get(key)?.value, CANARY_WO_FIRST, "the configured value is back");
    assert.equal(restored.state.value_fingerprint, created.state.value_fingerprint);
    await tf.assertNoChanges(SECRET, (await tf.read(SECRET, restored.state)) as Obj, values);
    await tf.destroy(SECRET, restored.state);
  });

  test("secret: switching from value to value_wo takes the plaintext out of state", async () => {
    const key = unique("SWITCHED_");
    const visible = { project_id: projectId, environment: "dev", key, value: "was-in-state" };
    const state = await tf.create(SECRET, visible);
    const hidden = { project_id: projectId, environment: "dev", key, value_wo: CANARY_WO_SECOND };
    const switched = await tf.converge(SECRET, state, hidden);
    assert.equal(switched.plan.planned?.value, null);
    assert.ok(isUnknown(switched.plan.planned?.version), "the rewrite bumps the version");
    assert.ok(
      !switched.raw.includes(Buffer.from("was-in-state")) && !switched.raw.includes(Buffer.from(CANARY_WO_SECOND)),
    );
    assert.equal((await serverSecrets()).get(key)?.value, CANARY_WO_SECOND);
    await tf.assertNoChanges(SECRET, switched.state, hidden);
    await tf.destroy(SECRET, switched.state);
  });

  test("secret: create_missing_folders creates the path; without it a missing folder is an error diagnostic", async () => {
    const key = unique("NESTED_");
    const folder = `/${unique("app")}/db`;
    const missing = tf.config(SECRET, { project_id: projectId, environment: "dev", path: folder, key, value: "v" });
    const plan = await tf.plan(SECRET, null, missing);
    const refused = await tf.apply(SECRET, null, plan.planned, missing);
    assert.equal(refused.diagnostics[0]?.severity, 1, "a secret in a folder that does not exist is refused");
    const state = await tf.create(SECRET, {
      project_id: projectId,
      environment: "dev",
      path: folder,
      key,
      value: "in-a-folder",
      create_missing_folders: true,
    });
    assert.equal((await serverSecrets("dev", folder)).get(key)?.value, "in-a-folder");
    const imported = await tf.import(SECRET, `${projectId}:dev:${folder}:${key}`);
    // An import never holds the value (the configuration may manage it write-only).
    assert.deepEqual({ ...imported.state, create_missing_folders: true }, { ...state, value: null });
    await tf.destroy(SECRET, state);
  });

  test("secret: a move with tag_ids unset, tags set outside since the last refresh: the apply matches its plan and the tags travel", async () => {
    const key = unique("MOVED_");
    const base = { project_id: projectId, environment: "dev", key, value: "v", create_missing_folders: true };
    const state = await tf.create(SECRET, base);
    assert.deepEqual(state.tag_ids, []);
    const slug = unique("outside").toLowerCase().replace(/_/g, "-");
    const { workspaceTag } = await session.api.tags.create(projectId, { name: slug, slug, color: "" });
    await session.secrets.update(
      { projectId, environment: "dev", path: "/" },
      { key, value: "v", comment: "", tagIds: [workspaceTag.id] },
    );
    // Planned over the state as it was (terraform apply -refresh=false); the driver checks apply against plan.
    const to = `/${unique("moved")}`;
    const moved = await tf.converge(SECRET, state, { ...base, path: to });
    assert.deepEqual(moved.state.tag_ids, [workspaceTag.id]);
    const there = await session.secrets.list({ projectId, environment: "dev", path: to }, { fresh: true });
    assert.deepEqual(
      there.map((s) => [s.key, s.tagIds]),
      [[key, [workspaceTag.id]]],
    );
    await tf.destroy(SECRET, moved.state);
    await session.api.tags.delete(projectId, workspaceTag.id);
  });

  test("secret: generate + rotation_trigger generates on apply and rotates when the trigger changes", async () => {
    const key = unique("SESSION_KEY_");
    const values = {
      project_id: projectId,
      environment: "dev",
      key,
      generate: { length: 40, symbols: false },
      rotation_trigger: "2025-01",
    };
    const created = await tf.converge(SECRET, null, values);
    assert.ok(isUnknown(created.plan.planned?.value));
    assert.deepEqual(created.plan.planned?.generate, {
      length: 40,
      lowercase: true,
      uppercase: true,
      digits: true,
      symbols: false,
    });
    const first = String(created.state.value);
    assert.match(first, /^[A-Za-z0-9]{40}$/);
    assert.equal((await serverSecrets()).get(key)?.value, first);
    await tf.assertNoChanges(SECRET, created.state, values);

    const rotated = { ...values, rotation_trigger: "2025-02" };
    const update = await tf.converge(SECRET, created.state, rotated);
    assert.deepEqual(update.plan.replace, []);
    assert.ok(isUnknown(update.plan.planned?.value), "rotation plans a new value");
    const second = String(update.state.value);
    assert.match(second, /^[A-Za-z0-9]{40}$/);
    assert.notEqual(second, first);
    assert.equal((await serverSecrets()).get(key)?.value, second);
    await tf.assertNoChanges(SECRET, update.state, rotated);
    await tf.destroy(SECRET, update.state);
  });

  test("environment: create, rename in place, drift, import by <projectId>:<slug>, deleted outside, destroy", async () => {
    const slug = unique("qa-");
    const values = { project_id: projectId, name: "QA", slug };
    const state = await tf.create(ENVIRONMENT, values);
    assert.equal(state.id, state.environment_id);
    assert.equal(typeof state.position, "number", "the server's position is recorded");
    await tf.assertNoChanges(ENVIRONMENT, state, values);

    const renamed = await tf.converge(ENVIRONMENT, state, { ...values, name: "Quality" });
    assert.deepEqual(renamed.plan.replace, []);
    await session.api.environments.update(projectId, String(state.id), { name: "Renamed Outside" });
    const drifted = await tf.read(ENVIRONMENT, renamed.state);
    assert.equal(drifted?.name, "Renamed Outside");

    const imported = await tf.import(ENVIRONMENT, `${projectId}:${slug}`);
    assert.deepEqual(imported.diagnostics, []);
    assert.deepEqual(imported.state, drifted, "import = refresh");
    await tf.assertNoChanges(ENVIRONMENT, imported.state as Obj, { ...values, name: "Renamed Outside" });

    await session.api.environments.delete(projectId, String(state.id));
    assert.equal(await tf.read(ENVIRONMENT, renamed.state), null);
    await tf.destroy(ENVIRONMENT, renamed.state);
  });

  test("environment: import records the server's position", async () => {
    const slug = unique("pos-");
    const state = await tf.create(ENVIRONMENT, { project_id: projectId, name: "Positioned", slug });
    try {
      const imported = await tf.import(ENVIRONMENT, `${projectId}:${slug}`);
      assert.equal(imported.state?.position, state.position);
    } finally {
      await tf.destroy(ENVIRONMENT, state);
    }
  });

  test("project membership: created for a second user, visible through the API, role change, import, delete", async () => {
    const values = { project_id: projectId, email: MEMBER.email, role: "member" };
    const state = await tf.create(MEMBERSHIP, values);
    assert.equal(state.user_id, memberUserId);
    const listed = async () => (await session.api.memberships.list(projectId)).memberships;
    const onServer = (await listed()).find((m) => m.id === state.id);
    assert.equal(onServer?.userId, memberUserId);
    assert.equal(onServer?.roles[0]?.role, "member");
    // The project key was wrapped for the member on the client: the member, trusting the admin's
    // key (checked out of band), can now decrypt.
    const adminFingerprint = publicKeyFingerprint((await session.user()).publicKey);
    const memberSession = openSession(
      { host: server.url, ...MEMBER, trustedKeyFingerprints: adminFingerprint },
      { env: {} },
    );
    try {
      const key = unique("SHARED_");
      await session.secrets.create(
        { projectId, environment: "dev", path: "/" },
        { key, value: "for-member", comment: "" },
      );
      const seen = await memberSession.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true });
      assert.equal(seen.find((s) => s.key === key)?.value, "for-member");
      await session.secrets.delete({ projectId, environment: "dev", path: "/" }, key);
    } finally {
      await memberSession.close();
    }
    await tf.assertNoChanges(MEMBERSHIP, state, values);

    const viewer = await tf.converge(MEMBERSHIP, state, { ...values, role: "viewer" });
    assert.deepEqual(viewer.plan.replace, []);
    assert.equal((await listed()).find((m) => m.id === state.id)?.roles[0]?.role, "viewer");
    assert.deepEqual(await tf.read(MEMBERSHIP, viewer.state), viewer.state);

    const imported = await tf.import(MEMBERSHIP, `${projectId}:${MEMBER.email}`);
    assert.deepEqual(imported.state, viewer.state, "import round-trips the state");
    const stranger = tf.config(MEMBERSHIP, { project_id: projectId, email: "nobody@example.com" });
    const strangerPlan = await tf.plan(MEMBERSHIP, null, stranger);
    const refused = await tf.apply(MEMBERSHIP, null, strangerPlan.planned, stranger);
    assert.equal(pathText(refused.diagnostics[0]), "email", "an unknown user is an error at email");
    assert.match(refused.diagnostics[0]?.detail ?? "", /not a member of the organization/);
    const moved = await tf.plan(MEMBERSHIP, viewer.state, tf.config(MEMBERSHIP, { ...values, email: ADMIN.email }));
    assert.deepEqual(moved.replace, ["email"]);

    await tf.destroy(MEMBERSHIP, viewer.state);
    assert.equal(
      (await listed()).some((m) => m.userId === memberUserId),
      false,
    );
    assert.equal(await tf.read(MEMBERSHIP, viewer.state), null);
  });

  test("project: create (key made on the client), rename in place, slug replaces, import, destroy", async () => {
    const values = { name: unique("tfproj") };
    const created = await tf.converge(PROJECT, null, values);
    const state = created.state;
    assert.ok(isUnknown(created.plan.planned?.slug), "the server derives the slug");
    assert.equal(state.id, state.project_id);
    assert.deepEqual((state.environments as Obj[]).map((e) => e.slug).sort(), ["dev", "prod", "staging"]);
    // The creator can use the new project's key right away.
    const location = { projectId: String(state.id), environment: "dev", path: "/" };
    await session.secrets.create(location, { key: "K", value: "v", comment: "" });
    await tf.assertNoChanges(PROJECT, state, values);

    const renamed = await tf.converge(PROJECT, state, { name: `${values.name}-b` });
    assert.deepEqual(renamed.plan.replace, []);
    assert.equal((await session.api.projects.get(String(state.id))).workspace?.name, `${values.name}-b`);
    const reslug = await tf.plan(
      PROJECT,
      renamed.state,
      tf.config(PROJECT, { name: `${values.name}-b`, slug: "other-slug" }),
    );
    assert.deepEqual(reslug.replace, ["slug"]);

    const imported = await tf.import(PROJECT, String(state.id));
    assert.deepEqual(imported.state, renamed.state);
    const badId = await tf.import(PROJECT, "not a project id!");
    assert.equal(badId.diagnostics[0]?.severity, 1);

    await tf.destroy(PROJECT, renamed.state);
    assert.equal(await tf.read(PROJECT, renamed.state), null);
  });

  test("service token: create, token decrypts secrets, changes replace, import refused clearly, destroy", async () => {
    const values = {
      project_id: projectId,
      name: unique("ci-"),
      scopes: [{ environment: "dev", secret_path: "/" }],
      permissions: ["read"],
    };
    const created = await tf.converge(TOKEN, null, values);
    const state = created.state;
    assert.deepEqual(state.scopes, [{ environment: "dev", secret_path: "/" }]);
    assert.match(String(state.token), /^st\.[^.]+\.[^.]+\.[0-9a-f]{32}$/);
    assert.equal(state.id, state.token_id);
    const key = unique("READABLE_");
    await session.secrets.create(
      { projectId, environment: "dev", path: "/" },
      { key, value: "token-sees-this", comment: "" },
    );
    const tokenSession = openSession({ host: server.url, serviceToken: String(state.token) }, { env: {} });
    try {
      const seen = await tokenSession.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true });
      assert.equal(seen.find((s) => s.key === key)?.value, "token-sees-this");
    } finally {
      await tokenSession.close();
      await session.secrets.delete({ projectId, environment: "dev", path: "/" }, key);
    }
    await tf.assertNoChanges(TOKEN, state, values);
    assert.deepEqual(await tf.read(TOKEN, state), state);

    const renamed = await tf.plan(TOKEN, state, tf.config(TOKEN, { ...values, name: unique("ci-") }));
    assert.deepEqual(renamed.replace, ["name"]);
    assert.ok(isUnknown(renamed.planned?.token));

    const imported = await tf.import(TOKEN, String(state.id));
    assert.equal(imported.diagnostics.length, 1);
    assert.equal(imported.diagnostics[0]?.summary, "Import Not Supported");
    assert.match(imported.diagnostics[0]?.detail ?? "", /key part is generated on the client/);

    await tf.destroy(TOKEN, state);
    assert.equal(await tf.read(TOKEN, state), null);
    const { serviceTokenData } = await session.api.serviceTokens.list(projectId);
    assert.equal(
      serviceTokenData.some((t) => t.id === state.id),
      false,
    );
  });

  test("ImportResourceState: a secret by <projectId>:<env>:<path>:<key> round-trips; bad ids are diagnostics", async () => {
    const key = unique("IMPORTED_");
    const values = { project_id: projectId, environment: "dev", key, value: "imported-value", comment: "note" };
    const state = await tf.create(SECRET, values);
    const imported = await tf.import(SECRET, `${projectId}:dev:/:${key}`);
    assert.deepEqual(imported.diagnostics, []);
    assert.deepEqual(imported.state, { ...state, value: null }, "all but the value, which an import never holds");
    // The configured value fills it in with one in-place update (Terraform plans no-op only when the
    // planned state equals the prior one); the server already holds it, so nothing is written.
    const filled = await tf.converge(SECRET, imported.state as Obj, values);
    assert.equal(filled.state.value, "imported-value");
    assert.equal(filled.state.version, state.version, "the server's version did not move: nothing was sent");
    await tf.assertNoChanges(SECRET, filled.state, values);

    const malformed = await tf.import(SECRET, `${projectId}:dev`);
    assert.equal(malformed.diagnostics[0]?.severity, 1);
    assert.match(malformed.diagnostics[0]?.detail ?? "", /<projectId>:<environment>:<path>:<key>/);
    const missing = await tf.import(SECRET, `${projectId}:dev:/:NO_SUCH_KEY`);
    assert.equal(missing.diagnostics[0]?.summary, "Object Not Found");
    const noEnvironment = await tf.import(ENVIRONMENT, `${projectId}:no-such-env`);
    assert.equal(noEnvironment.diagnostics[0]?.summary, "Object Not Found");
    assert.match(noEnvironment.diagnostics[0]?.detail ?? "", /the project has no environment "no-such-env"/);
    assert.doesNotMatch(noEnvironment.diagnostics[0]?.detail ?? "", /HTTP 0/);
    await tf.destroy(SECRET, state);
  });

  test("UpgradeResourceState: stored JSON state of the current version is conformed; newer is refused", async () => {
    const key = unique("UPGRADE_");
    const state = await tf.create(SECRET, { project_id: projectId, environment: "dev", key, value: "v" });
    const same = await tf.upgrade(SECRET, resources.secret.version, state);
    assert.deepEqual(same.diagnostics, []);
    assert.deepEqual(same.state, state);
    const { path: _dropped, ...withoutPath } = state;
    const conformed = await tf.upgrade(SECRET, resources.secret.version, { ...withoutPath, stray: 1 });
    assert.equal(conformed.state?.path, null, "a missing attribute becomes null");
    assert.ok(conformed.state && !("stray" in conformed.state));
    const newer = await tf.upgrade(SECRET, resources.secret.version + 1, state);
    assert.equal(newer.diagnostics[0]?.summary, "State From a Newer Provider");
    // Broken JSON: the parser's own message would quote the state, which may hold a value.
    const canary = "k3yv4lue"; // short: the parser quotes only the first few characters
    const broken = await tf.plugin.call<{ diagnostics?: Diag[] }>("UpgradeResourceState", {
      type_name: SECRET,
      version: resources.secret.version,
      raw_state: { json: Buffer.from(canary) },
    });
    assert.equal(broken.diagnostics?.[0]?.severity, 1);
    assert.match(JSON.stringify(broken.diagnostics), /not valid JSON/);
    assert.equal(JSON.stringify(broken.diagnostics).includes(canary), false);
    await tf.destroy(SECRET, state);
  });

  test("UpgradeResourceState: secret state written by 0.1.0 (fixture) upgrades, refreshes and plans no change", async () => {
    const fixture = JSON.parse(
      readFileSync(
        join(__dirname, "..", "..", "..", "test", "terraform", "fixtures", "secret-state-0.1.0.json"),
        "utf8",
      ),
    ) as { schema_version: number; write_only: Obj; generated: Obj };
    const location = { projectId, environment: "dev", path: "/" };
    const fill = (template: Obj, values: Record<string, string>) =>
      JSON.parse(JSON.stringify(template).replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? "")) as Obj;

    const woKey = unique("LEGACY_WO_");
    const genKey = unique("LEGACY_GEN_");
    const generatedValue = "Legacy0generated0value0abcdefghij";
    const wo = await session.secrets.create(location, { key: woKey, value: CANARY_WO_FIRST, comment: "" });
    const gen = await session.secrets.create(location, { key: genKey, value: generatedValue, comment: "" });
    const woState = fill(fixture.write_only, { secretId: wo.secretId, projectId, key: woKey });
    const woUpgraded = await tf.upgrade(SECRET, fixture.schema_version, woState);
    assert.deepEqual(woUpgraded.diagnostics, []);
    assert.equal(woUpgraded.state?.value_fingerprint, null, "0.1.0 state has no fingerprint yet");
    const woRead = (await tf.read(SECRET, woUpgraded.state as Obj)) as Obj;
    assert.equal(woRead.value, null, "the refresh keeps the write-only value out");
    assert.match(String(woRead.value_fingerprint), /^hmac-sha256:/);
    const woValues = {
      project_id: projectId,
      environment: "dev",
      key: woKey,
      value_wo: CANARY_WO_FIRST,
      value_wo_version: 1,
    };
    await tf.assertNoChanges(SECRET, woRead, woValues);

    const genState = fill(fixture.generated, { secretId: gen.secretId, projectId, key: genKey, value: generatedValue });
    const genUpgraded = (await tf.upgrade(SECRET, fixture.schema_version, genState)).state as Obj;
    const genValues = { project_id: projectId, environment: "dev", key: genKey, generate: {}, rotation_trigger: "r1" };
    await tf.assertNoChanges(SECRET, (await tf.read(SECRET, genUpgraded)) as Obj, genValues);
    await session.secrets.update(location, { key: genKey, value: "changed-outside", comment: "" });
    // The provider serves reads of one location from a list snapshot while it was used within
    // snapshotTtlMs (one list per refresh): wait that out so the next read lists again.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_COALESCING.snapshotTtlMs + 100));
    const drifted = (await tf.read(SECRET, genUpgraded)) as Obj;
    assert.equal(drifted.value, generatedValue);
    const restored = await tf.converge(SECRET, drifted, genValues);
    assert.equal((await serverSecrets()).get(genKey)?.value, generatedValue, "0.1.0's generated value is put back");
    await tf.destroy(SECRET, woRead);
    await tf.destroy(SECRET, restored.state);
  });

  test("wrong password: the first operation fails with an authentication diagnostic that leaks nothing", async () => {
    const plugin = await startPlugin({ script: CLI, args: ["terraform-provider"], removeEnv: INFISICAL_VARIABLES });
    try {
      const wrong = "wrong horse battery staple";
      const configured = await plugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
        config: dv({ host: server.url, service_token: null, email: ADMIN.email, password: wrong }),
      });
      assert.deepEqual(configured.diagnostics ?? [], [], "login is lazy");
      const driver = await TerraformDriver.connect(plugin);
      const result = await driver.readData(PROJECT, { project_id: projectId });
      assert.equal(result.diagnostics[0]?.summary, "Authentication Failed");
      assert.doesNotMatch(JSON.stringify(result.diagnostics) + plugin.stderr(), /wrong horse/);
    } finally {
      assert.equal(await plugin.shutdown(), 0);
    }
  });

  test("configuration errors name the provider attribute and environment variable, not core names", async () => {
    const plugin = await startPlugin({
      script: CLI,
      args: ["terraform-provider"],
      removeEnv: [...INFISICAL_VARIABLES, "INFISICAL_ALLOW_INSECURE_HTTP", "INFISICAL_TIMEOUT_MS"],
    });
    try {
      const configure = async (values: Obj) =>
        (
          await plugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
            config: dv({ host: null, service_token: null, email: null, password: null, ...values }),
          })
        ).diagnostics ?? [];
      const insecure = await configure({ host: "http://infisical.example.internal", ...ADMIN });
      assert.equal(insecure.length, 1);
      assert.equal(pathText(insecure[0]), "host");
      assert.equal(
        insecure[0]?.detail,
        "Could not configure the provider: Configuration setting host (or INFISICAL_HOST): uses plain HTTP to a " +
          "non-loopback address. Use https://, or set INFISICAL_ALLOW_INSECURE_HTTP to true if you accept sending " +
          "ciphertexts and tokens unprotected.",
      );
      const malformed = await configure({ host: server.url, service_token: "st.only.three" });
      assert.equal(pathText(malformed[0]), "service_token");
      assert.match(
        malformed[0]?.detail ?? "",
        /^Could not configure the provider: Configuration setting service_token \(or INFISICAL_TOKEN\): /,
      );
      const halfLogin = await configure({ host: server.url, email: ADMIN.email });
      assert.match(
        halfLogin[0]?.detail ?? "",
        /setting password \(or INFISICAL_PASSWORD\): .* Set password \(or INFISICAL_PASSWORD\)\./,
      );
      assert.doesNotMatch(
        JSON.stringify([insecure, malformed, halfLogin]),
        /allowInsecureHttp|serviceToken|st\.only|timeoutMs/,
      );
    } finally {
      assert.equal(await plugin.shutdown(), 0);
    }
  });

  test("create in an unknown environment: the detail names the attribute and the slug", async () => {
    const config = tf.config(SECRET, {
      project_id: projectId,
      environment: "no-such-env",
      key: unique("K_"),
      value: "v",
    });
    const { planned, diagnostics } = await tf.plan(SECRET, null, config);
    assert.deepEqual(diagnostics, []);
    const failed = await tf.apply(SECRET, null, planned, config);
    assert.equal(failed.diagnostics.length, 1);
    assert.equal(pathText(failed.diagnostics[0]), "environment");
    assert.equal(
      failed.diagnostics[0]?.detail,
      'create infisicale2ee_secret: environment: the project has no environment "no-such-env".',
    );
  });

  test("ReadDataSource: infisicale2ee_secrets decrypts a folder; infisicale2ee_project by id or slug", async () => {
    const a = await tf.create(SECRET, {
      project_id: projectId,
      environment: "prod",
      key: "B_LISTED",
      value: "b-value",
    });
    const b = await tf.create(SECRET, {
      project_id: projectId,
      environment: "prod",
      key: "A_LISTED",
      value: "a-value",
    });
    const listed = await tf.readData("infisicale2ee_secrets", { project_id: projectId, environment: "prod" });
    assert.deepEqual(listed.diagnostics, []);
    assert.equal(listed.state?.path, "/");
    const secrets = listed.state?.secrets as Obj[];
    assert.deepEqual(
      secrets.map((s) => [s.key, s.value]),
      [
        ["A_LISTED", "a-value"],
        ["B_LISTED", "b-value"],
      ],
    );
    assert.equal(secrets[1]?.secret_id, a.secret_id);
    // map(string) travels as a msgpack map keyed by secret name.
    assert.deepEqual(listed.state?.values, { A_LISTED: "a-value", B_LISTED: "b-value" });

    const byId = await tf.readData(PROJECT, { project_id: projectId });
    const bySlug = await tf.readData(PROJECT, { slug: String(byId.state?.slug) });
    assert.deepEqual(bySlug.state, byId.state);
    assert.deepEqual(((byId.state?.environments as Obj[]) ?? []).map((e) => e.slug).sort(), ["dev", "prod", "staging"]);
    const both = await tf.readData(PROJECT, { project_id: projectId, slug: String(byId.state?.slug) });
    assert.equal(pathText(both.diagnostics[0]), "project_id");
    const missing = await tf.readData("infisicale2ee_secrets", { project_id: projectId, environment: "no-such-env" });
    assert.equal(missing.diagnostics[0]?.severity, 1);

    // Only the server knows its environments: the apply error still points at the attribute to fix.
    const config = tf.config(SECRET, { project_id: projectId, environment: "no-such-env", key: "K", value: "v" });
    const plan = await tf.plan(SECRET, null, config);
    assert.deepEqual(plan.diagnostics, []);
    const failed = await tf.apply(SECRET, null, plan.planned, config);
    assert.equal(failed.diagnostics[0]?.severity, 1);
    assert.equal(pathText(failed.diagnostics[0]), "environment");
    assert.equal(failed.state, null, "nothing was created");
    await tf.destroy(SECRET, a);
    await tf.destroy(SECRET, b);
  });
});
