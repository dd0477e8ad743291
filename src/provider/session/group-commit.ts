/**
 * Group commit per key (for secrets: one location). While a batch for a key is in flight, later
 * arrivals wait and go out together when it returns; a lone arrival at an idle key goes out at
 * once (at the end of the current event-loop turn, so a burst of callers in one turn shares it).
 * Two refinements make this hold under real Terraform and Pulumi scheduling, whose callers come
 * back staggered rather than in lockstep:
 *  - the callers a returned batch released are the likeliest to come back soon, so the next
 *    batch waits for as many callers as the largest batch yet held (or that batch's own, if more):
 *    cohorts merge instead of alternating half-full batches, and a batch that started small grows
 *    back to the callers' full number at once. The wait, counted from the first arrival, is the
 *    longer of half the returned batch's flight and twice how long recent cohorts took to
 *    arrive from first to last, within [gatherMs, maxGatherMs]:
 *    a slow server is worth waiting on, and so is a caller (Terraform writing its state) that is
 *    slow to return even when the server is fast;
 *  - a second batch may fly beside the first only when a full batch is waiting.
 * Items name what they claim (secret names): an item whose claim is in flight, or taken by an
 * earlier item of the batch being formed, waits, so operations on one name keep arrival order.
 */

export interface GroupCommitOptions {
  /** Batches in flight per key at most. */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
  /** How long a batch that follows a returned one waits for the callers that one released, at least (ms). */
  gatherMs: number;
  /** ... and at most (ms). */
  maxGatherMs: number;
  /** How long after a batch returns its callers still count as coming back (ms). */
  lingerMs: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = {
  maxInFlight: 2,
  maxBatch: 100,
  gatherMs: 100,
  maxGatherMs: 2_000,
  lingerMs: 5_000,
};

/** Every item alone and at once: the naive way, for comparison. */
export const NO_GROUP_COMMIT: GroupCommitOptions = {
  maxInFlight: Number.POSITIVE_INFINITY,
  maxBatch: 1,
  gatherMs: 0,
  maxGatherMs: 0,
  lingerMs: 0,
};

/** Sends one batch; settles each item itself. A rejection is treated like a settled batch. */
export type SendBatch<T> = (key: string, batch: T[]) => Promise<void>;

interface Lane<T> {
  waiting: T[];
  inFlight: number;
  /** Claims of the items in flight. */
  claimed: Set<string>;
  /** Callers released by returned batches that have not come back yet. */
  expected: number;
  /** Until when `expected` holds. */
  expectUntil: number;
  /** How long the next gather may wait after the last batch returned. */
  gatherMs: number;
  /** The most items one batch has held: how many callers are about. */
  peak: number;
  /** Arrivals since the last batch returned still counted as its cohort, when the first came, and the spread so far (ms). */
  cohortLeft: number;
  cohortFirstAt: number | undefined;
  cohortSpreadMs: number;
  /** From first to last arrival of recent cohorts (ms; the latest, or a decaying slower one). */
  spreadMs: number;
  timer?: NodeJS.Timeout;
  /** A pump is scheduled for the end of this event-loop turn. */
  kicked: boolean;
  /** The gather wait ran out: send what is waiting. */
  gathered: boolean;
}

export class GroupCommit<T> {
  readonly #lanes = new Map<string, Lane<T>>();
  readonly #send: SendBatch<T>;
  readonly #claimsOf: (item: T) => readonly string[];
  readonly #options: GroupCommitOptions;
  readonly #now: () => number;

  constructor(
    send: SendBatch<T>,
    claimsOf: (item: T) => readonly string[],
    options: Partial<GroupCommitOptions> = {},
    now: () => number = Date.now,
  ) {
    this.#send = send;
    this.#claimsOf = claimsOf;
    this.#options = { ...DEFAULT_GROUP_COMMIT, ...options };
    this.#now = now;
  }

  /** Queue an item for `key`; it goes out at once, with the batch in flight's successor, or after a short gather. */
  submit(key: string, item: T): void {
    const lane = this.#lane(key);
    lane.waiting.push(item);
    if (lane.expected > 0) lane.expected -= 1;
    if (lane.cohortLeft > 0) {
      const now = this.#now();
      lane.cohortFirstAt ??= now;
      lane.cohortLeft -= 1;
      lane.cohortSpreadMs = now - lane.cohortFirstAt;
    }
    this.#kick(key, lane);
  }

