/**
 * Coalescing, encrypting access to secrets. Writes on one (project, environment, path) that
 * arrive within a short window go out as one batch call per kind (create / update / delete,
 * chunked); when a batch fails, each item is retried alone so every caller gets its own precise
 * result. Reads are served from one list call per location (a short-lived snapshot that our own
 * writes invalidate). A create whose answer was lost is never repeated blindly: the secret is
 * looked up and adopted only when it carries exactly the ciphertext we sent.
 */
import type { Api } from "../api";
import type { BatchCreateItem } from "../api/secrets";
import type { SecretCiphertexts, SecretScope, WireSecret } from "../api/wire";
import { ApiError, ConflictError, NotFoundError, ProviderError, TransportError } from "../errors";
import type { Logger } from "../schema/resource";
import { decryptSecret, encryptSecret } from "./secret-codec";
import type { PlainSecret, SecretLocation, SecretStore, SecretUpdate, SecretWrite } from "./session";

export interface CoalescingOptions {
  /** How long to wait for more writes on the same location before sending (ms). */
  windowMs: number;
  /** Largest batch sent in one call. */
  maxBatchSize: number;
  /** How long a list snapshot serves reads (ms). */
  snapshotTtlMs: number;
}

export const DEFAULT_COALESCING: CoalescingOptions = { windowMs: 8, maxBatchSize: 100, snapshotTtlMs: 2_000 };

type Deferred<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

interface PendingCreate extends Deferred<PlainSecret> {
  kind: "create";
  secret: SecretWrite;
}
interface PendingUpdate extends Deferred<PlainSecret> {
  kind: "update";
  update: SecretUpdate;
}
interface PendingDelete extends Deferred<boolean> {
  kind: "delete";
  key: string;
}
type Pending = PendingCreate | PendingUpdate | PendingDelete;

interface Queue {
  location: SecretLocation;
  items: Pending[];
  timer?: NodeJS.Timeout;
  /** Secret names with a request in flight; later operations on them wait. */
  busy: Set<string>;
}

interface Snapshot {
  generation: number;
  at: number;
  secrets: Promise<PlainSecret[]>;
}

function locationKey(l: SecretLocation): string {
  return JSON.stringify([l.projectId, l.environment, l.path]);
}

function scopeOf(l: SecretLocation): SecretScope {
  return { workspaceId: l.projectId, environment: l.environment, secretPath: l.path };
}

/** A create failed in a way that leaves it unknown whether the server stored it. */
function isAmbiguous(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return (
    error instanceof ApiError &&
    error.code === "ERR_API" &&
    error.status !== undefined &&
    [500, 502, 503, 504].includes(error.status)
  );
}

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

export class CoalescingSecretStore implements SecretStore {
  readonly #api: Api;
  readonly #projectKey: (projectId: string) => Promise<string>;
  readonly #log: Logger;
  readonly #options: CoalescingOptions;
  readonly #queues = new Map<string, Queue>();
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #generations = new Map<string, number>();
  readonly #folders = new Map<string, Promise<void>>();

  constructor(
    api: Api,
    projectKey: (projectId: string) => Promise<string>,
    log: Logger,
    options: Partial<CoalescingOptions> = {},
  ) {
    this.#api = api;
    this.#projectKey = projectKey;
    this.#log = log;
    this.#options = { ...DEFAULT_COALESCING, ...options };
  }

  // ---- reads -------------------------------------------------------------------------------

  async list(location: SecretLocation, options: { fresh?: boolean } = {}): Promise<PlainSecret[]> {
    const key = locationKey(location);
    const generation = this.#generations.get(key) ?? 0;
    const current = this.#snapshots.get(key);
    const usable =
      current &&
      !options.fresh &&
      current.generation === generation &&
      Date.now() - current.at < this.#options.snapshotTtlMs;
    if (usable) return current.secrets;
    const secrets = this.#fetchList(location);
    const snapshot: Snapshot = { generation, at: Date.now(), secrets };
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

  #invalidate(location: SecretLocation): void {
    const key = locationKey(location);
    this.#generations.set(key, (this.#generations.get(key) ?? 0) + 1);
    this.#snapshots.delete(key);
  }

  // ---- writes ------------------------------------------------------------------------------

