import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapApiError, scrubServerMessage } from "../../src/provider/api/errors";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from "../../src/provider/api/http";
import { NotFoundError } from "../../src/provider/errors";

const op = "update secret";
const route = "/api/v3/secrets/{secretName}";

describe("API error mapping (the real server's quirks)", () => {
  const cases: [string, number, Record<string, unknown>, string][] = [
    ["400 Secret not found", 400, { error: "NotFound", message: "Secret not found" }, "ERR_API_NOT_FOUND"],
    [
      "400 Secret not found: blind index NAME",
      400,
      { message: "Secret not found: blind index MY_DB_PASSWORD" },
      "ERR_API_NOT_FOUND",
    ],
    ["400 Secret already exist", 400, { error: "BadRequest", message: "Secret already exist" }, "ERR_API_CONFLICT"],
    [
      "400 Folder not found",
      400,
      { message: "Folder not found for the given environment slug & secret path" },
      "ERR_API_NOT_FOUND",
    ],
    ["400 Env doesn't exist", 400, { message: "Env doesn't exist" }, "ERR_API_NOT_FOUND"],
    [
      "400 Unauthorized member update (membership not in the project)",
      400,
      { error: "Update project membership", message: "Unauthorized member update" },
      "ERR_API_NOT_FOUND",
    ],
    [
      "401 service token whose creator lost access",
      401,
      {
        error: "UnauthorizedError",
        message: "Service token no longer valid: the member who created it is no longer a member of this project",
      },
      "ERR_API_UNAUTHORIZED",
    ],
    [
      "403 ValidationFailure",
      403,
      {
        error: "ValidationFailure",
        message: [{ code: "too_small", path: ["slug"], message: "too short", received: "abc" }],
      },
      "ERR_API_VALIDATION",
    ],
    [
      "401 PermissionDenied",
      401,
      { error: "PermissionDenied", message: "You are not allowed to create on secrets" },
      "ERR_API_PERMISSION_DENIED",
    ],
    ["403 Token missing", 403, { message: "Token missing" }, "ERR_API_UNAUTHORIZED"],
    ["403 Stale session", 403, { error: "Stale session", message: "Stale session" }, "ERR_API_UNAUTHORIZED"],
    [
      "403 service token rejected",
      403,
      { error: "UnauthorizedError", message: "You are not allowed to access this resource" },
      "ERR_API_UNAUTHORIZED",
    ],
    ["403 User not in project", 403, { message: "User not in project" }, "ERR_API_PERMISSION_DENIED"],
    ["500 Failed to find user (login1)", 500, { message: "Failed to find user" }, "ERR_API_UNAUTHORIZED"],
    [
      "500 Failed to authenticate (login2)",
      500,
      { message: "Failed to authenticate. Try again?" },
      "ERR_API_UNAUTHORIZED",
    ],
    ["500 Failed to find project by id", 500, { message: "Failed to find project by id" }, "ERR_API_NOT_FOUND"],
    ["500 Something went wrong", 500, { message: "Something went wrong", error: "Create" }, "ERR_API"],
    ["404 route", 404, { message: "Route POST:/api/v3/secrets/X not found" }, "ERR_API_NOT_FOUND"],
    ["429", 429, { message: "Rate limit exceeded, retry in 1 minute" }, "ERR_API_RATE_LIMITED"],
  ];
  for (const [name, status, body, code] of cases) {
    it(`${name} → ${code}`, () => {
      const error = mapApiError(status, body, op, route);
      assert.equal(error.code, code);
      assert.match(error.message, /update secret failed \(HTTP \d+ on \/api\/v3\/secrets\/\{secretName\}\)/);
    });
  }

  it("a failure the client found itself shows no HTTP status or route, and carries none", () => {
    const error = new NotFoundError({ operation: "import project", reason: "gone" });
    assert.equal(error.message, "import project failed: gone");
    assert.equal(error.status, undefined);
    assert.equal(error.route, undefined);
    assert.equal(error.reason, "gone");
    assert.equal(new NotFoundError({ operation: "look up" }).message, "look up failed");
  });

  it("scrubs names, URLs and token-like text from server messages", () => {
    const error = mapApiError(400, { message: "Secret not found: blind index MY_DB_PASSWORD" }, op, route);
    assert.ok(!error.message.includes("MY_DB_PASSWORD"));
    assert.ok(!scrubServerMessage("Route POST:/api/v3/secrets/SECRET_NAME not found")!.includes("SECRET_NAME"));
    assert.ok(!scrubServerMessage("bad token st.abcdef0123456789abcdef0123456789")!.includes("abcdef0123456789"));
  });

  it("validation issues keep code, path and message but not the received input", () => {
    const error = mapApiError(
      403,
      {
        error: "ValidationFailure",
        message: [{ code: "invalid_type", path: ["value"], message: "Expected string", received: "hunter2" }],
      },
      op,
      route,
    );
    assert.deepEqual(error.issues, [{ code: "invalid_type", path: ["value"], message: "Expected string" }]);
    assert.ok(!JSON.stringify(error).includes("hunter2"));
  });
});

describe("retry timing", () => {
  it("retry-after in seconds and as an HTTP date", () => {
    assert.equal(parseRetryAfter("2"), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter("soon"), undefined);
  });

  it("exponential backoff with full jitter, capped", () => {
    assert.equal(
      backoffDelay(0, DEFAULT_RETRY, () => 0.999),
      Math.floor(0.999 * DEFAULT_RETRY.baseDelayMs),
    );
    assert.equal(
      backoffDelay(3, DEFAULT_RETRY, () => 0.5),
      Math.floor(0.5 * DEFAULT_RETRY.baseDelayMs * 8),
    );
    assert.equal(
      backoffDelay(30, DEFAULT_RETRY, () => 0.5),
      DEFAULT_RETRY.maxDelayMs / 2,
    );
    assert.equal(
      backoffDelay(5, DEFAULT_RETRY, () => 0),
      0,
    );
  });
});
