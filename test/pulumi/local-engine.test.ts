/**
 * The local engine (scripts/pulumi-engine/local-engine.ts) running a small Pulumi program through the SDK's
 * own provider host against the embedded server: up, a no-op preview, rotation, drift found by
 * refresh and preview, destroy. The program's resources depend on each other's outputs.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isSecretWrapped } from "../../scripts/pulumi-engine/engine-state";
import { LocalEngine, type Step } from "../../scripts/pulumi-engine/local-engine";
import { bootstrap } from "../../src/provider/bootstrap";
import { decryptSymmetric, parseServiceToken } from "../../src/provider/crypto";
import { ValidationError } from "../../src/provider/errors";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { leakedCanaries } from "./host";

const ADMIN = { email: "admin@example.com", password: "canary-engine-admin-password-58e2" };
const EXPLICIT = "canary-engine-explicit-value-0c4f";
const ENVIRONMENT = "lq";

let server: RunningServer;
let admin: Session;
let projectId: string;
let engine: LocalEngine;
const canaries = [EXPLICIT, ADMIN.password];

interface Knobs {
  /** The slug of the environment everything else lives in. */
  slug?: string;
  tokenName?: string;
  withDbUrl?: boolean;
}

/** The program, as an infra repo would write it, with a few knobs to change between runs. */
function program(rotation: string, { slug = ENVIRONMENT, tokenName = "ci-lq", withDbUrl = true }: Knobs = {}) {
  return () => {
    // Loaded inside the program, after the engine installed its mocks, as `pulumi up` loads index.ts.
    const infisical: typeof Face = require("../../src/pulumi/index");
    const env = new infisical.Environment("lq", { projectId, name: "Load QA", slug });
    const apiKey = new infisical.Secret("api-key", {
      projectId,
      environment: env.slug,
      key: "API_KEY",
      generate: { length: 32, symbols: false },
      rotationTrigger: rotation,
    });
    if (withDbUrl) new infisical.Secret("db-url", { projectId, environment: env.slug, key: "DB_URL", value: EXPLICIT });
    const ci = new infisical.ServiceToken("ci", {
      projectId,
      name: tokenName,
      scopes: [{ environment: env.slug, secretPath: "/" }],
      permissions: ["read"],
    });
    return { apiKey: apiKey.value, apiKeyVersion: apiKey.version, token: ci.token };
  };
}

function ops(steps: Step[]): Record<string, string> {
  return Object.fromEntries(steps.map((s) => [s.name, s.op]));
}

function output(name: string, key: string): unknown {
  const found = engine.resource(name);
  assert.ok(found, `${name} is not in the state`);
  return found.outputs[key];
}

before(async () => {
  server = await startServer({ port: 0 });
  const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "local-engine" });
  projectId = boot.projectId;
  canaries.push(boot.serviceToken);
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  engine = new LocalEngine({
    config: {
      "infisical-e2ee:host": server.url,
      "infisical-e2ee:email": ADMIN.email,
      "infisical-e2ee:password": ADMIN.password,
    },
  });
});

after(async () => {
  await admin?.close();
  await server?.close();
});

async function environmentSlugs(): Promise<string[]> {
  const { workspace } = await admin.api.projects.get(projectId);
  return (workspace?.environments ?? []).map((e) => e.slug);
}

test("engine: preview of a new stack plans a create for every resource and creates nothing", async () => {
  const result = await engine.preview(program("2026-11"));
  assert.deepEqual(ops(result.steps), { lq: "create", "api-key": "create", "db-url": "create", ci: "create" });
  assert.deepEqual(engine.state().resources, []);
  assert.equal((await environmentSlugs()).includes(ENVIRONMENT), false);
});

