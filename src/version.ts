/** The package's version, read once from its package.json (two levels above the compiled `dist/src`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string })
    .version;
  return cached;
}
