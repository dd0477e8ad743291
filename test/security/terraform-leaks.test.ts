/**
 * The real Terraform provider process at its most verbose (TF_LOG=trace; its stderr logger writes
 * every level unconditionally) through create, update, read, import, data-source reads and failed
 * applies with canary values: its stderr and every diagnostic hold no canary, value_wo never
 * reaches any state, and plaintexts appear in state only under the sensitive `value`/`comment`
 * (and the sensitive `token`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { type RunningServer, startServer } from "../../src/server";
import { dv, type PluginConnection, startPlugin } from "../terraform/harness";
import { type Diag, type Obj, TerraformDriver } from "../terraform/terraform-driver";
import { canary, foundIn } from "./canaries";

const CLI = join(__dirname, "..", "..", "src", "cli.js");
const SECRET = "infisicale2ee_secret";
const EMAIL = "tf-security@example.com";
const canaries: Record<string, string> = {
  password: canary("password"),
  value: canary("value"),
  comment: canary("comment"),
  updated: canary("updated"),
  writeOnly: canary("write-only"),
  rejected: canary("rejected"),
  imported: canary("imported"),
  moved: canary("moved"),
  movedComment: canary("moved-comment"),
};
/** Plaintexts that may live in state, but only under a sensitive attribute. */
const SENSITIVE_ATTRIBUTES = ["value", "comment", "token"];

let plugin: PluginConnection;
let tf: TerraformDriver;
let server: RunningServer;
let projectId: string;
const states: Obj[] = [];
const diagnostics: Diag[] = [];

before(async () => {
  server = await startServer({ port: 0 });
  const boot = await bootstrap({ host: server.url, email: EMAIL, password: canaries.password!, projectName: "tf-sec" });
  projectId = boot.projectId;
  canaries.tokenKey = boot.serviceToken.split(".")[3]!;
  plugin = await startPlugin({
    script: CLI,
    args: ["terraform-provider"],
    env: { TF_LOG: "trace", TF_LOG_PROVIDER: "trace" },
    removeEnv: ["INFISICAL_HOST", "INFISICAL_TOKEN", "INFISICAL_EMAIL", "INFISICAL_PASSWORD"],
  });
  tf = await TerraformDriver.connect(plugin);
  const configured = await plugin.call<{ diagnostics?: Diag[] }>("ConfigureProvider", {
    terraform_version: "1.11.4",
    config: dv({ host: server.url, service_token: null, email: EMAIL, password: canaries.password }),
    client_capabilities: { write_only_attributes_allowed: true },
  });
  assert.deepEqual(configured.diagnostics ?? [], []);
});

after(async () => {
  if (plugin) assert.equal(await plugin.shutdown(), 0);
  await server?.close();
});

const keep = (state: Obj | null) => {
  if (state) states.push(state);
  return state;
};

