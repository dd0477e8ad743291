/**
 * Password-guessing brakes: consecutive login failures per account and per client address,
 * each with a few free failures and then an exponential lock (1 s, 2 s, 4 s ... capped). While
 * locked, login1 and login2 answer 429 with retry-after before any SRP work, so guesses cost
 * the attacker time and the server nothing. The real server of 2024 has no such lock (only a
 * captcha where CAPTCHA_SECRET is set); docs/server.md tables the difference.
 */
import { isIP } from "node:net";
import { throttled } from "../http/errors";

export interface BackoffPolicy {
  /** Failures allowed before the first lock. */
  freeFailures: number;
  /** The first lock; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** A key with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

/** An account: a person mistyping gets 5 tries, a guesser about 20 guesses in the first hour. */
export const ACCOUNT_BACKOFF: BackoffPolicy = {
  freeFailures: 5,
  baseLockMs: 1_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/**
 * An address, over all accounts (spraying one password over many emails, unknown emails
 * included). More generous, since several people may share one address. A success does not
 * reset it: otherwise a guesser holding one valid account could clear it between guesses.
 */
export const ADDRESS_BACKOFF: BackoffPolicy = {
  freeFailures: 20,
  baseLockMs: 1_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** Keys kept per kind; beyond it the oldest are forgotten (a flood of addresses cannot grow memory). */
const MAX_KEYS = 50_000;

interface Failures {
  count: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export class FailureCounter {
  private readonly entries = new Map<string, Failures>();

  constructor(private readonly policy: BackoffPolicy) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  lockedFor(key: string, now = Date.now()): number {
    const entry = this.current(key, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  fail(key: string, now = Date.now()): void {
    const entry = this.current(key, now) ?? { count: 0, lastFailureAt: now, lockedUntil: 0 };
    entry.count++;
    entry.lastFailureAt = now;
    const over = entry.count - this.policy.freeFailures;
    if (over > 0) {
      const lock = Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** Math.min(over - 1, 30));
      entry.lockedUntil = now + lock;
    }
    // Re-insert so Map order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  failures(key: string, now = Date.now()): number {
    return this.current(key, now)?.count ?? 0;
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.policy.forgetAfterMs && now >= entry.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

export class LoginThrottle {
  readonly accounts: FailureCounter;
  readonly addresses: FailureCounter;

  constructor(account: BackoffPolicy = ACCOUNT_BACKOFF, address: BackoffPolicy = ADDRESS_BACKOFF) {
    this.accounts = new FailureCounter(account);
    this.addresses = new FailureCounter(address);
  }

  /** 429 with retry-after while the account or the address is locked. */
  assertAllowed(email: string, ip: string, now = Date.now()): void {
    const waitMs = Math.max(this.accounts.lockedFor(email, now), this.addresses.lockedFor(addressKey(ip), now));
    if (waitMs > 0) throw throttled("Too many failed logins", Math.ceil(waitMs / 1000));
  }

  /** A wrong proof (email known) or an unknown email (account undefined: only the address counts). */
  failed(email: string | undefined, ip: string, now = Date.now()): void {
    if (email !== undefined) this.accounts.fail(email, now);
    this.addresses.fail(addressKey(ip), now);
  }

  succeeded(email: string): void {
    this.accounts.reset(email);
  }
}

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64, the block one host usually holds. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = ip.includes("::") ? 8 - headParts.length - tailParts.length : 0;
  const groups = [...headParts, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailParts];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
