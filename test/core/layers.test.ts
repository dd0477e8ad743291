/**
 * The layers stay acyclic: no import cycle among the modules under src/ (type-only imports count:
 * a type cycle is where the next change turns into a runtime one), and the bottom layers import
 * nothing above them: api/ knows neither the schema kit nor sessions, connection settings use the
 * field checker without the resource kit, and the contract module imports nothing.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";

const root = repoRoot();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  if (existsSync(`${base}.ts`)) return `${base}.ts`;
  if (existsSync(join(base, "index.ts"))) return join(base, "index.ts");
  return undefined;
}

const rel = (path: string) => relative(root, path).split("\\").join("/");
const graph = new Map<string, string[]>();
for (const file of sources(join(root, "src"))) {
  const text = readFileSync(file, "utf8");
  const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom "(\.[^"]+)"/gms)]
    .map((m) => resolveImport(file, m[1]!))
    .filter((t): t is string => t !== undefined);
  graph.set(rel(file), [...new Set(targets.map(rel))]);
}

function findCycles(): string[] {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (node: string, stack: string[]) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next, stack);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, []);
  return cycles;
}

test("the import graph is read (the test sees the edges it guards)", () => {
  assert.ok(graph.size > 50);
  assert.ok(graph.get("src/provider/api/http.ts")?.includes("src/provider/contract.ts"));
});

test("no import cycle under src/, type-only imports included", () => {
  assert.deepEqual(findCycles(), []);
});

test("bottom layers import nothing above them", () => {
  const offending = (from: string, forbidden: RegExp) =>
    [...graph.entries()]
      .filter(([file]) => file.startsWith(from))
      .flatMap(([file, targets]) => targets.filter((t) => forbidden.test(t)).map((t) => `${file} -> ${t}`));
  assert.deepEqual(offending("src/provider/api/", /^src\/provider\/(schema|session|resources)\//), []);
  assert.deepEqual(offending("src/provider/crypto/", /^src\/provider\/(api|schema|session|resources)\//), []);
  assert.deepEqual(offending("src/provider/session/settings.ts", /^src\/provider\/schema\/resource\.ts$/), []);
  assert.deepEqual(graph.get("src/provider/contract.ts"), []);
});
