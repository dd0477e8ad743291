/** The login brakes and the per-attempt SRP state, driven with an explicit clock. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSrpVerifier, SrpClient } from "../../src/provider/crypto";
import { ACCOUNT_BACKOFF, addressKey, FailureCounter, LoginThrottle } from "../../src/server/auth/login-throttle";
import { PENDING_LOGIN_LIMITS, PendingLogins } from "../../src/server/auth/pending-logins";
import { SrpPool } from "../../src/server/auth/srp-pool";
import { HttpError } from "../../src/server/http/errors";

const PROOF = (n: number) => n.toString(16).padStart(64, "0");

function retryAfter(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 429);
    return Number(error.headers["retry-after"]);
  }
  return 0;
}

describe("login brakes: failure counters with exponential locks", () => {
  it("five free failures, then 1 s, 2 s, 4 s ... up to the cap", () => {
    const counter = new FailureCounter(ACCOUNT_BACKOFF);
    let now = 1_000_000;
    for (let i = 0; i < 5; i++) counter.fail("a", now);
    assert.equal(counter.lockedFor("a", now), 0);
    const locks: number[] = [];
    for (let i = 0; i < 14; i++) {
      counter.fail("a", now);
      locks.push(counter.lockedFor("a", now));
      now += counter.lockedFor("a", now);
      assert.equal(counter.lockedFor("a", now), 0);
    }
    assert.deepEqual(locks.slice(0, 5), [1_000, 2_000, 4_000, 8_000, 16_000]);
    assert.equal(Math.max(...locks), ACCOUNT_BACKOFF.maxLockMs);
    assert.equal(locks.at(-1), ACCOUNT_BACKOFF.maxLockMs);
  });

  it("an hour without failures forgets the count; a success resets the account but not the address", () => {
    const throttle = new LoginThrottle();
    const now = 5_000_000;
    for (let i = 0; i < 6; i++) throttle.failed("a@x", "10.0.0.1", now);
    assert.ok(retryAfter(() => throttle.assertAllowed("a@x", "10.0.0.1", now)) >= 1);
    // Another account from another address is not affected.
    assert.equal(
      retryAfter(() => throttle.assertAllowed("b@x", "10.0.0.2", now)),
      0,
    );
    throttle.succeeded("a@x");
    assert.equal(throttle.accounts.failures("a@x", now), 0);
    assert.equal(throttle.addresses.failures("10.0.0.1", now), 6);
    assert.equal(throttle.addresses.failures("10.0.0.1", now + ACCOUNT_BACKOFF.forgetAfterMs + 1), 0);
  });

  it("an address is locked after 20 failures over any accounts, including unknown emails", () => {
    const throttle = new LoginThrottle();
    const now = 9_000_000;
    for (let i = 0; i < 20; i++) throttle.failed(i % 2 ? `user${i}@x` : undefined, "10.0.0.9", now);
    assert.equal(
      retryAfter(() => throttle.assertAllowed("fresh@x", "10.0.0.9", now)),
      0,
    );
    throttle.failed(undefined, "10.0.0.9", now);
    assert.equal(
      retryAfter(() => throttle.assertAllowed("fresh@x", "10.0.0.9", now)),
      1,
    );
    assert.equal(
      retryAfter(() => throttle.assertAllowed("fresh@x", "10.0.0.10", now)),
      0,
    );
  });

  it("address keys: IPv4 as is (also IPv4-mapped), IPv6 by /64", () => {
    assert.equal(addressKey("127.0.0.1"), "127.0.0.1");
    assert.equal(addressKey("::ffff:10.1.2.3"), "10.1.2.3");
    assert.equal(addressKey("2001:db8:0:1::5"), "2001:db8:0:1::/64");
    assert.equal(addressKey("2001:db8:0:1:ffff:ffff:ffff:ffff"), "2001:db8:0:1::/64");
    assert.equal(addressKey("2001:0db8:0000:0002::1"), "2001:db8:0:2::/64");
    assert.equal(addressKey("::1"), "0:0:0:0::/64");
  });
});

describe("SRP attempts: one per login1, found by the proof login2 carries", () => {
  it("a second login1 for the same email sits beside the first; each login2 finds its own", () => {
    const pending = new PendingLogins();
    const now = 1_000;
    pending.begin("v@x", "victim", now).ready(PROOF(1), "m2-victim");
    pending.begin("v@x", "victim", now).ready(PROOF(2), "m2-attacker");
    assert.deepEqual(pending.take("v@x", PROOF(9), now), { kind: "mismatch" });
    assert.equal(pending.size("v@x"), 2, "a wrong proof consumes nothing");
    assert.deepEqual(pending.take("v@x", PROOF(1), now), { kind: "match", userId: "victim", serverProof: "m2-victim" });
    assert.deepEqual(pending.take("v@x", PROOF(1), now), { kind: "mismatch" }, "an attempt is used once");
    assert.deepEqual(pending.take("other@x", PROOF(2), now), { kind: "none" });
  });

  it("a full email refuses new login1s while its oldest is young, then lets the oldest go", () => {
    const pending = new PendingLogins();
    const start = 50_000;
    pending.begin("v@x", "victim", start).ready(PROOF(100), "m2");
    for (let i = 1; i < PENDING_LOGIN_LIMITS.perEmail; i++)
      pending.begin("v@x", "victim", start + i).ready(PROOF(i), "x");
    const wait = retryAfter(() => pending.begin("v@x", "victim", start + 500));
    assert.equal(wait, Math.ceil((PENDING_LOGIN_LIMITS.protectedMs - 500) / 1000));
    // The victim's attempt survived the burst.
    assert.equal(pending.take("v@x", PROOF(100), start + 600).kind, "match");
    pending.begin("v@x", "victim", start + 700).ready(PROOF(200), "m2");
    const later = start + PENDING_LOGIN_LIMITS.protectedMs + 1;
    pending.begin("v@x", "victim", later).ready(PROOF(300), "m2");
    assert.equal(pending.size("v@x"), PENDING_LOGIN_LIMITS.perEmail);
    assert.equal(pending.take("v@x", PROOF(1), later).kind, "mismatch", "the oldest gave way");
  });

  it("attempts expire; a cancelled or unfinished attempt never matches", () => {
    const pending = new PendingLogins();
    pending.begin("v@x", "u", 0).ready(PROOF(1), "m2");
    assert.deepEqual(pending.take("v@x", PROOF(1), PENDING_LOGIN_LIMITS.ttlMs + 1), { kind: "none" });
    const slot = pending.begin("v@x", "u", 0);
    assert.deepEqual(pending.take("v@x", PROOF(1), 1), { kind: "none" });
    slot.cancel();
    assert.equal(pending.size(), 0);
  });
});

describe("SRP pool: the worker thread and the main-thread fallback give the same answers", () => {
  const { salt, verifier } = createSrpVerifier("pool@example.com", "pool-password");
  for (const useWorker of [true, false]) {
    it(useWorker ? "worker thread" : "main-thread fallback", async () => {
      const pool = new SrpPool(2, useWorker);
      try {
        const client = new SrpClient("pool@example.com", "pool-password");
        const challenge = await pool.challenge(verifier, client.publicKey);
        assert.ok(challenge);
        assert.equal(client.computeProof(salt, challenge.serverPublicKey), challenge.expectedClientProof);
        assert.equal(client.verifyServerProof(challenge.serverProof), true);
        assert.equal(await pool.challenge(verifier, "00"), undefined, "A = 0 is refused");
        // The queue is bounded: a third job while two are pending is a 429, not a longer wait.
        const running = [pool.challenge(verifier, client.publicKey), pool.challenge(verifier, client.publicKey)];
        await assert.rejects(pool.challenge(verifier, client.publicKey), (error: HttpError) => error.status === 429);
        await Promise.all(running);
        assert.equal(pool.pending, 0);
      } finally {
        await pool.close();
      }
    });
  }
});
