/**
 * Service-token scope paths. The match table is picomatch's documented behaviour with the
 * option Infisical passes (`strictSlashes: false`) and the probed table of routes-more.md:
 * `*` and `?` never match `/`, `**` is a globstar only as a whole segment, `dir/**` also
 * matches `dir`. Then the same rule over real HTTP, from a hostile token holder's side.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { scopePathMatches, scopePathProblem } from "../../src/provider/api/scope-path";
import { validateScopePath } from "../../src/provider/resources/validation";
import { createServiceToken, encryptSecret, setupWorld, type World } from "./helpers";

describe("scope paths: picomatch semantics (strictSlashes: false)", () => {
  const cases: Array<[pattern: string, path: string, expected: boolean]> = [
    // Infisical's own table (routes-more.md §3, probed).
    ["/", "/", true],
    ["/", "/app", false],
    ["/**", "/", true],
    ["/**", "/app/db/deep", true],
    ["/app/**", "/app", true],
    ["/app/**", "/app/db/deep", true],
    ["/app/*", "/app/x", true],
    ["/app/*", "/app", false],
    ["/app/*", "/app/x/y", false],
    // picomatch: `*` matches any characters except `/`, and nothing at all after `/` for `/*`.
    ["/*", "/", false],
    ["/*", "/app", true],
    ["/*", "/app/x", false],
    ["/*/db", "/app/db", true],
    ["/*/db", "/app/x/db", false],
    ["/app-*", "/app-prod", true],
    ["/app-*", "/app-prod/x", false],
    // picomatch: `**` is a globstar only when it is the only thing in a segment; otherwise it is `*`.
    ["/app**", "/app", true],
    ["/app**", "/appx", true],
    ["/app**", "/app/x", false],
    ["/app**", "/app/x/deep", false],
    ["/a/b**", "/a/bc", true],
    ["/a/**b", "/a/x/b", false],
    ["/**/db", "/x/y/db", true],
    ["/**/db", "/db", false],
    ["/app/**", "/application", false],
    // picomatch: `?` is exactly one character except `/`.
    ["/app/d?", "/app/db", true],
    ["/app/d?", "/app/dbx", false],
    ["/app?x", "/app/x", false],
    // picomatch: brackets are a character class; `.` is literal; matching is case-sensitive.
    ["/app/[ab]", "/app/b", true],
    ["/app/[ab]", "/app/c", false],
    ["/a.b", "/aXb", false],
    ["/App", "/app", false],
    // Stored with a trailing slash by an older build: read as the real server stores it (trimmed).
    ["/app/", "/app", true],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`'${pattern}' vs '${path}' → ${expected}`, () => {
      assert.equal(scopePathMatches(pattern, path), expected);
    });
  }
});

describe("scope paths: the accepted patterns (one rule for client and server)", () => {
  const accepted = [
    "/",
    "/app",
    "/app/db",
    "/**",
    "/app/**",
    "/app/*",
    "/*/db",
    "/**/db/*",
    "/a.b",
    "/app/d?",
    "/x/[ab]",
  ];
  const refused: Array<[pattern: string, why: RegExp]> = [
    ["app", /start with '\/'/],
    ["/app/", /must not end with '\/'/],
    ["/a//b", /empty segments/],
    ["/a/../b", /'\.\.' segments/],
    ["/a b", /segments may only contain/],
    ["/{a,b}", /segments may only contain/],
    ["/!(a)", /segments may only contain/],
    ["/a\\*", /segments may only contain/],
    ["/a/***", /'\*\*\*'/],
    ["/*/*/*", /at most 2/],
    ["/*a*a*b", /at most 2/],
    [`/${"a".repeat(300)}`, /at most 256/],
  ];
  for (const pattern of accepted) {
    it(`accepts '${pattern}' on both sides`, () => {
      assert.equal(scopePathProblem(pattern), undefined);
      assert.equal(validateScopePath(pattern), undefined);
    });
  }
  for (const [pattern, why] of refused) {
    it(`refuses '${pattern.slice(0, 20)}' on both sides`, () => {
      assert.match(scopePathProblem(pattern) ?? "", why);
      assert.equal(validateScopePath(pattern), scopePathProblem(pattern));
    });
  }
  it("a stored pattern outside the rule (older build) grants nothing", () => {
    assert.equal(scopePathMatches("/*a*a*a*b", "/aaab"), false);
    assert.equal(scopePathMatches("/{a,b}", "/a"), false);
  });
});

