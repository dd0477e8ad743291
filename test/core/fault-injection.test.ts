import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { secret } from "../../src/provider/resources/secret";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

describe("retries and ambiguous creates through a faulty network", () => {
  let h: Harness;
  let proxy: FaultProxy;
  let session: Session;
  before(async () => {
    h = await startHarness();
    proxy = await startFaultProxy(h.server.url);
    session = openSession(
      { host: proxy.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      { env: {}, retry: { baseDelayMs: 20, maxDelayMs: 200 } },
    );
    await session.projectKey(h.boot.projectId);
  });
  after(async () => {
    await session.close();
    await proxy.close();
    await h.close();
  });

  const location = () => ({ projectId: h.boot.projectId, environment: "dev", path: "/" });
  const inputs = (key: string, value: string) =>
    secret.validated({ projectId: h.boot.projectId, environment: "dev", key, value });

  it("429 with retry-after, 503 and dropped connections: final state correct, nothing created twice, nothing lost", async () => {
    const ctx = { session, log: { debug() {}, info() {}, warn() {} } };
    // A batch create rate-limited once, a single create whose answer is lost after the server stored it,
    // a list answered 503 twice, a batch update dropped before it reached the server, a delete dropped once.
    proxy.addRule({ method: "POST", path: /^\/api\/v3\/secrets\/batch$/, fault: "429", times: 1 });
    proxy.addRule({ method: "POST", path: /^\/api\/v3\/secrets\/LONE$/, fault: "drop-after", times: 1 });
    proxy.addRule({ method: "GET", path: /^\/api\/v3\/secrets$/, fault: "503", times: 2 });
    proxy.addRule({ method: "PATCH", path: /^\/api\/v3\/secrets\/batch$/, fault: "drop-before", times: 1 });
    proxy.addRule({ method: "DELETE", path: /^\/api\/v3\/secrets\/batch$/, fault: "drop-before", times: 1 });

    const from = h.requests.length;
    const batch = await Promise.all(["F1", "F2", "F3", "F4"].map((k) => secret.ops.create(ctx, inputs(k, `v-${k}`))));
    const lone = await secret.ops.create(ctx, inputs("LONE", "v-LONE"));
    assert.equal(lone.outputs.value, "v-LONE");
    assert.equal(
      h.count("POST", "/api/v3/secrets/:secretName", from),
      1,
      "the lost-answer create was adopted, not repeated",
    );
    assert.equal(h.count("POST", "/api/v3/secrets/batch", from), 1, "the rate-limited batch reached the server once");

    const read = await Promise.all(batch.map((b) => secret.ops.read(ctx, b.id, b.outputs)));
    read.forEach((r, i) => {
      assert.equal(r?.value, `v-F${i + 1}`);
    });

    const updated = await Promise.all(
      batch.map((b, i) => secret.ops.update(ctx, b.id, b.outputs, inputs(`F${i + 1}`, `w-${i + 1}`))),
    );
    updated.forEach((u, i) => {
      assert.equal(u.value, `w-${i + 1}`);
    });
    await Promise.all(batch.slice(0, 2).map((b) => secret.ops.delete(ctx, b.id, b.outputs)));

    const faults = proxy.injected.map((f) => f.fault).sort();
    assert.deepEqual(faults, ["429", "503", "503", "drop-after", "drop-before", "drop-before"]);
    const final = await h.userSession().secrets.list(location(), { fresh: true });
    assert.deepEqual(
      final
        .filter((s) => /^(F\d|LONE)$/.test(s.key))
        .map((s) => [s.key, s.value])
        .sort(),
      [
        ["F3", "w-3"],
        ["F4", "w-4"],
        ["LONE", "v-LONE"],
      ],
    );
  });

  it("a create whose answer is lost and whose name now holds someone else's content is a conflict", async () => {
    const ctx = { session, log: { debug() {}, info() {}, warn() {} } };
    // Someone else's secret under the name we are about to create; our create is answered 400 "already exist".
    await h.userSession().secrets.create(location(), { key: "CONTESTED", value: "theirs", comment: "" });
    proxy.addRule({ method: "POST", path: /^\/api\/v3\/secrets\/CONTESTED$/, fault: "drop-after", times: 1 });
    await assert.rejects(secret.ops.create(ctx, inputs("CONTESTED", "ours")), { code: "ERR_API_CONFLICT" });
    assert.equal(
      (await h.userSession().secrets.list(location(), { fresh: true })).find((s) => s.key === "CONTESTED")?.value,
      "theirs",
    );
  });
});
