import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchesGlob } from "../../src/server/auth/glob";

describe("server: service-token scope globs", () => {
  const cases: Array<[pattern: string, path: string, expected: boolean]> = [
    ["/", "/", true],
    ["/", "/app", false],
    ["/**", "/", true],
    ["/**", "/app/db/deep", true],
    ["/app", "/app/", true],
    ["/app/", "/app", true],
    ["/app/*", "/app/db", true],
    ["/app/*", "/app/db/deep", false],
    ["/app/*", "/app", false],
    ["/app/**", "/app", true],
    ["/app/**", "/app/db/deep", true],
    ["/app/**", "/application", false],
    ["/app/d?", "/app/db", true],
    ["/app/d?", "/app/dbx", false],
    ["/a.b", "/aXb", false],
    ["/*/db", "/app/db", true],
    ["/*/db", "/app/x/db", false],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`'${pattern}' vs '${path}' → ${expected}`, () => {
      assert.equal(matchesGlob(pattern, path), expected);
    });
  }
});
