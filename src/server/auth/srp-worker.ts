/**
 * The worker thread that does the server's SRP big-number work (srp-pool.ts starts it), so an
 * unauthenticated login flood costs this thread, not the one answering every other request.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type SrpServerChallenge, srpServerChallenge } from "../../provider/crypto/srp";

export interface SrpJob {
  id: number;
  verifier: string;
  clientPublicKey: string;
}

export type SrpJobResult = { id: number; ok: true; challenge: SrpServerChallenge } | { id: number; ok: false };

/** Marks our own worker, so a server started inside someone else's worker never answers its messages. */
export const SRP_WORKER_ROLE = "infisical-e2ee:srp";

if (parentPort && (workerData as { role?: unknown } | null)?.role === SRP_WORKER_ROLE) {
  const port = parentPort;
  port.on("message", (job: SrpJob) => port.postMessage(runSrpJob(job)));
}

export function runSrpJob(job: SrpJob): SrpJobResult {
  try {
    return { id: job.id, ok: true, challenge: srpServerChallenge(job) };
  } catch {
    // Malformed A or a damaged verifier: the caller answers 400 without detail.
    return { id: job.id, ok: false };
  }
}
