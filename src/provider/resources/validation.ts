/**
 * Input rules shared by the resource schemas. Each returns a reason (never echoing the value,
 * which may be secret) or undefined when the value is acceptable.
 */
import { unicodeNameProblem } from "../api/names";
import { BUILT_IN_ROLE_SLUGS } from "../api/permissions";
import { scopePathProblem } from "../api/scope-path";
import { isTagId, MAX_TAG_COLOR_LENGTH, MAX_TAG_NAME_LENGTH, MAX_TAG_SLUG_LENGTH, TAG_SLUG } from "../api/tag-rules";

/** The real server cannot address a name longer than this in the URL path (fastify answers 404). */
export const MAX_SECRET_KEY_LENGTH = 100;
/** Client-side ceiling on a secret value, in UTF-8 bytes (the embedded server enforces the same). */
export const MAX_SECRET_VALUE_BYTES = 65_536;
/** Comments are encrypted like values; keep them modest. */
export const MAX_SECRET_COMMENT_BYTES = 10_000;
export const MAX_ENVIRONMENT_SLUG_LENGTH = 64;
export const MAX_NAME_LENGTH = 64;

const SLUG = /^[a-z0-9-]+$/;
const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;
const ID = /^[A-Za-z0-9_-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateSecretKey(key: string): string | undefined {
  const trimmed = key.trim();
  if (trimmed.length === 0) return "must not be empty";
  if (trimmed !== key) return "must not start or end with whitespace (the server trims names)";
  if (trimmed.includes("/")) return "must not contain '/'";
  if (trimmed.length > MAX_SECRET_KEY_LENGTH) return `must be at most ${MAX_SECRET_KEY_LENGTH} characters`;
  return unicodeNameProblem(key);
}

export function validateSecretValue(value: string): string | undefined {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_SECRET_VALUE_BYTES) return `must be at most ${MAX_SECRET_VALUE_BYTES} bytes (got ${bytes})`;
  return undefined;
}

export function validateSecretComment(comment: string): string | undefined {
  const bytes = Buffer.byteLength(comment, "utf8");
  if (bytes > MAX_SECRET_COMMENT_BYTES) return `must be at most ${MAX_SECRET_COMMENT_BYTES} bytes (got ${bytes})`;
  return undefined;
}

export function validateEnvironmentSlug(slug: string): string | undefined {
  if (slug.length === 0) return "must not be empty";
  if (slug.length > MAX_ENVIRONMENT_SLUG_LENGTH) return `must be at most ${MAX_ENVIRONMENT_SLUG_LENGTH} characters`;
  if (!SLUG.test(slug)) return "must match ^[a-z0-9-]+$ (lowercase letters, digits and '-')";
  return undefined;
}

export function validateProjectSlug(slug: string): string | undefined {
  if (slug.length < 5 || slug.length > 36) return "must be 5 to 36 characters";
  if (!SLUG.test(slug)) return "must match ^[a-z0-9-]+$ (lowercase letters, digits and '-')";
  return undefined;
}

/** A folder path: `/` or `/a/b` with simple segment names (no trailing slash, no `..`). */
export function validateSecretPath(path: string): string | undefined {
  if (!path.startsWith("/")) return "must start with '/'";
  if (path === "/") return undefined;
  if (path.endsWith("/")) return "must not end with '/' (except the root '/')";
  for (const segment of path.slice(1).split("/")) {
    if (segment.length === 0) return "must not contain empty segments ('//')";
    if (segment === "." || segment === "..") return "must not contain '.' or '..' segments";
    if (!PATH_SEGMENT.test(segment)) return "segments may only contain letters, digits, '_', '-' and '.'";
  }
  return undefined;
}

/** The real server's rule for a folder name and every path segment it resolves (others 500 there). */
const FOLDER_SEGMENT = /^[a-zA-Z0-9_-]+$/;
export const MAX_FOLDER_NAME_LENGTH = 64;

export function validateFolderName(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > MAX_FOLDER_NAME_LENGTH) return `must be at most ${MAX_FOLDER_NAME_LENGTH} characters`;
  if (!FOLDER_SEGMENT.test(name)) return "may only contain letters, digits, '_' and '-' (^[a-zA-Z0-9_-]+$)";
  return undefined;
}

