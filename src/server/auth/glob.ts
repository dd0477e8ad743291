/**
 * The glob matcher for service-token scopes (`secretPath`), matching what picomatch does for
 * the patterns people use there, with `strictSlashes: false` (a trailing slash is optional):
 * `*` = any run of characters except `/`, `?` = one character except `/`, `**` = anything
 * including `/`; `/**` also matches the folder itself (`/app/**` matches `/app`).
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = "";
  const normalized = stripTrailingSlash(pattern);
  for (let i = 0; i < normalized.length; i++) {
    const char = normalized[i]!;
    if (char === "/" && normalized.startsWith("/**", i) && (i + 3 === normalized.length || normalized[i + 3] === "/")) {
      source += "(?:/.*)?";
      i += 2;
    } else if (char === "*" && normalized[i + 1] === "*") {
      source += ".*";
      i += 1;
    } else if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  const regex = new RegExp(`^${source}$`);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, regex);
  return regex;
}

export function matchesGlob(pattern: string, path: string): boolean {
  const target = stripTrailingSlash(path);
  const regex = globToRegExp(pattern);
  // "/" normalizes to "" so that "/**" matches the root; a bare "/" pattern still matches "/".
  return regex.test(target) || (target === "" && regex.test("/"));
}

function stripTrailingSlash(path: string): string {
  return path.length > 0 && path.endsWith("/") ? path.replace(/\/+$/, "") : path;
}
