/**
 * Requests as the embedded server itself logged them (method, route template, status), so counts
 * are what reached the server over real HTTP, not what a client believes it sent.
 */
export interface LoggedRequest {
  method: string;
  route: string;
  status: number;
}

const SECRET_WRITE_ROUTE = /^\/api\/v3\/secrets\/(batch|:secretName)$/;

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  /** Pass as the server's `log` option. */
  readonly line = (text: string): void => {
    const match = /^(GET|POST|PATCH|PUT|DELETE) (\S+) (\d{3})\b/.exec(text);
    if (match) this.entries.push({ method: match[1]!, route: match[2]!, status: Number(match[3]) });
  };

  mark(): number {
    return this.entries.length;
  }

  since(mark: number): LoggedRequest[] {
    return this.entries.slice(mark);
  }

  /** Secret writes the server served (429 answers are counted apart). */
  writes(mark: number): number {
    return this.since(mark).filter((r) => r.method !== "GET" && r.status !== 429 && SECRET_WRITE_ROUTE.test(r.route))
      .length;
  }

  /** Secret list calls the server served. */
  lists(mark: number): number {
    return this.since(mark).filter((r) => r.method === "GET" && r.status !== 429 && r.route === "/api/v3/secrets")
      .length;
  }

  /** 429 answers on any route. */
  limited(mark: number): number {
    return this.since(mark).filter((r) => r.status === 429).length;
  }

  /** Requests per `METHOD route` since `mark`, for failure messages. */
  summary(mark: number): string {
    const counts = new Map<string, number>();
    for (const r of this.since(mark)) {
      const key = `${r.method} ${r.route} ${r.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([k, n]) => `${n}× ${k}`).join(", ");
  }
}
