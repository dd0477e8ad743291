/**
 * Service-token scope paths: the one rule for which patterns we accept (client and server) and
 * how they match a folder path. Matching is Infisical's: `picomatch.isMatch(path, pattern,
 * { strictSlashes: false })`, so `*` and `?` never cross `/`, `**` is a globstar only as a whole
 * segment (`/app**` is `/app*`), `/app/**` also matches `/app`, and `/*` does not match `/`.
 *
 * The real server accepts any string. We accept a subset whose picomatch regexes stay cheap on
 * hostile paths: literal segments, `?`, `[...]` classes and at most two `*`/`**` runs (a third
 * run lets one request backtrack for seconds). docs/server.md tables the difference.
 */
import picomatch from "picomatch";

export const MAX_SCOPE_PATH_LENGTH = 256;
/** More wildcard runs make picomatch's regex backtrack polynomially on long paths. */
export const MAX_SCOPE_WILDCARDS = 2;

const SEGMENT = /^(?:[A-Za-z0-9_.-]|\?|\*{1,2}|\[[A-Za-z0-9_-]+\])+$/;
const MATCH_OPTIONS = { strictSlashes: false } as const;

/** Why `pattern` is not an acceptable scope path, or undefined. Never echoes the pattern. */
export function scopePathProblem(pattern: string): string | undefined {
  if (!pattern.startsWith("/")) return "must start with '/'";
  if (pattern.length > MAX_SCOPE_PATH_LENGTH) return `must be at most ${MAX_SCOPE_PATH_LENGTH} characters`;
  if (pattern === "/") return undefined;
  if (pattern.endsWith("/")) return "must not end with '/' (except the root '/')";
  for (const segment of pattern.slice(1).split("/")) {
    if (segment.length === 0) return "must not contain empty segments ('//')";
    if (segment === "." || segment === "..") return "must not contain '.' or '..' segments";
    if (!SEGMENT.test(segment)) {
      return "segments may only contain letters, digits, '_', '-', '.', and the wildcards '*', '**', '?' and [class]";
    }
  }
  const wildcards = pattern.match(/\*+/g) ?? [];
  if (wildcards.some((run) => run.length > 2)) return "must not contain '***'";
  if (wildcards.length > MAX_SCOPE_WILDCARDS)
    return `must contain at most ${MAX_SCOPE_WILDCARDS} '*' or '**' wildcards`;
  return undefined;
}

/** The real server trims a scope path and drops one trailing slash before storing it. */
export function normalizeScopePath(pattern: string): string {
  const trimmed = pattern.trim();
  return trimmed.length > 1 && trimmed.endsWith("/") ? trimmed.slice(0, -1) : trimmed;
}

const matchers = new Map<string, (path: string) => boolean>();
const MAX_CACHED_MATCHERS = 1000;

/**
 * Whether a scope pattern covers a folder path. A stored pattern outside the accepted rule
 * (written by an older build) grants nothing rather than risk a slow match.
 */
export function scopePathMatches(pattern: string, secretPath: string): boolean {
  const normalized = normalizeScopePath(pattern);
  let matcher = matchers.get(normalized);
  if (!matcher) {
    if (scopePathProblem(normalized) !== undefined) return false;
    matcher = picomatch(normalized, MATCH_OPTIONS);
    if (matchers.size >= MAX_CACHED_MATCHERS) matchers.clear();
    matchers.set(normalized, matcher);
  }
  return matcher(secretPath);
}
