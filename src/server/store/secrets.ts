/**
 * Storage of secrets and their versions: every SQL statement on the `secrets` and
 * `secret_versions` tables, with named parameters. Callers hold the rules (who may write what,
 * which name collides); this module only reads and writes rows, inside the caller's transaction.
 */
import { randomUUID } from "node:crypto";
import { nowIso, type SecretRow, type SecretVersionRow } from "../rows";
import type { NamedParams, Param, Store } from "./database";

/** The encrypted content and settings a secret holds; a version row is a snapshot of the same columns. */
export type SecretContent = Pick<
  SecretRow,
  | "key_ciphertext"
  | "key_iv"
  | "key_tag"
  | "value_ciphertext"
  | "value_iv"
  | "value_tag"
  | "comment_ciphertext"
  | "comment_iv"
  | "comment_tag"
  | "reminder_note"
  | "reminder_repeat_days"
  | "skip_multiline"
  | "metadata"
>;

/** Where a secret lives and whose it is; with its index, its unique key. */
export interface SecretKey {
  folder_id: string;
  blind_index: string;
  type: string;
  /** The owner of a personal override; "" for a shared secret. */
  user_id: string;
}

export interface NewSecret extends SecretKey, SecretContent {
  project_id: string;
  env_id: string;
  version: number;
}

const CONTENT_COLUMNS = [
  "key_ciphertext",
  "key_iv",
  "key_tag",
  "value_ciphertext",
  "value_iv",
  "value_tag",
  "comment_ciphertext",
  "comment_iv",
  "comment_tag",
  "reminder_note",
  "reminder_repeat_days",
  "skip_multiline",
  "metadata",
] as const satisfies ReadonlyArray<keyof SecretContent>;

const KEY_COLUMNS = ["folder_id", "blind_index", "type", "user_id"] as const satisfies ReadonlyArray<keyof SecretKey>;

const NEW_SECRET_COLUMNS = [
  "id",
  "project_id",
  "env_id",
  "folder_id",
  "blind_index",
  "type",
  "user_id",
  "version",
  ...CONTENT_COLUMNS,
  "created_at",
  "updated_at",
] as const;

const INSERT_SECRET = `INSERT INTO secrets (${NEW_SECRET_COLUMNS.join(", ")})
  VALUES (${NEW_SECRET_COLUMNS.map((c) => `:${c}`).join(", ")})`;

const UPDATE_SECRET = `UPDATE secrets SET version = version + 1, blind_index = :blind_index,
  ${CONTENT_COLUMNS.map((c) => `${c} = :${c}`).join(", ")}, updated_at = :updated_at WHERE id = :id`;

// A version is the secret's row as it is now; created_at of a version is when that content was written.
const SNAPSHOT = `INSERT INTO secret_versions (id, secret_id, version, env_id, folder_id, type, user_id,
    ${CONTENT_COLUMNS.join(", ")}, created_at, updated_at)
  SELECT :version_id, id, version, env_id, folder_id, type, user_id, ${CONTENT_COLUMNS.join(", ")}, updated_at, updated_at
  FROM secrets WHERE id = :id
  ON CONFLICT (secret_id, version) DO NOTHING`;

/** Exactly the named columns (node:sqlite refuses unknown names and would bind a missing one as NULL). */
function columns<K extends string>(values: { [C in K]: Param }, names: readonly K[]): NamedParams {
  return Object.fromEntries(names.map((name) => [name, values[name]]));
}

export class SecretStore {
  constructor(private readonly store: Store) {}

  find(key: SecretKey): SecretRow | undefined {
    return this.store.get<SecretRow>(
      `SELECT * FROM secrets
       WHERE folder_id = :folder_id AND blind_index = :blind_index AND type = :type AND user_id = :user_id`,
      columns(key, KEY_COLUMNS),
    );
  }

  byId(id: string): SecretRow | undefined {
    return this.store.get<SecretRow>("SELECT * FROM secrets WHERE id = :id", { id });
  }

  /** Shared secrets of a folder and the personal overrides of `userId`, oldest first. */
  listVisible(folderId: string, userId: string): SecretRow[] {
    return this.store.all<SecretRow>(
      `SELECT * FROM secrets WHERE folder_id = :folder_id AND (type = 'shared' OR user_id = :user_id)
       ORDER BY created_at, id`,
      { folder_id: folderId, user_id: userId },
    );
  }

