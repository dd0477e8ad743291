/**
 * The provider block is the core's connection schema seen through Terraform: its checks are the
 * core's rules, its diagnostics point at the attribute, and foreign errors are described safely.
 * Driven by direct calls (no gRPC): these are rules of the provider object itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import {
  describeThrown,
  errorDiagnostics,
  FOREIGN_MESSAGE_LIMIT,
  SEVERITY_ERROR,
} from "../../src/terraform/diagnostics";
import { encodeDynamicValue } from "../../src/terraform/dynamic-value";
import { TerraformProvider } from "../../src/terraform/provider";

type Obj = Record<string, unknown>;
const BLOCK = { host: null, service_token: null, email: null, password: null };

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
  };
}

function providerWith(openSessionFor: (settings: Obj) => Session, log: Logger = recordingLogger()) {
  return new TerraformProvider({ resources: {}, lookups: {} }, (settings) => openSessionFor(settings), log);
}

const realSessions = (settings: Obj) => openSession(settings, { env: {} });

function pathOf(diagnostic: { attribute?: { steps: Obj[] } } | undefined): string | undefined {
  return diagnostic?.attribute?.steps.map((step) => step.attribute_name).join(".");
}

test("ValidateProviderConfig applies the core's rules: a malformed service_token or host is an error at it", () => {
  const provider = providerWith(realSessions);
  const token = provider.validateProviderConfig({
    config: encodeDynamicValue({ ...BLOCK, service_token: "st.only.three" }),
  }).diagnostics;
  assert.equal(token.length, 1);
  assert.equal(pathOf(token[0]), "service_token");
  assert.match(token[0]?.detail ?? "", /service_token: is not a 4-part service token/);
  assert.doesNotMatch(token[0]?.detail ?? "", /only\.three/, "the value is never echoed");
  const host = provider.validateProviderConfig({ config: encodeDynamicValue({ ...BLOCK, host: "ftp://x.example" }) });
  assert.equal(pathOf(host.diagnostics[0]), "host");
  assert.match(host.diagnostics[0]?.detail ?? "", /must use http or https/);
  const number = provider.validateProviderConfig({ config: encodeDynamicValue({ ...BLOCK, host: 8080 }) });
  assert.equal(pathOf(number.diagnostics[0]), "host");
  assert.match(number.diagnostics[0]?.detail ?? "", /expected a string, got a number/);
  const empty = provider.validateProviderConfig({ config: encodeDynamicValue({ ...BLOCK, host: "" }) });
  assert.deepEqual(empty.diagnostics, [], "an empty attribute is unset (environment fallback), as in the core");
});

test("ConfigureProvider: a non-string host is a configuration error at host, not silently ignored", () => {
  const provider = providerWith(realSessions);
  const { diagnostics } = provider.configureProvider({ config: encodeDynamicValue({ ...BLOCK, host: 8080 }) });
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]?.severity, SEVERITY_ERROR);
  assert.equal(pathOf(diagnostics[0]), "host");
  assert.match(diagnostics[0]?.detail ?? "", /Configuration setting host \(or INFISICAL_HOST\): expected a string/);
});

test("ConfigureProvider again: a previous session whose close rejects is logged, never an unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const log = recordingLogger();
    const failingClose = () =>
      ({ close: () => Promise.reject(new Error("socket already gone")) }) as unknown as Session;
    const provider = providerWith(failingClose, log);
    assert.deepEqual(provider.configureProvider({ config: encodeDynamicValue(BLOCK) }).diagnostics, []);
    assert.deepEqual(provider.configureProvider({ config: encodeDynamicValue(BLOCK) }).diagnostics, []);
    await nextTurn();
    await nextTurn();
    assert.deepEqual(unhandled, []);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0] ?? "", /closing the previous session failed .*socket already gone/);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("foreign errors keep their class name; quoted input is elided and the message capped", () => {
  // V8 quotes (the start of) the text it failed to parse.
  const canary = "s3cr3t!";
  let parseError: unknown;
  try {
    JSON.parse(canary);
  } catch (error) {
    parseError = error;
  }
  assert.match((parseError as Error).message, /s3cr3t!/, "the premise: the library error quotes its input");
  const described = describeThrown(parseError);
  assert.match(described, /^SyntaxError: /);
  assert.equal(described.includes(canary), false, described);
  const [diagnostic] = errorDiagnostics(parseError, "read infisicale2ee_secret");
  assert.equal(diagnostic?.summary, "Unexpected Provider Error");
  assert.match(diagnostic?.detail ?? "", /^Could not read infisicale2ee_secret: SyntaxError: /);
  assert.equal(diagnostic?.detail.includes(canary), false);

  const long = describeThrown(new RangeError(`bad length ${"x".repeat(1000)}`));
  assert.match(long, /^RangeError: bad length x+… \(shortened\)$/);
  assert.ok(long.length <= "RangeError: ".length + FOREIGN_MESSAGE_LIMIT + " (shortened)".length + 1);
  assert.equal(describeThrown("a thrown secret string"), "a thrown string");
});
