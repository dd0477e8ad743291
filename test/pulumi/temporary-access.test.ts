/**
 * Temporary access through Pulumi's own dynamic-provider host over gRPC: a ProjectMembership
 * registered by the real class with a 2 s window over `viewer`. Create records the window, the
 * diff is empty while it runs; once over, refresh succeeds and the diff is an in-place change,
 * and the update grants a new window. A bad range fails check naming the property.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { DIFF, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "pulumi temporary admin 1" };
const MEMBER = { email: "oncall@example.com", password: "pulumi temporary member 2" };
const URN = urnOf("ProjectMembership", "oncall");

let server: RunningServer;
let host: ProviderHost;
let registration: Registration;

before(async () => {
  server = await startServer({ port: 0, log: () => {} });
  const { projectId } = await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-temporary" });
  await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
  const registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return [
      new infisical.ProjectMembership("oncall", {
        projectId,
        email: MEMBER.email,
        role: "member",
        isTemporary: true,
        temporaryRange: "2s",
        baseRole: "viewer",
      }),
    ];
  });
  registration = registered.get("oncall")!;
  host = await ProviderHost.start();
  await host.configure({
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  });
});

after(async () => {
  await host?.close();
  await server?.close();
});

test("pulumi host: a bad range fails check naming temporaryRange", async () => {
  const checked = await host.check(URN, {}, { ...registration.inputs, temporaryRange: "soon" });
  assert.deepEqual(
    checked.failures.map((f) => f.property),
    ["temporaryRange"],
  );
});

test("pulumi host: create, no diff inside the window, a change (not an error) once over, update renews", async () => {
  const checked = await host.check(URN, {}, registration.inputs);
  assert.deepEqual(checked.failures, []);
  const created = await host.create(URN, checked.inputs);
  const end = Date.parse(String(created.properties.temporaryAccessEndTime));
  assert.equal(created.properties.isTemporary, true);
  assert.equal(created.properties.baseRole, "viewer");
  assert.equal(end - Date.parse(String(created.properties.temporaryAccessStartTime)), 2000);
  const inside = await host.diff(URN, created.id, created.properties, checked.inputs);
  if (Date.now() < end) assert.equal(inside.changes, DIFF.NONE);

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 50));
  const refreshed = await host.read(URN, created.id, created.properties, checked.inputs);
  assert.equal(refreshed.id, created.id, "refresh after expiry finds the membership");
  const over = await host.diff(URN, created.id, refreshed.properties, checked.inputs);
  assert.equal(over.changes, DIFF.SOME);
  assert.deepEqual(over.replaces, []);
  const updated = await host.update(URN, created.id, refreshed.properties, checked.inputs);
  assert.ok(Date.parse(String(updated.properties.temporaryAccessEndTime)) > end, "a new window");
  await host.delete(URN, created.id, updated.properties);
});

test("pulumi host: a permanent membership's state as 0.1.0 wrote it (no temporary fields) diffs empty, before and after refresh", async () => {
  const { isTemporary: _t, temporaryRange: _r, baseRole: _b, ...permanent } = registration.inputs;
  const checked = await host.check(URN, {}, permanent);
  assert.deepEqual(checked.failures, []);
  const created = await host.create(URN, checked.inputs);
  const newFields = ["isTemporary", "temporaryRange", "temporaryAccessStartTime", "temporaryAccessEndTime", "baseRole"];
  const old = Object.fromEntries(Object.entries(created.properties).filter(([k]) => !newFields.includes(k)));
  assert.ok("membershipId" in old && "role" in old, "the 0.1.0 shape keeps what 0.1.0 wrote");
  assert.equal((await host.diff(URN, created.id, old, checked.inputs)).changes, DIFF.NONE);
  const refreshed = await host.read(URN, created.id, old, checked.inputs);
  assert.equal((await host.diff(URN, created.id, refreshed.properties, checked.inputs)).changes, DIFF.NONE);
  const explicit = (await host.check(URN, {}, { ...permanent, isTemporary: false })).inputs;
  assert.equal((await host.diff(URN, created.id, old, explicit)).changes, DIFF.NONE);
  await host.delete(URN, created.id, refreshed.properties);
});
