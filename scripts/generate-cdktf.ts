/**
 * Writes the constructs from the core registry, one file per framework:
 * src/cdktn/constructs.generated.ts (CDK Terrain, the main one) and
 * src/cdktf/constructs.generated.ts (CDKTF, legacy).
 * Usage: node dist/scripts/generate-cdktf.js [--check]   (--check exits 1 when a file is stale)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lookups, resources } from "../src/provider/registry";
import { CDKTF, CDKTN, type ConstructFlavor, renderConstructs } from "./codegen/cdktf";
import { providerSettings, registryViews } from "./codegen/model";
import { repoRoot } from "./codegen/paths";

export interface ConstructsTarget {
  flavor: ConstructFlavor;
  /** Relative to the repository root. */
  file: string;
}

export const CONSTRUCTS_TARGETS: readonly ConstructsTarget[] = [
  { flavor: CDKTN, file: join("src", "cdktn", "constructs.generated.ts") },
  { flavor: CDKTF, file: join("src", "cdktf", "constructs.generated.ts") },
];

export function generateConstructsSource(flavor: ConstructFlavor): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  return renderConstructs(registryViews({ resources, lookups }), providerSettings(), version, flavor);
}

function main(argv: string[]): number {
  const check = argv.includes("--check");
  let stale = 0;
  for (const { flavor, file } of CONSTRUCTS_TARGETS) {
    const target = join(repoRoot(), file);
    const fresh = generateConstructsSource(flavor);
    if (!check) {
      writeFileSync(target, fresh);
      process.stdout.write(`wrote ${file}\n`);
    } else if (readFileSync(target, "utf8") !== fresh) {
      process.stderr.write(`${file} is stale: run node dist/scripts/generate-cdktf.js\n`);
      stale++;
    }
  }
  return stale === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
