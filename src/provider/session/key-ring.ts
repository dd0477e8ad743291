/** Decrypted project keys, fetched and unwrapped once per project, kept in memory only. */
export class KeyRing {
  readonly #keys = new Map<string, Promise<string>>();
  readonly #unwrap: (projectId: string) => Promise<string>;

  constructor(unwrap: (projectId: string) => Promise<string>) {
    this.#unwrap = unwrap;
  }

  get(projectId: string): Promise<string> {
    let pending = this.#keys.get(projectId);
    if (!pending) {
      pending = this.#unwrap(projectId);
      this.#keys.set(projectId, pending);
      pending.catch(() => {
        if (this.#keys.get(projectId) === pending) this.#keys.delete(projectId);
      });
    }
    return pending;
  }

  remember(projectId: string, projectKey: string): void {
    this.#keys.set(projectId, Promise.resolve(projectKey));
  }

  clear(): void {
    this.#keys.clear();
  }
}
