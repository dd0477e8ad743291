/**
 * Request counts through Pulumi's own dynamic-provider host with many resource operations in
 * flight, as the engine runs them, counted by the embedded server itself.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { RequestLog } from "../support/request-log";
import { ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const SECRETS = 200;
/** Resource operations in flight at once (the engine runs independent resources in parallel). */
const IN_FLIGHT = 16;

const log = new RequestLog();
let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let registered: Registration[];

/** Runs `jobs` with `limit` in flight, each starting as soon as one finishes, as the engine schedules steps. */
async function inFlight<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let peak = 0;
  let running = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        running += 1;
        peak = Math.max(peak, running);
        results[i] = await jobs[i]!();
        running -= 1;
      }
    }),
  );
  assert.ok(peak >= 10, `at least 10 operations were in flight (peak ${peak})`);
  return results;
}

before(async () => {
  server = await startServer({ port: 0, log: log.line });
  const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-batching" });
  projectId = boot.projectId;
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  const byName = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return Array.from(
      { length: SECRETS },
      (_, i) =>
        new infisical.Secret(`s${i}`, { projectId, environment: "dev", key: `P_${i}`, value: `pulumi-value-${i}` }),
    );
  });
  registered = [...byName.values()];
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

test(`pulumi host: ${SECRETS} secrets with ${IN_FLIGHT} operations in flight take ≤ 25 writes to create and to delete`, async (t) => {
  assert.equal(registered.length, SECRETS);
  let mark = log.mark();
  const created = await inFlight(
    registered.map((reg) => async () => {
      const urn = urnOf("Secret", reg.name);
      const checked = await host.check(urn, {}, reg.inputs);
      assert.deepEqual(checked.failures, []);
      return { urn, ...(await host.create(urn, checked.inputs)) };
    }),
    IN_FLIGHT,
  );
  const createWrites = log.writes(mark);
  t.diagnostic(`create: ${createWrites} writes`);
  assert.ok(createWrites <= 25, `create sent ${createWrites} secret writes: ${log.summary(mark)}`);
  const onServer = await admin.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true });
  assert.deepEqual(
    onServer.map((s) => [s.key, s.value]).sort(),
    Array.from({ length: SECRETS }, (_, i) => [`P_${i}`, `pulumi-value-${i}`]).sort(),
  );

  mark = log.mark();
  await inFlight(
    created.map((c) => () => host.delete(c.urn, c.id, c.properties)),
    IN_FLIGHT,
  );
  const deleteWrites = log.writes(mark);
  t.diagnostic(`delete: ${deleteWrites} writes, ${log.lists(mark)} lists`);
  assert.ok(deleteWrites <= 25, `delete sent ${deleteWrites} secret writes: ${log.summary(mark)}`);
  assert.deepEqual(await admin.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true }), []);
});
