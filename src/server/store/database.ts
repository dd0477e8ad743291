/**
 * SQLite storage through node:sqlite, in WAL mode. Every write request runs in one transaction
 * (`store.transaction`) and is acknowledged only after `durable()`: one fsync of the WAL shared
 * by every commit made before it started (group commit), which makes a commit as durable as
 * synchronous=FULL would, without one fsync per transaction holding the event loop.
 * Only ciphertexts, wrapped key copies, public keys, SRP verifiers and hashes are stored.
 */
import { closeSync, fsync, openSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { ServerDataError } from "../../provider/errors";
import { preparePrivateDir, restrictFiles, touchPrivate } from "./files";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema";

export type Row = Record<string, unknown>;
export type Param = SQLInputValue;
/** `:name` parameters by name (node:sqlite matches bare keys to `:key`). */
export type NamedParams = Record<string, Param>;
/** Positional `?` values, or one object of named parameters. */
export type Params = Param[] | [NamedParams];

export class Store {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;
  private readonly walFile: string | undefined;
  private walFd: number | undefined;
  /** The fsync running now, and the callers that committed after it started (they need the next one). */
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;

  /** `dataDir` absent = in-memory database (gone when the server closes). */
  constructor(dataDir?: string) {
    if (dataDir) {
      preparePrivateDir(dataDir);
      const file = join(dataDir, "infisical-e2ee.sqlite");
      touchPrivate(file);
      this.db = new DatabaseSync(file);
      // NORMAL: commits do not fsync by themselves; durable() syncs the WAL before an answer.
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      this.walFile = `${file}-wal`;
    } else {
      this.db = new DatabaseSync(":memory:");
    }
    this.db.exec("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
    this.migrate();
    // The -wal and -shm files exist by now; SQLite gives later ones the database file's mode.
    if (dataDir) restrictFiles(dataDir);
  }

  private migrate(): void {
    const current = Number((this.db.prepare("PRAGMA user_version").get() as Row).user_version);
    if (current === SCHEMA_VERSION) return;
    if (!Number.isInteger(current) || current < 0 || current > SCHEMA_VERSION) {
      throw new ServerDataError(
        "data directory",
        `has schema version ${current}, newer than this server's ${SCHEMA_VERSION}`,
      );
    }
    // All steps in one transaction: a failed upgrade leaves the database as it was. Foreign keys
    // are off meanwhile (SQLite ignores the pragma inside a transaction), so a step that rebuilds a
    // table does not cascade its DROP into the tables that reference it; they are checked before commit.
    this.db.exec("PRAGMA foreign_keys = OFF");
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (let version = current; version < SCHEMA_VERSION; version++) this.db.exec(MIGRATIONS[version]!);
      const broken = this.db.prepare("PRAGMA foreign_key_check").all();
      if (broken.length > 0) {
        throw new ServerDataError("data directory", `the schema upgrade left ${broken.length} dangling references`);
      }
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.db.exec("PRAGMA foreign_keys = ON");
    }
  }

  private statement(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  get<T = Row>(sql: string, ...params: Params): T | undefined {
    return this.statement(sql).get(...(params as Param[])) as T | undefined;
  }

  all<T = Row>(sql: string, ...params: Params): T[] {
    return this.statement(sql).all(...(params as Param[])) as T[];
  }

  run(sql: string, ...params: Params): number {
    return Number(this.statement(sql).run(...(params as Param[])).changes);
  }

  /** Runs `fn` in one transaction (nested calls join the outer one); rolls back on throw. */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec("BEGIN IMMEDIATE");
    this.depth++;
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.depth--;
    }
  }

  /**
   * Resolves once every transaction committed before the call is on disk. Concurrent callers
   * share fsyncs: a call made while one runs waits for the next, which covers all of them.
   */
  durable(): Promise<void> {
    if (!this.walFile || !this.db.isOpen) return Promise.resolve();
    if (!this.syncing) {
      this.syncing = this.syncWal().finally(() => {
        this.syncing = undefined;
      });
      return this.syncing;
    }
    this.nextSync ??= this.syncing.then(() => {
      this.nextSync = undefined;
      return this.durable();
    });
    return this.nextSync;
  }

  private syncWal(): Promise<void> {
    this.walFd ??= openSync(this.walFile!, "r");
    const fd = this.walFd;
    return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