  /** Whether anyone's personal override exists under this index (a shared rename must not land on one). */
  hasPersonalOverrides(folderId: string, index: string): boolean {
    return (
      this.store.get(
        "SELECT 1 AS found FROM secrets WHERE folder_id = :folder_id AND blind_index = :blind_index AND type = 'personal'",
        { folder_id: folderId, blind_index: index },
      ) !== undefined
    );
  }

  /** Inserts the secret and its first version; answers with the stored row. */
  insert(secret: NewSecret): SecretRow {
    const id = randomUUID();
    const now = nowIso();
    this.store.run(INSERT_SECRET, columns({ ...secret, id, created_at: now, updated_at: now }, NEW_SECRET_COLUMNS));
    return this.snapshot(id);
  }

  /** New content (and index, on a rename): the version goes up by one and is recorded. */
  update(old: SecretRow, content: SecretContent, index = old.blind_index): SecretRow {
    this.store.run(UPDATE_SECRET, {
      ...columns(content, CONTENT_COLUMNS),
      blind_index: index,
      updated_at: nowIso(),
      id: old.id,
    });
    return this.snapshot(old.id);
  }

  /** Personal overrides follow their shared secret's new name. */
  reindexPersonalOverrides(folderId: string, from: string, to: string): void {
    this.store.run(
      `UPDATE secrets SET blind_index = :to
       WHERE folder_id = :folder_id AND blind_index = :from AND type = 'personal'`,
      { folder_id: folderId, from, to },
    );
  }

  /** Deletes the secret; deleting a shared secret also deletes its personal overrides. */
  delete(secret: SecretRow): void {
    this.store.run("DELETE FROM secrets WHERE id = :id", { id: secret.id });
    if (secret.type === "shared") {
      this.store.run(
        "DELETE FROM secrets WHERE folder_id = :folder_id AND blind_index = :blind_index AND type = 'personal'",
        { folder_id: secret.folder_id, blind_index: secret.blind_index },
      );
    }
  }

  // ---- blind indexes of projects from before April 2023 (routes/blind-indexes.ts) ----------

  /** How many of the project's secrets (any environment, folder or type) have no blind index. */
  countUnindexed(projectId: string): number {
    const row = this.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM secrets WHERE project_id = :project_id AND blind_index IS NULL",
      { project_id: projectId },
    );
    return Number(row?.n ?? 0);
  }

  /** Every secret of the project, indexed or not, with its environment's slug. */
  listProject(projectId: string): Array<SecretRow & { environment_slug: string }> {
    return this.store.all<SecretRow & { environment_slug: string }>(
      `SELECT s.*, e.slug AS environment_slug FROM secrets s JOIN environments e ON e.id = s.env_id
       WHERE s.project_id = :project_id ORDER BY s.created_at, s.id`,
      { project_id: projectId },
    );
  }

  clearIndex(id: string): void {
    this.store.run("UPDATE secrets SET blind_index = NULL WHERE id = :id", { id });
  }

  /** Sets a secret's index and bumps its version, writing no version row (as the real server's names route). */
  setIndex(id: string, index: string): void {
    this.store.run(
      "UPDATE secrets SET blind_index = :blind_index, version = version + 1, updated_at = :updated_at WHERE id = :id",
      { blind_index: index, updated_at: nowIso(), id },
    );
  }

  version(secretId: string, version: number): SecretVersionRow | undefined {
    return this.store.get<SecretVersionRow>(
      "SELECT * FROM secret_versions WHERE secret_id = :secret_id AND version = :version",
      { secret_id: secretId, version },
    );
  }

  /** Newest first. */
  versions(secretId: string, limit: number, offset: number): SecretVersionRow[] {
    return this.store.all<SecretVersionRow>(
      "SELECT * FROM secret_versions WHERE secret_id = :secret_id ORDER BY version DESC LIMIT :limit OFFSET :offset",
      { secret_id: secretId, limit, offset },
    );
  }

  private snapshot(id: string): SecretRow {
    this.store.run(SNAPSHOT, { version_id: randomUUID(), id });
    return this.byId(id)!;
  }
}
