/**
 * Logins under attack, over real HTTP: per-attempt SRP state (nobody can break a login in
 * progress), failure throttling with backoff, and the real server's auth rate limits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SrpClient } from "../../src/provider/crypto";
import { PENDING_LOGIN_LIMITS } from "../../src/server/auth/pending-logins";
import { type Json, login, type RawClient, type Reply, setupWorld, type World } from "./helpers";

const ADMIN = "admin@example.com";
const ADMIN_PASSWORD = "admin-password-1";

interface Outcome {
  step: "login1" | "login2";
  reply: Reply;
}

/** One SRP login with `srp` (its A is reused: the server draws a fresh b each time). */
async function tryLogin(client: RawClient, email: string, srp: SrpClient): Promise<Outcome> {
  const one = await client.post("/api/v3/auth/login1", { email, clientPublicKey: srp.publicKey });
  if (one.status !== 200) return { step: "login1", reply: one };
  const clientProof = srp.computeProof(one.body.salt, one.body.serverPublicKey);
  return { step: "login2", reply: await client.post("/api/v3/auth/login2", { email, clientProof }) };
}

describe("logins: SRP state per attempt", () => {
  let world: World;
  before(async () => {
    world = await setupWorld();
  });
  after(() => world.server.close());

  it("a malformed client public key is a 400 and leaves no attempt behind", async () => {
    const { client } = world;
    for (let i = 0; i < 10; i++) {
      const zero = await client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: "00" });
      assert.equal(zero.status, 400);
      assert.equal(zero.body.message, "Invalid client public key");
    }
    // Ten refused login1s hold none of the places this email has.
    const ok = await tryLogin(client, ADMIN, new SrpClient(ADMIN, ADMIN_PASSWORD));
    assert.equal(ok.reply.status, 200);
  });

  it("another login1 (and a bogus login2) for the victim's email between the victim's two steps does not break it", async () => {
    const { client } = world;
    const victim = new SrpClient(ADMIN, ADMIN_PASSWORD);
    const one = await client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: victim.publicKey });
    assert.equal(one.status, 200);

    const attacker = new SrpClient(ADMIN, "a guess");
    const interloper = await client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: attacker.publicKey });
    assert.equal(interloper.status, 200);
    const bogus = await client.post("/api/v3/auth/login2", { email: ADMIN, clientProof: "ab".repeat(32) });
    assert.equal(bogus.status, 400);

    const proof = victim.computeProof(one.body.salt, one.body.serverPublicKey);
    const two = await client.post("/api/v3/auth/login2", { email: ADMIN, clientProof: proof });
    assert.equal(two.status, 200);
    const orgs = await client.get("/api/v1/organization", two.body.token);
    assert.equal(orgs.status, 200);

    // The attempt is used up: replaying the victim's proof fails.
    const replay = await client.post("/api/v3/auth/login2", { email: ADMIN, clientProof: proof });
    assert.deepEqual(replay.body, {
      statusCode: 400,
      message: "Failed to authenticate. Try again?",
      error: "BadRequest",
    });
  });

  it("a burst of 30 login1s for the victim's email mid-login: the victim still logs in; the burst gets 429s", async () => {
    const { client } = world;
    const victim = new SrpClient(ADMIN, ADMIN_PASSWORD);
    const one = await client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: victim.publicKey });
    assert.equal(one.status, 200);
    const attacker = new SrpClient(ADMIN, "a guess");
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: attacker.publicKey }),
      ),
    );
    const statuses = burst.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 200 || s === 429),
      `only 200 or 429: ${statuses}`,
    );
    assert.ok(
      statuses.filter((s) => s === 429).length >= 30 - PENDING_LOGIN_LIMITS.perEmail,
      "at most 16 attempts per email are pending",
    );
    const limited = burst.find((r) => r.status === 429)!;
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    const proof = victim.computeProof(one.body.salt, one.body.serverPublicKey);
    const two = await client.post("/api/v3/auth/login2", { email: ADMIN, clientProof: proof });
    assert.equal(two.status, 200);
  });
});

