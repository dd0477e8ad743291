/**
 * The Pulumi face end to end: the exact `__provider` text and inputs the classes register
 * (captured with setMocks) are fed to Pulumi's own dynamic-provider host over gRPC, as the engine
 * would, with the package's real runtime against the embedded server on port 0.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { decryptSymmetric, parseServiceToken } from "../../src/provider/crypto";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { providerText } from "../../src/pulumi/provider";
import { type RunningServer, startServer } from "../../src/server";
import { DIFF, type HostError, leakedCanaries, ProviderHost, secret, UNKNOWN, urnOf, wouldBeState } from "./host";
import { captureRegistrations, type Registration, repoRoot } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "canary-admin-password-7c1f" };
const MEMBER = { email: "member@example.com", password: "canary-member-password-2b9d" };
const CANARY_V1 = "canary-db-password-v1-a91c";
const CANARY_V2 = "canary-db-password-v2-4d7e";
const CANARY_ADOPT = "canary-adopted-value-e35b";

let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let serviceToken: string;
let registered: Map<string, Registration>;
const canaries = [CANARY_V1, CANARY_V2, CANARY_ADOPT, ADMIN.password, MEMBER.password];
const states: unknown[] = [];

interface Managed {
  type: string;
  urn: string;
  id: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}
const managed = new Map<string, Managed>();

function configArgs() {
  return {
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  };
}

/** A fresh host process, as every `pulumi` command starts one, configured from stack config. */
async function freshHost(): Promise<ProviderHost> {
  const started = await ProviderHost.start();
  await started.configure(configArgs());
  return started;
}

/** Outputs the engine encrypts for a type: the additionalSecretOutputs its class registered. */
function secretOutputsOf(typeName: string): string[] {
  const requested = [...registered.values()].filter((r) => typeNameOf(r) === typeName);
  return [...new Set(requested.flatMap((r) => r.additionalSecretOutputs))];
}

function record(name: string, state: Record<string, unknown>) {
  const entry = managed.get(name)!;
  states.push(wouldBeState(state, secretOutputsOf(entry.type)));
  entry.state = state;
}

/** Engine flow for a new resource: Check with the registered inputs, then Create. */
async function up(name: string, inputs: Record<string, unknown>, typeName: string): Promise<Managed> {
  const urn = urnOf(typeName, name);
  const checked = await host.check(urn, {}, inputs);
  assert.deepEqual(checked.failures, [], `${name}: check failed`);
  const created = await host.create(urn, checked.inputs);
  const entry = { type: typeName, urn, id: created.id, inputs: checked.inputs, state: created.properties };
  managed.set(name, entry);
  record(name, created.properties);
  return entry;
}

function typeNameOf(reg: Registration): string {
  return reg.type.split(":").pop()!;
}

before(async () => {
  server = await startServer({ port: 0 });
  const boot = await bootstrap({
    host: server.url,
    email: ADMIN.email,
    password: ADMIN.password,
    projectName: "pulumi-e2e",
  });
  projectId = boot.projectId;
  serviceToken = boot.serviceToken;
  canaries.push(serviceToken, parseServiceToken(serviceToken).key);
  await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
  admin = openSession({ host: server.url, email: ADMIN.email, password: ADMIN.password }, { env: {} });

  // The program of examples/pulumi in miniature, registered through the real classes.
  registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return [
      new infisical.Environment("qa", { projectId, name: "QA", slug: "qa" }),
      new infisical.Secret("db-password", {
        projectId,
        environment: "qa",
        key: "DB_PASSWORD",
        value: CANARY_V1,
        comment: "primary database",
      }),
      new infisical.Secret("api-key", {
        projectId,
        environment: "qa",
        key: "API_KEY",
        generate: { length: 24 },
        rotationTrigger: "2026-11",
      }),
      new infisical.ProjectMembership("member", { projectId, email: MEMBER.email, role: "member" }),
      new infisical.ServiceToken("ci", {
        projectId,
        name: "ci",
        scopes: [{ environment: "qa", secretPath: "/" }],
        permissions: ["read"],
      }),
    ];
  });
  host = await freshHost();
});

after(async () => {
  await host?.close();
  await admin?.close();
  await server?.close();
});