test("terraform: lifecycle and failures with canaries; stderr, diagnostics and state stay clean", async () => {
  const key = `TF_SEC_${process.pid}`;
  const base = { project_id: projectId, environment: "dev", key };
  const created = keep(await tf.create(SECRET, { ...base, value: canaries.value, comment: canaries.comment }))!;
  const update = await tf.converge(SECRET, created, { ...base, value: canaries.updated, comment: canaries.comment });
  keep(update.state);
  keep(await tf.read(SECRET, update.state));
  const imported = await tf.import(SECRET, `${projectId}:dev:/:${key}`);
  diagnostics.push(...imported.diagnostics);
  keep(imported.state);

  // Write-only: never in plan or state, also after refresh.
  const woKey = `${key}_WO`;
  const wo = await tf.converge(SECRET, null, {
    project_id: projectId,
    environment: "dev",
    key: woKey,
    value_wo: canaries.writeOnly,
    value_wo_version: 1,
  });
  keep(wo.plan.planned);
  keep(wo.state);
  keep(await tf.read(SECRET, wo.state));

  // Data source: the values map is an output of the lookup.
  const lookup = await tf.readData(SECRET.replace("secret", "secrets"), { project_id: projectId, environment: "dev" });
  diagnostics.push(...lookup.diagnostics);

  // Failed apply: the key exists already (server conflict) with a fresh canary value.
  const duplicateConfig = tf.config(SECRET, { ...base, value: canaries.rejected });
  const plan = await tf.plan(SECRET, null, duplicateConfig);
  const failed = await tf.apply(SECRET, null, plan.planned, duplicateConfig);
  assert.ok(failed.diagnostics.length > 0, "the duplicate create failed");
  diagnostics.push(...failed.diagnostics);
  // Failed check: an oversize value and a bad key, both carrying a canary.
  const invalid = tf.config(SECRET, {
    ...base,
    key: `bad/${canaries.rejected}`,
    value: canaries.rejected!.repeat(3000),
  });
  const validation = await tf.validate(SECRET, invalid);
  assert.ok(validation.length >= 2, "both fields were rejected");
  diagnostics.push(...validation);
  const badImport = await tf.import(SECRET, `${projectId}:dev:/:${canaries.rejected}:extra`);
  diagnostics.push(...badImport.diagnostics);
  // Failed update: the secret's location vanished (environment gone) while value changes.
  const gone = await tf.apply(
    SECRET,
    { ...update.state, environment: "nowhere" },
    { ...update.state, environment: "nowhere", value: canaries.rejected },
    tf.config(SECRET, { ...base, environment: "nowhere", value: canaries.rejected }),
  );
  diagnostics.push(...gone.diagnostics);

  await tf.destroy(SECRET, update.state);
  await tf.destroy(SECRET, wo.state);

  const stderr = plugin.stderr();
  assert.match(stderr, /operation failed/, "the provider's stderr was captured (it logs failures)");
  assert.deepEqual(foundIn(stderr, canaries), [], `provider stderr leaks:\n${stderr}`);
  const diagnosticText = JSON.stringify(diagnostics);
  assert.ok(diagnostics.length >= 4, `only ${diagnostics.length} diagnostics`);
  assert.deepEqual(foundIn(diagnosticText, canaries), [], `diagnostics leak: ${diagnosticText}`);

  assert.ok(states.length >= 7);
  const allStates = JSON.stringify(states);
  assert.ok(!allStates.includes(canaries.writeOnly!), "value_wo reached a plan or state");
  const outsideSensitive = JSON.stringify(
    states.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !SENSITIVE_ATTRIBUTES.includes(k)))),
  );
  assert.deepEqual(foundIn(outsideSensitive, canaries), [], "a plaintext sits in a non-sensitive attribute");
  assert.ok(allStates.includes(canaries.updated!), "the sensitive value attribute is where the value lives");
  for (const name of SENSITIVE_ATTRIBUTES.slice(0, 2)) {
    const attribute = tf.attributes(SECRET).find((a) => a.name === name);
    assert.equal(attribute?.sensitive, true, `${name} must be sensitive`);
  }
  for (const attribute of tf.dataAttributes("infisicale2ee_secrets")) {
    if (/value|secrets/.test(attribute.name)) assert.equal(attribute.sensitive, true, `data ${attribute.name}`);
  }
});

