/**
 * Writes src/cdktf/constructs.generated.ts from the core registry.
 * Usage: node dist/scripts/generate-cdktf.js [--check]   (--check exits 1 when the file is stale)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lookups, resources } from "../src/provider/registry";
import { renderConstructs } from "./codegen/cdktf";
import { providerSettings, registryViews } from "./codegen/model";
import { repoRoot } from "./codegen/paths";

export const CONSTRUCTS_FILE = join("src", "cdktf", "constructs.generated.ts");

export function generateConstructsSource(): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  return renderConstructs(registryViews({ resources, lookups }), providerSettings(), version);
}

function main(argv: string[]): number {
  const target = join(repoRoot(), CONSTRUCTS_FILE);
  const fresh = generateConstructsSource();
  if (argv.includes("--check")) {
    const current = readFileSync(target, "utf8");
    if (current === fresh) return 0;
    process.stderr.write(`${CONSTRUCTS_FILE} is stale: run node dist/scripts/generate-cdktf.js\n`);
    return 1;
  }
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${CONSTRUCTS_FILE}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
