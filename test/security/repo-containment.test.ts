/**
 * A clone must stand alone: nothing under src/, test/, scripts/ or bench/ reads outside the
 * repository (the crypto vectors live in test/fixtures/vectors, not in a `../shared` beside it).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { findEscapes } from "../support/repo-containment";

const SCANNED = ["src", "test", "scripts", "bench"];

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : typeScriptFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("repository containment", () => {
  const repo = repoRoot();

  test("no file in src/, test/, scripts/ or bench/ reads outside the repository", () => {
    const files = SCANNED.flatMap((dir) => typeScriptFiles(join(repo, dir)));
    assert.ok(files.length > 100, `only ${files.length} files found: the scan is not looking where it should`);
    const escapes = files.flatMap((file) => findEscapes(repo, relative(repo, file), readFileSync(file, "utf8")));
    assert.deepEqual(
      escapes.map((e) => `${e.file}:${e.line}: ${e.why}: ${e.text}`),
      [],
    );
  });

  // The scanner itself, on the shapes it must catch and the ones it must let through.
  const scan = (file: string, text: string) => findEscapes("/repo", file, text).map((e) => e.why);

  test("the scan flags the old vectors loader and other paths into ../shared", () => {
    assert.equal(scan("test/crypto/v.ts", 'path.resolve(repoRoot(__dirname), "..", "shared", "vectors")').length, 1);
    assert.equal(scan("test/crypto/v.ts", 'join(packageRoot, "..", "shared")').length, 1);
    assert.equal(scan("test/crypto/v.ts", 'join(someDir, "..", "shared", "x.json")').length, 1);
    assert.equal(scan("test/crypto/v.ts", 'readFileSync("../shared/vectors/srp.json")').length, 1);
    assert.equal(scan("test/crypto/v.ts", 'readFileSync("/work/shared/vectors/srp.json")').length, 1);
  });

  test("the scan flags __dirname chains and imports that climb above the repository", () => {
    // Compiled, test/a/b.ts runs from dist/test/a: three levels up is the repository root, four is outside.
    assert.deepEqual(scan("test/a/b.ts", 'join(__dirname, "..", "..", "..", "package.json")'), []);
    assert.equal(scan("test/a/b.ts", 'join(__dirname, "..", "..", "..", "..", "x")').length, 1);
    assert.equal(scan("test/a/b.ts", 'import { x } from "../../../elsewhere/x";').length, 1);
    assert.equal(scan("test/a/b.ts", 'const m = require("../../../elsewhere/x");').length, 1);
    assert.deepEqual(scan("test/a/b.ts", 'import { x } from "../../src/x"; import "node:fs";'), []);
  });

  test("the scan ignores comments and ordinary strings", () => {
    assert.deepEqual(scan("test/a/b.ts", '// see ../shared/spec/routes.md\nconst type = "shared";'), []);
  });
});
