import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { secret } from "../../src/provider/resources/secret";
import { type Harness, startHarness } from "./harness";

const WRITE_ROUTES = /^\/api\/v3\/secrets(\/batch|\/:secretName)$/;

/** Run `jobs` with at most `parallelism` in flight, like Terraform's -parallelism=10. */
async function runLimited<T>(jobs: (() => Promise<T>)[], parallelism: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

describe("request coalescing", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("30 creates with 10 concurrent callers go out as batches; each caller gets its own secret", async () => {
    const session = h.userSession();
    await session.projectKey(h.boot.projectId);
    const ctx = h.ctx(session);
    const from = h.requests.length;
    const created = await runLimited(
      Array.from(
        { length: 30 },
        (_, i) => () =>
          secret.ops.create(
            ctx,
            secret.validated({
              projectId: h.boot.projectId,
              environment: "staging",
              key: `C_${i}`,
              value: `value-${i}`,
            }),
          ),
      ),
      10,
    );
    const writes = h.requests.slice(from).filter((r) => r.method !== "GET" && WRITE_ROUTES.test(r.route));
    assert.ok(writes.length <= 8, `expected at most 8 write requests, got ${writes.length}`);
    assert.ok(h.count("POST", "/api/v3/secrets/batch", from) >= 3);
    created.forEach((c, i) => {
      assert.equal(c.outputs.key, `C_${i}`);
      assert.equal(c.outputs.value, `value-${i}`);
    });

    // Refresh: 30 concurrent reads are served by one list call.
    const readFrom = h.requests.length;
    const reader = h.ctx(h.userSession());
    const read = await Promise.all(created.map((c) => secret.ops.read(reader, c.id, c.outputs)));
    assert.equal(h.count("GET", "/api/v3/secrets", readFrom), 1);
    read.forEach((r, i) => {
      assert.equal(r?.value, `value-${i}`);
    });

    // Updates and deletes coalesce too.
    const updateFrom = h.requests.length;
    await Promise.all(
      created
        .slice(0, 20)
        .map((c, i) =>
          secret.ops.update(
            ctx,
            c.id,
            c.outputs,
            secret.validated({ projectId: h.boot.projectId, environment: "staging", key: `C_${i}`, value: `new-${i}` }),
          ),
        ),
    );
    assert.equal(h.count("PATCH", "/api/v3/secrets/batch", updateFrom), 1);
    const deleteFrom = h.requests.length;
    await Promise.all(created.map((c) => secret.ops.delete(ctx, c.id, c.outputs)));
    assert.equal(h.count("DELETE", "/api/v3/secrets/batch", deleteFrom), 1);
    assert.deepEqual(
      await h.userSession().secrets.list({ projectId: h.boot.projectId, environment: "staging", path: "/" }),
      [],
    );
  });

  it("a batch refused for one taken name settles with one list: the taken one fails, the others go again together", async () => {
    const session = h.userSession();
    const location = { projectId: h.boot.projectId, environment: "prod", path: "/" };
    await session.secrets.create(location, { key: "TAKEN", value: "old", comment: "" });
    const from = h.requests.length;
    const results = await Promise.allSettled(
      ["FRESH_1", "TAKEN", "FRESH_2"].map((key) => session.secrets.create(location, { key, value: key, comment: "" })),
    );
    assert.equal(results[0]!.status, "fulfilled");
    assert.equal(results[2]!.status, "fulfilled");
    assert.equal(results[1]!.status, "rejected");
    assert.equal((results[1] as PromiseRejectedResult).reason.code, "ERR_API_CONFLICT");
    assert.equal(h.count("POST", "/api/v3/secrets/batch", from), 2, "the refused batch, then the two fresh ones");
    assert.equal(h.count("GET", "/api/v3/secrets", from), 1, "one list told the items apart");
    assert.equal(h.count("POST", "/api/v3/secrets/:secretName", from), 0, "no request per item");
    const values = await h.userSession().secrets.list(location);
    assert.equal(values.find((s) => s.key === "TAKEN")?.value, "old");
  });

  it("operations on the same secret name run one at a time, in arrival order", async () => {
    const session = h.userSession();
    const location = { projectId: h.boot.projectId, environment: "prod", path: "/" };
    await session.secrets.create(location, { key: "ORDERED", value: "0", comment: "" });
    const deleted = session.secrets.delete(location, "ORDERED");
    const recreated = session.secrets.create(location, { key: "ORDERED", value: "1", comment: "" });
    const updates = [2, 3, 4].map((n) =>
      session.secrets.update(location, { key: "ORDERED", value: String(n), comment: "" }),
    );
    assert.equal(await deleted, true);
    assert.equal((await recreated).value, "1");
    assert.deepEqual(
      (await Promise.all(updates)).map((s) => s.value),
      ["2", "3", "4"],
    );
    assert.equal((await h.userSession().secrets.get(location, "ORDERED"))?.value, "4");
  });

  it("INFISICAL_COALESCING=0 sends one request per write and lists on every read", async () => {
    const naive = h.userSession({ env: { INFISICAL_COALESCING: "0" } });
    const location = { projectId: h.boot.projectId, environment: "dev", path: "/" };
    const from = h.requests.length;
    await Promise.all(
      ["N_1", "N_2", "N_3", "N_4"].map((key) => naive.secrets.create(location, { key, value: key, comment: "" })),
    );
    assert.equal(h.count("POST", "/api/v3/secrets/:secretName", from), 4);
    assert.equal(h.count("POST", "/api/v3/secrets/batch", from), 0);
    const readFrom = h.requests.length;
    await naive.secrets.get(location, "N_1");
    await naive.secrets.get(location, "N_2");
    assert.equal(h.count("GET", "/api/v3/secrets", readFrom), 2);
  });

  it("reads after our own write see the write (snapshot invalidated)", async () => {
    const session = h.userSession();
    const location = { projectId: h.boot.projectId, environment: "prod", path: "/" };
    assert.equal(await session.secrets.get(location, "SNAP"), undefined);
    await session.secrets.create(location, { key: "SNAP", value: "1", comment: "" });
    assert.equal((await session.secrets.get(location, "SNAP"))?.value, "1");
    await session.secrets.update(location, { key: "SNAP", value: "2", comment: "" });
    assert.equal((await session.secrets.get(location, "SNAP"))?.value, "2");
  });
});