describe("logins: failure throttling", () => {
  let world: World;
  before(async () => {
    world = await setupWorld();
  });
  after(() => world.server.close());

  it("300 wrong passwords: a few reach the proof check, the rest are 429; then the right password is throttled too", async () => {
    const { client } = world;
    const guesser = new SrpClient(ADMIN, "wrong password");
    const rightPassword = new SrpClient(ADMIN, ADMIN_PASSWORD);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 300; i++) outcomes.push(await tryLogin(client, ADMIN, guesser));
    // End on a checked guess, so the account has just been locked again (for 2 s or more)
    // when the right password arrives: the assertion below cannot race the lock's end.
    while (outcomes.at(-1)!.step !== "login2") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      outcomes.push(await tryLogin(client, ADMIN, guesser));
    }
    const checked = outcomes.filter((o) => o.step === "login2");
    const throttled = outcomes.filter((o) => o.reply.status === 429);
    assert.ok(
      checked.every((o) => o.reply.status === 400),
      "every checked guess failed",
    );
    assert.equal(checked.length + throttled.length, outcomes.length, "every other answer is 429");
    // 5 free failures, then locks of 1 s, 2 s, 4 s ...: 20 checked guesses would need 9 hours.
    assert.ok(checked.length >= 6 && checked.length < 20, `checked guesses: ${checked.length}`);
    for (const o of throttled) {
      assert.equal(o.reply.body.statusCode, 429);
      assert.equal(o.reply.body.error, "Too Many Requests");
      assert.ok(Number(o.reply.headers.get("retry-after")) >= 1);
    }

    const right = await tryLogin(client, ADMIN, rightPassword);
    assert.equal(right.step, "login1");
    assert.equal(right.reply.status, 429);
    assert.match(right.reply.body.message, /^Too many failed logins; retry in \d+ seconds?$/);
    const wait = Number(right.reply.headers.get("retry-after"));
    assert.ok(wait >= 1);

    // Once the lock ends, the right password logs in, and that resets the account's count.
    if (wait <= 20) {
      await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 200));
      await login(client, ADMIN, ADMIN_PASSWORD);
      const afterReset = await tryLogin(client, ADMIN, guesser);
      assert.equal(afterReset.step, "login2", "a fresh count: the next wrong guess is checked, not locked");
      assert.equal(afterReset.reply.status, 400);
    }
  });
});

describe("logins: address throttling", () => {
  let world: World;
  before(async () => {
    world = await setupWorld();
  });
  after(() => world.server.close());

  it("spraying unknown emails from one address locks logins from that address", async () => {
    const { client } = world;
    const srp = new SrpClient("nobody@example.com", "x");
    const replies: Json[] = [];
    for (let i = 0; i < 25; i++) {
      replies.push(
        await client.post("/api/v3/auth/login1", { email: `nobody${i}@example.com`, clientPublicKey: srp.publicKey }),
      );
    }
    const statuses = replies.map((r) => r.status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(400));
    assert.ok(statuses.slice(21).every((s) => s === 429));
    const right = await tryLogin(client, ADMIN, new SrpClient(ADMIN, ADMIN_PASSWORD));
    assert.equal(right.reply.status, 429);
  });
});

describe("logins: --rate-limit infisical covers the auth routes", () => {
  let world: World;
  before(async () => {
    world = await setupWorld({ rateLimit: "infisical" });
  });
  after(() => world.server.close());

  it("login1 and login2: 60 per minute per address, the 61st is the real server's 429", async () => {
    const { client } = world;
    // setupWorld logged in once: one login1, one login2 and one select-organization are spent.
    const srp = new SrpClient(ADMIN, ADMIN_PASSWORD);
    let last: Outcome | undefined;
    for (let i = 0; i < 59; i++) {
      last = await tryLogin(client, ADMIN, srp);
      assert.equal(last.reply.status, 200, `login ${i + 2}`);
    }
    assert.equal(last!.reply.headers.get("x-ratelimit-limit"), "60");
    assert.equal(last!.reply.headers.get("x-ratelimit-remaining"), "0");
    const one = await client.post("/api/v3/auth/login1", { email: ADMIN, clientPublicKey: srp.publicKey });
    assert.equal(one.status, 429);
    assert.deepEqual(one.body, {
      statusCode: 429,
      error: "Too Many Requests",
      message: "Rate limit exceeded, retry in 1 minute",
    });
    assert.ok(Number(one.headers.get("retry-after")) >= 1);
    const two = await client.post("/api/v3/auth/login2", { email: ADMIN, clientProof: "ab".repeat(32) });
    assert.equal(two.status, 429);
  });

  it("select-organization, complete-account and admin signup carry the real server's limits", async () => {
    const { client, admin } = world;
    const select = await client.post("/api/v3/auth/select-organization", { organizationId: admin.orgId }, admin.token);
    assert.equal(select.headers.get("x-ratelimit-limit"), "60");
    const signup = await client.post("/api/v1/admin/signup", {});
    assert.equal(signup.headers.get("x-ratelimit-limit"), "200");
    const invite = await client.post(
      "/api/v1/invite-org/signup",
      { inviteeEmail: "new@example.com", organizationId: admin.orgId },
      admin.token,
    );
    assert.equal(invite.headers.get("x-ratelimit-limit"), "30");
    const complete = await client.post("/api/v3/signup/complete-account/invite", {});
    assert.equal(complete.headers.get("x-ratelimit-limit"), "60");
  });
});
