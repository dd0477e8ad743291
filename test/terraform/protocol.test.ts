/**
 * The Terraform face over gRPC, driven the way Terraform drives it: a plugin process started
 * with go-plugin's environment and mutual TLS, msgpack values with unknowns and write-only values.
 * The resource is the test widget (fixtures/widget.ts), so these tests cover the protocol layer;
 * the real resources against the embedded server are covered by provider-resources.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { isUnknown, UNKNOWN } from "../../src/provider/schema/fields";
import { loadPluginServices } from "../../src/terraform/protocol";
import {
  certificatePemFromBase64,
  dv,
  fromDv,
  type PluginConnection,
  startPlugin,
  WRITE_ONLY_ALLOWED,
} from "./harness";

const WIDGET_MAIN = join(__dirname, "fixtures", "widget-provider-main.js");
const TYPE = "infisicale2ee_widget";
type Obj = Record<string, unknown>;
type Diag = { severity: number; summary: string; detail: string; attribute?: { steps: Obj[] } };

const ATTRIBUTES = [
  "id",
  "project_id",
  "name",
  "note",
  "secret_value",
  "value_wo",
  "value_wo_version",
  "generate",
  "rotation_trigger",
  "tags",
  "fail_after_create",
  "widget_id",
  "revision",
  "sent_length",
];
const COMPUTED = new Set(["id", "note", "secret_value", "widget_id", "revision", "sent_length"]);

function config(values: Obj): Obj {
  return Object.fromEntries(ATTRIBUTES.map((name) => [name, values[name] ?? null]));
}

/** What Terraform proposes: configuration, with prior values for computed attributes left unset. */
function proposed(prior: Obj | null, cfg: Obj): Obj {
  return Object.fromEntries(
    ATTRIBUTES.map((name) => [name, cfg[name] === null && COMPUTED.has(name) ? (prior?.[name] ?? null) : cfg[name]]),
  );
}

