/**
 * Server-side blind indexes: the lookup key of a secret, computed from the name in the request
 * and never returned. Each project records its scheme (docs/server.md, "Blind indexes"):
 *
 * - `hmac-sha256` (every project created since 0.2.0): HMAC-SHA256 of the name under a
 *   per-project key, HKDF-derived from the server's at-rest key and the project's sealed salt.
 *   A few microseconds, computed inline.
 * - `argon2id` (projects written by 0.1.0): Argon2id (64 MiB, t = 3) of the name with the
 *   project's salt, as Infisical computes it. Kept for those projects so nothing is lost, but
 *   bounded: one Argon2id at a time server-wide, a short queue (beyond it the caller gets a 429),
 *   results cached per (project, name), and a waiting request that goes away gives up its turn.
 */
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";
import { computeBlindIndex, generateBlindIndexSalt } from "../provider/crypto";
import { HttpError } from "./http/errors";
import { openAtRest, type SealedText, sealAtRest } from "./store/server-keys";

export type BlindIndexScheme = "hmac-sha256" | "argon2id";

/** What a project contributes to its indexes (a projects row carries all three). */
export interface IndexedProject {
  id: string;
  blind_index_scheme: string;
  blind_salt_ciphertext: string;
  blind_salt_iv: string;
  blind_salt_tag: string;
}

const MAX_CACHED = 20_000;
/** Argon2id jobs that may wait for the one running; more are refused with a 429. */
const MAX_QUEUED_ARGON2 = 32;
const HKDF_INFO = "infisical-e2ee blind index hmac-sha256 v1";

export class BlindIndexer {
  private readonly argon2Indexes = new Map<string, string>();
  private readonly argon2Jobs = new Map<string, Argon2Job>();
  private readonly hmacKeys = new Map<string, KeyObject>();
  private readonly salts = new Map<string, string>();
  private readonly argon2Gate = new Gate(1, MAX_QUEUED_ARGON2);

  constructor(private readonly atRestKey: Buffer) {}

  /** A new project's salt, sealed for storage. */
  newSealedSalt(): SealedText {
    return sealAtRest(generateBlindIndexSalt(), this.atRestKey);
  }

  /**
   * The index of `secretName` in `project`. Immediate for `hmac-sha256`; for `argon2id` it
   * waits its turn (rejecting with `signal`'s reason if the caller goes away first).
   */
  indexFor(project: IndexedProject, secretName: string, signal?: AbortSignal): Promise<string> {
    if (project.blind_index_scheme === "hmac-sha256") return Promise.resolve(this.hmacIndex(project, secretName));
    return this.argon2Index(project, secretName, signal);
  }

  /** Forget a deleted project's keys and indexes. */
  forgetProject(projectId: string): void {
    this.salts.delete(projectId);
    this.hmacKeys.delete(projectId);
    const prefix = `${projectId}\u0000`;
    for (const key of this.argon2Indexes.keys()) if (key.startsWith(prefix)) this.argon2Indexes.delete(key);
    for (const key of this.argon2Jobs.keys()) if (key.startsWith(prefix)) this.argon2Jobs.delete(key);
  }

  private hmacIndex(project: IndexedProject, secretName: string): string {
    let key = this.hmacKeys.get(project.id);
    if (!key) {
      const salt = Buffer.from(this.saltFor(project), "base64");
      // A KeyObject, so that each HMAC skips re-importing raw key bytes.
      key = createSecretKey(Buffer.from(hkdfSync("sha256", this.atRestKey, salt, `${HKDF_INFO} ${project.id}`, 32)));
      this.hmacKeys.set(project.id, key);
    }
    return createHmac("sha256", key).update(secretName, "utf8").digest("base64");
  }

  private argon2Index(project: IndexedProject, secretName: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cacheKey = `${project.id}\u0000${secretName}`;
    const known = this.argon2Indexes.get(cacheKey);
    if (known !== undefined) return Promise.resolve(known);
    let job = this.argon2Jobs.get(cacheKey);
    if (!job || job.controller.signal.aborted) {
      const salt = this.saltFor(project);
      const controller = new AbortController();
      const result = this.argon2Gate.run(() => computeBlindIndex(secretName, salt), controller.signal);
      const created: Argon2Job = { result, controller, callers: 0 };
      job = created;
      this.argon2Jobs.set(cacheKey, created);
      result.then(
        (index) => {
          if (this.argon2Indexes.size >= MAX_CACHED) {
            this.argon2Indexes.delete(this.argon2Indexes.keys().next().value as string);
          }
          this.argon2Indexes.set(cacheKey, index);
        },
        () => undefined,
      );
      result
        .finally(() => {
          if (this.argon2Jobs.get(cacheKey) === created) this.argon2Jobs.delete(cacheKey);
        })
        .catch(() => undefined);
    }
    return this.awaitJob(job, signal);
  }

  /** Waits for a shared job; the job itself is abandoned only when every caller has gone. */
  private awaitJob(job: Argon2Job, signal?: AbortSignal): Promise<string> {
    job.callers++;
    if (!signal) return job.result;
    return new Promise<string>((resolve, reject) => {
      const leave = () => {
        if (--job.callers === 0) job.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener("abort", leave, { once: true });
      job.result.then(
        (index) => {
          signal.removeEventListener("abort", leave);
          resolve(index);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", leave);
          reject(error);
        },
      );
    });
  }

  private saltFor(project: IndexedProject): string {
    let salt = this.salts.get(project.id);
    if (!salt) {
      salt = openAtRest(
        { ciphertext: project.blind_salt_ciphertext, iv: project.blind_salt_iv, tag: project.blind_salt_tag },
        this.atRestKey,
      );
      this.salts.set(project.id, salt);
    }
    return salt;
  }
}

interface Argon2Job {
  result: Promise<string>;
  controller: AbortController;
  /** Requests still waiting for this result; at zero the job leaves the queue. */
  callers: number;
}

/** At most `limit` jobs at once, at most `maxQueued` waiting; a waiter whose signal aborts leaves. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxQueued: number,
  ) {}

  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxQueued) throw busy();
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener("abort", leave);
          resolve();
        };
        const leave = () => {
          const at = this.waiting.indexOf(turn);
          if (at !== -1) this.waiting.splice(at, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", leave, { once: true });
        this.waiting.push(turn);
      });
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function busy(): HttpError {
  return new HttpError(429, "Too Many Requests", "Too many blind-index computations in flight; retry shortly", {
    "retry-after": "1",
  });
}
