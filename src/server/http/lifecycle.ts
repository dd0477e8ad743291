/**
 * Requests in flight, so that a shutdown can stop them: each request gets an AbortSignal that
 * fires when its client goes away or the server starts closing; `settled()` resolves when every
 * request has answered (handlers stop at their next await, and write transactions are
 * synchronous, so a request either committed or wrote nothing).
 */
import { HttpError } from "./errors";

export function shuttingDown(): HttpError {
  return new HttpError(503, "Service Unavailable", "The server is shutting down", { "retry-after": "1" });
}

export function clientGone(): HttpError {
  return new HttpError(499, "Client Closed Request", "The client closed the connection");
}

export class RequestLifecycle {
  private readonly inFlight = new Set<AbortController>();
  private waiters: Array<() => void> = [];
  closing = false;

  begin(): AbortController {
    const controller = new AbortController();
    this.inFlight.add(controller);
    return controller;
  }

  end(controller: AbortController): void {
    this.inFlight.delete(controller);
    if (this.inFlight.size === 0) {
      for (const wake of this.waiters) wake();
      this.waiters = [];
    }
  }

  /** Refuse new requests and abort the ones in flight. */
  close(): void {
    this.closing = true;
    for (const controller of this.inFlight) controller.abort(shuttingDown());
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