test("terraform: folders, tags, a moved tagged secret, imports and the include_imports lookup, roles and temporary access leave stderr, diagnostics and non-sensitive state clean", async () => {
  const member = { email: "tf-security-member@example.com", password: "member horse battery staple" };
  await inviteMember({ host: server.url, adminEmail: EMAIL, adminPassword: canaries.password!, ...member });
  const from = states.length;
  const fromDiagnostics = diagnostics.length;
  const fromStderr = plugin.stderr().length;
  const scope = { project_id: projectId, environment: "prod" };
  const folder = keep((await tf.converge("infisicale2ee_folder", null, { ...scope, name: "shared" })).state)!;
  const tag = keep(
    (await tf.converge("infisicale2ee_secret_tag", null, { project_id: projectId, name: "Sec", slug: "sec-leaks" }))
      .state,
  )!;
  const key = `TF_SEC_IMPORTED_${process.pid}`;
  const shared = {
    ...scope,
    path: folder.full_path,
    key,
    value: canaries.imported,
    comment: canaries.comment,
    tag_ids: [tag.id],
  };
  const inFolder = keep((await tf.converge(SECRET, null, shared)).state)!;
  // A move to the root, tags kept, with a fresh value and comment.
  const movedConfig = { ...shared, path: "/", value: canaries.moved, comment: canaries.movedComment };
  const moved = keep((await tf.converge(SECRET, inFolder, movedConfig)).state)!;
  await tf.assertNoChanges(SECRET, (await tf.read(SECRET, moved))!, movedConfig);
  const secretImport = keep(
    (
      await tf.converge("infisicale2ee_secret_import", null, {
        project_id: projectId,
        environment: "dev",
        import_environment: "prod",
        import_path: "/",
      })
    ).state,
  )!;
  const lookup = await tf.readData("infisicale2ee_secrets", {
    project_id: projectId,
    environment: "dev",
    include_imports: true,
  });
  diagnostics.push(...lookup.diagnostics);
  assert.equal(
    (lookup.state?.values as Record<string, string> | undefined)?.[key],
    canaries.moved,
    "the import resolves",
  );
  const role = keep(
    (
      await tf.converge("infisicale2ee_project_role", null, {
        project_id: projectId,
        slug: "leak-reader",
        name: "Leak reader",
        description: "reads dev",
        permissions: [{ action: "read", subject: "secrets", environment: "dev", secret_path: "/**" }],
      })
    ).state,
  )!;
  const membership = keep(
    (
      await tf.converge("infisicale2ee_project_membership", null, {
        project_id: projectId,
        email: member.email,
        role: "leak-reader",
        is_temporary: true,
        temporary_range: "1h",
        base_role: "viewer",
      })
    ).state,
  )!;
  // A refused destroy of a non-empty folder (a secret sits in it again) and a bad tag id.
  const back = keep((await tf.converge(SECRET, moved, { ...movedConfig, path: folder.full_path })).state)!;
  const refused = await tf.apply("infisicale2ee_folder", folder, null, null);
  assert.ok(refused.diagnostics.length > 0, "the non-empty folder was not deleted");
  diagnostics.push(...refused.diagnostics);
  const badTag = tf.config(SECRET, {
    ...movedConfig,
    key: `${key}_BAD`,
    tag_ids: ["00000000-0000-4000-8000-000000000000"],
  });
  const badPlan = await tf.plan(SECRET, null, badTag);
  const badApply = await tf.apply(SECRET, null, badPlan.planned, badTag);
  assert.ok(badApply.diagnostics.length > 0, "the unknown tag was refused");
  diagnostics.push(...badApply.diagnostics);
  keep(badApply.state);

  for (const [type, state] of [
    ["infisicale2ee_project_membership", membership],
    ["infisicale2ee_project_role", role],
    ["infisicale2ee_secret_import", secretImport],
    [SECRET, back],
    ...(badApply.state ? [[SECRET, badApply.state] as const] : []),
    ["infisicale2ee_secret_tag", tag],
  ] as const)
    await tf.destroy(type, state);
  await tf.destroy("infisicale2ee_folder", folder);

  const stderr = plugin.stderr().slice(fromStderr);
  assert.match(stderr, /operation failed/, "the failures were logged");
  assert.deepEqual(foundIn(stderr, canaries), [], `provider stderr leaks:\n${stderr}`);
  assert.equal(stderr.includes(key), false, "a secret name reached the provider's stderr");
  const diagnosticText = JSON.stringify(diagnostics.slice(fromDiagnostics));
  assert.deepEqual(foundIn(diagnosticText, canaries), [], `diagnostics leak: ${diagnosticText}`);
  assert.equal(diagnosticText.includes(key), false, `a secret name reached a diagnostic: ${diagnosticText}`);
  const outsideSensitive = JSON.stringify(
    states
      .slice(from)
      .map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !SENSITIVE_ATTRIBUTES.includes(k)))),
  );
  assert.deepEqual(foundIn(outsideSensitive, canaries), [], "a plaintext sits in a non-sensitive attribute");
});