test("engine: up creates every resource; dependents receive the environment's slug output", async () => {
  const result = await engine.up(program("2026-11"));
  assert.deepEqual(ops(result.steps), { lq: "create", "api-key": "create", "db-url": "create", ci: "create" });
  const state = engine.state().resources;
  const names = state.map((r) => r.name);
  assert.equal(names[0], "lq", "the environment must come first: everything depends on it");
  const envUrn = state[0].urn;
  for (const name of ["api-key", "db-url", "ci"]) {
    const entry = state.find((r) => r.name === name)!;
    assert.ok(entry.dependencies.includes(envUrn), `${name} does not record its dependency on the environment`);
  }
  assert.equal(engine.resource("api-key")?.inputs.environment, ENVIRONMENT);

  const apiKey = output("api-key", "value") as string;
  assert.match(apiKey, /^[A-Za-z0-9]{32}$/);
  const token = output("ci", "token") as string;
  canaries.push(apiKey, token);
  const location = { projectId, environment: ENVIRONMENT, path: "/" };
  const onServer = await admin.secrets.list(location, { fresh: true });
  assert.deepEqual(onServer.map((s) => [s.key, s.value]).sort(), [
    ["API_KEY", apiKey],
    ["DB_URL", EXPLICIT],
  ]);

  assert.deepEqual(result.outputs.token, { value: token, secret: true });
  assert.deepEqual(result.outputs.apiKey, { value: apiKey, secret: true });
  // Secrets created together go out as one batch call, and the server stores batch-created
  // secrets with version 0 (as the real server does); a lone create gets version 1.
  const version = output("api-key", "version");
  assert.ok(version === 0 || version === 1, `unexpected first version ${version}`);
  assert.deepEqual(result.outputs.apiKeyVersion, { value: version, secret: false });
});

test("engine: the state seals secret outputs and inputs; no plaintext secret anywhere in it", () => {
  const state = engine.state();
  const apiKey = state.resources.find((r) => r.name === "api-key")!;
  const dbUrl = state.resources.find((r) => r.name === "db-url")!;
  const ci = state.resources.find((r) => r.name === "ci")!;
  assert.ok(isSecretWrapped(apiKey.outputs.value) && "ciphertext" in apiKey.outputs.value);
  assert.ok(isSecretWrapped(dbUrl.inputs.value), "a secret input must be stored sealed");
  assert.ok(isSecretWrapped(ci.outputs.token));
  assert.equal(typeof apiKey.outputs.version, "number", "non-secret outputs stay readable");
  assert.deepEqual(leakedCanaries(JSON.stringify(state), canaries), []);
});

test("engine: preview of the unchanged program changes nothing", async () => {
  const snapshot = engine.state();
  const result = await engine.preview(program("2026-11"));
  assert.deepEqual(ops(result.steps), { lq: "same", "api-key": "same", "db-url": "same", ci: "same" });
  assert.deepEqual(result.changes, []);
  assert.deepEqual(engine.state(), snapshot);
});