/** A folder's parent path in the form the server keeps it: `/` or `/a/b` (no trailing slash). */
export function validateFolderPath(path: string): string | undefined {
  if (!path.startsWith("/")) return "must start with '/'";
  if (path === "/") return undefined;
  if (path.endsWith("/")) return "must not end with '/' (except the root '/')";
  for (const segment of path.slice(1).split("/")) {
    if (segment.length === 0) return "must not contain empty segments ('//')";
    if (!FOLDER_SEGMENT.test(segment)) return "segments may only contain letters, digits, '_' and '-'";
  }
  return undefined;
}

/** A path or a glob used in a service-token scope (`/`, `/app`, `/app/*`, `/**`): the server's rule. */
export function validateScopePath(path: string): string | undefined {
  return scopePathProblem(path);
}

export function validateId(id: string): string | undefined {
  if (id.length === 0) return "must not be empty";
  if (id.length > 64 || !ID.test(id)) return "must be an ID (letters, digits, '-' and '_', at most 64 characters)";
  return undefined;
}

export function validateName(name: string): string | undefined {
  if (name.trim().length === 0) return "must not be empty";
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

export function validateEmail(email: string): string | undefined {
  if (!EMAIL.test(email)) return "must be an email address";
  if (email !== email.trim()) return "must not start or end with whitespace";
  return undefined;
}

export const BUILT_IN_ROLES = BUILT_IN_ROLE_SLUGS;

/** A membership role: a built-in, or a custom role's slug (never the bare `custom` marker). */
export function validateRole(role: string): string | undefined {
  if ((BUILT_IN_ROLES as readonly string[]).includes(role)) return undefined;
  if (role === "custom") {
    return "`custom` is the server's marker for custom-role rows, not a role; give the custom role's own slug";
  }
  if (role.length === 0 || role.length > 64 || !SLUG.test(role)) {
    return `expected one of ${BUILT_IN_ROLES.join(", ")} or a custom role slug matching ^[a-z0-9-]+$`;
  }
  return undefined;
}

export function validateIsoDate(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    return "must be an ISO-8601 date-time, e.g. 2024-07-24T00:00:00Z";
  }
  return undefined;
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** A full RFC 3339 timestamp with a zone (Terraform's `timestamp()` format), e.g. 2026-01-31T09:00:00Z. */
export function validateRfc3339(value: string): string | undefined {
  if (!RFC_3339.test(value) || Number.isNaN(Date.parse(value))) {
    return "must be an RFC 3339 timestamp with a zone, e.g. 2026-01-31T09:00:00Z or 2026-01-31T10:00:00+01:00";
  }
  return undefined;
}

export function integerBetween(min: number, max: number): (value: number) => string | undefined {
  return (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;
}

export { MAX_TAG_COLOR_LENGTH, MAX_TAG_NAME_LENGTH, MAX_TAG_SLUG_LENGTH };

const CONTROL = /\p{Cc}/u;

export function validateTagName(name: string): string | undefined {
  if (name.trim().length === 0) return "must not be empty";
  if (name.trim() !== name) return "must not start or end with whitespace (the server trims it)";
  if (name.length > MAX_TAG_NAME_LENGTH) return `must be at most ${MAX_TAG_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return "must not contain control characters";
  return undefined;
}

export function validateTagSlug(slug: string): string | undefined {
  if (slug.length === 0) return "must not be empty";
  if (slug.length > MAX_TAG_SLUG_LENGTH) return `must be at most ${MAX_TAG_SLUG_LENGTH} characters`;
  if (!TAG_SLUG.test(slug))
    return "must be lowercase letters and digits in words joined by single '-' (e.g. `db-prod`)";
  return undefined;
}

export function validateTagColor(color: string): string | undefined {
  if (color.trim().length === 0) return "must not be empty (leave it unset for no colour)";
  if (color.trim() !== color) return "must not start or end with whitespace (the server trims it)";
  if (color.length > MAX_TAG_COLOR_LENGTH) return `must be at most ${MAX_TAG_COLOR_LENGTH} characters`;
  if (CONTROL.test(color)) return "must not contain control characters";
  return undefined;
}

/** A tag id as both servers make them: a UUID (the real server answers 500 for anything else). */
export function validateTagId(id: string): string | undefined {
  return isTagId(id) ? undefined : "must be a tag id (a UUID, e.g. the `id` of an infisicale2ee_secret_tag)";
}

export function validateTagIds(ids: string[]): string | undefined {
  if (ids.length > 100) return "must hold at most 100 tag ids";
  const bad = ids.findIndex((id) => validateTagId(id) !== undefined);
  return bad < 0 ? undefined : `item ${bad} must be a tag id (a UUID, e.g. the id of a secret tag resource)`;
}
