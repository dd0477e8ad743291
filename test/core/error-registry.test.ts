/**
 * Every error a user can see carries a registry code: no bare `Error` (or TypeError/RangeError) is
 * constructed under src/, and no error class there escapes the ProviderError family, except the
 * embedded server's HttpError, which never leaves the server: it becomes the HTTP answer.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import {
  ApiError,
  ERROR_CODES,
  InternalError,
  NotConfiguredError,
  NotFoundError,
  ProviderError,
  ServerDataError,
  UnknownTypeError,
  UsageError,
} from "../../src/provider/errors";

/** Error classes that are not ProviderErrors on purpose, by file, with the reason. */
const ALLOWED_FOREIGN_CLASSES: Record<string, string> = {
  "src/server/http/errors.ts": "HttpError is rendered as the server's JSON answer, never thrown to a user",
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".generated.ts") ? [path] : [];
  });
}

const root = repoRoot();
const files = sources(join(root, "src")).map((path) => ({
  file: relative(root, path).split("\\").join("/"),
  text: readFileSync(path, "utf8"),
}));

test("no bare Error, TypeError or RangeError is constructed under src/", () => {
  const bare = files.flatMap(({ file, text }) =>
    text
      .split("\n")
      .map((line, i) => ({ line: line.trim(), at: `${file}:${i + 1}` }))
      .filter(({ line }) => /\bnew (?:Type|Range|Syntax)?Error\(/.test(line) && !line.startsWith("//"))
      .map(({ line, at }) => `${at}: ${line}`),
  );
  assert.deepEqual(bare, [], "use a typed error from src/provider/errors.ts (add a code if none fits)");
});

test("every error class under src/ is a ProviderError (or a named exception)", () => {
  const foreign = files.flatMap(({ file, text }) =>
    [...text.matchAll(/class (\w+) extends (\w+)\b/g)]
      .filter(([, , base]) => /^(?:Type|Range|Syntax)?Error$/.test(base!))
      .filter(([, name]) => !(file === "src/provider/errors.ts" && name === "ProviderError"))
      .filter(() => !Object.hasOwn(ALLOWED_FOREIGN_CLASSES, file))
      .map(([, name]) => `${file}: ${name}`),
  );
  assert.deepEqual(foreign, []);
});

test("the scan sees the code it guards (it would catch a bare Error)", () => {
  assert.ok(files.length > 50, `only ${files.length} source files found`);
  assert.ok(files.some(({ text }) => /class ProviderError extends Error\b/.test(text)));
  const probe = 'throw new Error("x");';
  assert.match(probe, /\bnew (?:Type|Range|Syntax)?Error\(/);
});

test("the added classes carry their codes; a client finding has no status or route", () => {
  const cases: [ProviderError, string][] = [
    [new UsageError("unknown option --x"), "ERR_USAGE"],
    [new UnknownTypeError("unknown resource type x"), "ERR_UNKNOWN_TYPE"],
    [new NotConfiguredError("not configured"), "ERR_NOT_CONFIGURED"],
    [new ServerDataError("server-keys.json", "is damaged"), "ERR_SERVER_DATA"],
    [new InternalError("bug"), "ERR_INTERNAL"],
  ];
  for (const [error, code] of cases) {
    assert.equal(error.code, code);
    assert.ok(Object.hasOwn(ERROR_CODES, code));
    assert.ok(ProviderError.is(error));
  }
  const finding = new NotFoundError({ operation: "import project", reason: "no such project" });
  assert.ok(finding instanceof ApiError);
  assert.equal(finding.status, undefined);
  assert.equal(finding.route, undefined);
  assert.equal(finding.message, "import project failed: no such project");
});
