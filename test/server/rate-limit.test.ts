import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setupWorld, type World } from "./helpers";

describe("server: --rate-limit infisical", () => {
  let world: World;
  before(async () => {
    world = await setupWorld({ rateLimit: "infisical" });
  });
  after(() => world.server.close());

  it("60 secret requests per minute per route pass; the 61st is 429 with retry-after", async () => {
    const where = { workspaceId: world.project.id, environment: "dev", secretPath: "/" };
    for (let i = 0; i < 60; i++) {
      const res = await world.client.get("/api/v3/secrets", world.admin.token, where);
      assert.equal(res.status, 200, `request ${i + 1}`);
      assert.equal(res.headers.get("x-ratelimit-limit"), "60");
      assert.equal(res.headers.get("x-ratelimit-remaining"), String(59 - i));
    }
    const limited = await world.client.get("/api/v3/secrets", world.admin.token, where);
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, {
      statusCode: 429,
      error: "Too Many Requests",
      message: "Rate limit exceeded, retry in 1 minute",
    });
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    // Limits are per route: another secret route and non-secret routes still answer.
    assert.equal((await world.client.get("/api/v3/secrets/ANY", world.admin.token, where)).status, 400);
    assert.equal((await world.client.get(`/api/v1/workspace/${world.project.id}`, world.admin.token)).status, 200);
  });
});

describe("server: rate limiting is off by default", () => {
  let world: World;
  before(async () => {
    world = await setupWorld();
  });
  after(() => world.server.close());

  it("no x-ratelimit headers and no 429 after 61 requests", async () => {
    const where = { workspaceId: world.project.id, environment: "dev", secretPath: "/" };
    let last = 0;
    for (let i = 0; i < 61; i++) last = (await world.client.get("/api/v3/secrets", world.admin.token, where)).status;
    assert.equal(last, 200);
    const res = await world.client.get("/api/v3/secrets", world.admin.token, where);
    assert.equal(res.headers.get("x-ratelimit-limit"), null);
  });
});
