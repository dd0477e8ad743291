/**
 * The Pulumi face inside Pulumi's real dynamic-provider host, driven over gRPC like the engine,
 * with a test-only resource (fixtures/memo-runtime) so every host rule is checked independently of
 * the Infisical core: config, check failures, unknowns, diff shapes, init-failed, refresh, upgrades.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { providerText } from "../../src/pulumi/provider";
import { DIFF, type HostError, leakedCanaries, ProviderHost, secret, UNKNOWN, urnOf, wouldBeState } from "./host";

const CANARY_BODY = "canary-memo-body-9b3e71";
const CANARY_PASSWORD = "canary-memo-password-41d0c2";
const PROVIDER = providerText("memo");
const URN = urnOf("Memo", "note");

let host: ProviderHost;
let store: string;
const states: Record<string, unknown>[] = [];

before(async () => {
  store = mkdtempSync(path.join(os.tmpdir(), "memo-store-"));
  host = await ProviderHost.start({
    runtimeFile: path.join(__dirname, "fixtures", "memo-runtime.js"),
    env: { MEMO_STORE: store },
  });
  const configured = await host.configure({
    "infisical-e2ee:host": "http://127.0.0.1:9",
    "infisical-e2ee:email": "admin@example.com",
    "infisical-e2ee:password": secret(CANARY_PASSWORD),
    "myproj:unrelated": "x",
  });
  assert.equal(configured.acceptSecrets, false);
});

after(async () => {
  await host?.close();
  rmSync(store, { recursive: true, force: true });
});

/** Engine flow for a new resource: Check, then Create with the checked inputs. */
async function createMemo(news: Record<string, unknown>) {
  const checked = await host.check(URN, {}, { ...news, __provider: PROVIDER });
  assert.deepEqual(checked.failures, []);
  const created = await host.create(URN, checked.inputs);
  states.push(wouldBeState(created.properties, ["body"]));
  return { inputs: checked.inputs, ...created };
}

test("host: configure reads namespaced config, secret-wrapped values arrive unwrapped", async () => {
  const { properties } = await createMemo({ title: "config" });
  assert.equal(properties.host, "http://127.0.0.1:9");
  assert.equal(properties.mode, "user", "the secret-wrapped password did not reach the session settings");
  assert.equal(properties.__provider, PROVIDER);
  assert.equal(properties.__schemaVersion, 2);
});

test("host: check failures name the field (CheckFailure{property, reason})", async () => {
  const { failures } = await host.check(URN, {}, { terraformOnly: "x", colour: "red", __provider: PROVIDER });
  assert.deepEqual(failures.map((f) => `${f.property}: ${f.reason}`).sort(), [
    "colour: is not a known field",
    "terraformOnly: is not available in Pulumi",
    "title: is required",
  ]);
});

test("host: unknown inputs during preview pass check and diff as 'will change' without a crash", async () => {
  const checked = await host.check(URN, {}, { title: UNKNOWN, __provider: PROVIDER });
  assert.deepEqual(checked.failures, []);
  assert.equal(checked.inputs.title, UNKNOWN);
  const { id, properties } = await createMemo({ title: "preview" });
  const diff = await host.diff(URN, id, properties, { ...checked.inputs, body: UNKNOWN });
  assert.equal(diff.changes, DIFF.SOME);
  assert.deepEqual(diff.replaces, ["title"]);
});

test("host: secret-wrapped inputs are unwrapped; no-op diff is DIFF_NONE; in-place update", async () => {
  const { id, inputs, properties } = await createMemo({ title: "secret", body: secret(CANARY_BODY) });
  assert.equal(inputs.body, CANARY_BODY);
  assert.equal(properties.body, CANARY_BODY);
  assert.equal((await host.diff(URN, id, properties, inputs)).changes, DIFF.NONE);

  const news = { ...inputs, body: `${CANARY_BODY}-2` };
  const diff = await host.diff(URN, id, properties, news);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const updated = await host.update(URN, id, properties, news);
  states.push(wouldBeState(updated.properties, ["body"]));
  assert.equal(updated.properties.revision, 2);
  assert.equal(updated.properties.__provider, PROVIDER);
});

test("host: rotation trigger change is an in-place change producing a new value", async () => {
  const { id, inputs, properties } = await createMemo({ title: "rotating", rotationTrigger: "2026-11" });
  const news = { ...inputs, rotationTrigger: "2026-12" };
  const diff = await host.diff(URN, id, properties, news);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const updated = await host.update(URN, id, properties, news);
  assert.notEqual(updated.properties.body, properties.body);
});

test("host: refresh shows out-of-band drift, and a deleted object comes back with id ''", async () => {
  const { id, inputs, properties } = await createMemo({ title: "drift", body: secret(CANARY_BODY) });
  const stored = JSON.parse(readFileSync(path.join(store, `${id}.json`), "utf8"));
  writeFileSync(path.join(store, `${id}.json`), JSON.stringify({ ...stored, body: "changed-elsewhere" }));
  const refreshed = await host.read(URN, id, properties, inputs);
  assert.equal(refreshed.id, id);
  assert.equal(refreshed.properties.body, "changed-elsewhere");
  assert.equal(refreshed.properties.__provider, PROVIDER);
  assert.equal((await host.diff(URN, id, refreshed.properties, inputs)).changes, DIFF.SOME);

  rmSync(path.join(store, `${id}.json`));
  assert.equal((await host.read(URN, id, refreshed.properties, inputs)).id, "");
});

test("host: state written by schema version 1 is upgraded before the core sees it", async () => {
  const { id, properties } = await createMemo({ title: "old" });
  const { body, __schemaVersion, ...rest } = properties;
  void __schemaVersion;
  const refreshed = await host.read(URN, id, { ...rest, text: body });
  assert.equal(refreshed.properties.body, body);
  assert.equal(refreshed.properties.__schemaVersion, 2);
  assert.equal("text" in refreshed.properties, false);
});

test("host: a partial create reaches the engine as ErrorResourceInitFailed with the id", async () => {
  const checked = await host.check(URN, {}, { title: "partial", failAfterCreate: true, __provider: PROVIDER });
  const error = await host.create(URN, checked.inputs).then(
    () => assert.fail("create should fail"),
    (e: HostError) => e,
  );
  assert.equal(error.code, 2);
  assert.match(error.details, /labelling failed/);
  assert.ok(error.initFailed, "no ErrorResourceInitFailed detail");
  assert.match(error.initFailed.id, /^memo-/);
  assert.equal(error.initFailed.properties.title, "partial");
  assert.deepEqual(error.initFailed.reasons, ["labelling failed"]);
  assert.ok(existsSync(path.join(store, `${error.initFailed.id}.json`)));
});

test("host: delete removes the object", async () => {
  const { id, properties } = await createMemo({ title: "doomed" });
  await host.delete(URN, id, properties);
  assert.equal(existsSync(path.join(store, `${id}.json`)), false);
});

test("host: no canary plaintext outside secret outputs in the would-be state; none in logs", () => {
  assert.ok(states.length >= 5);
  assert.deepEqual(leakedCanaries(states, [CANARY_BODY, CANARY_PASSWORD]), []);
  assert.deepEqual(leakedCanaries(host.stderr(), [CANARY_BODY, CANARY_PASSWORD]), []);
});