  create(location: SecretLocation, secret: SecretWrite): Promise<PlainSecret> {
    return new Promise((resolve, reject) => this.#enqueue(location, { kind: "create", secret, resolve, reject }));
  }

  update(location: SecretLocation, update: SecretUpdate): Promise<PlainSecret> {
    return new Promise((resolve, reject) => this.#enqueue(location, { kind: "update", update, resolve, reject }));
  }

  delete(location: SecretLocation, key: string): Promise<boolean> {
    return new Promise((resolve, reject) => this.#enqueue(location, { kind: "delete", key, resolve, reject }));
  }

  #enqueue(location: SecretLocation, item: Pending): void {
    const key = locationKey(location);
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = { location, items: [], busy: new Set() };
      this.#queues.set(key, queue);
    }
    queue.items.push(item);
    if (!queue.timer) queue.timer = setTimeout(() => this.#flush(key), this.#options.windowMs);
  }

  #flush(key: string): void {
    const queue = this.#queues.get(key);
    if (!queue) return;
    queue.timer = undefined;
    // Each secret name is in at most one request at a time, in arrival order; later operations on it wait.
    const used = new Set(queue.busy);
    const now: Pending[] = [];
    const later: Pending[] = [];
    for (const item of queue.items) {
      const names = keysOf(item);
      if (names.some((n) => used.has(n))) later.push(item);
      else {
        for (const n of names) used.add(n);
        now.push(item);
      }
    }
    queue.items = later;
    if (now.length === 0) return;
    const sending = now.flatMap(keysOf);
    for (const n of sending) queue.busy.add(n);
    const location = queue.location;
    // Callers must never read a snapshot older than their own write: invalidate before settling each.
    for (const item of now) {
      const { resolve, reject } = item;
      item.resolve = ((value: never) => {
        this.#invalidate(location);
        resolve(value);
      }) as never;
      item.reject = (error: unknown) => {
        this.#invalidate(location);
        reject(error);
      };
    }
    this.#invalidate(location);
    const done = this.#send(location, now).finally(() => {
      this.#invalidate(location);
      for (const n of sending) queue.busy.delete(n);
      if (queue.items.length > 0) {
        if (!queue.timer) queue.timer = setTimeout(() => this.#flush(key), 0);
      } else if (queue.busy.size === 0 && this.#queues.get(key) === queue) {
        this.#queues.delete(key);
      }
    });
    done.catch(() => {});
  }

  async #send(location: SecretLocation, items: Pending[]): Promise<void> {
    let projectKey: string;
    try {
      projectKey = await this.#projectKey(location.projectId);
    } catch (error) {
      for (const i of items) i.reject(error);
      return;
    }
    const creates = items.filter((i): i is PendingCreate => i.kind === "create");
    const updates = items.filter((i): i is PendingUpdate => i.kind === "update");
    const renames = updates.filter((u) => u.update.newKey !== undefined && u.update.newKey !== u.update.key);
    const plainUpdates = updates.filter((u) => !renames.includes(u));
    const deletes = items.filter((i): i is PendingDelete => i.kind === "delete");
    const size = this.#options.maxBatchSize;
    await Promise.all([
      ...chunk(creates, size).map((c) => this.#createChunk(location, projectKey, c)),
      ...chunk(plainUpdates, size).map((c) => this.#updateChunk(location, projectKey, c)),
      ...renames.map((r) => this.#updateOne(location, projectKey, r)),
      ...chunk(deletes, size).map((c) => this.#deleteChunk(location, c)),
    ]);
  }

  async #createChunk(location: SecretLocation, projectKey: string, items: PendingCreate[]): Promise<void> {
    if (items.length === 1) return this.#createOne(location, projectKey, items[0]!);
    const sent = items.map((i) => ({
      item: i,
      body: encryptSecret(projectKey, i.secret.key, i.secret.value, i.secret.comment),
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
      this.#log.debug("batch create failed; retrying each secret alone", { count: items.length, code: codeOf(error) });
      if (isAmbiguous(error)) {
        await Promise.all(sent.map((s) => this.#settleAmbiguousCreate(location, projectKey, s.item, s.body)));
      } else {
        await Promise.all(items.map((i) => this.#createOne(location, projectKey, i)));
      }
    }
  }

  async #createOne(location: SecretLocation, projectKey: string, item: PendingCreate): Promise<void> {
    const body = encryptSecret(projectKey, item.secret.key, item.secret.value, item.secret.comment);
    try {
      const { secret } = await this.#api.secrets.create(scopeOf(location), item.secret.key, body);
      item.resolve(decryptSecret(projectKey, secret));
    } catch (error) {
      if (isAmbiguous(error)) await this.#settleAmbiguousCreate(location, projectKey, item, body);
      else item.reject(error);
    }
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
  ): Promise<void> {
    try {
      const existing = await this.#findWire(location, item.secret.key);
      if (existing) {
        const ours =
          existing.secretValueCiphertext === body.secretValueCiphertext &&
          existing.secretValueIV === body.secretValueIV &&
          existing.secretKeyCiphertext === body.secretKeyCiphertext;
        if (ours) item.resolve(decryptSecret(projectKey, existing));
        else
          item.reject(
            new ConflictError({
              operation: "create secret",
              reason: "the create's answer was lost and a secret with this name but other content exists",
            }),
          );
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
    if (items.length === 1) return this.#updateOne(location, projectKey, items[0]!);
    const batch = items.map((i) => ({
      secretName: i.update.key,
      ...encryptSecret(projectKey, i.update.key, i.update.value, i.update.comment),
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
      item.reject(error);
    }
  }

  async #deleteChunk(location: SecretLocation, items: PendingDelete[]): Promise<void> {
    if (items.length === 1) return this.#deleteOne(location, items[0]!);
    try {
      await this.#api.secrets.deleteMany(
        scopeOf(location),
        items.map((i) => i.key),
      );
      for (const i of items) i.resolve(true);
    } catch (error) {
      this.#log.debug("batch delete failed; deleting each secret alone", { count: items.length, code: codeOf(error) });
      await Promise.all(items.map((i) => this.#deleteOne(location, i)));
    }
  }

  async #deleteOne(location: SecretLocation, item: PendingDelete): Promise<void> {
    try {
      await this.#api.secrets.delete(scopeOf(location), item.key);
      item.resolve(true);
    } catch (error) {
      if (error instanceof NotFoundError) item.resolve(false);
      else item.reject(error);
    }
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

function codeOf(error: unknown): string {
  return ProviderError.is(error) ? error.code : "unknown";
}