describe("terraform plugin protocol (widget fixture)", () => {
  let plugin: PluginConnection;

  before(async () => {
    plugin = await startPlugin({ script: WIDGET_MAIN });
    const configured = await plugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
      terraform_version: "1.11.4",
      config: dv({ host: null, service_token: null, email: null, password: null }),
      client_capabilities: WRITE_ONLY_ALLOWED,
    });
    assert.deepEqual(configured.diagnostics ?? [], []);
  });

  after(async () => {
    if (plugin) assert.equal(await plugin.shutdown(), 0, "plugin exits 0 after GRPCController.Shutdown");
  });

  async function plan(prior: Obj | null, cfg: Obj, capabilities = WRITE_ONLY_ALLOWED) {
    const response = await plugin.call<{
      planned_state?: { msgpack: Buffer };
      requires_replace?: { steps: Obj[] }[];
      diagnostics?: Diag[];
    }>("PlanResourceChange", {
      type_name: TYPE,
      prior_state: dv(prior),
      proposed_new_state: dv(proposed(prior, cfg)),
      config: dv(cfg),
      client_capabilities: capabilities,
    });
    return {
      planned: fromDv(response.planned_state) as Obj,
      raw: response.planned_state?.msgpack,
      replace: (response.requires_replace ?? []).map((p) => p.steps.map((s) => s.attribute_name).join(".")),
      diagnostics: response.diagnostics ?? [],
    };
  }

  async function apply(prior: Obj | null, planned: Obj | null, cfg: Obj | null) {
    const response = await plugin.call<{ new_state?: { msgpack: Buffer }; diagnostics?: Diag[] }>(
      "ApplyResourceChange",
      { type_name: TYPE, prior_state: dv(prior), planned_state: dv(planned), config: dv(cfg) },
    );
    return { state: fromDv(response.new_state) as Obj | null, diagnostics: response.diagnostics ?? [] };
  }

  async function create(cfg: Obj): Promise<Obj> {
    const { planned, diagnostics } = await plan(null, cfg);
    assert.deepEqual(diagnostics, []);
    const applied = await apply(null, planned, cfg);
    assert.deepEqual(applied.diagnostics, []);
    return applied.state as Obj;
  }

  async function read(state: Obj) {
    const response = await plugin.call<{ new_state?: { msgpack: Buffer }; diagnostics?: Diag[] }>("ReadResource", {
      type_name: TYPE,
      current_state: dv(state),
    });
    assert.deepEqual(response.diagnostics ?? [], []);
    return fromDv(response.new_state) as Obj | null;
  }

  test("handshake: one stdout line 1|6|tcp|127.0.0.1:PORT|grpc|CERT with an unpadded DER certificate for localhost", () => {
    const { handshake } = plugin;
    assert.equal(plugin.stdout().split("\n").filter(Boolean).length, 1);
    assert.deepEqual(
      [handshake.coreVersion, handshake.appVersion, handshake.network, handshake.protocol],
      ["1", "6", "tcp", "grpc"],
    );
    assert.match(handshake.address, /^127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(handshake.certificateBase64, /=/);
    const certificate = new X509Certificate(certificatePemFromBase64(handshake.certificateBase64));
    assert.equal(certificate.checkHost("localhost"), "localhost");
    assert.ok(certificate.verify(certificate.publicKey), "self-signed");
  });

  test("health: service plugin is SERVING; the stdio stream opens", async () => {
    assert.equal((await plugin.health()).status, 1);
    const stream = plugin.openStdio();
    let ended = false;
    let failure: grpc.ServiceError | undefined;
    stream.on("end", () => {
      ended = true;
    });
    stream.on("error", (error: grpc.ServiceError) => {
      failure = error;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(ended, false, "the stream stays open");
    assert.equal(failure, undefined, "StreamStdio is implemented (no UNIMPLEMENTED)");
    stream.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((failure as grpc.ServiceError | undefined)?.code, grpc.status.CANCELLED);
  });

  test("mTLS: a client without a certificate signed for PLUGIN_CLIENT_CERT is refused", async () => {
    const services = loadPluginServices();
    const credentials = grpc.credentials.createSsl(
      Buffer.from(certificatePemFromBase64(plugin.handshake.certificateBase64)),
    );
    const client = new services.provider(plugin.handshake.address, credentials, {
      "grpc.ssl_target_name_override": "localhost",
    });
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      (client as unknown as { GetMetadata(r: object, cb: (e: grpc.ServiceError | null) => void): void }).GetMetadata(
        {},
        (e) => resolve(e),
      ),
    );
    client.close();
    assert.ok(error, "call must fail");
    assert.equal(error.code, grpc.status.UNAVAILABLE);
  });

  test("GetProviderSchema: attributes derived from the core fields (snake_case, flags, nesting, descriptions)", async () => {
    const schema = await plugin.call<{
      provider: { block: { attributes: Obj[] } };
      resource_schemas: Record<string, { version: number; block: { attributes: Obj[] } }>;
      data_source_schemas: Record<string, { block: { attributes: Obj[] } }>;
    }>("GetProviderSchema");
    const widget = schema.resource_schemas[TYPE];
    assert.ok(widget);
    assert.equal(widget.version, 2);
    const byName = new Map(widget.block.attributes.map((a) => [a.name as string, a]));
    assert.deepEqual([...byName.keys()], ATTRIBUTES);
    const flags = (name: string) => {
      const a = byName.get(name) as Obj;
      return ["required", "optional", "computed", "sensitive", "write_only"].filter((f) => a[f] === true).join(",");
    };
    assert.equal(flags("project_id"), "required");
    assert.equal(flags("note"), "optional,computed", "a defaulted field is optional+computed");
    assert.equal(flags("secret_value"), "optional,computed,sensitive");
    assert.equal(flags("value_wo"), "optional,sensitive,write_only");
    assert.equal(flags("widget_id"), "computed");
    assert.equal(String(byName.get("tags")?.type), '["list","string"]');
    assert.equal(String(byName.get("project_id")?.type), '"string"');
    assert.equal(byName.get("name")?.description, "Name.");
    const generate = byName.get("generate") as { nested_type: { nesting: number; attributes: Obj[] } };
    assert.equal(generate.nested_type.nesting, 1);
    assert.deepEqual(
      generate.nested_type.attributes.map((a) => [a.name, a.optional, a.computed]),
      [
        ["length", true, true],
        ["upper", true, true],
      ],
    );
    assert.deepEqual(
      schema.provider.block.attributes.map((a) => [a.name, a.sensitive === true]),
      [
        ["host", false],
        ["service_token", true],
        ["email", false],
        ["password", true],
        ["trusted_key_fingerprints", false],
        ["allow_server_keyed_projects", false],
      ],
    );
    const lookup = schema.data_source_schemas.infisicale2ee_widgets;
    assert.deepEqual(
      lookup?.block.attributes.map((a) => [a.name, a.required === true, a.computed === true]),
      [
        ["project_id", true, false],
        ["names", false, true],
        ["count", false, true],
      ],
    );
  });

  test("ValidateResourceConfig: core check failures carry attribute paths; unknowns are not validated", async () => {
    const bad = await plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: TYPE,
      config: dv(config({ project_id: "p", name: "" })),
      client_capabilities: WRITE_ONLY_ALLOWED,
    });
    assert.equal(bad.diagnostics?.length, 1);
    assert.equal(bad.diagnostics?.[0]?.severity, 1);
    assert.deepEqual(bad.diagnostics?.[0]?.attribute?.steps, [{ attribute_name: "name" }]);
    assert.match(bad.diagnostics?.[0]?.detail ?? "", /: name: must not be empty\./);

    const unknown = await plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: TYPE,
      config: dv(config({ project_id: UNKNOWN, name: UNKNOWN, value_wo: UNKNOWN })),
      client_capabilities: WRITE_ONLY_ALLOWED,
    });
    assert.deepEqual(unknown.diagnostics ?? [], []);

    const nested = await plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: TYPE,
      config: dv(config({ project_id: "p", name: "n", generate: { length: "ten", upper: null } })),
      client_capabilities: WRITE_ONLY_ALLOWED,
    });
    assert.deepEqual(nested.diagnostics?.[0]?.attribute?.steps, [
      { attribute_name: "generate" },
      { attribute_name: "length" },
    ]);
  });

  test("write-only attributes are refused when the client lacks write_only_attributes_allowed", async () => {
    const validate = await plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: TYPE,
      config: dv(config({ project_id: "p", name: "n", value_wo: "hunter2" })),
      client_capabilities: { write_only_attributes_allowed: false },
    });
    assert.equal(validate.diagnostics?.[0]?.summary, "Write-Only Attribute Not Supported");
    assert.deepEqual(validate.diagnostics?.[0]?.attribute?.steps, [{ attribute_name: "value_wo" }]);
    assert.doesNotMatch(JSON.stringify(validate.diagnostics), /hunter2/);
    const planned = await plan(null, config({ project_id: "p", name: "n", value_wo: "hunter2" }), {
      write_only_attributes_allowed: false,
    });
    assert.equal(planned.diagnostics[0]?.summary, "Write-Only Attribute Not Supported");
  });

  test("create: plan fills defaults, marks computed unknown (msgpack ext 0), nulls write-only; apply stores no write-only value", async () => {
    const cfg = config({ project_id: "p1", name: "alpha", value_wo: "hunter2", value_wo_version: 1, tags: ["a"] });
    const { planned, raw, diagnostics } = await plan(null, cfg);
    assert.deepEqual(diagnostics, []);
    assert.equal(planned.note, "");
    assert.equal(planned.value_wo, null);
    for (const name of ["id", "widget_id", "revision", "sent_length", "secret_value"]) {
      assert.ok(isUnknown(planned[name]), `${name} unknown`);
    }
    assert.ok(raw && Buffer.from(raw).includes(Buffer.from([0xd4, 0x00, 0x00])), "unknown is fixext1 type 0");
    assert.deepEqual(Object.keys(planned).sort(), [...ATTRIBUTES].sort(), "exactly the schema's attributes");

    const { state } = await apply(null, planned, cfg);
    assert.ok(state);
    assert.match(String(state.id), /^w\d+$/);
    assert.equal(state.value_wo, null);
    assert.equal(state.sent_length, 7, "the write-only value reached the resource");
    assert.equal(state.revision, 1);
    assert.equal(state.secret_value, null);
    assert.deepEqual(state.tags, ["a"]);
    assert.doesNotMatch(JSON.stringify(state), /hunter2/);

    const again = await plan(state, cfg);
    assert.deepEqual(again.planned, state, "second plan is empty");
    assert.deepEqual(again.replace, []);
  });

  test("update: in-place change marks only the listed computed values unknown; a version bump resends value_wo", async () => {
    const cfg = config({ project_id: "p1", name: "beta", value_wo: "one", value_wo_version: 1 });
    const state = await create(cfg);
    const renamed = { ...cfg, name: "beta2" };
    const p1 = await plan(state, renamed);
    assert.deepEqual(p1.replace, []);
    assert.ok(isUnknown(p1.planned.revision));
    assert.equal(p1.planned.widget_id, state.widget_id, "stable computed values stay known");
    assert.equal(p1.planned.sent_length, 3);
    const applied = await apply(state, p1.planned, renamed);
    assert.equal(applied.state?.name, "beta2");
    assert.equal(applied.state?.revision, 2);

    const bumped = { ...renamed, value_wo: "three", value_wo_version: 2 };
    const p2 = await plan(applied.state, bumped);
    assert.ok(isUnknown(p2.planned.sent_length));
    assert.equal(p2.planned.value_wo, null);
    const applied2 = await apply(applied.state, p2.planned, bumped);
    assert.equal(applied2.state?.sent_length, 5);
    assert.equal(applied2.state?.value_wo_version, 2);
  });

  test("generate + rotation_trigger: a changed trigger plans the value unknown and rotates it", async () => {
    const cfg = config({ project_id: "p1", name: "gen", generate: { length: 20, upper: null }, rotation_trigger: "1" });
    const { planned } = await plan(null, cfg);
    assert.deepEqual(planned.generate, { length: 20, upper: false }, "nested default planned");
    const { state } = await apply(null, planned, cfg);
    const first = String(state?.secret_value);
    assert.equal(first.length, 20);
    assert.deepEqual((await plan(state, cfg)).planned, state);
    const rotated = { ...cfg, rotation_trigger: "2" };
    const p = await plan(state, rotated);
    assert.ok(isUnknown(p.planned.secret_value));
    const applied = await apply(state, p.planned, rotated);
    assert.notEqual(applied.state?.secret_value, first);
  });

  test("replace-on-change fields are reported in requires_replace", async () => {
    const cfg = config({ project_id: "p1", name: "moving" });
    const state = await create(cfg);
    const p = await plan(state, { ...cfg, project_id: "p2" });
    assert.deepEqual(p.replace, ["project_id"]);
    assert.ok(isUnknown(p.planned.id));
  });

  test("read: drift shows the server's values; a deleted object reads as null", async () => {
    const cfg = config({ project_id: "p1", name: "drift" });
    const state = await create(cfg);
    plugin.child.stdin?.write(`${JSON.stringify({ id: state.id, patch: { note: "edited elsewhere" } })}\n`);
    await waitFor(() => plugin.stderr().includes(`edited ${state.id}`));
    const refreshed = await read(state);
    assert.equal(refreshed?.note, "edited elsewhere");
    const p = await plan(refreshed, cfg);
    assert.equal(p.planned.note, "", "the next plan restores the configured (default) value");
    plugin.child.stdin?.write(`${JSON.stringify({ id: state.id, patch: null })}\n`);
    await waitFor(() => plugin.stderr().split(`edited ${state.id}`).length > 2);
    assert.equal(await read(state), null);
  });

  test("import: the core import id yields a full state; an unknown id is an error diagnostic", async () => {
    const state = await create(config({ project_id: "p1", name: "imported", tags: ["x", "y"] }));
    const response = await plugin.call<{ imported_resources?: { type_name: string; state: { msgpack: Buffer } }[] }>(
      "ImportResourceState",
      { type_name: TYPE, id: state.id, client_capabilities: WRITE_ONLY_ALLOWED },
    );
    const imported = fromDv(response.imported_resources?.[0]?.state) as Obj;
    assert.equal(response.imported_resources?.[0]?.type_name, TYPE);
    assert.deepEqual(
      { ...imported, value_wo_version: null },
      { ...state, value_wo_version: null },
      "import round-trips the stored state",
    );
    const missing = await plugin.call<{ diagnostics?: Diag[] }>("ImportResourceState", { type_name: TYPE, id: "nope" });
    assert.equal(missing.diagnostics?.[0]?.summary, "Object Not Found");
  });

  test("UpgradeResourceState: older JSON state goes through the resource's upgrade; same-version state is conformed", async () => {
    const v1 = { id: "w99", project_id: "p1", title: "old name", note: "n", widget_id: "w99", revision: 3 };
    const upgraded = await plugin.call<{ upgraded_state?: { msgpack: Buffer }; diagnostics?: Diag[] }>(
      "UpgradeResourceState",
      { type_name: TYPE, version: 1, raw_state: { json: Buffer.from(JSON.stringify(v1)) } },
    );
    const state = fromDv(upgraded.upgraded_state) as Obj;
    assert.equal(state.name, "old name");
    assert.equal(state.id, "w99");
    assert.deepEqual(Object.keys(state).sort(), [...ATTRIBUTES].sort());
    const current = await plugin.call<{ upgraded_state?: { msgpack: Buffer } }>("UpgradeResourceState", {
      type_name: TYPE,
      version: 2,
      raw_state: { json: Buffer.from(JSON.stringify({ ...v1, name: "n2", stray: 1 })) },
    });
    const conformed = fromDv(current.upgraded_state) as Obj;
    assert.equal(conformed.name, "n2");
    assert.ok(!("stray" in conformed) && !("title" in conformed));
    const newer = await plugin.call<{ diagnostics?: Diag[] }>("UpgradeResourceState", {
      type_name: TYPE,
      version: 3,
      raw_state: { json: Buffer.from("{}") },
    });
    assert.equal(newer.diagnostics?.[0]?.summary, "State From a Newer Provider");
  });

  test("PartialCreateError: apply returns the created id in state plus an error diagnostic", async () => {
    const cfg = config({ project_id: "p1", name: "half", fail_after_create: true });
    const { planned } = await plan(null, cfg);
    const { state, diagnostics } = await apply(null, planned, cfg);
    assert.match(String(state?.id), /^w\d+$/);
    assert.equal(diagnostics[0]?.summary, "Resource Partially Created");
    assert.equal(diagnostics[0]?.severity, 1);
  });

  test("destroy: apply with a null planned state deletes and returns null", async () => {
    const state = await create(config({ project_id: "p-destroy", name: "gone" }));
    const { state: after, diagnostics } = await apply(state, null, null);
    assert.deepEqual(diagnostics, []);
    assert.equal(after, null);
    assert.equal(await read(state), null);
  });

  test("ReadDataSource: arguments in, results out", async () => {
    await create(config({ project_id: "p-ds", name: "b" }));
    await create(config({ project_id: "p-ds", name: "a" }));
    const response = await plugin.call<{ state?: { msgpack: Buffer }; diagnostics?: Diag[] }>("ReadDataSource", {
      type_name: "infisicale2ee_widgets",
      config: dv({ project_id: "p-ds", names: null, count: null }),
    });
    assert.deepEqual(fromDv(response.state), { project_id: "p-ds", names: ["a", "b"], count: 2 });
  });

  test("unknown resource type is a diagnostic, not a gRPC error", async () => {
    const response = await plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: "infisicale2ee_nope",
      config: dv({}),
    });
    assert.equal(response.diagnostics?.[0]?.severity, 1);
  });
});

describe("terraform plugin start-up", () => {
  test("without the magic cookie: exit 1, the go-plugin message on stderr, nothing on stdout", () => {
    const env = { ...process.env };
    delete env.TF_PLUGIN_MAGIC_COOKIE;
    const result = spawnSync(process.execPath, [WIDGET_MAIN], { env, encoding: "utf8" });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /This binary is a plugin/);
  });

  test("TF_DISABLE_PLUGIN_TLS: plaintext gRPC and an empty certificate field", async () => {
    const plugin = await startPlugin({ script: WIDGET_MAIN, plaintext: true });
    try {
      assert.equal(plugin.handshake.certificateBase64, "");
      const schema = await plugin.call<{ resource_schemas: Obj }>("GetProviderSchema");
      assert.ok(schema.resource_schemas[TYPE]);
    } finally {
      assert.equal(await plugin.shutdown(), 0);
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), "condition not reached");
}
