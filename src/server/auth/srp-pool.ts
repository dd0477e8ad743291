/**
 * Runs login1's SRP math (three 4096-bit modular exponentiations, ~60 ms) on one worker thread
 * with a bounded queue: a flood of login1 calls saturates that worker and then gets 429s, while
 * the main thread keeps answering everyone else. Where the worker script is absent (a bundled
 * single file), the same queue runs the jobs on the main thread, one per event-loop turn.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { SrpServerChallenge } from "../../provider/crypto/srp";
import { internalError, throttled } from "../http/errors";
import { runSrpJob, SRP_WORKER_ROLE, type SrpJob, type SrpJobResult } from "./srp-worker";

/** Jobs waiting or running at once; beyond this login1 answers 429 at once instead of queueing. */
export const MAX_QUEUED_SRP_JOBS = 32;

const WORKER_SCRIPT = path.join(__dirname, "srp-worker.js");

interface Waiter {
  resolve: (challenge: SrpServerChallenge | undefined) => void;
  reject: (error: unknown) => void;
}

export class SrpPool {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly maxQueued = MAX_QUEUED_SRP_JOBS,
    private readonly useWorker = existsSync(WORKER_SCRIPT),
  ) {}

  /** Jobs accepted and not yet answered. */
  get pending(): number {
    return this.waiting.size;
  }

  /** B and the proofs for (verifier, A); undefined when A or the verifier is malformed; 429 when busy. */
  challenge(verifier: string, clientPublicKey: string): Promise<SrpServerChallenge | undefined> {
    if (this.closed) return Promise.reject(internalError());
    if (this.waiting.size >= this.maxQueued) return Promise.reject(throttled("Too many logins in progress", 1));
    const job: SrpJob = { id: this.nextId++, verifier, clientPublicKey };
    return new Promise((resolve, reject) => {
      this.waiting.set(job.id, { resolve, reject });
      if (this.useWorker) this.ensureWorker().postMessage(job);
      else this.runOnMainThread(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.mainThreadQueue.length = 0;
    this.failAll();
    if (worker) await worker.terminate();
  }

  private readonly mainThreadQueue: SrpJob[] = [];

  /** One job per event-loop turn, so requests are read and answered between jobs. */
  private runOnMainThread(job: SrpJob): void {
    this.mainThreadQueue.push(job);
    if (this.mainThreadQueue.length > 1) return;
    const next = () => {
      const current = this.mainThreadQueue[0];
      if (!current) return;
      this.settle(runSrpJob(current));
      this.mainThreadQueue.shift();
      if (this.mainThreadQueue.length > 0) setImmediate(next);
    };
    setImmediate(next);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SCRIPT, { workerData: { role: SRP_WORKER_ROLE } });
    // An idle worker never keeps the process alive; close() ends it with the server.
    worker.unref();
    worker.on("message", (result: SrpJobResult) => this.settle(result));
    const lost = () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll();
    };
    worker.on("error", lost);
    worker.on("exit", lost);
    this.worker = worker;
    return worker;
  }

  private settle(result: SrpJobResult): void {
    const waiter = this.waiting.get(result.id);
    if (!waiter) return;
    this.waiting.delete(result.id);
    waiter.resolve(result.ok ? result.challenge : undefined);
  }

  private failAll(): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(internalError());
  }
}
