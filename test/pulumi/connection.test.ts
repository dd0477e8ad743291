/**
 * The Pulumi face of the connection settings: config keys and secrets derived from the core's
 * `connectionFields`, text converted to each setting's kind, the core's rules applied, and every
 * ConfigError spelled with the `infisical-e2ee:<key>` names Pulumi users write.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ConfigError } from "../../src/provider/errors";
import { resources } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import {
  CONFIG_KEYS,
  SECRET_CONFIG_KEYS,
  SessionPool,
  settingsFromConfig,
  withPulumiSpelling,
} from "../../src/pulumi/connection";
import { createHostRuntime } from "../../src/pulumi/host-runtime";

const fromConfig = (values: Record<string, string>) => settingsFromConfig((key) => values[key]);

test("config keys and their secrecy come from the core schema", () => {
  assert.deepEqual(CONFIG_KEYS, {
    host: "host",
    serviceToken: "token",
    email: "email",
    password: "password",
    organizationId: "organizationId",
    allowInsecureHttp: "allowInsecureHttp",
    timeoutMs: "timeoutMs",
    coalescing: "coalescing",
    trustedKeyFingerprints: "trustedKeyFingerprints",
    allowServerKeyedProjects: "allowServerKeyedProjects",
  });
  assert.deepEqual(SECRET_CONFIG_KEYS, ["infisical-e2ee:token", "infisical-e2ee:password"]);
});

test("config text becomes the setting's kind, parsed as the core parses environment variables", () => {
  assert.deepEqual(fromConfig({ token: "st.a.b.c", allowInsecureHttp: "yes", timeoutMs: "2500", host: "" }), {
    serviceToken: "st.a.b.c",
    allowInsecureHttp: true,
    timeoutMs: 2500,
    host: undefined,
  });
  assert.throws(
    () => fromConfig({ allowInsecureHttp: "maybe" }),
    (error: ConfigError) =>
      error.setting === "allowInsecureHttp" &&
      /^Configuration setting infisical-e2ee:allowInsecureHttp \(or INFISICAL_ALLOW_INSECURE_HTTP\): is not a boolean/.test(
        error.message,
      ),
  );
});

test("timeoutMs follows the core's rule (100 to 600000) and the error names infisical-e2ee:timeoutMs", () => {
  const settings = fromConfig({ host: "http://127.0.0.1:9", timeoutMs: "50" });
  assert.equal(settings.timeoutMs, 50, "converting is not validating");
  assert.throws(
    () => new SessionPool(silentLogger).context(settings),
    (error: ConfigError) =>
      error.code === "ERR_CONFIG" &&
      error.setting === "timeoutMs" &&
      /Configuration setting infisical-e2ee:timeoutMs \(or INFISICAL_TIMEOUT_MS\): .*from 100 to 600000/.test(
        error.message,
      ) &&
      !/setting timeoutMs/.test(error.message),
  );
});

test("a settings problem found during an operation is spelled with Pulumi config keys too", async () => {
  const runtime = createHostRuntime(resources, (settings) => ({
    session: openSession(settings, { env: {} }),
    log: silentLogger,
  }));
  runtime.configure({ config: new Map([["infisical-e2ee:host", "http://127.0.0.1:9"]]) } as never);
  await assert.rejects(
    runtime.create("project", { name: "pulumi-settings", slug: "pulumi-settings" }),
    (error: ConfigError) =>
      error.code === "ERR_CONFIG" &&
      /setting infisical-e2ee:email \(or INFISICAL_EMAIL\): no credentials are set\. Set infisical-e2ee:email .* or infisical-e2ee:token \(or INFISICAL_TOKEN\)\./.test(
        error.message,
      ),
  );
});

test("withPulumiSpelling leaves other errors alone", async () => {
  const plain = new Error("not ours");
  assert.throws(
    () =>
      withPulumiSpelling(() => {
        throw plain;
      }),
    (error) => error === plain && plain.message === "not ours",
  );
  await assert.rejects(
    withPulumiSpelling(() => Promise.reject(plain)),
    (error) => error === plain,
  );
});
