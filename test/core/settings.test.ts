/**
 * `connectionFields` is the one declaration of the connection settings: resolveSettings applies its
 * rules to explicit values and environment variables alike, and each face derives its view from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigError } from "../../src/provider/errors";
import {
  checkSettings,
  connectionFields,
  parseSettingText,
  resolveSettings,
  SETTING_ENV_VARS,
} from "../../src/provider/session/settings";

const isConfigError = (setting: string, problem: RegExp) => (error: ConfigError) =>
  error.code === "ERR_CONFIG" && error.setting === setting && problem.test(error.problem);

describe("connection settings schema", () => {
  it("declares every setting once, with its environment variable, and marks the credentials sensitive", () => {
    assert.deepEqual(Object.keys(connectionFields).sort(), Object.keys(SETTING_ENV_VARS).sort());
    const sensitive = Object.entries(connectionFields)
      .filter(([, spec]) => (spec as { sensitive?: boolean }).sensitive === true)
      .map(([name]) => name);
    assert.deepEqual(sensitive.sort(), ["password", "serviceToken"]);
    for (const [name, spec] of Object.entries(connectionFields)) {
      assert.match(spec.doc, new RegExp(SETTING_ENV_VARS[name as keyof typeof SETTING_ENV_VARS]), name);
    }
  });

  it("one timeout rule for explicit values and the environment: whole milliseconds from 100 to 600000", () => {
    assert.equal(resolveSettings({ timeoutMs: 100 }, {}).timeoutMs, 100);
    assert.equal(resolveSettings({}, { INFISICAL_TIMEOUT_MS: "600000" }).timeoutMs, 600_000);
    for (const bad of [50, 600_001, 1.5]) {
      assert.throws(() => resolveSettings({ timeoutMs: bad }, {}), isConfigError("timeoutMs", /from 100 to 600000/));
    }
    assert.throws(
      () => resolveSettings({}, { INFISICAL_TIMEOUT_MS: "50" }),
      isConfigError("timeoutMs", /from 100 to 600000/),
    );
    assert.throws(() => resolveSettings({}, { INFISICAL_TIMEOUT_MS: "soon" }), isConfigError("timeoutMs", /number/));
  });

  it("values of the wrong kind are ConfigErrors naming the setting, not silently used", () => {
    assert.throws(
      () => resolveSettings({ host: 8080 as unknown as string }, {}),
      isConfigError("host", /expected a string, got a number/),
    );
    assert.throws(
      () => resolveSettings({ allowInsecureHttp: "true" as unknown as boolean }, {}),
      isConfigError("allowInsecureHttp", /expected true or false/),
    );
  });

  it("text settings parse the same way wherever they come from", () => {
    assert.equal(parseSettingText("allowInsecureHttp", "yes"), true);
    assert.equal(parseSettingText("allowInsecureHttp", "FALSE"), false);
    assert.equal(parseSettingText("timeoutMs", "2500"), 2500);
    assert.equal(parseSettingText("host", ""), undefined);
    assert.throws(() => parseSettingText("allowInsecureHttp", "maybe"), isConfigError("allowInsecureHttp", /boolean/));
  });

  it("checkSettings reports each failure at its setting; empty values are unset", () => {
    const { failures } = checkSettings({ host: "ftp://example.com", serviceToken: "st.a.b", timeoutMs: 5, email: "" });
    assert.deepEqual(
      failures.map((failure) => failure.path),
      ["host", "serviceToken", "timeoutMs"],
    );
    assert.equal(JSON.stringify(failures).includes("st.a.b"), false, "values are never echoed");
  });

  it("key-sender settings: a comma-separated fingerprint list, exact spelling; server-keyed projects allowed by default", () => {
    const one = "nacl-sha256:MZUH-VLPY-MK6X-O3EP-YGFY-5H4O-EAEJ-OFEF";
    const two = "nacl-sha256:MMG4-2KLG-YQZW-NEIS-KREL-XMS3-J72B-FJE4";
    const base = { host: "http://127.0.0.1:1" };
    const defaults = resolveSettings(base, {});
    assert.deepEqual([defaults.trustedKeyFingerprints, defaults.allowServerKeyedProjects], [[], true]);
    const fromEnv = resolveSettings(base, {
      INFISICAL_TRUSTED_KEY_FINGERPRINTS: ` ${one} ,${two},`,
      INFISICAL_ALLOW_SERVER_KEYED_PROJECTS: "no",
    });
    assert.deepEqual([fromEnv.trustedKeyFingerprints, fromEnv.allowServerKeyedProjects], [[one, two], false]);
    const wrong = "nacl-sha256:not-a-fingerprint-at-all";
    assert.throws(
      () => resolveSettings({ ...base, trustedKeyFingerprints: `${one},${wrong}` }, {}),
      (error: ConfigError) =>
        isConfigError("trustedKeyFingerprints", /not a public-key fingerprint/)(error) &&
        !error.message.includes(wrong),
    );
  });
});
