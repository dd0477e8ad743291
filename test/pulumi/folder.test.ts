/**
 * The Folder class inside Pulumi's real dynamic-provider host over gRPC, as the engine drives it,
 * against the embedded server: create (with a secret placed in it), rename in place (the secret
 * moves along), the non-empty delete refused until forceDelete, delete.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { DIFF, type HostError, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "canary-admin-password-f01d" };

let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let registered: Map<string, Registration>;

before(async () => {
  server = await startServer({ port: 0 });
  const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-folders" });
  projectId = boot.projectId;
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return [new infisical.Folder("db", { projectId, environment: "dev", path: "/", name: "db" })];
  });
  host = await ProviderHost.start();
  await host.configure({
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  });
});

after(async () => {
  await host?.close();
  await admin?.close();
  await server?.close();
});

test("Folder: create, no-op diff, rename in place carrying a secret, non-empty delete refused, forced delete", async () => {
  const reg = registered.get("db")!;
  assert.equal(reg.type.split(":").pop(), "Folder");
  const urn = urnOf("Folder", "db");
  const checked = await host.check(urn, {}, reg.inputs);
  assert.deepEqual(checked.failures, []);
  const created = await host.create(urn, checked.inputs);
  assert.equal(created.properties.fullPath, "/db");
  assert.equal((await host.diff(urn, created.id, created.properties, checked.inputs)).changes, DIFF.NONE);

  const where = { projectId, environment: "dev" };
  const stored = await admin.secrets.create(
    { ...where, path: "/db" },
    { key: "K", value: "folder-value", comment: "" },
  );

  const badName = await host.check(urn, checked.inputs, { ...checked.inputs, name: "bad name" });
  assert.deepEqual(
    badName.failures.map((f) => f.property),
    ["name"],
  );

  const renamedInputs = (await host.check(urn, checked.inputs, { ...checked.inputs, name: "database" })).inputs;
  const diff = await host.diff(urn, created.id, created.properties, renamedInputs);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const renamed = await host.update(urn, created.id, created.properties, renamedInputs);
  assert.equal(renamed.properties.fullPath, "/database");
  const moved = await admin.secrets.list({ ...where, path: "/database" }, { fresh: true });
  assert.deepEqual(
    moved.map((s) => [s.secretId, s.value]),
    [[stored.secretId, "folder-value"]],
  );
  const refreshed = await host.read(urn, created.id, renamed.properties, renamedInputs);
  assert.equal(refreshed.id, created.id);
  assert.equal(refreshed.properties.name, "database");

  const refused = await host.delete(urn, created.id, renamed.properties).then(
    () => undefined,
    (error: HostError) => error,
  );
  assert.ok(refused, "a non-empty folder must not be deleted");
  assert.match(String(refused.message), /Folder \/database holds 1 secret/);
  assert.doesNotMatch(String(refused.message), /folder-value/);
  assert.equal((await admin.secrets.list({ ...where, path: "/database" }, { fresh: true })).length, 1);

  const forcedInputs = (await host.check(urn, renamedInputs, { ...renamedInputs, forceDelete: true })).inputs;
  const forced = await host.update(urn, created.id, renamed.properties, forcedInputs);
  assert.equal(forced.properties.forceDelete, true);
  await host.delete(urn, created.id, forced.properties);
  assert.equal((await host.read(urn, created.id, forced.properties, forcedInputs)).id, "");
});
