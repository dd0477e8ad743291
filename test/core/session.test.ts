import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ConfigError, CryptoError } from "../../src/provider/errors";
import { openSession, resolveSettings, USER_AGENT } from "../../src/provider/session";
import { cachedLoginCount } from "../../src/provider/session/login";
import { ADMIN_EMAIL, type Harness, startHarness } from "./harness";

describe("connection settings", () => {
  it("explicit settings win over the environment, which wins over defaults", () => {
    assert.equal(resolveSettings({}, {}).host, "https://app.infisical.com");
    assert.equal(
      resolveSettings({}, { INFISICAL_HOST: "https://vault.example.com/" }).host,
      "https://vault.example.com",
    );
    assert.equal(
      resolveSettings({ host: "https://a.example.com" }, { INFISICAL_HOST: "https://b.example.com" }).host,
      "https://a.example.com",
    );
    const fromEnv = resolveSettings({}, { INFISICAL_EMAIL: "e@x.io", INFISICAL_PASSWORD: "pw" });
    assert.equal(fromEnv.email, "e@x.io");
  });

  it("plain HTTP only to loopback unless allowed", () => {
    assert.throws(
      () => resolveSettings({ host: "http://infisical.example.com" }, {}),
      (e: ConfigError) => e.setting === "host",
    );
    assert.equal(resolveSettings({ host: "http://127.0.0.1:8080" }, {}).host, "http://127.0.0.1:8080");
    assert.equal(resolveSettings({ host: "http://localhost:8080" }, {}).host, "http://localhost:8080");
    assert.equal(
      resolveSettings({ host: "http://infisical.internal", allowInsecureHttp: true }, {}).host,
      "http://infisical.internal",
    );
    assert.equal(
      resolveSettings({ host: "http://infisical.internal" }, { INFISICAL_ALLOW_INSECURE_HTTP: "1" }).allowInsecureHttp,
      true,
    );
  });

  it("config errors name the setting and never echo secrets", () => {
    const token = "st.abc.def";
    assert.throws(
      () => resolveSettings({ serviceToken: token }, {}),
      (e: ConfigError) => e.setting === "serviceToken" && !e.message.includes(token),
    );
    assert.throws(
      () => resolveSettings({ email: "e@x.io" }, {}),
      (e: ConfigError) => e.setting === "password",
    );
    assert.throws(
      () => resolveSettings({ password: "hunter2" }, {}),
      (e: ConfigError) => e.setting === "email" && !e.message.includes("hunter2"),
    );
    assert.throws(
      () => resolveSettings({ host: "not a url" }, {}),
      (e: ConfigError) => e.setting === "host",
    );
    assert.throws(
      () => resolveSettings({ timeoutMs: 5 }, {}),
      (e: ConfigError) => e.setting === "timeoutMs",
    );
  });

  it("config errors carry the setting and its environment variable so each face can spell them", () => {
    const error = (() => {
      try {
        resolveSettings({ host: "http://infisical.example.com" }, {});
      } catch (caught) {
        return caught as ConfigError;
      }
      assert.fail("plain HTTP to a non-loopback host was accepted");
    })();
    assert.equal(error.setting, "host");
    assert.equal(error.envVar, "INFISICAL_HOST");
    assert.match(error.message, /^Configuration setting host \(or INFISICAL_HOST\): uses plain HTTP/);
    assert.match(error.remedy, /set allowInsecureHttp \(or INFISICAL_ALLOW_INSECURE_HTTP\) to true/);
    const shouted = error.describe(({ setting, envVar }) => `<${setting}|${envVar}>`);
    assert.match(
      shouted,
      /^Configuration setting <host\|INFISICAL_HOST>: .* set <allowInsecureHttp\|INFISICAL_ALLOW_INSECURE_HTTP> to true/,
    );
    assert.throws(
      () => resolveSettings({}, { INFISICAL_ALLOW_INSECURE_HTTP: "maybe" }),
      (e: ConfigError) => e.setting === "allowInsecureHttp" && e.envVar === "INFISICAL_ALLOW_INSECURE_HTTP",
    );
  });

  it("missing credentials fail on first use with a ConfigError, not at open", async () => {
    const session = openSession({ host: "http://127.0.0.1:9" }, { env: {} });
    await assert.rejects(session.user(), (e: ConfigError) => e.code === "ERR_CONFIG");
    await session.close();
  });
});