  /** Put items back at the front of the queue (a batch that must be re-sent in part); they ride the next batch. */
  resubmit(key: string, items: T[]): void {
    const lane = this.#lane(key);
    lane.waiting.unshift(...items);
    this.#kick(key, lane);
  }

  /** Pump once every caller of this turn has had its say. */
  #kick(key: string, lane: Lane<T>): void {
    if (lane.kicked) return;
    lane.kicked = true;
    setImmediate(() => {
      lane.kicked = false;
      this.#pump(key, lane);
    });
  }

  #lane(key: string): Lane<T> {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = {
        waiting: [],
        inFlight: 0,
        claimed: new Set(),
        expected: 0,
        expectUntil: 0,
        gatherMs: this.#options.gatherMs,
        peak: 0,
        cohortLeft: 0,
        cohortFirstAt: undefined,
        cohortSpreadMs: 0,
        spreadMs: 0,
        kicked: false,
        gathered: false,
      };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  /** Items that may go out now, in order, at most maxBatch. */
  #eligible(lane: Lane<T>): T[] {
    const used = new Set(lane.claimed);
    const picked: T[] = [];
    for (const item of lane.waiting) {
      if (picked.length >= this.#options.maxBatch) break;
      const claims = this.#claimsOf(item);
      const free = claims.every((c) => !used.has(c));
      // Claims of a waiting item block later items on the same names even when it cannot go yet.
      for (const c of claims) used.add(c);
      if (free) picked.push(item);
    }
    return picked;
  }

  #pump(key: string, lane: Lane<T>): void {
    while (lane.inFlight < this.#options.maxInFlight) {
      const batch = this.#eligible(lane);
      if (batch.length === 0) break;
      const full = batch.length >= this.#options.maxBatch;
      // Group commit: while a batch flies, the next one waits for it unless a full batch is ready.
      if (lane.inFlight > 0 && !full) break;
      const stillComing = lane.expected > 0 && this.#now() < lane.expectUntil;
      if (!full && stillComing && !lane.gathered) {
        lane.timer ??= setTimeout(() => {
          lane.timer = undefined;
          lane.gathered = true;
          this.#pump(key, lane);
        }, lane.gatherMs);
        break;
      }
      this.#dispatch(key, lane, batch);
    }
    this.#forgetIfIdle(key, lane);
  }

  #dispatch(key: string, lane: Lane<T>, batch: T[]): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.gathered = false;
    lane.expected = 0;
    const sending = new Set(batch);
    lane.waiting = lane.waiting.filter((item) => !sending.has(item));
    const claims = batch.flatMap((item) => [...this.#claimsOf(item)]);
    for (const c of claims) lane.claimed.add(c);
    lane.inFlight += 1;
    const started = this.#now();
    const settled = () => {
      lane.inFlight -= 1;
      const now = this.#now();
      // Remember a slow cohort for a while: one quick cohort must not shrink the wait below the next slow one.
      if (lane.cohortFirstAt !== undefined) lane.spreadMs = Math.max(lane.cohortSpreadMs, 0.75 * lane.spreadMs);
      const { gatherMs, maxGatherMs } = this.#options;
      const wanted = Math.max((now - started) / 2, 2 * lane.spreadMs);
      lane.gatherMs = Math.min(maxGatherMs, Math.max(gatherMs, wanted));
      for (const c of claims) lane.claimed.delete(c);
      lane.peak = Math.max(lane.peak, batch.length);
      lane.expected = Math.max(lane.expected + batch.length, lane.peak - lane.waiting.length);
      lane.cohortLeft = lane.expected;
      lane.cohortFirstAt = undefined;
      lane.cohortSpreadMs = 0;
      lane.expectUntil = this.#now() + this.#options.lingerMs;
      this.#kick(key, lane);
    };
    let sent: Promise<void>;
    try {
      sent = this.#send(key, batch);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(settled, settled);
  }

  #forgetIfIdle(key: string, lane: Lane<T>): void {
    const idle = lane.inFlight === 0 && lane.waiting.length === 0 && !lane.timer && !lane.kicked;
    // A lane whose callers may still come back is kept so the gather rule sees them.
    if (idle && (lane.expected === 0 || this.#now() >= lane.expectUntil) && this.#lanes.get(key) === lane) {
      this.#lanes.delete(key);
    }
  }
}
