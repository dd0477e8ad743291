import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { CONSTRUCTS_TARGETS, generateConstructsSource } from "../../scripts/generate-cdktf";

for (const { flavor, file } of CONSTRUCTS_TARGETS) {
  test(`the checked-in ${flavor.framework} constructs (${file}) match what the core schemas generate`, () => {
    const checkedIn = readFileSync(join(repoRoot(), file), "utf8");
    const fresh = generateConstructsSource(flavor);
    const firstDifference = [...fresh].findIndex((ch, i) => checkedIn[i] !== ch);
    assert.ok(
      checkedIn === fresh,
      `${file} is stale (first difference at character ${firstDifference}); ` +
        "regenerate it: npm run build && node dist/scripts/generate-cdktf.js",
    );
  });

  test(`the generated ${flavor.framework} file says it is generated and imports only its own framework`, () => {
    const source = generateConstructsSource(flavor);
    assert.match(source, /^\/\/ GENERATED FILE, DO NOT EDIT\./);
    const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(imports, [flavor.framework, "constructs"].sort());
  });
}

test("one generator: the flavors differ only in the framework they name and the write-only marking", () => {
  const [main, legacy] = CONSTRUCTS_TARGETS.map((t) => generateConstructsSource(t.flavor).split("\n"));
  assert.equal(main!.length, legacy!.length);
  const differing = main!.flatMap((line, i) => (line === legacy![i] ? [] : [[line, legacy![i]!]]));
  for (const [cdktn, cdktf] of differing) {
    const marking = cdktn!.replace(/this\.markWriteOnlyAttribute\((.*)\),$/, "$1,");
    assert.equal(marking.replaceAll("cdktn", "cdktf"), cdktf, `unexpected difference: ${cdktn} / ${cdktf}`);
  }
  assert.ok(differing.some(([cdktn]) => cdktn!.includes("value_wo: this.markWriteOnlyAttribute(")));
});
