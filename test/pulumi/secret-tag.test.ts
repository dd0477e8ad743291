/**
 * SecretTag and a Secret's `tagIds` through Pulumi's own dynamic-provider host over gRPC, with
 * the secret operations in flight at once as the engine runs them, counted by the embedded server.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { RequestLog } from "../support/request-log";
import { DIFF, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const SECRETS = 6;

const log = new RequestLog();
let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let registered: Map<string, Registration>;

before(async () => {
  server = await startServer({ port: 0, log: log.line });
  const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-tags" });
  projectId = boot.projectId;
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    const tag = new infisical.SecretTag("db", { projectId, name: "Database", slug: "db" });
    const secrets = Array.from(
      { length: SECRETS },
      (_, i) =>
        new infisical.Secret(`s${i}`, {
          projectId,
          environment: "dev",
          key: `T_${i}`,
          value: `v${i}`,
          tagIds: [tag.id],
        }),
    );
    return [tag, ...secrets];
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

test("pulumi host: a SecretTag and concurrently created Secrets with tagIds; no diff after; retag; delete", async (t) => {
  const tagReg = registered.get("db")!;
  const tagUrn = urnOf("SecretTag", "db");
  const tagChecked = await host.check(tagUrn, {}, tagReg.inputs);
  assert.deepEqual(tagChecked.failures, []);
  const tag = await host.create(tagUrn, tagChecked.inputs);
  assert.match(tag.id, /^[0-9a-f-]{36}$/);
  assert.equal(tag.properties.slug, "db");
  assert.equal(tag.properties.color ?? null, null, "no colour set, none stored");
  assert.equal((await host.diff(tagUrn, tag.id, tag.properties, tagChecked.inputs)).changes, DIFF.NONE);
  const tagRead = await host.read(tagUrn, tag.id, tag.properties, tagChecked.inputs);
  assert.equal((await host.diff(tagUrn, tag.id, tagRead.properties, tagChecked.inputs)).changes, DIFF.NONE);

  // The engine resolves `tag.id` before the secrets' steps; the mock monitor gave it a placeholder.
  const mark = log.mark();
  const created = await Promise.all(
    Array.from({ length: SECRETS }, async (_, i) => {
      const urn = urnOf("Secret", `s${i}`);
      const inputs = { ...registered.get(`s${i}`)!.inputs, tagIds: [tag.id] };
      const checked = await host.check(urn, {}, inputs);
      assert.deepEqual(checked.failures, []);
      return { urn, checked: checked.inputs, ...(await host.create(urn, checked.inputs)) };
    }),
  );
  const writes = log.since(mark).filter((r) => r.route.startsWith("/api/v3/secrets") && r.method !== "GET");
  const tagUpdates = writes.filter((r) => r.method === "PATCH").length;
  t.diagnostic(
    `${SECRETS} tagged secrets in flight at once: ${writes.length - tagUpdates} create request(s) + ${tagUpdates} tag update request(s); ${log.summary(mark)}`,
  );
  assert.ok(tagUpdates >= 1 && tagUpdates < SECRETS, `tag updates shared a batch: ${log.summary(mark)}`);
  const onServer = await admin.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true });
  assert.deepEqual(
    onServer.map((s) => s.tagIds),
    Array.from({ length: SECRETS }, () => [tag.id]),
  );

  for (const c of created) {
    assert.deepEqual(c.properties.tagIds, [tag.id]);
    const read = await host.read(c.urn, c.id, c.properties, c.checked);
    assert.deepEqual(read.properties.tagIds, [tag.id]);
    assert.equal((await host.diff(c.urn, c.id, read.properties, c.checked)).changes, DIFF.NONE);
  }

  const first = created[0]!;
  const untag = (await host.check(first.urn, first.checked, { ...first.checked, tagIds: [] })).inputs;
  assert.equal((await host.diff(first.urn, first.id, first.properties, untag)).changes, DIFF.SOME);
  const updated = await host.update(first.urn, first.id, first.properties, untag);
  assert.deepEqual(updated.properties.tagIds, []);
  const firstOnServer = await admin.secrets.get({ projectId, environment: "dev", path: "/" }, "T_0");
  assert.equal(firstOnServer?.key, "T_0");
  assert.deepEqual(
    (await admin.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true })).find(
      (s) => s.key === "T_0",
    )?.tagIds,
    [],
  );

  await Promise.all(created.map((c) => host.delete(c.urn, c.id, c.properties)));
  await host.delete(tagUrn, tag.id, tag.properties);
  assert.deepEqual((await admin.api.tags.list(projectId)).workspaceTags, []);
  assert.deepEqual(await admin.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true }), []);
});

test("pulumi host: tagged Secrets moved to a new path at once keep their tags and values, in shared batches; no diff after", async (t) => {
  const tagUrn = urnOf("SecretTag", "db");
  const tagChecked = await host.check(tagUrn, {}, registered.get("db")!.inputs);
  const tag = await host.create(tagUrn, tagChecked.inputs);
  const created = await Promise.all(
    Array.from({ length: SECRETS }, async (_, i) => {
      const urn = urnOf("Secret", `s${i}`);
      const checked = (await host.check(urn, {}, { ...registered.get(`s${i}`)!.inputs, tagIds: [tag.id] })).inputs;
      return { urn, checked, ...(await host.create(urn, checked)) };
    }),
  );
  const mark = log.mark();
  const moved = await Promise.all(
    created.map(async (c) => {
      const news = (await host.check(c.urn, c.checked, { ...c.checked, path: "/moved", createMissingFolders: true }))
        .inputs;
      const diff = await host.diff(c.urn, c.id, c.properties, news);
      assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []], "a move is an in-place update");
      return { ...c, news, ...(await host.update(c.urn, c.id, c.properties, news)) };
    }),
  );
  const writes = log.since(mark).filter((r) => r.route.startsWith("/api/v3/secrets") && r.method !== "GET");
  t.diagnostic(`${SECRETS} tagged secrets moved at once: ${log.summary(mark)}`);
  for (const method of ["POST", "PATCH", "DELETE"]) {
    const count = writes.filter((r) => r.method === method).length;
    assert.ok(count >= 1 && count < SECRETS, `${method}s shared batches: ${log.summary(mark)}`);
  }
  const at = (path: string) => admin.secrets.list({ projectId, environment: "dev", path }, { fresh: true });
  assert.deepEqual(
    (await at("/moved"))
      .map((s) => [s.key, s.value, s.tagIds])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    Array.from({ length: SECRETS }, (_, i) => [`T_${i}`, `v${i}`, [tag.id]]),
  );
  assert.deepEqual(await at("/"), [], "nothing left at the old path");
  for (const m of moved) {
    const read = await host.read(m.urn, m.id, m.properties, m.news);
    assert.equal((await host.diff(m.urn, m.id, read.properties, m.news)).changes, DIFF.NONE);
  }
  await Promise.all(moved.map((m) => host.delete(m.urn, m.id, m.properties)));
  await host.delete(tagUrn, tag.id, tag.properties);
  assert.deepEqual(await at("/moved"), []);
});
