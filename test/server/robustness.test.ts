/**
 * No input produces a 500 or a stack trace: every route gets malformed bodies, queries and
 * parameters, with no credentials, a user token and a service token.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { allRoutes } from "../../src/server/routes";
import { createServiceToken, setupWorld, type World } from "./helpers";

const BODIES: unknown[] = [
  undefined,
  null,
  [],
  "text",
  42,
  {},
  { workspaceId: {}, environment: [], secrets: "x" },
  { members: [{}] },
];
const PARAM_VALUES = ["x", "00000000-0000-4000-8000-000000000000", "%E0%A4%A", "..%2F..%2Fetc"];

describe("server: malformed input never yields a 500", () => {
  let world: World;
  let serviceToken: string;
  before(async () => {
    world = await setupWorld();
    serviceToken = (await createServiceToken(world.client, world.admin, world.project)).token;
  });
  after(() => world.server.close());

  it("every route × credentials × malformed params/bodies/queries → never a 5xx, always a JSON body without a stack", async () => {
    let requests = 0;
    for (const route of allRoutes) {
      for (const token of [undefined, world.admin.token, serviceToken]) {
        for (const param of PARAM_VALUES) {
          const path = route.path.replace(/:[A-Za-z]+/g, param);
          for (const body of route.method === "GET" ? [undefined] : BODIES) {
            const res = await world.client.request(route.method, path, {
              token,
              body,
              query: { workspaceId: param, environment: "[]", secretPath: "//..", limit: "-1", version: "x" },
            });
            requests++;
            assert.ok(res.status < 500, `${route.method} ${route.path} → ${res.status}`);
            assert.equal(typeof res.body, "object", `${route.method} ${route.path} body`);
            assert.equal(JSON.stringify(res.body).includes("    at "), false);
          }
        }
      }
    }
    assert.ok(requests > 500);
  });

  it("a body over 1 MiB → 413", async () => {
    const res = await world.client.request("POST", "/api/v3/secrets/BIG", {
      token: world.admin.token,
      rawBody: JSON.stringify({ pad: "x".repeat(1_100_000) }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 413);
  });
});
