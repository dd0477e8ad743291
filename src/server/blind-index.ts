/**
 * Server-side blind indexes, as Infisical computes them: Argon2id of the secret name with a
 * per-project 16-byte salt that the server keeps encrypted under its own at-rest key. Each
 * index costs ~0.1 s of Argon2, so computed indexes are cached in memory per (project, name);
 * concurrent requests for the same name share one computation.
 */
import { computeBlindIndex, generateBlindIndexSalt } from "../provider/crypto";
import { openAtRest, type SealedText, sealAtRest } from "./store/server-keys";

const MAX_CACHED = 20_000;

export class BlindIndexer {
  private readonly indexes = new Map<string, Promise<string>>();
  private readonly salts = new Map<string, string>();

  constructor(private readonly atRestKey: Buffer) {}

  /** A new project's salt, sealed for storage. */
  newSealedSalt(): SealedText {
    return sealAtRest(generateBlindIndexSalt(), this.atRestKey);
  }

  indexFor(projectId: string, sealedSalt: SealedText, secretName: string): Promise<string> {
    const cacheKey = `${projectId}\u0000${secretName}`;
    const cached = this.indexes.get(cacheKey);
    if (cached) return cached;
    const pending = computeBlindIndex(secretName, this.saltFor(projectId, sealedSalt));
    pending.catch(() => {
      if (this.indexes.get(cacheKey) === pending) this.indexes.delete(cacheKey);
    });
    if (this.indexes.size >= MAX_CACHED) this.indexes.delete(this.indexes.keys().next().value as string);
    this.indexes.set(cacheKey, pending);
    return pending;
  }

  /** Forget a deleted project's salt and indexes. */
  forgetProject(projectId: string): void {
    this.salts.delete(projectId);
    const prefix = `${projectId}\u0000`;
    for (const key of this.indexes.keys()) if (key.startsWith(prefix)) this.indexes.delete(key);
  }

  private saltFor(projectId: string, sealedSalt: SealedText): string {
    let salt = this.salts.get(projectId);
    if (!salt) {
      salt = openAtRest(sealedSalt, this.atRestKey);
      this.salts.set(projectId, salt);
    }
    return salt;
  }
}