test("e2e: pulumi up creates every resource from the registered inputs (secret-wrapped value included)", async () => {
  assert.ok(registered.get("db-password")!.inputs.value, "value was not registered");
  for (const name of ["qa", "db-password", "api-key", "member", "ci"]) {
    const reg = registered.get(name)!;
    const entry = await up(name, reg.inputs, typeNameOf(reg));
    assert.ok(entry.id, `${name}: empty id`);
  }
  const db = managed.get("db-password")!.state;
  assert.equal(db.value, CANARY_V1);
  assert.equal(db.version, 1);
  const onServer = await admin.secrets.get({ projectId, environment: "qa", path: "/" }, "DB_PASSWORD");
  assert.equal(onServer?.value, CANARY_V1);
  const generated = managed.get("api-key")!.state.value as string;
  assert.equal(generated.length, 24);
  canaries.push(generated);
  const token = managed.get("ci")!.state.token as string;
  assert.match(token, /^st\./);
  canaries.push(token);
  assert.ok(managed.get("member")!.state.membershipId);
});

test("e2e: a second pulumi preview with the same program is a no-op (DIFF_NONE everywhere)", async () => {
  const preview = await freshHost();
  try {
    for (const [name, entry] of managed) {
      const checked = await preview.check(entry.urn, entry.inputs, registered.get(name)!.inputs);
      const diff = await preview.diff(entry.urn, entry.id, entry.state, checked.inputs);
      assert.equal(diff.changes, DIFF.NONE, `${name} shows a change`);
    }
  } finally {
    await preview.close();
  }
});

test("e2e: preview with an unknown input reports a change without calling the API", async () => {
  const entry = managed.get("db-password")!;
  const checked = await host.check(entry.urn, entry.inputs, { ...entry.inputs, value: UNKNOWN });
  assert.deepEqual(checked.failures, []);
  const diff = await host.diff(entry.urn, entry.id, entry.state, checked.inputs);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const unknownProject = await host.diff(entry.urn, entry.id, entry.state, { ...checked.inputs, projectId: UNKNOWN });
  assert.deepEqual(unknownProject.replaces, ["projectId"]);
});

test("e2e: changing the value updates in place and bumps the server version", async () => {
  const entry = managed.get("db-password")!;
  const checked = await host.check(entry.urn, entry.inputs, { ...entry.inputs, value: secret(CANARY_V2) });
  const diff = await host.diff(entry.urn, entry.id, entry.state, checked.inputs);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const updated = await host.update(entry.urn, entry.id, entry.state, checked.inputs);
  entry.inputs = checked.inputs;
  record("db-password", updated.properties);
  assert.equal(updated.properties.value, CANARY_V2);
  assert.equal(updated.properties.version, 2);
  const onServer = await admin.secrets.list({ projectId, environment: "qa", path: "/" }, { fresh: true });
  assert.equal(onServer.find((s) => s.key === "DB_PASSWORD")?.value, CANARY_V2);
});

test("e2e: getSecrets decrypts in the program process with stack config; the Output form is a secret", async () => {
  pulumi.runtime.setConfig("infisical-e2ee:host", server.url);
  pulumi.runtime.setConfig("infisical-e2ee:email", ADMIN.email);
  pulumi.runtime.setConfig("infisical-e2ee:password", ADMIN.password);
  const infisical: typeof Face = require("../../src/pulumi/index");
  try {
    const found = await infisical.getSecrets({ projectId, environment: "qa" });
    assert.equal(found.secrets?.find((s) => s.key === "DB_PASSWORD")?.value, CANARY_V2);
    const output = infisical.getSecretsOutput({ projectId, environment: "qa" });
    assert.equal(await pulumi.isSecret(output), true);
  } finally {
    await infisical.closeLookupSession();
  }
});

