/**
 * Makes secrets of a real embedded server's database look as they do in an Infisical project
 * created before April 2023 (routes-more.md §5 "To emulate"): the secret rows lose their blind
 * index, the project keeps its salt. Written straight into the SQLite file the running server uses
 * (a second connection; WAL lets both work), the way the probe set the column to NULL in Postgres.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export interface UnindexedRow {
  id: string;
  version: number;
}

function openDatabase(dataDir: string): DatabaseSync {
  const db = new DatabaseSync(join(dataDir, "infisical-e2ee.sqlite"));
  db.exec("PRAGMA busy_timeout = 5000;");
  return db;
}

/** Drops the blind index of the project's secrets (all, or only `secretIds`); returns how many rows changed. */
export function dropBlindIndexes(dataDir: string, projectId: string, secretIds?: string[]): number {
  const db = openDatabase(dataDir);
  try {
    if (!secretIds) {
      return Number(db.prepare("UPDATE secrets SET blind_index = NULL WHERE project_id = ?").run(projectId).changes);
    }
    const update = db.prepare("UPDATE secrets SET blind_index = NULL WHERE project_id = ? AND id = ?");
    return secretIds.reduce((n, id) => n + Number(update.run(projectId, id).changes), 0);
  } finally {
    db.close();
  }
}

/** The project's secrets without an index, and every secret's version (to show what a request changed). */
export function indexState(dataDir: string, projectId: string): { unindexed: string[]; versions: Map<string, number> } {
  const db = openDatabase(dataDir);
  try {
    const rows = db
      .prepare("SELECT id, version, blind_index IS NULL AS missing FROM secrets WHERE project_id = ?")
      .all(projectId) as Array<{ id: string; version: number; missing: number }>;
    return {
      unindexed: rows.filter((r) => r.missing === 1).map((r) => r.id),
      versions: new Map(rows.map((r) => [r.id, r.version])),
    };
  } finally {
    db.close();
  }
}

/** Rows of secret_versions per secret (the names route writes none). */
export function versionRowCount(dataDir: string, projectId: string): number {
  const db = openDatabase(dataDir);
  try {
    const row = db
      .prepare(
        "SELECT COUNT(*) AS n FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.project_id = ?",
      )
      .get(projectId) as { n: number };
    return Number(row.n);
  } finally {
    db.close();
  }
}
