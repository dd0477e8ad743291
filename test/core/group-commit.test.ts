import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GroupCommit, type GroupCommitOptions, NO_GROUP_COMMIT } from "../../src/provider/session/group-commit";

/** The end of the current event-loop turn, when the group commit sends. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Item {
  name: string;
  id: number;
}

/**
 * A sender whose batches stay in flight until the test returns them. lingerMs 0 by default: the
 * callers a returned batch released are not waited for unless a test asks for it.
 */
function recorder(options: Partial<GroupCommitOptions> = {}) {
  const sent: { key: string; batch: Item[]; finish: () => void; fail: (e: unknown) => void }[] = [];
  let clock = 0;
  const commit = new GroupCommit<Item>(
    (key, batch) =>
      new Promise<void>((resolve, reject) => {
        sent.push({ key, batch, finish: resolve, fail: reject });
      }),
    (item) => [item.name],
    { maxInFlight: 2, maxBatch: 100, gatherMs: 30, maxGatherMs: 30, lingerMs: 0, ...options },
    () => clock,
  );
  let next = 0;
  const item = (name = `N${next}`): Item => ({ name, id: next++ });
  const ids = (i: number) => sent[i]!.batch.map((x) => x.id);
  const settle = async (i: number) => {
    sent[i]!.finish();
    // One turn for the settled batch to free its key, one for the pump that follows.
    await turn();
    await turn();
  };
  return {
    commit,
    sent,
    item,
    ids,
    settle,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("group commit", () => {
  it("a lone item at an idle key goes out at once", async () => {
    const r = recorder();
    r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 1, "sent in the same turn, with no window");
    assert.deepEqual(r.ids(0), [0]);
  });

  it("items arriving while a batch flies wait and go out together when it returns", async () => {
    const r = recorder();
    r.commit.submit("a", r.item());
    await turn();
    for (let i = 0; i < 9; i++) r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 1, "nothing else goes out while the first batch flies");
    await r.settle(0);
    assert.equal(r.sent.length, 2);
    assert.deepEqual(r.ids(1), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("callers of one event-loop turn share one batch", async () => {
    const r = recorder();
    for (let i = 0; i < 5; i++) r.commit.submit("a", r.item());
    assert.equal(r.sent.length, 0, "sent at the end of the turn");
    await turn();
    assert.deepEqual(r.ids(0), [0, 1, 2, 3, 4]);
  });

  it("keys are independent: another location's item goes out at once", async () => {
    const r = recorder();
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("b", r.item());
    await turn();
    assert.deepEqual(
      r.sent.map((s) => s.key),
      ["a", "b"],
    );
  });

  it("batches hold at most maxBatch items; a second flies beside the first only when full", async () => {
    const r = recorder({ maxBatch: 4, maxInFlight: 2 });
    r.commit.submit("a", r.item());
    await turn();
    for (let i = 0; i < 3; i++) r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 1, "three waiting are not a full batch");
    r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 2, "four waiting are a full batch and take the second slot");
    assert.deepEqual(r.ids(1), [1, 2, 3, 4]);
    for (let i = 0; i < 6; i++) r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 2, "no third batch in flight");
    await r.settle(0);
    assert.deepEqual(r.ids(2), [5, 6, 7, 8]);
    assert.equal(r.sent.length, 3);
    await r.settle(1);
    assert.equal(r.sent.length, 3, "two waiting are not a full batch: they wait for the one in flight");
    await r.settle(2);
    assert.deepEqual(r.ids(3), [9, 10]);
  });

  it("operations on one name never share a batch or overtake each other", async () => {
    const r = recorder();
    r.commit.submit("a", r.item("X"));
    await turn();
    r.commit.submit("a", r.item("X"));
    await turn();
    r.commit.submit("a", r.item("Y"));
    await turn();
    r.commit.submit("a", r.item("X"));
    await turn();
    await r.settle(0);
    assert.deepEqual(r.ids(1), [1, 2], "the second X and Y; the third X waits for the second");
    await r.settle(1);
    assert.deepEqual(r.ids(2), [3]);
  });

  it("after a batch returns, the next waits for the callers it released, merging them with those waiting", async () => {
    const r = recorder({ gatherMs: 10_000, maxGatherMs: 10_000, lingerMs: 1_000 });
    r.commit.submit("a", r.item());
    await turn();
    await r.settle(0);
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(1), [1], "the one released caller came back: nothing more to wait for");
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    await r.settle(1);
    assert.equal(r.sent.length, 2, "two waited through the flight; the caller it released is still to come");
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(2), [2, 3, 4], "one cohort, not two alternating half batches");
    await r.settle(2);
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 3, "three callers were released; two are back");
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(3), [5, 6, 7], "all three back: sent without waiting for the timer");
  });

  it("a batch that started small waits for as many callers as the largest batch held", async () => {
    const r = recorder({ gatherMs: 20, maxGatherMs: 20, lingerMs: 10_000 });
    for (let i = 0; i < 3; i++) r.commit.submit("a", r.item());
    await turn();
    await r.settle(0);
    r.commit.submit("a", r.item());
    await sleep(60);
    assert.deepEqual(r.ids(1), [3], "the other two never came back: the timer sent it alone");
    await r.settle(1);
    r.commit.submit("a", r.item());
    await turn();
    assert.equal(r.sent.length, 2, "one caller was released, but three have been about: it waits");
    r.commit.submit("a", r.item());
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(2), [4, 5, 6], "back to a batch of three without waiting for the timer");
  });

  it("the gather wait grows with how spread out the last cohort's arrivals were", async () => {
    const r = recorder({ gatherMs: 10, maxGatherMs: 10_000, lingerMs: 10_000 });
    r.commit.submit("a", r.item());
    r.commit.submit("a", r.item());
    await turn();
    await r.settle(0);
    r.commit.submit("a", r.item());
    await turn();
    r.advance(100);
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(1), [2, 3], "the cohort came back 100 ms from first to last");
    await r.settle(1);
    r.commit.submit("a", r.item());
    await sleep(100);
    assert.equal(r.sent.length, 2, "waited for twice that spread, not gatherMs");
    await sleep(200);
    assert.deepEqual(r.ids(2), [4]);
  });

  it("the gather wait is bounded by gatherMs", async () => {
    const r = recorder({ gatherMs: 20, maxGatherMs: 20, lingerMs: 1_000 });
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    await r.settle(0);
    assert.equal(r.sent.length, 1);
    await sleep(60);
    assert.equal(r.sent.length, 2, "the caller that never came back is not waited for past gatherMs");
    assert.deepEqual(r.ids(1), [1]);
  });

  it("the gather wait grows with the returned batch's flight time, up to maxGatherMs", async () => {
    const r = recorder({ gatherMs: 10, maxGatherMs: 10_000, lingerMs: 10_000 });
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    r.advance(200);
    await r.settle(0);
    await sleep(40);
    assert.equal(r.sent.length, 1, "the batch flew 200 ms: its caller is waited for ~100 ms, not 10");
    await sleep(150);
    assert.equal(r.sent.length, 2);
  });

  it("once the released callers are past lingerMs, a lone item goes out at once again", async () => {
    const r = recorder({ gatherMs: 10_000, maxGatherMs: 10_000, lingerMs: 500 });
    r.commit.submit("a", r.item());
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    await r.settle(0);
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(1), [1, 2]);
    await r.settle(1);
    r.advance(501);
    r.commit.submit("a", r.item());
    await turn();
    assert.deepEqual(r.ids(2), [3], "two callers were released, but too long ago to wait for");
  });

  it("resubmitted items go first and ride the next batch", async () => {
    const r = recorder();
    const first = r.item();
    r.commit.submit("a", first);
    await turn();
    r.commit.submit("a", r.item());
    await turn();
    r.commit.resubmit("a", [first]);
    await turn();
    assert.equal(r.sent.length, 1, "its own claim is still in flight");
    await r.settle(0);
    assert.deepEqual(r.ids(1), [0, 1]);
  });

  it("a failed or throwing sender frees the key", async () => {
    let calls = 0;
    const commit = new GroupCommit<Item>(
      () => {
        calls += 1;
        if (calls === 1) throw new TypeError("boom");
        return Promise.reject(new TypeError("boom"));
      },
      (item) => [item.name],
      { lingerMs: 0 },
    );
    commit.submit("a", { name: "X", id: 0 });
    await turn();
    await turn();
    commit.submit("a", { name: "X", id: 1 });
    await turn();
    await turn();
    commit.submit("a", { name: "X", id: 2 });
    await turn();
    assert.equal(calls, 3);
  });

  it("without grouping every item goes out alone and at once", async () => {
    const r = recorder(NO_GROUP_COMMIT);
    for (let i = 0; i < 5; i++) r.commit.submit("a", r.item(`K${i}`));
    await turn();
    assert.equal(r.sent.length, 5, "all five at once, side by side");
    assert.deepEqual(
      r.sent.map((s) => s.batch.length),
      [1, 1, 1, 1, 1],
    );
  });
});