describe("session against the embedded server", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("logs in once per process and shares the token across sessions and concurrent callers", async () => {
    const from = h.requests.length;
    const sessions = [h.userSession(), h.userSession(), h.userSession()];
    await Promise.all(sessions.flatMap((s) => [s.user(), s.projectKey(h.boot.projectId)]));
    // bootstrap closed its session, so its login (and private key) went with it: one new login, shared.
    assert.equal(h.count("POST", "/api/v3/auth/login1", from), 1, "one login shared by three sessions");
    assert.equal(h.count("GET", "/api/v2/workspace/:workspaceId/encrypted-key", from), 3, "one key fetch per session");
  });

  it("the shared login (private key) lives while a session holding it is open, not after", async () => {
    await h.closeSessions();
    assert.equal(cachedLoginCount(), 0, "closed sessions hold no login");
    const first = h.userSession();
    const second = h.userSession();
    await Promise.all([first.user(), second.user()]);
    assert.equal(cachedLoginCount(), 1, "both sessions share one login");
    const from = h.requests.length;
    await first.close();
    await second.user();
    assert.equal(h.count("POST", "/api/v3/auth/login1", from), 0, "the open session keeps the login");
    assert.equal(cachedLoginCount(), 1);
    await second.close();
    assert.equal(cachedLoginCount(), 0, "no login outlives the sessions that loaded it");
    const third = h.userSession();
    const again = h.requests.length;
    await third.user();
    assert.equal(h.count("POST", "/api/v3/auth/login1", again), 1, "a new session logs in afresh");
    await third.close();
    assert.equal(cachedLoginCount(), 0);
  });

  it("a wrong password is an UnauthorizedError without the password in it", async () => {
    const session = openSession({ host: h.server.url, email: ADMIN_EMAIL, password: "wrong password!" }, { env: {} });
    await assert.rejects(
      session.user(),
      (e: Error & { code?: string }) => e.code === "ERR_API_UNAUTHORIZED" && !e.message.includes("wrong password"),
    );
    await session.close();
  });

  it("a service-token session reaches secrets but not user-only routes", async () => {
    const session = h.tokenSession();
    assert.match(await session.projectKey(h.boot.projectId), /^[0-9a-f]{32}$/);
    await assert.rejects(session.user(), (e: ConfigError) => e.setting === "email");
  });

  it("a service token with a wrong key part fails at unwrap-project-key, naming the part, echoing none", async () => {
    const [prefix, id, secret, key] = h.boot.serviceToken.split(".") as [string, string, string, string];
    const wrongKey = [...key].map((c) => (c === "0" ? "1" : "0")).join("");
    const session = openSession(
      { host: h.server.url, serviceToken: [prefix, id, secret, wrongKey].join(".") },
      { env: {} },
    );
    try {
      await assert.rejects(session.projectKey(h.boot.projectId), (e: CryptoError) => {
        assert.equal(e.code, "ERR_CRYPTO");
        assert.equal(e.step, "unwrap-project-key");
        assert.match(e.message, /key part \(the 4th dot-separated part\) does not decrypt the project key/);
        assert.match(e.message, /copied whole/);
        for (const part of [id, secret, key, wrongKey]) assert.ok(!e.message.includes(part), "no token part echoed");
        return true;
      });
    } finally {
      await session.close();
    }
  });
});

describe("transport", () => {
  let seen: (string | undefined)[] = [];
  let url = "";
  let close = () => {};
  before(async () => {
    const server = createServer((req, res) => {
      seen.push(req.headers["user-agent"]);
      if (req.url === "/api/status") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"message":"Ok"}');
      }
      // Any other route never answers: the request timeout must fire.
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => {
      server.closeAllConnections();
      server.close();
    };
  });
  after(() => close());

  it("every request carries a non-empty User-Agent", async () => {
    seen = [];
    const session = openSession({ host: url }, { env: {} });
    await session.api.auth.status();
    assert.deepEqual(seen, [USER_AGENT]);
    assert.ok(USER_AGENT.trim().length > 0);
    await session.close();
  });

  it("a request that gets no answer times out with a TransportError naming the route", async () => {
    const session = openSession({ host: url, timeoutMs: 300 }, { env: {}, retry: { maxAttempts: 1 } });
    await assert.rejects(
      session.api.auth.adminConfig(),
      (e: Error & { code?: string }) => e.code === "ERR_TRANSPORT" && e.message.includes("/api/v1/admin/config"),
    );
    await session.close();
  });
});
