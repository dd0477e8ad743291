/**
 * Fixed-window rate limiting keyed by method + route template + client address, as the real
 * server's @fastify/rate-limit does (60 s windows). Off unless `--rate-limit infisical`.
 */
export const WINDOW_MS = 60_000;

/**
 * Per-minute limits of a licence-less self-hosted Infisical of 2024: secretsLimit; authRateLimit
 * (login1, login2, select-organization, complete-account); inviteUserRateLimit (invite-org
 * signup and verify); writeLimit (here only admin signup).
 */
export const INFISICAL_LIMITS = { secrets: 60, auth: 60, invite: 30, write: 200 } as const;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  check(key: string, limit: number, now = Date.now()): RateDecision {
    let window = this.windows.get(key);
    if (!window || now - window.start >= WINDOW_MS) {
      if (this.windows.size > 10_000) this.prune(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    const resetSeconds = Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
    return { allowed: window.count <= limit, limit, remaining: Math.max(0, limit - window.count), resetSeconds };
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(key);
  }
}
