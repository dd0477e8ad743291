/**
 * Coalescing, encrypting access to secrets. Writes go through a group commit per (project,
 * environment, path) (group-commit.ts): while a batch for a location is in flight, later writes
 * wait and go out together, one batch call per kind (create / update / delete); a lone write
 * goes out at once; renames keep their own requests. A batch that fails for one of its items
 * falls back per item so every caller gets its own precise result; a batch whose answer was lost
 * is settled with one list call (ours adopted, missing ones sent again with the next batch), never
 * one request per item. Reads are served from one list call per location: a snapshot kept while
 * reads keep coming (bounded in age), into which our own acknowledged writes are folded so a read
 * never misses its own write and a destroy does not list again after every batch. A create whose answer was lost is never repeated blindly: the
 * secret is adopted only when it carries exactly the ciphertext we sent.
 */
import type { Api } from "../api";
import type { BatchCreateItem } from "../api/secrets";
import type { SecretCiphertexts, SecretScope, WireSecret } from "../api/wire";
import {
  ApiError,
  ConflictError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  TransportError,
  UnauthorizedError,
} from "../errors";
import type { Logger } from "../schema/resource";
import type { BlindIndexGuard } from "./blind-index-guard";
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitOptions, NO_GROUP_COMMIT } from "./group-commit";
import { decryptSecret, encryptSecret } from "./secret-codec";
import type { PlainSecret, SecretLocation, SecretStore, SecretUpdate, SecretWrite } from "./session";

export interface CoalescingOptions extends GroupCommitOptions {
  /** A list snapshot serves reads while it was used within this long (ms)... */
  snapshotTtlMs: number;
  /** ...and is at most this old (ms), so a long-running program still sees others' changes. */
  snapshotMaxAgeMs: number;
}

export const DEFAULT_COALESCING: CoalescingOptions = {
  ...DEFAULT_GROUP_COMMIT,
  snapshotTtlMs: 10_000,
  snapshotMaxAgeMs: 30_000,
};

/** Coalescing off: one request per write and a list call per read, for comparison with the naive way. */
export const NO_COALESCING: CoalescingOptions = { ...NO_GROUP_COMMIT, snapshotTtlMs: 0, snapshotMaxAgeMs: 0 };

/** How often one write may be sent again after its batch's answer was lost. */
const MAX_RESENDS = 3;

type Deferred<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

interface PendingCreate extends Deferred<PlainSecret> {
  kind: "create";
  secret: SecretWrite;
  resends: number;
  /** Encrypted once: every resend carries the same ciphertext, so a lost first attempt is recognised as ours. */
  body?: SecretCiphertexts;
}
interface PendingUpdate extends Deferred<PlainSecret> {
  kind: "update";
  update: SecretUpdate;
}
interface PendingDelete extends Deferred<boolean> {
  kind: "delete";
  key: string;
  resends: number;
}
type Pending = PendingCreate | PendingUpdate | PendingDelete;

interface Snapshot {
  /** When the list was requested. */
  at: number;
  lastUse: number;
  secrets: Promise<PlainSecret[]>;
}

function locationKey(l: SecretLocation): string {
  return JSON.stringify([l.projectId, l.environment, l.path]);
}

function locationOfKey(key: string): SecretLocation {
  const [projectId, environment, path] = JSON.parse(key) as [string, string, string];
  return { projectId, environment, path };
}

function scopeOf(l: SecretLocation): SecretScope {
  return { workspaceId: l.projectId, environment: l.environment, secretPath: l.path };
}

/** A write failed in a way that leaves it unknown whether the server did it. */
function isAmbiguous(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return (
    error instanceof ApiError &&
    error.code === "ERR_API" &&
    error.status !== undefined &&
    [500, 502, 503, 504].includes(error.status)
  );
}

/**
 * A failure of the request as a whole (rate limit or credentials after the retries, a server
 * error, no answer): sending each item alone would only repeat it once per item.
 */
