/**
 * One test per rule of the retry policy (api/http.ts), each through the fault proxy over real HTTP
 * so the count is what reached the network: a POST or PATCH answered 503 is sent once (a create or
 * update may already have happened), GET is retried, a server-given retry-after is waited for, an
 * abort during the backoff is a typed error, and a session logs in again once after a stale token.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRequester, type Requester } from "../../src/provider/api/http";
import { ProviderError, TransportError } from "../../src/provider/errors";
import type { Logger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

const ROUTE = "/api/v1/retry-probe";

interface Retried {
  waitMs: number;
}

describe("retry rules, one at a time, through the fault proxy", () => {
  let h: Harness;
  let proxy: FaultProxy;
  let requester: Requester;
  const retries: Retried[] = [];
  const log: Logger = {
    debug(message, fields) {
      if (message === "retrying request") retries.push({ waitMs: Number(fields?.waitMs) });
    },
    info() {},
    warn() {},
  };

  before(async () => {
    h = await startHarness();
    proxy = await startFaultProxy(h.server.url);
    requester = createRequester({
      host: proxy.url,
      timeoutMs: 10_000,
      userAgent: "retry-rules-test",
      log,
      retry: { baseDelayMs: 10, maxDelayMs: 40 },
    });
  });
  after(async () => {
    await requester.close();
    await proxy.close();
    await h.close();
  });

  const sent = (method: string, path: string) => proxy.injected.filter((f) => f.method === method && f.path === path);
  const fresh = (name: string) => `${ROUTE}/${name}`;

  for (const method of ["POST", "PATCH"] as const) {
    it(`a ${method} answered 503 is sent exactly once and fails with the status`, async () => {
      const route = fresh(`${method.toLowerCase()}-503`);
      proxy.addRule({ method, path: new RegExp(`^${route}$`), fault: "503", times: 5 });
      await assert.rejects(requester({ operation: `probe ${method}`, method, route, body: {} }), {
        code: "ERR_API",
        status: 503,
        route,
      });
      assert.equal(sent(method, route).length, 1, `${method} was repeated after a 503`);
    });
  }

  it("a GET answered 503 is retried until it gets through (the contrast: reads are safe to repeat)", async () => {
    const route = fresh("get-503");
    proxy.addRule({ method: "GET", path: new RegExp(`^${route}$`), fault: "503", times: 2 });
    const forwardedBefore = proxy.forwarded;
    // Past the faults the server answers 404 (no such route): proof the third attempt got through.
    await assert.rejects(requester({ operation: "probe GET", method: "GET", route }), { code: "ERR_API_NOT_FOUND" });
    assert.equal(sent("GET", route).length, 2);
    assert.equal(proxy.forwarded - forwardedBefore, 1);
  });

  it("a POST marked idempotent is retried after a 503", async () => {
    const route = fresh("post-idempotent-503");
    proxy.addRule({ method: "POST", path: new RegExp(`^${route}$`), fault: "503", times: 1 });
    await assert.rejects(requester({ operation: "probe", method: "POST", route, body: {}, idempotent: true }), {
      code: "ERR_API_NOT_FOUND",
    });
    assert.equal(sent("POST", route).length, 1);
  });

  it("429 is retried for a POST, after the retry-after the server gave (1 s), not the short backoff", async () => {
    const route = fresh("post-429");
    proxy.addRule({ method: "POST", path: new RegExp(`^${route}$`), fault: "429", times: 1 });
    retries.length = 0;
    const forwardedBefore = proxy.forwarded;
    await assert.rejects(requester({ operation: "probe", method: "POST", route, body: {} }), {
      code: "ERR_API_NOT_FOUND",
    });
    assert.equal(sent("POST", route).length, 1);
    assert.equal(proxy.forwarded - forwardedBefore, 1, "the POST went through once after the 429");
    assert.equal(retries.length, 1);
    // The backoff alone would wait at most maxDelayMs (40 ms); retry-after says 1 s.
    assert.ok(retries[0]!.waitMs >= 1000, `waited ${retries[0]!.waitMs} ms, not the server's retry-after`);
  });

  it("an abort during the backoff is a TransportError (ABORTED), like an abort mid-request", async () => {
    const slow = createRequester({
      host: proxy.url,
      timeoutMs: 10_000,
      userAgent: "retry-rules-test",
      log,
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    try {
      const route = fresh("abort-in-backoff");
      proxy.addRule({ method: "GET", path: new RegExp(`^${route}$`), fault: "503", times: 5 });
      const controller = new AbortController();
      const pending = slow({ operation: "probe", method: "GET", route, signal: controller.signal });
      while (sent("GET", route).length === 0) await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      const error = await pending.then(
        () => assert.fail("an aborted call resolved"),
        (e: unknown) => e,
      );
      assert.ok(ProviderError.is(error), `not a registry error: ${String(error)}`);
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, "ERR_TRANSPORT");
      assert.equal(error.transportCode, "ABORTED");
    } finally {
      await slow.close();
    }
  });

  describe("a stale token", () => {
    const projects = "/api/v1/workspace";
    const logins = (from: number) => h.count("POST", "/api/v3/auth/login1", from);

    it("is answered by one fresh login and the call repeated with the new token", async () => {
      const session = openSession(
        { host: proxy.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        { env: {}, retry: { baseDelayMs: 10, maxDelayMs: 40 } },
      );
      try {
        await session.user();
        const from = h.requests.length;
        proxy.addRule({ method: "GET", path: new RegExp(`^${projects}$`), fault: "401", times: 1 });
        const { workspaces } = await session.api.projects.list();
        assert.ok(workspaces.some((p) => p.id === h.boot.projectId));
        assert.equal(logins(from), 1, "one re-login after the stale token");
        assert.equal(h.count("GET", projects, from), 1, "the repeated call reached the server");
      } finally {
        await session.close();
      }
    });

    it("is re-logged in for once only: a second rejection is the caller's error", async () => {
      const session = openSession(
        { host: proxy.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        { env: {}, retry: { baseDelayMs: 10, maxDelayMs: 40 } },
      );
      try {
        await session.user();
        const from = h.requests.length;
        proxy.addRule({ method: "GET", path: new RegExp(`^${projects}$`), fault: "401", times: 2 });
        await assert.rejects(session.api.projects.list(), { code: "ERR_API_UNAUTHORIZED" });
        assert.equal(logins(from), 1);
      } finally {
        await session.close();
      }
    });
  });
});