test("e2e: rotating (new rotationTrigger) generates a new value; version 1 stays in the server's history", async () => {
  const entry = managed.get("api-key")!;
  const before = entry.state.value as string;
  const checked = await host.check(entry.urn, entry.inputs, { ...entry.inputs, rotationTrigger: "2026-12" });
  const diff = await host.diff(entry.urn, entry.id, entry.state, checked.inputs);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const updated = await host.update(entry.urn, entry.id, entry.state, checked.inputs);
  entry.inputs = checked.inputs;
  record("api-key", updated.properties);
  const after = updated.properties.value as string;
  canaries.push(after);
  assert.notEqual(after, before);
  assert.equal(after.length, 24);

  const projectKey = await admin.projectKey(projectId);
  const url = new URL(`/api/v3/secrets/API_KEY`, server.url);
  url.search = new URLSearchParams({
    workspaceId: projectId,
    environment: "qa",
    secretPath: "/",
    version: "1",
  }).toString();
  // Read with the token Pulumi created: it proves the ServiceToken resource works, too.
  const ciToken = managed.get("ci")!.state.token as string;
  const response = await fetch(url, { headers: { authorization: `Bearer ${parseServiceToken(ciToken).bearer}` } });
  assert.equal(response.status, 200);
  const { secret: old } = (await response.json()) as { secret: Record<string, string> };
  const oldValue = decryptSymmetric(
    { ciphertext: old.secretValueCiphertext, iv: old.secretValueIV, tag: old.secretValueTag },
    projectKey,
  );
  assert.equal(oldValue, before);
});

test("e2e: a generated value changed out of band: refresh shows drift, up restores the same generated value", async () => {
  const entry = managed.get("api-key")!;
  const generated = entry.state.value as string;
  const outOfBand = "canary-api-key-out-of-band-6d2e";
  canaries.push(outOfBand);
  const location = { projectId, environment: "qa", path: "/" };
  await admin.secrets.update(location, { key: "API_KEY", value: outOfBand, comment: "" });
  const refresh = await freshHost();
  try {
    const read = await refresh.read(entry.urn, entry.id, entry.state, entry.inputs);
    assert.equal(read.properties.value, generated, "state keeps the generated value to put it back");
    assert.match(String(read.properties.valueFingerprint), /^hmac-sha256:/);
    assert.notEqual(read.properties.valueFingerprint, entry.state.valueFingerprint, "refresh shows the drift");
    record("api-key", read.properties);
    const checked = await refresh.check(entry.urn, entry.inputs, registered.get("api-key")!.inputs);
    const program = { ...checked.inputs, rotationTrigger: entry.inputs.rotationTrigger };
    const diff = await refresh.diff(entry.urn, entry.id, read.properties, program);
    assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []], "the next up must restore it");
    const updated = await refresh.update(entry.urn, entry.id, read.properties, program);
    record("api-key", updated.properties);
    assert.equal(updated.properties.value, generated, "the same value, not a new one");
    const onServer = await admin.secrets.list(location, { fresh: true });
    assert.equal(onServer.find((s) => s.key === "API_KEY")?.value, generated);
    const again = await refresh.read(entry.urn, entry.id, updated.properties, program);
    assert.equal((await refresh.diff(entry.urn, entry.id, again.properties, program)).changes, DIFF.NONE);
  } finally {
    await refresh.close();
  }
});

test("e2e: moving a secret to another path is an in-place update (written at the new path, then removed from the old)", async () => {
  const entry = managed.get("db-password")!;
  const news = { ...entry.inputs, path: "/app", createMissingFolders: true };
  const checked = await host.check(entry.urn, entry.inputs, news);
  const diff = await host.diff(entry.urn, entry.id, entry.state, checked.inputs);
  assert.equal(diff.changes, DIFF.SOME);
  assert.deepEqual(diff.replaces, [], "a path change moves the secret (a folder rename moves it on the server)");
  const moved = await host.update(entry.urn, entry.id, entry.state, checked.inputs);
  entry.inputs = checked.inputs;
  record("db-password", moved.properties);
  assert.equal(moved.properties.path, "/app");
  assert.equal(
    (await admin.secrets.list({ projectId, environment: "qa", path: "/app" }, { fresh: true }))[0]?.value,
    CANARY_V2,
  );
  const root = await admin.secrets.list({ projectId, environment: "qa", path: "/" }, { fresh: true });
  assert.equal(
    root.some((s) => s.key === "DB_PASSWORD"),
    false,
  );
});

