/**
 * Detecting projects whose secrets lack blind indices (Infisical projects from before April 2023,
 * routes-more.md §5) so that by-name writes fail with the remedy instead of "Secret not found",
 * a silent "already gone", or a silent duplicate. Costs a healthy project at most one request per
 * session: the status, asked once per project (a true answer is kept) before its first create, or when a by-name
 * update or delete was answered "Secret not found". Reads list, which serves un-indexed secrets,
 * and ask nothing. A service token cannot ask the status (the route is JWT only): its sessions
 * conclude from the list instead (a secret that is listed but "not found" by name has no index).
 */
import type { Api } from "../api";
import { type BlindIndexRemedy, BlindIndicesMissingError, NotFoundError, ProviderError } from "../errors";
import type { Logger } from "../schema/resource";

export interface BlindIndexGuardOptions {
  /** Whether this session may ask the status (a user session) or not (a service token). */
  canAskStatus: boolean;
  host: string;
  email?: string;
}

/** "Secret not found" (GET) and "Secret not found: blind index <NAME>" (PATCH, DELETE) on the real server. */
export function isSecretNotFound(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError && /^secret not found/i.test(error.serverMessage ?? "");
}

export class BlindIndexGuard {
  readonly #api: Api;
  readonly #options: BlindIndexGuardOptions;
  readonly #log: Logger;
  readonly #status = new Map<string, Promise<boolean | undefined>>();

  constructor(api: Api, options: BlindIndexGuardOptions, log: Logger) {
    this.#api = api;
    this.#options = options;
    this.#log = log;
  }

  get canAskStatus(): boolean {
    return this.#options.canAskStatus;
  }

  /**
   * The project's blind-index status, once per project per session; undefined when it cannot be
   * known (a service token, or the server would not say), so the caller's own error stands.
   */
  status(projectId: string): Promise<boolean | undefined> {
    if (!this.#options.canAskStatus) return Promise.resolve(undefined);
    let known = this.#status.get(projectId);
    if (!known) {
      known = this.#api.blindIndexes.status(projectId).then(
        (status) => (typeof status === "boolean" ? status : undefined),
        (error: unknown) => {
          this.#log.debug("blind-index status unavailable", {
            projectId,
            code: ProviderError.is(error) ? error.code : "unknown",
          });
          return undefined;
        },
      );
      this.#status.set(projectId, known);
      // Only a healthy answer is kept: a project indexed meanwhile (by another process) is seen at the next ask.
      known.then((status) => {
        if (status !== true && this.#status.get(projectId) === known) this.#status.delete(projectId);
      });
    }
    return known;
  }

  /** Before a create: refused when the status is false (the name may exist where the server cannot see it). */
  async beforeCreate(projectId: string, operation: string): Promise<void> {
    if ((await this.status(projectId)) === false) {
      throw this.missing(projectId, operation, "has secrets without blind indices");
    }
  }

  /**
   * The error a "Secret not found" by name stands for: the remedy when the project lacks indices
   * (the status says so, or `listed` says the secret exists though the server cannot find it by
   * name), else the error itself.
   */
  async explain(
    projectId: string,
    operation: string,
    error: unknown,
    listed?: () => Promise<boolean>,
    /** A batch's "not found" (its wording is not the single routes'), its folder known to exist. */
    anyNotFound = false,
  ) {
    if (!(anyNotFound ? error instanceof NotFoundError : isSecretNotFound(error))) return error;
    const status = await this.status(projectId);
    if (status === false) return this.missing(projectId, operation, "has secrets without blind indices");
    if (status === undefined && listed && (await listed().catch(() => false))) {
      return this.missing(projectId, operation, "lists this secret, but the server finds no secret of that name");
    }
    return error;
  }

  missing(projectId: string, operation: string, why: string): BlindIndicesMissingError {
    const remedy: BlindIndexRemedy = { projectId, host: this.#options.host, email: this.#options.email };
    return new BlindIndicesMissingError(operation, remedy, why);
  }
}
