/**
 * The lookup functions of the Pulumi face (getProject, getAuditLogs and their Output forms) in a
 * Pulumi program's process, configured from stack config, against the embedded server on port 0.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { type BootstrapResult, bootstrap } from "../../src/provider/bootstrap";
import { parseServiceToken } from "../../src/provider/crypto";
import { ProviderError, ValidationError } from "../../src/provider/errors";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";

const ADMIN = { email: "admin@example.com", password: "canary-lookups-admin-password-3a7d" };
const USER_VALUE = "canary-lookup-user-value-91be";
const TOKEN_VALUE = "canary-lookup-token-value-4c02";

let server: RunningServer;
let boot: BootstrapResult;
let admin: Session;
let viaToken: Session;
let infisical: typeof Face;
let adminUserId: string;
let createdSecretIds: string[];

before(async () => {
  server = await startServer({ port: 0 });
  boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "Pulumi Lookups" });
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  viaToken = openSession({ host: server.url, serviceToken: boot.serviceToken }, { env: {} });
  adminUserId = (await admin.user()).userId;
  // One secret written by the user, one by the service token: two actors in the audit log.
  const byUser = await admin.secrets.create(
    { projectId: boot.projectId, environment: "dev", path: "/" },
    { key: "USER_SECRET", value: USER_VALUE, comment: "" },
  );
  const byToken = await viaToken.secrets.create(
    { projectId: boot.projectId, environment: "staging", path: "/" },
    { key: "TOKEN_SECRET", value: TOKEN_VALUE, comment: "" },
  );
  createdSecretIds = [byUser.secretId, byToken.secretId];
  // Stack config, as `pulumi config set` would give the program.
  pulumi.runtime.setConfig("infisical-e2ee:host", server.url);
  pulumi.runtime.setConfig("infisical-e2ee:email", ADMIN.email);
  pulumi.runtime.setConfig("infisical-e2ee:password", ADMIN.password);
  infisical = require("../../src/pulumi/index");
});

after(async () => {
  await infisical?.closeLookupSession();
  await viaToken?.close();
  await admin?.close();
  await server?.close();
});

/** The value of an Output, which a program only ever sees inside apply. */
function resolvedValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

test("getProject: by id, with the project's organization and default environments", async () => {
  const project = await infisical.getProject({ projectId: boot.projectId });
  assert.equal(project.projectId, boot.projectId);
  assert.equal(project.name, "Pulumi Lookups");
  assert.equal(project.organizationId, boot.organizationId);
  assert.ok(project.slug);
  assert.deepEqual((project.environments ?? []).map((e) => e.slug).sort(), boot.environments.map((e) => e.slug).sort());
});

test("getProject: by slug finds the same project; the Output form is not a secret", async () => {
  const { slug } = await infisical.getProject({ projectId: boot.projectId });
  const bySlug = await infisical.getProject({ slug });
  assert.equal(bySlug.projectId, boot.projectId);
  const output = infisical.getProjectOutput({ slug: pulumi.output(slug as string) });
  assert.equal(await pulumi.isSecret(output), false);
  assert.equal((await resolvedValue(output)).projectId, boot.projectId);
});

test("getProject: both or neither of projectId and slug is a validation error naming projectId", async () => {
  for (const args of [{ projectId: boot.projectId, slug: "some-project" }, {}]) {
    const error = await rejection(infisical.getProject(args));
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["projectId"],
    );
  }
});

test("getProject: an unknown slug is a not-found error", async () => {
  const error = await rejection(infisical.getProject({ slug: "no-such-project" }));
  assert.ok(ProviderError.is(error));
  assert.equal(error.code, "ERR_API_NOT_FOUND");
});

test("getAuditLogs: create events name the environment and actor, never the value", async () => {
  const { entries } = await infisical.getAuditLogs({ projectId: boot.projectId, eventType: "create-secret" });
  assert.ok((entries ?? []).every((e) => e.eventType === "create-secret"));
  const summary = (entries ?? []).map((e) => [e.actorType, e.actorId, e.actorEmail, e.environment]);
  assert.deepEqual(summary, [
    // Newest first: the service token wrote after the user.
    ["service", parseServiceToken(boot.serviceToken).id, "", "staging"],
    ["user", adminUserId, ADMIN.email, "dev"],
  ]);
  const text = JSON.stringify(entries);
  for (const canary of [USER_VALUE, TOKEN_VALUE]) assert.equal(text.includes(canary), false);
});

test("getAuditLogs: create events carry the secret's id; the embedded server keeps names out of its log", async () => {
  const { entries } = await infisical.getAuditLogs({ projectId: boot.projectId, eventType: "create-secret" });
  assert.deepEqual((entries ?? []).map((e) => e.secretId).sort(), [...createdSecretIds].sort());
  assert.deepEqual(
    (entries ?? []).map((e) => e.secretKey),
    ["", ""],
  );
});

test("getAuditLogs: newest first; limit and actor filters apply", async () => {
  const all = (await infisical.getAuditLogs({ projectId: boot.projectId, limit: 100 })).entries ?? [];
  assert.ok(all.length >= 2);
  const times = all.map((e) => Date.parse(e.createdAt ?? ""));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
  const [newest] = (await infisical.getAuditLogs({ projectId: boot.projectId, limit: 1 })).entries ?? [];
  assert.deepEqual(newest, all[0]);

  const tokenId = parseServiceToken(boot.serviceToken).id;
  const byToken = (await infisical.getAuditLogs({ projectId: boot.projectId, actor: `service-${tokenId}` })).entries;
  assert.ok(byToken && byToken.length > 0);
  assert.ok(byToken.every((e) => e.actorType === "service" && e.actorId === tokenId));
  assert.ok(byToken.some((e) => e.eventType === "create-secret" && e.environment === "staging"));
  const byUser = (await infisical.getAuditLogs({ projectId: boot.projectId, actor: `user-${adminUserId}` })).entries;
  assert.ok(byUser && byUser.length > 0);
  assert.ok(byUser.every((e) => e.actorType === "user" && e.actorId === adminUserId));
});

test("getAuditLogs: the Output form resolves outputs in its arguments and is not a secret", async () => {
  const output = infisical.getAuditLogsOutput({ projectId: pulumi.output(boot.projectId), eventType: "create-secret" });
  assert.equal(await pulumi.isSecret(output), false);
  const { entries } = await resolvedValue(output);
  assert.ok(entries?.some((e) => e.actorId === adminUserId && e.environment === "dev"));
});

test("getAuditLogs: bad arguments fail before any request, naming the field", async () => {
  const cases: [Parameters<typeof infisical.getAuditLogs>[0], string][] = [
    [{ projectId: boot.projectId, limit: 0 }, "limit"],
    [{ projectId: boot.projectId, eventType: "Create Secret" }, "eventType"],
    [{ projectId: boot.projectId, actor: "someone" }, "actor"],
    [{ projectId: boot.projectId, startDate: "2026-02-01T00:00:00Z", endDate: "2026-01-01T00:00:00Z" }, "endDate"],
  ];
  for (const [args, field] of cases) {
    const error = await rejection(infisical.getAuditLogs(args));
    assert.ok(error instanceof ValidationError, `${field}: not a ValidationError`);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      [field],
    );
  }
});
