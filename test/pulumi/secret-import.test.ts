/**
 * SecretImport through Pulumi's own dynamic-provider host over gRPC (the inputs the class
 * registers, captured with setMocks, as the engine would send them), against the embedded server,
 * and getSecretsOutput with includeImports in the program's process: the effective values, a secret.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { DIFF, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "canary-import-admin-password-5e1a" };
const IMPORTED = "canary-imported-value-0c3f";

let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let registered: Map<string, Registration>;
let infisical: typeof Face;

const scope = () => ({ workspaceId: projectId, environment: "dev", path: "/" });

before(async () => {
  server = await startServer({ port: 0 });
  projectId = (await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-imports" })).projectId;
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  await admin.secrets.ensureFolders({ projectId, environment: "prod", path: "/shared" });
  await admin.secrets.create(
    { projectId, environment: "prod", path: "/shared" },
    { key: "IMPORTED", value: IMPORTED, comment: "" },
  );
  infisical = require("../../src/pulumi/index");
  registered = await captureRegistrations(async () => [
    new infisical.SecretImport("dev-from-prod", {
      projectId,
      environment: "dev",
      importEnvironment: "prod",
      importPath: "/shared",
    }),
  ]);
  host = await ProviderHost.start();
  await host.configure({
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  });
  pulumi.runtime.setConfig("infisical-e2ee:host", server.url);
  pulumi.runtime.setConfig("infisical-e2ee:email", ADMIN.email);
  pulumi.runtime.setConfig("infisical-e2ee:password", ADMIN.password);
});

after(async () => {
  await infisical?.closeLookupSession();
  await host?.close();
  await admin?.close();
  await server?.close();
});

test("SecretImport: up, no-op preview, position moved outside (unset: no diff), in-place source change, replace on destination, delete", async () => {
  const reg = registered.get("dev-from-prod")!;
  const urn = urnOf(reg.type.split(":").pop()!, "dev-from-prod");
  const checked = await host.check(urn, {}, reg.inputs);
  assert.deepEqual(checked.failures, []);
  const created = await host.create(urn, checked.inputs);
  assert.equal(created.properties.position, 1);
  assert.equal(created.properties.secretImportId, created.id);
  const [listed] = (await admin.api.secretImports.list(scope())).secretImports;
  assert.equal(listed?.id, created.id);

  const again = await host.check(urn, checked.inputs, reg.inputs);
  assert.equal((await host.diff(urn, created.id, created.properties, again.inputs)).changes, DIFF.NONE);

  // Another import placed before it outside: refresh follows, and an unset position does not diff.
  const outside = await admin.api.secretImports.create(scope(), { environment: "staging", path: "/" });
  await admin.api.secretImports.update(scope(), outside.secretImport.id, { position: 1 });
  const refreshed = await host.read(urn, created.id, created.properties, checked.inputs);
  assert.equal(refreshed.properties.position, 2);
  assert.equal((await host.diff(urn, created.id, refreshed.properties, again.inputs)).changes, DIFF.NONE);

  // Setting position and a new source: one in-place update.
  const news = await host.check(urn, checked.inputs, { ...reg.inputs, position: 1, importPath: "/" });
  const diff = await host.diff(urn, created.id, refreshed.properties, news.inputs);
  assert.equal(diff.changes, DIFF.SOME);
  assert.deepEqual(diff.replaces, []);
  const updated = await host.update(urn, created.id, refreshed.properties, news.inputs);
  assert.equal(updated.properties.position, 1);
  assert.equal(updated.properties.importPath, "/");

  const moved = await host.check(urn, news.inputs, { ...reg.inputs, environment: "staging" });
  assert.deepEqual((await host.diff(urn, created.id, updated.properties, moved.inputs)).replaces, ["environment"]);

  await host.delete(urn, created.id, updated.properties);
  assert.deepEqual(
    (await admin.api.secretImports.list(scope())).secretImports.map((i) => i.id),
    [outside.secretImport.id],
  );
  await admin.api.secretImports.delete(scope(), outside.secretImport.id);
});

test("getSecretsOutput with includeImports: the imported value, decrypted in the program, as a secret", async () => {
  const made = await admin.api.secretImports.create(scope(), { environment: "prod", path: "/shared" });
  try {
    const output = infisical.getSecretsOutput({ projectId, environment: "dev", includeImports: true });
    assert.equal(await pulumi.isSecret(output), true);
    const values = await new Promise<Record<string, string> | undefined>((resolve) =>
      output.apply((r) => resolve(r.values)),
    );
    assert.deepEqual(values, { IMPORTED });
    const without = await infisical.getSecrets({ projectId, environment: "dev" });
    assert.deepEqual(without.values, {});
  } finally {
    await admin.api.secretImports.delete(scope(), made.secretImport.id);
  }
});
