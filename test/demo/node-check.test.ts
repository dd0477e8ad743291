/** scripts/demo.ts on a Node without node:sqlite stops with a clear message instead of a loader error. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { whichAll } from "../../scripts/demo/workspace";

const demoScript = join(__dirname, "..", "..", "scripts", "demo.js");

function lacksNodeSqlite(node: string): boolean {
  const probe = spawnSync(node, ["-e", "require('node:sqlite')"], { encoding: "utf8" });
  return probe.status !== 0 && /ERR_UNKNOWN_BUILTIN_MODULE|No such built-in module/.test(probe.stderr);
}

const oldNode = whichAll("node").find(lacksNodeSqlite);

test("the demo on a Node without node:sqlite asks for Node ≥ 22.13 and exits 1", {
  skip: oldNode ? false : "no Node without node:sqlite on PATH",
}, () => {
  const run = spawnSync(oldNode!, [demoScript, "--json"], {
    encoding: "utf8",
    env: { ...process.env, DEMO_NONINTERACTIVE: "1" },
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /needs Node ≥ 22\.13 .*Use `npm run demo`, which uses the pinned Node 24\./);
  assert.doesNotMatch(run.stderr, /ERR_UNKNOWN_BUILTIN_MODULE|at Module/);
});
