/**
 * Writes the reference pages (docs/reference.md, docs/resources/*.md, docs/data-sources/*.md)
 * from the core registry. Usage: node dist/scripts/generate-docs.js [--check]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { lookups, resources } from "../src/provider/registry";
import { type DocPage, renderDocs } from "./codegen/docs";
import { registryViews } from "./codegen/model";
import { repoRoot } from "./codegen/paths";

export function generateDocPages(): DocPage[] {
  return renderDocs(registryViews({ resources, lookups }));
}

/** Pages whose checked-in text differs from what the schemas generate (missing counts as stale). */
export function stalePages(root = repoRoot()): string[] {
  return generateDocPages()
    .filter((page) => {
      const file = join(root, page.path);
      return !existsSync(file) || readFileSync(file, "utf8") !== page.text;
    })
    .map((page) => page.path);
}

function main(argv: string[]): number {
  const root = repoRoot();
  if (argv.includes("--check")) {
    const stale = stalePages(root);
    if (stale.length === 0) return 0;
    process.stderr.write(`stale docs: ${stale.join(", ")}; run node dist/scripts/generate-docs.js\n`);
    return 1;
  }
  for (const page of generateDocPages()) {
    const file = join(root, page.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, page.text);
    process.stdout.write(`wrote ${page.path}\n`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
