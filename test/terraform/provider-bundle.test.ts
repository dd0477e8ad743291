/**
 * The single-file provider's bundle (step 1 of `npm run package-provider`): pure JavaScript, the
 * native `argon2` package left out (Argon2id comes from node:crypto inside the binary), the
 * version compiled in, nothing required at run time but Node's built-ins.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleProvider } from "../../scripts/package-provider/bundle";

const ROOT = join(__dirname, "..", "..", "..");

test("the bundle carries the provider and its pure-JS dependencies, not the native argon2", async () => {
  const out = mkdtempSync(join(tmpdir(), "infisical-e2ee-bundle-"));
  try {
    const bundle = await bundleProvider({ root: ROOT, outDir: out, version: "9.8.7-test" });
    const inputs = bundle.inputs;
    for (const expected of [
      "src/cli/provider-binary.ts",
      "src/terraform/plugin-server.ts",
      "src/provider/crypto/argon2.ts",
      "src/provider/session/index.ts",
    ]) {
      assert.ok(inputs.includes(expected), `${expected} is bundled`);
    }
    assert.ok(inputs.some((i) => i.startsWith("node_modules/@grpc/grpc-js/")));
    assert.ok(inputs.some((i) => i.startsWith("node_modules/undici/")));
    assert.deepEqual(
      inputs.filter((i) => i.startsWith("node_modules/argon2/") || i.endsWith(".node")),
      [],
      "no native addon",
    );
    const code = readFileSync(bundle.file, "utf8");
    assert.match(code, /argon2 is a native addon and is not part of the single-file provider/);
    assert.ok(code.includes('"9.8.7-test"'), "the version is compiled in");
    assert.doesNotMatch(code, /require\("argon2"\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
