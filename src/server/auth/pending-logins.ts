/**
 * SRP logins between login1 and login2, one entry per attempt. login2 carries only the email
 * and the proof M1, nothing naming the attempt, so an attempt is found by the proof it expects
 * (computed at login1 from the client's A): someone else's login1 for the same email adds an
 * attempt beside the victim's instead of replacing it, and a wrong login2 consumes nothing.
 * Bounded per email and in total, and short-lived, so the map cannot be grown without limit.
 * When an email is full, the oldest attempt gives way only once it is past `protectedMs`: an
 * honest login finishes within a second, so a burst of login1s cannot evict one in progress,
 * and attempts left behind by wrong passwords do not block that account for the whole TTL.
 */
import { timingSafeEqual } from "node:crypto";
import { throttled } from "../http/errors";

export interface PendingLoginLimits {
  /** Attempts in progress for one email: above the ~10 wrong tries the failure locks allow per TTL. */
  perEmail: number;
  /** An attempt younger than this is never evicted to make room; a login1 then answers 429. */
  protectedMs: number;
  /** Attempts in progress over all emails. */
  total: number;
  /** An attempt not finished by login2 within this time is dropped. */
  ttlMs: number;
}

export const PENDING_LOGIN_LIMITS: PendingLoginLimits = {
  perEmail: 16,
  protectedMs: 10_000,
  total: 10_000,
  ttlMs: 60_000,
};

interface Attempt {
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** M1 as bytes; undefined while login1's SRP work is still running. */
  expectedProof?: Buffer;
  serverProof?: string;
}

/** A reserved place for one attempt: fill it when the SRP work is done, or cancel it. */
export interface AttemptSlot {
  ready(expectedClientProof: string, serverProof: string): void;
  cancel(): void;
}

export type TakeResult =
  | { kind: "none" }
  | { kind: "mismatch" }
  | { kind: "match"; userId: string; serverProof: string };

export class PendingLogins {
  private readonly byEmail = new Map<string, Attempt[]>();
  private count = 0;

  constructor(private readonly limits: PendingLoginLimits = PENDING_LOGIN_LIMITS) {}

  /** Reserves a place for a login1 of `email`; 429 with retry-after when the email or the server is full. */
  begin(email: string, userId: string, now = Date.now()): AttemptSlot {
    if (this.count >= this.limits.total) this.pruneAll(now);
    if (this.count >= this.limits.total) throw throttled("Too many logins in progress", 1);
    const attempts = this.live(email, now);
    if (attempts.length >= this.limits.perEmail) {
      const oldest = attempts[0]!;
      const protectedUntil = oldest.createdAt + this.limits.protectedMs;
      if (now < protectedUntil) {
        throw throttled("Too many logins in progress for this account", Math.ceil((protectedUntil - now) / 1000));
      }
      this.remove(email, oldest);
    }
    const attempt: Attempt = { userId, createdAt: now, expiresAt: now + this.limits.ttlMs };
    const current = this.byEmail.get(email) ?? [];
    current.push(attempt);
    this.byEmail.set(email, current);
    this.count++;
    return {
      ready: (expectedClientProof, serverProof) => {
        attempt.expectedProof = Buffer.from(expectedClientProof, "hex");
        attempt.serverProof = serverProof;
      },
      cancel: () => this.remove(email, attempt),
    };
  }

  /**
   * login2: the attempt of `email` whose expected proof is `clientProofHex`, removed once found.
   * `none` when no finished attempt is pending (the real server does not count those as failures).
   */
  take(email: string, clientProofHex: string, now = Date.now()): TakeResult {
    const ready = this.live(email, now).filter((a) => a.expectedProof !== undefined);
    if (ready.length === 0) return { kind: "none" };
    const proof = Buffer.from(clientProofHex, "hex");
    let found: Attempt | undefined;
    for (const attempt of ready) {
      const expected = attempt.expectedProof!;
      if (expected.length === proof.length && timingSafeEqual(expected, proof)) found = attempt;
    }
    if (!found) return { kind: "mismatch" };
    this.remove(email, found);
    return { kind: "match", userId: found.userId, serverProof: found.serverProof! };
  }

  /** Attempts in progress for `email` (for tests and the docs' figures). */
  size(email?: string): number {
    return email === undefined ? this.count : (this.byEmail.get(email)?.length ?? 0);
  }

  private live(email: string, now: number): Attempt[] {
    const attempts = this.byEmail.get(email);
    if (!attempts) return [];
    const kept = attempts.filter((a) => a.expiresAt > now);
    this.count -= attempts.length - kept.length;
    if (kept.length === 0) this.byEmail.delete(email);
    else this.byEmail.set(email, kept);
    return kept;
  }

  private remove(email: string, attempt: Attempt): void {
    const attempts = this.byEmail.get(email);
    const index = attempts?.indexOf(attempt) ?? -1;
    if (!attempts || index === -1) return;
    attempts.splice(index, 1);
    this.count--;
    if (attempts.length === 0) this.byEmail.delete(email);
  }

  private pruneAll(now: number): void {
    for (const email of [...this.byEmail.keys()]) this.live(email, now);
  }
}
