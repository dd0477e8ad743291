/**
 * The data folder is private to the server's user: the folder 0700 and every regular file in it
 * 0600 (database, -wal, -shm, keys), whatever modes existed before and whatever the umask, since
 * the database holds SRP verifiers and the keys file the at-rest key. Set explicitly with chmod
 * (mkdir/open modes are filtered by the umask and do not apply to what already exists).
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function preparePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  restrictFiles(dir);
  return dir;
}

/** Creates `file` empty with mode 0600 if it does not exist (so SQLite never creates it wider). */
export function touchPrivate(file: string): void {
  closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600);
}

/** Every regular file directly in `dir` to 0600 (symbolic links are left alone: not ours to change). */
export function restrictFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isFile()) chmodSync(path, 0o600);
  }
}
