/**
 * What the Pulumi classes register with the engine, captured with pulumi.runtime.setMocks: type
 * tokens, the stored `__provider` text (size, stability, nothing in it but the resource name),
 * secret-wrapped sensitive inputs and additionalSecretOutputs derived from the schema.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type * as Face from "../../src/pulumi/index";
import { RUNTIME_MODULE } from "../../src/pulumi/provider";
import { captureRegistrations, isSecretWrapped, type Registration, repoRoot } from "./registrations";

const CANARY = "canary-registration-5f1d2c";
const MAX_PROVIDER_BYTES = 2048;

/** Loaded after setMocks, as a Pulumi program would be, so resources register against the mock monitor. */
function loadFace(): typeof Face {
  return require("../../src/pulumi/index");
}

let registrations: Map<string, Registration>;

before(async () => {
  registrations = await captureRegistrations(async () => {
    const infisical = loadFace();
    return [
      new infisical.Secret("db-password", { projectId: "p1", environment: "dev", key: "DB_PASSWORD", value: CANARY }),
      new infisical.Secret("api-key", {
        projectId: "p1",
        environment: "dev",
        key: "API_KEY",
        generate: { length: 40 },
      }),
      new infisical.Environment("staging", { projectId: "p1", name: "Staging", slug: "staging" }),
      new infisical.ProjectMembership("alice", { projectId: "p1", email: "alice@example.com", role: "member" }),
      new infisical.Project("app", { name: "App" }),
      new infisical.ServiceToken("ci", {
        projectId: "p1",
        name: "ci",
        scopes: [{ environment: "dev", secretPath: "/" }],
      }),
    ];
  });
});

function registration(name: string): Registration {
  const found = registrations.get(name);
  assert.ok(found, `no registration captured for ${name}`);
  return found;
}

test("classes: each registers a Pulumi dynamic resource type of its own", () => {
  assert.equal(registration("db-password").type, "pulumi-nodejs:dynamic/infisical-e2ee:Secret");
  assert.equal(registration("staging").type, "pulumi-nodejs:dynamic/infisical-e2ee:Environment");
  assert.equal(registration("alice").type, "pulumi-nodejs:dynamic/infisical-e2ee:ProjectMembership");
  assert.equal(registration("app").type, "pulumi-nodejs:dynamic/infisical-e2ee:Project");
  assert.equal(registration("ci").type, "pulumi-nodejs:dynamic/infisical-e2ee:ServiceToken");
});

test("__provider: under 2 KB, requires the runtime by package name, holds only the resource name", () => {
  const version = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).version as string;
  for (const [name, reg] of registrations) {
    const text = reg.inputs.__provider;
    assert.equal(typeof text, "string", `${name}: __provider must be plain text, not a secret`);
    const bytes = Buffer.byteLength(text as string);
    console.log(`__provider of ${reg.type} (${name}): ${bytes} bytes`);
    assert.ok(bytes < MAX_PROVIDER_BYTES, `${name}: ${bytes} bytes`);
    assert.ok((text as string).includes(`require("${RUNTIME_MODULE}")`));
    assert.ok(!(text as string).includes(repoRoot), `${name}: a local path leaked into state`);
    assert.ok(!(text as string).includes("dist"), `${name}: a build path leaked into state`);
    assert.ok(!(text as string).includes(version), `${name}: the package version leaked into state`);
    assert.ok(!(text as string).includes(CANARY));
  }
});

test("__provider: identical for every instance of a type, different only by resource name across types", () => {
  const secretA = registration("db-password").inputs.__provider as string;
  const secretB = registration("api-key").inputs.__provider as string;
  const environment = registration("staging").inputs.__provider as string;
  assert.equal(secretA, secretB);
  assert.equal(secretA.replace('"secret"', '"environment"'), environment);
});

test("__provider: loads as a module whose handler forwards every verb to the runtime", () => {
  const text = registration("alice").inputs.__provider as string;
  const module = { exports: {} as { handler?: () => Record<string, unknown> } };
  const forwarded: unknown[][] = [];
  const fakeRequire = (specifier: string) => {
    assert.equal(specifier, RUNTIME_MODULE);
    return new Proxy(
      {},
      {
        get:
          (_t, verb) =>
          (...args: unknown[]) =>
            forwarded.push([verb, ...args]),
      },
    );
  };
  new Function("exports", "require", "module", text)(module.exports, fakeRequire, module);
  const provider = module.exports.handler!();
  assert.deepEqual(Object.keys(provider).sort(), ["check", "configure", "create", "delete", "diff", "read", "update"]);
  (provider.check as (o: unknown, n: unknown) => void)({ a: 1 }, { b: 2 });
  (provider.delete as (id: string, p: unknown) => void)("id-1", { c: 3 });
  assert.deepEqual(forwarded, [
    ["check", "projectMembership", { a: 1 }, { b: 2 }],
    ["delete", "projectMembership", "id-1", { c: 3 }],
  ]);
});

test("inputs: a sensitive input is registered as a Pulumi secret, never as plain text", () => {
  const inputs = registration("db-password").inputs;
  assert.ok(isSecretWrapped(inputs.value), "value must be secret-wrapped");
  assert.equal((inputs.value as { value: unknown }).value, CANARY);
  assert.equal(inputs.key, "DB_PASSWORD");
  assert.ok(!isSecretWrapped(inputs.key));
  const plain = JSON.stringify({ ...inputs, value: undefined });
  assert.ok(!plain.includes(CANARY), "the canary appears outside the secret wrapper");
});

test("outputs: every Pulumi field becomes an output property; Terraform-only fields do not", () => {
  const infisical = loadFace();
  const secret = new infisical.Secret("props", { projectId: "p1", environment: "dev", key: "K", generate: {} });
  const properties = secret as unknown as Record<string, unknown>;
  for (const key of ["value", "secretId", "version", "comment", "rotationTrigger", "adopt", "generate", "path"]) {
    assert.ok(pulumi.Output.isInstance(properties[key]), `${key} is not an output property`);
  }
  assert.equal(properties.valueWo, undefined);
  assert.equal(properties.valueWoVersion, undefined);
  assert.deepEqual(registration("api-key").inputs.generate, { length: 40 });
});

test("outputs: sensitive outputs are requested as additionalSecretOutputs", () => {
  assert.deepEqual(registration("db-password").additionalSecretOutputs, ["value", "comment"]);
  assert.deepEqual(registration("ci").additionalSecretOutputs, ["token"]);
  assert.deepEqual(registration("staging").additionalSecretOutputs, []);
});

test("outputs: registered resources expose typed output properties", async () => {
  const infisical = loadFace();
  const env = new infisical.Environment("typed", { projectId: "p1", name: "Typed", slug: "typed" });
  const slug = await new Promise((resolve) => env.slug.apply(resolve));
  assert.equal(slug, "typed");
  assert.ok(pulumi.Output.isInstance(env.environmentId));
});