test("engine: a check failure stops the up with a typed error naming the field; the state is kept", async () => {
  const snapshot = engine.state();
  const error = await engine.up(program("2026-11", { slug: "Not A Slug" })).then(
    () => assert.fail("an invalid slug must fail the up"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ValidationError);
  assert.deepEqual(
    error.failures.map((f) => f.path),
    ["slug"],
  );
  assert.deepEqual(engine.state(), snapshot);
  assert.ok((await environmentSlugs()).includes(ENVIRONMENT));
});

test("engine: a new rotationTrigger previews as an in-place update, then rotates; the previous version stays in history", async () => {
  const snapshot = engine.state();
  const previous = output("api-key", "value") as string;
  const previousVersion = output("api-key", "version") as number;
  const preview = await engine.preview(program("2026-12"));
  assert.deepEqual(
    preview.changes.map((s) => [s.name, s.op, s.diffs, s.replaces]),
    [["api-key", "update", ["rotationTrigger"], []]],
  );
  assert.deepEqual(engine.state(), snapshot, "a preview must not touch the state");

  const result = await engine.up(program("2026-12"));
  assert.deepEqual(
    result.changes.map((s) => [s.name, s.op]),
    [["api-key", "update"]],
  );
  const rotated = output("api-key", "value") as string;
  canaries.push(rotated);
  assert.notEqual(rotated, previous);
  assert.equal(output("api-key", "version"), previousVersion + 1);
  assert.deepEqual(result.outputs.apiKey, { value: rotated, secret: true });

  // The previous version, read with the service token the engine created, decrypts to the previous value.
  const token = parseServiceToken(output("ci", "token") as string);
  const url = new URL("/api/v3/secrets/API_KEY", server.url);
  url.search = new URLSearchParams({
    workspaceId: projectId,
    environment: ENVIRONMENT,
    secretPath: "/",
    version: String(previousVersion),
  }).toString();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token.bearer}` } });
  assert.equal(response.status, 200);
  const { secret: old } = (await response.json()) as { secret: Record<string, string> };
  const projectKey = await admin.projectKey(projectId);
  const oldValue = decryptSymmetric(
    { ciphertext: old.secretValueCiphertext, iv: old.secretValueIV, tag: old.secretValueTag },
    projectKey,
  );
  assert.equal(oldValue, previous);
});

test("engine: refresh finds a value changed out of band; preview then plans to restore it; up restores it", async () => {
  const location = { projectId, environment: ENVIRONMENT, path: "/" };
  await admin.secrets.update(location, { key: "DB_URL", value: "changed-out-of-band", comment: "" });

  const refreshed = await engine.refresh();
  const dbUrl = refreshed.changes.find((s) => s.name === "db-url");
  // The value's keyed fingerprint moves with it (the refresh read the server's new value).
  assert.deepEqual([dbUrl?.op, dbUrl?.diffs], ["update", ["value", "valueFingerprint", "version"]]);
  assert.deepEqual(
    refreshed.changes.map((s) => s.name),
    ["db-url"],
  );
  assert.equal(output("db-url", "value"), "changed-out-of-band");

  const preview = await engine.preview(program("2026-12"));
  assert.deepEqual(
    preview.changes.map((s) => [s.name, s.op, s.diffs]),
    [["db-url", "update", ["value"]]],
  );
  await engine.up(program("2026-12"));
  assert.equal((await admin.secrets.list(location, { fresh: true })).find((s) => s.key === "DB_URL")?.value, EXPLICIT);
});

test("engine: refresh drops a resource deleted out of band; the next up creates it again", async () => {
  const location = { projectId, environment: ENVIRONMENT, path: "/" };
  await admin.secrets.delete(location, "DB_URL");
  const refreshed = await engine.refresh();
  assert.deepEqual(
    refreshed.changes.map((s) => [s.name, s.op]),
    [["db-url", "delete"]],
  );
  assert.equal(engine.resource("db-url"), undefined);
  const result = await engine.up(program("2026-12"));
  assert.deepEqual(
    result.changes.map((s) => [s.name, s.op]),
    [["db-url", "create"]],
  );
});

test("engine: a replacing change swaps the object for a new one; a resource dropped from the program is deleted", async () => {
  const oldTokenId = output("ci", "tokenId");
  const preview = await engine.preview(program("2026-12", { tokenName: "ci-lq-2", withDbUrl: false }));
  assert.deepEqual(
    preview.changes.map((s) => [s.name, s.op, s.replaces]),
    [
      ["ci", "replace", ["name"]],
      ["db-url", "delete", []],
    ],
  );
  const result = await engine.up(program("2026-12", { tokenName: "ci-lq-2", withDbUrl: false }));
  assert.deepEqual(
    result.changes.map((s) => [s.name, s.op]),
    [
      ["ci", "replace"],
      ["db-url", "delete"],
    ],
  );
  const newTokenId = output("ci", "tokenId");
  assert.notEqual(newTokenId, oldTokenId);
  assert.equal(engine.resource("db-url"), undefined);
  assert.deepEqual(
    engine.state().resources.map((r) => r.name),
    ["lq", "api-key", "ci"],
  );
  const { serviceTokenData } = await admin.api.serviceTokens.list(projectId);
  const tokenIds = serviceTokenData.map((t) => t.id);
  assert.deepEqual([tokenIds.includes(oldTokenId as string), tokenIds.includes(newTokenId as string)], [false, true]);
  const secrets = await admin.secrets.list({ projectId, environment: ENVIRONMENT, path: "/" }, { fresh: true });
  assert.deepEqual(
    secrets.map((x) => x.key),
    ["API_KEY"],
  );
  canaries.push(output("ci", "token") as string);
});

test("engine: destroy deletes everything in reverse order; the environment and its token are gone", async () => {
  const tokenId = output("ci", "tokenId");
  const count = engine.state().resources.length;
  const result = await engine.destroy();
  assert.deepEqual(
    result.steps.map((s) => s.op),
    Array(count).fill("delete"),
  );
  assert.equal(result.steps.at(-1)?.name, "lq", "the environment must go last");
  assert.deepEqual(engine.state().resources, []);

  assert.equal((await environmentSlugs()).includes(ENVIRONMENT), false);
  const { serviceTokenData } = await admin.api.serviceTokens.list(projectId);
  assert.equal(
    serviceTokenData.some((t) => t.id === tokenId),
    false,
  );
});

test("engine: the provider hosts' logs hold no plaintext secret", () => {
  assert.deepEqual(leakedCanaries(engine.hostLogs(), canaries), []);
});