function isWholeRequestFailure(error: unknown): boolean {
  if (error instanceof RateLimitedError || error instanceof UnauthorizedError) return true;
  if (error instanceof TransportError) return true;
  return error instanceof ApiError && error.status !== undefined && error.status >= 500;
}

/** The single-secret routes cannot address a secret named `batch` (the batch route is matched first). */
const BATCH_ROUTE_NAME = "batch";

function keysOf(item: Pending): string[] {
  if (item.kind === "create") return [item.secret.key];
  if (item.kind === "delete") return [item.key];
  return item.update.newKey && item.update.newKey !== item.update.key
    ? [item.update.key, item.update.newKey]
    : [item.update.key];
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function sameCiphertext(wire: WireSecret, body: SecretCiphertexts): boolean {
  return (
    wire.secretValueCiphertext === body.secretValueCiphertext &&
    wire.secretValueIV === body.secretValueIV &&
    wire.secretKeyCiphertext === body.secretKeyCiphertext
  );
}

export class CoalescingSecretStore implements SecretStore {
  readonly #api: Api;
  readonly #projectKey: (projectId: string) => Promise<string>;
  readonly #log: Logger;
  readonly #options: CoalescingOptions;
  readonly #writes: GroupCommit<Pending>;
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #folders = new Map<string, Promise<void>>();
  readonly #guard?: BlindIndexGuard;

  constructor(
    api: Api,
    projectKey: (projectId: string) => Promise<string>,
    log: Logger,
    options: Partial<CoalescingOptions> = {},
    guard?: BlindIndexGuard,
  ) {
    this.#api = api;
    this.#guard = guard;
    this.#projectKey = projectKey;
    this.#log = log;
    this.#options = { ...DEFAULT_COALESCING, ...options };
    this.#writes = new GroupCommit((key, batch) => this.#send(key, batch), keysOf, this.#options);
  }

  // ---- reads -------------------------------------------------------------------------------

  async list(location: SecretLocation, options: { fresh?: boolean } = {}): Promise<PlainSecret[]> {
    const key = locationKey(location);
    const current = this.#snapshots.get(key);
    const now = Date.now();
    const usable =
      current &&
      !options.fresh &&
      now - current.lastUse < this.#options.snapshotTtlMs &&
      now - current.at < this.#options.snapshotMaxAgeMs;
    if (usable) {
      current.lastUse = now;
      return current.secrets;
    }
    const secrets = this.#fetchList(location);
    const snapshot: Snapshot = { at: now, lastUse: now, secrets };
    this.#snapshots.set(key, snapshot);
    secrets.catch(() => {
      if (this.#snapshots.get(key) === snapshot) this.#snapshots.delete(key);
    });
    return secrets;
  }

  async get(location: SecretLocation, key: string): Promise<PlainSecret | undefined> {
    const secrets = await this.list(location).catch((error: unknown) => {
      // A folder or environment that does not exist holds no secrets.
      if (error instanceof NotFoundError) return [] as PlainSecret[];
      throw error;
    });
    return secrets.find((s) => s.key === key);
  }

  async #fetchList(location: SecretLocation): Promise<PlainSecret[]> {
    const projectKey = await this.#projectKey(location.projectId);
    const { secrets } = await this.#api.secrets.list(scopeOf(location));
    return secrets.filter((s) => (s.type ?? "shared") === "shared").map((s) => decryptSecret(projectKey, s));
  }

  /** The server's current ciphertexts by name, never from a snapshot (settling lost answers). */
  async #freshWire(location: SecretLocation): Promise<Map<string, WireSecret>> {
    const projectKey = await this.#projectKey(location.projectId);
    const { secrets } = await this.#api.secrets.list(scopeOf(location));
    const byKey = new Map<string, WireSecret>();
    for (const wire of secrets.filter((s) => (s.type ?? "shared") === "shared")) {
      byKey.set(decryptSecret(projectKey, wire).key, wire);
    }
    return byKey;
  }

  /** After a write whose outcome is unknown: the next read lists again. */
  #invalidate(location: SecretLocation): void {
    this.#snapshots.delete(locationKey(location));
  }

  // ---- writes ------------------------------------------------------------------------------

  create(location: SecretLocation, secret: SecretWrite): Promise<PlainSecret> {
    return new Promise((resolve, reject) =>
      this.#enqueue(location, { kind: "create", secret, resends: 0, resolve, reject }),
    );
  }

  update(location: SecretLocation, update: SecretUpdate): Promise<PlainSecret> {
    return new Promise((resolve, reject) => this.#enqueue(location, { kind: "update", update, resolve, reject }));
  }

  delete(location: SecretLocation, key: string): Promise<boolean> {
    return new Promise((resolve, reject) =>
      this.#enqueue(location, { kind: "delete", key, resends: 0, resolve, reject }),
    );
  }

  #enqueue(location: SecretLocation, item: Pending): void {
    // Callers must never read a snapshot without their own write, nor one taken before it that
    // hides a change made outside meanwhile: every settled write drops the location's snapshot.
    const { resolve, reject } = item;
    item.resolve = ((value: PlainSecret | boolean) => {
      this.#invalidate(location);
      resolve(value as never);
    }) as never;
    item.reject = (error: unknown) => {
      this.#invalidate(location);
      reject(error);
    };
    this.#writes.submit(locationKey(location), item);
  }

  #send(key: string, items: Pending[]): Promise<void> {
    return this.#sendAt(key, locationOfKey(key), items);
  }

  async #sendAt(key: string, location: SecretLocation, items: Pending[]): Promise<void> {
    let creates = items.filter((i): i is PendingCreate => i.kind === "create");
    // Asked alongside the project key, so a first create waits for one round trip, not two.
    const createRefused =
      creates.length > 0 && this.#guard
        ? this.#guard.beforeCreate(location.projectId, "create secret").then(
            () => undefined,
            (error: unknown) => error,
          )
        : undefined;
    let projectKey: string;
    try {
      projectKey = await this.#projectKey(location.projectId);
    } catch (error) {
      await createRefused;
      for (const i of items) i.reject(error);
      return;
    }
    const refused = await createRefused;
    if (refused !== undefined) {
      for (const c of creates) c.reject(refused);
      creates = [];
    }
    const updates = items.filter((i): i is PendingUpdate => i.kind === "update");
    const renames = updates.filter((u) => u.update.newKey !== undefined && u.update.newKey !== u.update.key);
    const plainUpdates = updates.filter((u) => !renames.includes(u));
    const deletes = items.filter((i): i is PendingDelete => i.kind === "delete");
    const size = this.#options.maxBatch;
    await Promise.all([
      ...chunk(creates, size).map((c) => this.#createChunk(key, location, projectKey, c)),
      ...chunk(plainUpdates, size).map((c) => this.#updateChunk(location, projectKey, c)),
      ...renames.map((r) => this.#updateOne(location, projectKey, r)),
      ...chunk(deletes, size).map((c) => this.#deleteChunk(key, location, c)),
    ]);
  }

  /** A lone write uses the single-secret route, except for a name only the batch route can address. */
  #alone(items: { kind: string }[], name: string): boolean {
    return items.length === 1 && name !== BATCH_ROUTE_NAME;
  }

  async #createChunk(key: string, location: SecretLocation, projectKey: string, items: PendingCreate[]) {
    if (this.#alone(items, items[0]!.secret.key)) return this.#createOne(location, projectKey, items[0]!);
    const sent = items.map((i) => ({
      item: i,
      body: this.#bodyOf(projectKey, i),
    }));
    const batch: BatchCreateItem[] = sent.map((s) => ({ secretName: s.item.secret.key, ...s.body }));
    try {
      const { secrets } = await this.#api.secrets.createMany(scopeOf(location), batch);
      const byKey = this.#decryptByKey(projectKey, secrets);
      for (const { item } of sent) {
        const created = byKey.get(item.secret.key);
        if (created) item.resolve(created);
        else
          item.reject(
            new ApiError("ERR_API", {
              operation: "create secrets (batch)",
              reason: "the server did not return every created secret",
            }),
          );
      }
    } catch (error) {
      if (isAmbiguous(error) || error instanceof ConflictError) {
        // A lost answer, or the all-or-nothing batch refused a name that exists (perhaps our own
        // earlier attempt): one list call tells each item apart.
        await this.#settleLostCreates(key, location, projectKey, sent, error);
      } else if (isWholeRequestFailure(error)) {
        for (const { item } of sent) item.reject(error);
      } else {
        this.#log.debug("batch create failed; retrying each secret alone", {
          count: items.length,
          code: codeOf(error),
        });
        await Promise.all(items.map((i) => this.#createOne(location, projectKey, i)));
      }
    }
  }

  #bodyOf(projectKey: string, item: PendingCreate): SecretCiphertexts {
    item.body ??= encryptSecret(projectKey, item.secret.key, item.secret.value, item.secret.comment);
    return item.body;
  }

  async #createOne(location: SecretLocation, projectKey: string, item: PendingCreate): Promise<void> {
    const body = this.#bodyOf(projectKey, item);
    try {
      const { secret } = await this.#api.secrets.create(scopeOf(location), item.secret.key, body);
      item.resolve(decryptSecret(projectKey, secret));
    } catch (error) {
      if (isAmbiguous(error)) await this.#settleAmbiguousCreate(location, projectKey, item, body);
      else if (error instanceof ConflictError && item.resends > 0) {
        // A resend after a lost answer collided: the first attempt may have landed after all.
        await this.#settleAmbiguousCreate(location, projectKey, item, body, error);
      } else item.reject(error);
    }
  }

  /**
   * A batch create's answer was lost, or the batch collided with existing names. One list call
   * settles every item: a secret that now exists with exactly our ciphertext is ours; one with
   * other content is a conflict (the server's own error when it gave one); one that does not
   * exist goes out again with the next batch.
   */
  async #settleLostCreates(
    key: string,
    location: SecretLocation,
    projectKey: string,
    sent: { item: PendingCreate; body: SecretCiphertexts }[],
    cause: unknown,
  ): Promise<void> {
    let current: Map<string, WireSecret>;
    try {
      current = await this.#freshWire(location);
    } catch (error) {
      for (const { item } of sent) item.reject(error);
      return;
    }
    const again: PendingCreate[] = [];
    for (const { item, body } of sent) {
      const existing = current.get(item.secret.key);
      if (existing && sameCiphertext(existing, body)) item.resolve(decryptSecret(projectKey, existing));
      else if (existing) item.reject(cause instanceof ConflictError ? cause : lostCreateConflict());
      else if (item.resends >= MAX_RESENDS) item.reject(cause);
      else {
        item.resends += 1;
        again.push(item);
      }
    }
    this.#log.debug("batch create settled with one list", { count: sent.length, again: again.length });
    if (again.length > 0) this.#writes.resubmit(key, again);
  }

  /**
   * The create's answer was lost. If the secret now exists with exactly our ciphertext, it is ours;
   * if it does not exist, nothing was stored and one more create is safe; otherwise it is someone else's.
   */
  async #settleAmbiguousCreate(
    location: SecretLocation,
    projectKey: string,
    item: PendingCreate,
    body: SecretCiphertexts,
    conflict?: ConflictError,
  ): Promise<void> {
    try {
      const existing = await this.#findWire(location, item.secret.key);
      if (existing) {
        if (sameCiphertext(existing, body)) item.resolve(decryptSecret(projectKey, existing));
        else item.reject(conflict ?? lostCreateConflict());
        return;
      }
      if (conflict) {
        item.reject(conflict);
        return;
      }
      const { secret } = await this.#api.secrets.create(scopeOf(location), item.secret.key, body);
      item.resolve(decryptSecret(projectKey, secret));
    } catch (error) {
      item.reject(error);
    }
  }

  async #findWire(location: SecretLocation, key: string): Promise<WireSecret | undefined> {
    try {
      const { secret } = await this.#api.secrets.get(scopeOf(location), key);
      return secret;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async #updateChunk(location: SecretLocation, projectKey: string, items: PendingUpdate[]): Promise<void> {
    if (this.#alone(items, items[0]!.update.key)) return this.#updateOne(location, projectKey, items[0]!);
    const batch = items.map((i) => ({
      secretName: i.update.key,
      ...encryptSecret(projectKey, i.update.key, i.update.value, i.update.comment),
      ...tagsOf(i.update),
    }));
    try {
      const { secrets } = await this.#api.secrets.updateMany(scopeOf(location), batch);
      const byKey = this.#decryptByKey(projectKey, secrets);
      for (const item of items) {
        const updated = byKey.get(item.update.key);
        if (updated) item.resolve(updated);
        else
          item.reject(
            new ApiError("ERR_API", {
              operation: "update secrets (batch)",
              reason: "the server did not return every updated secret",
            }),
          );
      }
    } catch (error) {
      // The batch update is idempotent and was retried already; a whole-request failure stays one.
      if (isWholeRequestFailure(error)) {
        for (const item of items) item.reject(error);
        return;
      }
      this.#log.debug("batch update failed; retrying each secret alone", { count: items.length, code: codeOf(error) });
      await Promise.all(items.map((i) => this.#updateOne(location, projectKey, i)));
    }
  }

  async #updateOne(location: SecretLocation, projectKey: string, item: PendingUpdate): Promise<void> {
    const { key, newKey, value, comment } = item.update;
    const renaming = newKey !== undefined && newKey !== key;
    const body = encryptSecret(projectKey, renaming ? newKey : key, value, comment);
    try {
      const { secret } = await this.#api.secrets.update(scopeOf(location), key, {
        secretValueCiphertext: body.secretValueCiphertext,
        secretValueIV: body.secretValueIV,
        secretValueTag: body.secretValueTag,
        secretCommentCiphertext: body.secretCommentCiphertext,
        secretCommentIV: body.secretCommentIV,
        secretCommentTag: body.secretCommentTag,
        ...tagsOf(item.update),
        ...(renaming
          ? {
              newSecretName: newKey,
              secretKeyCiphertext: body.secretKeyCiphertext,
              secretKeyIV: body.secretKeyIV,
              secretKeyTag: body.secretKeyTag,
            }
          : {}),
      });
      item.resolve(decryptSecret(projectKey, secret));
    } catch (error) {
      if (renaming && isAmbiguous(error)) {
        // The rename may have happened: if the new name now holds our ciphertext, it did.
        const existing = await this.#findWire(location, newKey).catch(() => undefined);
        if (existing && existing.secretValueCiphertext === body.secretValueCiphertext) {
          item.resolve(decryptSecret(projectKey, existing));
          return;
        }
      }
      item.reject(await this.#explainNotFound(location, "update secret", error, key));
    }
  }

  async #deleteChunk(key: string, location: SecretLocation, items: PendingDelete[]): Promise<void> {
    if (this.#alone(items, items[0]!.key)) return this.#deleteOne(location, items[0]!);
    try {
      await this.#api.secrets.deleteMany(
        scopeOf(location),
        items.map((i) => i.key),
      );
      for (const i of items) i.resolve(true);
    } catch (error) {
      // The real server fails a whole batch delete on one missing name, and a lost answer may hide
      // a delete that happened: one list call tells which names are still there.
      if (isAmbiguous(error) || error instanceof NotFoundError) {
        await this.#settleDeletes(key, location, items, error);
      } else if (isWholeRequestFailure(error)) {
        for (const i of items) i.reject(error);
      } else {
        this.#log.debug("batch delete failed; deleting each secret alone", {
          count: items.length,
          code: codeOf(error),
        });
        await Promise.all(items.map((i) => this.#deleteOne(location, i)));
      }
    }
  }

  async #settleDeletes(key: string, location: SecretLocation, items: PendingDelete[], cause: unknown) {
    let current: Map<string, WireSecret>;
    try {
      current = await this.#freshWire(location);
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        for (const i of items) i.reject(error);
        return;
      }
      // The folder or environment itself is gone, and every secret with it.
      current = new Map();
    }
    const lostAnswer = isAmbiguous(cause);
    const stillThere = items.filter((i) => current.has(i.key));
    if (this.#guard && stillThere.length > 0) {
      // Every name is still listed, yet the batch found one missing: the server cannot find them by name.
      const explained = await this.#guard.explain(
        location.projectId,
        "delete secrets",
        cause,
        async () => stillThere.length === items.length,
        true,
      );
      if (explained !== cause) {
        for (const item of items) {
          if (current.has(item.key)) item.reject(explained);
          else item.resolve(lostAnswer);
        }
        return;
      }
    }
    const again: PendingDelete[] = [];
    for (const item of items) {
      // Gone after a lost answer: most likely our own delete did it.
      if (!current.has(item.key)) item.resolve(lostAnswer);
      else if (item.resends >= MAX_RESENDS) item.reject(cause);
      else {
        item.resends += 1;
        again.push(item);
      }
    }
    this.#log.debug("batch delete failed; settled with one list", { count: items.length, again: again.length });
    if (again.length > 0) this.#writes.resubmit(key, again);
  }

  async #deleteOne(location: SecretLocation, item: PendingDelete): Promise<void> {
    try {
      await this.#api.secrets.delete(scopeOf(location), item.key);
      item.resolve(true);
    } catch (error) {
      if (!(error instanceof NotFoundError)) return item.reject(error);
      // "Not found" by name is "already gone" only where the server can find secrets by name.
      const explained = await this.#explainNotFound(location, "delete secret", error, item.key);
      if (explained === error) item.resolve(false);
      else item.reject(explained);
    }
  }

  /** A "Secret not found" by name, as the remedy when the project lacks blind indices (blind-index-guard.ts). */
  async #explainNotFound(location: SecretLocation, operation: string, error: unknown, key: string): Promise<unknown> {
    if (!this.#guard) return error;
    return this.#guard.explain(location.projectId, operation, error, async () =>
      (await this.#freshWire(location)).has(key),
    );
  }

  #decryptByKey(projectKey: string, secrets: WireSecret[]): Map<string, PlainSecret> {
    const byKey = new Map<string, PlainSecret>();
    for (const wire of secrets) {
      const plain = decryptSecret(projectKey, wire);
      byKey.set(plain.key, plain);
    }
    return byKey;
  }

  // ---- folders -----------------------------------------------------------------------------

  async ensureFolders(location: SecretLocation): Promise<void> {
    let parent = "/";
    for (const name of location.path.split("/").filter(Boolean)) {
      await this.#ensureFolder(location, parent, name);
      parent = parent === "/" ? `/${name}` : `${parent}/${name}`;
    }
  }

  /** One folder, created at most once per session even when many secrets need it at once. */
  #ensureFolder(location: SecretLocation, parent: string, name: string): Promise<void> {
    const key = JSON.stringify([location.projectId, location.environment, parent, name]);
    let pending = this.#folders.get(key);
    if (!pending) {
      pending = (async () => {
        const scope = { workspaceId: location.projectId, environment: location.environment };
        const { folders } = await this.#api.folders.list(scope, parent);
        if (folders.some((f) => f.name === name)) return;
        try {
          await this.#api.folders.create(scope, parent, name);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      })();
      this.#folders.set(key, pending);
      pending.catch(() => {
        if (this.#folders.get(key) === pending) this.#folders.delete(key);
      });
    }
    return pending;
  }
}

/** The real server's `tags` of an update: sent only when the set is to be replaced. */
function tagsOf(update: SecretUpdate): { tags?: string[] } {
  return update.tagIds === undefined ? {} : { tags: update.tagIds };
}

function lostCreateConflict(): ConflictError {
  return new ConflictError({
    operation: "create secret",
    reason: "the create's answer was lost and a secret with this name but other content exists",
  });
}

function codeOf(error: unknown): string {
  return ProviderError.is(error) ? error.code : "unknown";
}
