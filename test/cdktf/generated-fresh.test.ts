import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { CONSTRUCTS_FILE, generateConstructsSource } from "../../scripts/generate-cdktf";

test("the checked-in CDKTF constructs match what the core schemas generate", () => {
  const checkedIn = readFileSync(join(repoRoot(), CONSTRUCTS_FILE), "utf8");
  const fresh = generateConstructsSource();
  const firstDifference = [...fresh].findIndex((ch, i) => checkedIn[i] !== ch);
  assert.ok(
    checkedIn === fresh,
    `${CONSTRUCTS_FILE} is stale (first difference at character ${firstDifference}); ` +
      "regenerate it: npm run build && node dist/scripts/generate-cdktf.js",
  );
});

test("the generated file says it is generated", () => {
  assert.match(generateConstructsSource(), /^\/\/ GENERATED FILE, DO NOT EDIT\./);
});
