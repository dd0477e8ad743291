/**
 * Keyed value fingerprints and the write-only rule: the crypto on its own, the schema kit's rule on
 * a field map of its own (no resource names), and drift + restore of write-only and generated values
 * through the secret resource against the embedded server, with an independent client changing the
 * value outside.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { VALUE_FINGERPRINT_PREFIX, valueFingerprint } from "../../src/provider/crypto/value-fingerprint";
import { secret } from "../../src/provider/resources/secret";
import {
  fieldsKeptOutOfState,
  fieldsRefreshKeepsOut,
  str,
  withoutWriteOnly,
  writeOnlyPairs,
} from "../../src/provider/schema/fields";
import type { Outputs } from "../../src/provider/schema/resource";
import { type Harness, startHarness, uniqueName } from "./harness";

const PROJECT_KEY = "0123456789abcdef0123456789abcdef";

describe("valueFingerprint", () => {
  it("is an hmac-sha256 tag that depends on the project key, the secret and the value", () => {
    const base = valueFingerprint(PROJECT_KEY, "id-1", "hunter2");
    assert.match(base, /^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    assert.ok(base.startsWith(VALUE_FINGERPRINT_PREFIX));
    assert.equal(valueFingerprint(PROJECT_KEY, "id-1", "hunter2"), base, "deterministic");
    assert.notEqual(valueFingerprint(PROJECT_KEY, "id-1", "hunter3"), base);
    assert.notEqual(valueFingerprint(PROJECT_KEY, "id-2", "hunter2"), base, "two secrets with one value differ");
    assert.notEqual(valueFingerprint(PROJECT_KEY.replace("0", "1"), "id-1", "hunter2"), base);
    // Length-prefixed: moving characters between the ID and the value changes the tag.
    assert.notEqual(valueFingerprint(PROJECT_KEY, "id-1h", "unter2"), base);
  });

  it("is not an HMAC keyed with the project key itself (the key is derived under a label)", () => {
    const direct = createHmac("sha256", PROJECT_KEY).update("hunter2").digest("base64url");
    assert.notEqual(valueFingerprint(PROJECT_KEY, "id-1", "hunter2"), VALUE_FINGERPRINT_PREFIX + direct);
    assert.ok(!valueFingerprint(PROJECT_KEY, "id-1", "hunter2").includes("hunter2"));
  });
});

describe("the write-only rule in the schema kit", () => {
  // Names chosen so nothing can match by suffix: the pairing is the `writeOnlyFor` flag alone.
  const fields = {
    token: str({ optional: true, computed: true, sensitive: true, doc: "t" }),
    tokenInput: str({ optional: true, writeOnly: true, writeOnlyFor: "token", doc: "w" }),
    plain_wo: str({ optional: true, writeOnly: true, doc: "an unpaired write-only field" }),
    plain: str({ optional: true, computed: true, doc: "p" }),
  };

  it("pairs by flag, not by name", () => {
    assert.deepEqual(writeOnlyPairs(fields), [["tokenInput", "token"]]);
  });

  it("keeps the supplied field out of state when its twin is set and it is not", () => {
    assert.deepEqual(fieldsKeptOutOfState(fields, { tokenInput: "x" }), ["token"]);
    assert.deepEqual(fieldsKeptOutOfState(fields, { tokenInput: "x", token: "y" }), []);
    assert.deepEqual(fieldsKeptOutOfState(fields, { token: "y", plain_wo: "z" }), []);
  });

  it("a refresh never brings back a supplied field the prior state did not hold", () => {
    assert.deepEqual(fieldsRefreshKeepsOut(fields, {}), ["token"]);
    assert.deepEqual(fieldsRefreshKeepsOut(fields, { token: "held" }), []);
    assert.deepEqual(fieldsRefreshKeepsOut(fields, { plain: undefined }), ["token"]);
  });

  it("write-only fields never enter state", () => {
    assert.deepEqual(withoutWriteOnly(fields, { token: "a", tokenInput: "b", plain_wo: "c", plain: "d" }), {
      token: "a",
      plain: "d",
    });
  });
});

describe("secret drift through fingerprints against the embedded server", () => {
  let h: Harness;
  let projectId: string;
  before(async () => {
    h = await startHarness();
    projectId = h.boot.projectId;
  });
  after(() => h.close());

  const at = { environment: "dev", path: "/" };
  const inputsFor = (extra: Record<string, unknown>) => secret.validated({ projectId, ...at, ...extra });
  const changeOutside = (key: string, value: string) =>
    h.tokenSession().secrets.update({ projectId, ...at }, { key, value, comment: "" });
  const serverValue = async (key: string) => (await h.userSession().secrets.get({ projectId, ...at }, key))?.value;

  it("write-only: no value in state; a change outside is drift the next update undoes; then in sync", async () => {
    const key = uniqueName("WO");
    const inputs = inputsFor({ key, valueWo: "configured-wo-value", valueWoVersion: 1 });
    const created = await secret.ops.create(h.ctx(h.userSession()), inputs);
    assert.equal(created.outputs.value, undefined);
    assert.ok(!JSON.stringify(created.outputs).includes("configured-wo-value"));
    assert.equal(created.outputs.valueFingerprint, created.outputs.sentValueFingerprint);
    assert.deepEqual(secret.diff(created.outputs, inputs).changes, []);

    const quiet = (await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs)) as Outputs;
    assert.deepEqual(secret.diff(quiet, inputs).changes, [], "no drift, no change");

    await changeOutside(key, "changed-outside");
    const drifted = (await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs)) as Outputs;
    assert.equal(drifted.value, undefined, "the refresh keeps the server's value out of state");
    assert.ok(!JSON.stringify(drifted).includes("changed-outside"));
    assert.notEqual(drifted.valueFingerprint, drifted.sentValueFingerprint);
    assert.equal(drifted.sentValueFingerprint, created.outputs.sentValueFingerprint);
    assert.deepEqual(secret.diff(drifted, inputs).changes, ["value"]);

    const restored = await secret.ops.update(h.ctx(h.userSession()), created.id, drifted as never, inputs);
    assert.equal(await serverValue(key), "configured-wo-value");
    assert.equal(restored.value, undefined);
    assert.equal(restored.valueFingerprint, created.outputs.valueFingerprint);
    const after = (await secret.ops.read(h.ctx(h.userSession()), created.id, restored)) as Outputs;
    assert.deepEqual(secret.diff(after, inputs).changes, []);
  });

  it("write-only: a new value without a version bump is not sent (the convention), only real drift is", async () => {
    const key = uniqueName("WO_EPHEMERAL");
    const created = await secret.ops.create(
      h.ctx(h.userSession()),
      inputsFor({ key, valueWo: "one", valueWoVersion: 1 }),
    );
    const read = (await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs)) as Outputs;
    assert.deepEqual(secret.diff(read, inputsFor({ key, valueWo: "two", valueWoVersion: 1 })).changes, []);
  });

  it("generated: a change outside is drift; the update restores the generated value, not a new one", async () => {
    const key = uniqueName("GEN");
    const inputs = inputsFor({ key, generate: { length: 24 }, rotationTrigger: "r1" });
    const created = await secret.ops.create(h.ctx(h.userSession()), inputs);
    const generated = created.outputs.value!;
    await changeOutside(key, "changed-outside");
    const drifted = (await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs)) as Outputs;
    assert.equal(drifted.value, generated, "state keeps the generated value, so it can be put back");
    assert.deepEqual(secret.diff(drifted, inputs).changes, ["value"]);
    assert.ok(!secret.ops.computedChanges!(drifted, inputs, secret.diff(drifted, inputs)).includes("value"));
    const restored = await secret.ops.update(h.ctx(h.userSession()), created.id, drifted as never, inputs);
    assert.equal(restored.value, generated);
    assert.equal(await serverValue(key), generated);

    // Drifted again, but the trigger changed: a fresh value, as rotation always does.
    await changeOutside(key, "changed-outside-again");
    const again = (await secret.ops.read(h.ctx(h.userSession()), created.id, restored)) as Outputs;
    const rotated = inputsFor({ key, generate: { length: 24 }, rotationTrigger: "r2" });
    const next = await secret.ops.update(h.ctx(h.userSession()), created.id, again as never, rotated);
    assert.notEqual(next.value, generated);
    assert.notEqual(next.value, "changed-outside-again");
    assert.equal(await serverValue(key), next.value);
  });

  it("state written by 0.1.0 (no fingerprints) loads, refreshes without drift, and then detects it", async () => {
    const key = uniqueName("LEGACY");
    const inputs = inputsFor({ key, generate: { length: 24 } });
    const created = await secret.ops.create(h.ctx(h.userSession()), inputs);
    const { valueFingerprint: _a, sentValueFingerprint: _b, ...v1 } = created.outputs;
    const upgraded = secret.upgrade!(1, v1) as Outputs;
    assert.deepEqual(upgraded, v1);
    assert.deepEqual(secret.diff(upgraded, inputs).changes, [], "no fingerprints: no say");
    const read = (await secret.ops.read(h.ctx(h.userSession()), created.id, upgraded as never)) as Outputs;
    assert.equal(read.valueFingerprint, created.outputs.valueFingerprint);
    assert.deepEqual(secret.diff(read, inputs).changes, []);
    await changeOutside(key, "changed-outside");
    const legacyDrift = (await secret.ops.read(h.ctx(h.userSession()), created.id, upgraded as never)) as Outputs;
    assert.deepEqual(
      secret.diff(legacyDrift, inputs).changes,
      ["value"],
      "the generated value in state is the baseline",
    );
  });
});