test("e2e: refresh shows an out-of-band change, then a deletion as id ''", async () => {
  const entry = managed.get("db-password")!;
  const location = { projectId, environment: "qa", path: "/app" };
  await admin.secrets.update(location, {
    key: "DB_PASSWORD",
    value: "changed-out-of-band",
    comment: "primary database",
  });
  const refresh = await freshHost();
  try {
    const read = await refresh.read(entry.urn, entry.id, entry.state, entry.inputs);
    assert.equal(read.id, entry.id);
    assert.equal(read.properties.value, "changed-out-of-band");
    states.push(wouldBeState(read.properties, secretOutputsOf("Secret")));
    const diff = await refresh.diff(entry.urn, entry.id, read.properties, entry.inputs);
    assert.equal(diff.changes, DIFF.SOME, "the next up must restore the declared value");
  } finally {
    await refresh.close();
  }
  await admin.secrets.delete(location, "DB_PASSWORD");
  const afterDeletion = await freshHost();
  try {
    assert.equal((await afterDeletion.read(entry.urn, entry.id, entry.state)).id, "");
  } finally {
    await afterDeletion.close();
  }
  managed.delete("db-password");
});

test("e2e: adopt takes over an existing secret; without adopt the create fails without echoing values", async () => {
  const location = { projectId, environment: "qa", path: "/" };
  await admin.secrets.create(location, { key: "LEGACY_TOKEN", value: "pre-existing-value", comment: "" });
  const urn = urnOf("Secret", "legacy");
  const base = {
    projectId,
    environment: "qa",
    key: "LEGACY_TOKEN",
    value: secret(CANARY_ADOPT),
    __provider: providerText("secret"),
  };

  const plain = await host.check(urn, {}, base);
  const error = await host.create(urn, plain.inputs).then(
    () => assert.fail("create over an existing secret must fail without adopt"),
    (e: HostError) => e,
  );
  assert.deepEqual(leakedCanaries(error.details, [CANARY_ADOPT, "pre-existing-value"]), []);

  const adopted = await up("legacy", { ...base, adopt: true }, "Secret");
  assert.equal(adopted.state.value, CANARY_ADOPT);
  const fresh = await admin.secrets.list(location, { fresh: true });
  assert.equal(fresh.find((s) => s.key === "LEGACY_TOKEN")?.value, CANARY_ADOPT);
});

test("e2e: state written now refreshes and destroys through the provider text of release 0.1.0", async () => {
  const golden = readFileSync(path.join(repoRoot, "test", "pulumi", "fixtures", "provider-0.1.0-secret.txt"), "utf8");
  assert.equal(
    providerText("secret"),
    golden,
    "the stored provider text changed: keep the old text working, add a new fixture",
  );
  const entry = managed.get("legacy")!;
  const oldState = { ...entry.state, __provider: golden };
  const read = await host.read(entry.urn, entry.id, oldState);
  assert.equal(read.id, entry.id);
  assert.equal(read.properties.value, CANARY_ADOPT);

  // The shape 0.1.0 wrote: schema version 1 (no version key), no fingerprints. It refreshes to the
  // current shape and previews no change.
  const { valueFingerprint: _a, sentValueFingerprint: _b, __schemaVersion: _c, ...v1 } = entry.state;
  const legacy = await host.read(entry.urn, entry.id, { ...v1, __provider: golden });
  assert.equal(legacy.properties.value, CANARY_ADOPT);
  assert.equal(legacy.properties.valueFingerprint, entry.state.valueFingerprint);
  assert.equal(legacy.properties.__schemaVersion, entry.state.__schemaVersion);
  const diff = await host.diff(entry.urn, entry.id, legacy.properties, entry.inputs);
  assert.equal(diff.changes, DIFF.NONE);
});

test("e2e: pulumi destroy deletes everything; reads afterwards report the resources gone", async () => {
  const order = ["legacy", "api-key", "ci", "member", "qa"];
  for (const name of order) {
    const entry = managed.get(name)!;
    await host.delete(entry.urn, entry.id, entry.state);
  }
  const after = await freshHost();
  try {
    for (const name of order) {
      const entry = managed.get(name)!;
      const read = await after.read(entry.urn, entry.id, entry.state);
      assert.equal(read.id, "", `${name} still exists after destroy`);
    }
  } finally {
    await after.close();
  }
});

test("e2e: the would-be state holds no plaintext canary outside secret outputs; host logs hold none", () => {
  assert.ok(states.length >= 8);
  assert.deepEqual(leakedCanaries(states, canaries), []);
  assert.deepEqual(leakedCanaries(host.stderr(), canaries), []);
});
