/**
 * Imported first by scripts/demo.ts, for its side effect: the embedded server needs node:sqlite
 * (Node ≥ 22.13). Without this check an older Node (the system Node 20) dies while loading the
 * server with ERR_UNKNOWN_BUILTIN_MODULE, before the demo can say what to do.
 */

export function hasNodeSqlite(): boolean {
  try {
    require("node:sqlite");
    return true;
  } catch {
    return false;
  }
}

if (!hasNodeSqlite()) {
  process.stderr.write(
    `The demo needs Node ≥ 22.13 (for node:sqlite); this is Node ${process.versions.node}. ` +
      "Use `npm run demo`, which uses the pinned Node 24.\n",
  );
  process.exit(1);
}