describe("scope paths over HTTP: a hostile service-token holder", () => {
  let world: World;
  const at = (secretPath: string) => ({ workspaceId: world.project.id, environment: "dev", secretPath });

  before(async () => {
    world = await setupWorld();
    const { client, admin, project } = world;
    for (const [path, name] of [
      ["/", "app"],
      ["/app", "x"],
      ["/app/x", "deep"],
      ["/", "appx"],
    ] as const) {
      const res = await client.post(
        "/api/v1/folders",
        { workspaceId: project.id, environment: "dev", name, path },
        admin.token,
      );
      assert.equal(res.status, 200);
    }
    for (const path of ["/", "/app", "/app/x", "/app/x/deep", "/appx"]) {
      const res = await client.post(
        "/api/v3/secrets/TARGET",
        { ...at(path), ...encryptSecret(project.projectKey, "TARGET", `value at ${path}`) },
        admin.token,
      );
      assert.equal(res.status, 200, path);
    }
  });
  after(() => world.server.close());

  it("a token scoped dev:/app** reads /app and /appx, but neither reads nor deletes in /app/x or /app/x/deep", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/app**" }],
      permissions: ["read", "write"],
    });
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/app"))).status, 200);
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/appx"))).status, 200);
    for (const path of ["/app/x", "/app/x/deep", "/"]) {
      const read = await client.get("/api/v3/secrets/TARGET", token.token, at(path));
      assert.equal(read.status, 401, `read ${path}`);
      assert.equal(read.body.error, "PermissionDenied");
      const list = await client.get("/api/v3/secrets", token.token, at(path));
      assert.equal(list.status, 401, `list ${path}`);
      const del = await client.delete("/api/v3/secrets/TARGET", { ...at(path), type: "shared" }, token.token);
      assert.equal(del.status, 401, `delete ${path}`);
      const batch = await client.delete(
        "/api/v3/secrets/batch",
        { ...at(path), secrets: [{ secretName: "TARGET", type: "shared" }] },
        token.token,
      );
      assert.equal(batch.status, 401, `batch delete ${path}`);
    }
    // Nothing was deleted across the boundary: the owner still reads every one.
    for (const path of ["/", "/app/x", "/app/x/deep"]) {
      assert.equal((await client.get("/api/v3/secrets/TARGET", admin.token, at(path))).status, 200, path);
    }
  });

  it("a token scoped /* reads /app but not the root /", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/*" }],
      permissions: ["read"],
    });
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/app"))).status, 200);
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/"))).status, 401);
    assert.equal((await client.get("/api/v3/secrets", token.token, at("/"))).status, 401);
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/app/x"))).status, 401);
  });

  it("a token scoped /app/** reaches /app and everything below it, and nothing beside it", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/app/**" }],
      permissions: ["read"],
    });
    for (const path of ["/app", "/app/x", "/app/x/deep"]) {
      assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at(path))).status, 200, path);
    }
    for (const path of ["/", "/appx"]) {
      assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at(path))).status, 401, path);
    }
  });

  it("creating a token with a pattern outside the rule is a 403 ValidationFailure naming the field", async () => {
    const { client, admin, project } = world;
    for (const secretPath of ["/*/*/*", "/{a,b}", "/!(x)", "relative"]) {
      await assert.rejects(
        createServiceToken(client, admin, project, { scopes: [{ environment: "dev", secretPath }] }),
        (error: Error) => {
          assert.match(error.message, /^service token failed: 403 /);
          assert.match(error.message, /"secretPath"/);
          assert.match(error.message, /ValidationFailure/);
          return true;
        },
      );
    }
  });

  it("a trailing slash is dropped as the real server does: /app/ is stored and matched as /app", async () => {
    const { client, admin, project } = world;
    const token = await createServiceToken(client, admin, project, {
      scopes: [{ environment: "dev", secretPath: " /app/ " }],
      permissions: ["read"],
    });
    const data = await client.get("/api/v2/service-token", token.bearer);
    assert.deepEqual(data.body.scopes, [{ environment: "dev", secretPath: "/app" }]);
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/app"))).status, 200);
    assert.equal((await client.get("/api/v3/secrets/TARGET", token.token, at("/app/x"))).status, 401);
  });
});
