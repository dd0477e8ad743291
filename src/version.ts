/** The package's version, read once from its package.json (two levels above the compiled `dist/src`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Set by the single-file provider build (scripts/package-provider), where no package.json sits beside the code. */
declare const INFISICAL_E2EE_BUNDLED_VERSION: string | undefined;

let cached: string | undefined;

export function packageVersion(): string {
  cached ??=
    typeof INFISICAL_E2EE_BUNDLED_VERSION === "string"
      ? INFISICAL_E2EE_BUNDLED_VERSION
      : (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
  return cached;
}
