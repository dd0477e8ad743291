/**
 * A small method + path-template router (`/api/v3/secrets/:secretName`). Routes are tried in
 * registration order per method, so a static route registered first (`/batch`) wins over a
 * parameter in the same position, as in the real server.
 */
import { badRequest } from "./errors";

/** The real server (fastify) refuses path parameters longer than this with a 404. */
export const MAX_PARAM_LENGTH = 100;

interface Compiled<T> {
  template: string;
  segments: Array<{ literal: string } | { param: string }>;
  value: T;
}

export interface RouteMatch<T> {
  template: string;
  params: Record<string, string>;
  value: T;
}

export class Router<T> {
  private readonly byMethod = new Map<string, Compiled<T>[]>();

  add(method: string, template: string, value: T): void {
    const segments = splitPath(template).map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { literal: s }));
    const list = this.byMethod.get(method) ?? [];
    list.push({ template, segments, value });
    this.byMethod.set(method, list);
  }

  /** Returns undefined when nothing matches; throws a 400 for a malformed percent-encoding. */
  match(method: string, pathname: string): RouteMatch<T> | undefined {
    const parts = splitPath(pathname);
    for (const route of this.byMethod.get(method) ?? []) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const segment = route.segments[i]!;
        const part = parts[i]!;
        if ("literal" in segment) {
          ok = segment.literal === part;
        } else {
          const decoded = decodeSegment(part);
          ok = decoded.length > 0 && decoded.length <= MAX_PARAM_LENGTH;
          params[segment.param] = decoded;
        }
      }
      if (ok) return { template: route.template, params, value: route.value };
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest("Malformed percent-encoding in the URL path");
  }
}
