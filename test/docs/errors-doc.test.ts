import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { ERROR_CODES } from "../../src/provider/errors";

const page = readFileSync(join(repoRoot(), "docs", "errors.md"), "utf8");

test("docs/errors.md has a section for every error code, in the registry's order", () => {
  const documented = [...page.matchAll(/^## `(ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(documented, Object.keys(ERROR_CODES));
});

test("each section starts with the registry's one-line meaning", () => {
  for (const [code, meaning] of Object.entries(ERROR_CODES)) {
    const section = page.split(`## \`${code}\``)[1]?.split(/^## /m)[0] ?? "";
    assert.ok(section.includes(meaning), `${code}: the meaning in docs/errors.md differs from ERROR_CODES`);
  }
});
