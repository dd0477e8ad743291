/**
 * The project permission format (routes-more.md §4), shared by the client and the embedded
 * server: which actions and subjects exist, which role slugs are reserved, what a role slug may
 * look like, and how a rule travels (unpacked in role routes, CASL-packed in storage and the
 * permissions route). Matching lives in src/server/auth/permissions.ts.
 */
import { scopePathProblem } from "./scope-path";

export const PERMISSION_ACTIONS = ["read", "create", "edit", "delete"] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

export const PERMISSION_SUBJECTS = [
  "role",
  "member",
  "groups",
  "settings",
  "integrations",
  "webhooks",
  "service-tokens",
  "environments",
  "tags",
  "audit-logs",
  "ip-allowlist",
  "workspace",
  "secrets",
  "secret-rollback",
  "secret-approval",
  "secret-rotation",
  "identity",
  "certificate-authorities",
  "certificates",
] as const;
export type PermissionSubject = (typeof PERMISSION_SUBJECTS)[number];

/** The built-in roles a membership may hold by name. */
export const BUILT_IN_ROLE_SLUGS = ["admin", "member", "viewer", "no-access"] as const;
export type BuiltInRoleSlug = (typeof BUILT_IN_ROLE_SLUGS)[number];

/** Slugs a custom role may not take: the built-ins and the `custom` marker of membership rows. */
export const RESERVED_ROLE_SLUGS: readonly string[] = [...BUILT_IN_ROLE_SLUGS, "custom"];

export const MAX_ROLE_SLUG_LENGTH = 64;
/** A bound of ours (the real server has none): a role's rules are evaluated on every request. */
export const MAX_ROLE_PERMISSIONS = 100;

/** The real server's slug rule: the value must equal its own slugify form. */
const SLUG_FORM = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface PermissionConditions {
  environment?: string;
  secretPath?: { $glob: string };
}

/** A rule as role create/update take it. */
export interface UnpackedRule {
  action: string;
  subject: string;
  conditions?: PermissionConditions;
}

/** A CASL packed rule: comma-joined actions, comma-joined subjects, optional conditions. */
export type PackedRule = [string, string] | [string, string, PermissionConditions];

/** Why `slug` cannot name a custom role, or undefined. Never echoes the value. */
export function roleSlugProblem(slug: string): string | undefined {
  if (slug.length === 0) return "must not be empty";
  if (slug.length > MAX_ROLE_SLUG_LENGTH) return `must be at most ${MAX_ROLE_SLUG_LENGTH} characters`;
  if (!SLUG_FORM.test(slug)) return "must be a slug: lower-case letters, digits and single dashes (e.g. app-reader)";
  if (RESERVED_ROLE_SLUGS.includes(slug)) return `is reserved (${RESERVED_ROLE_SLUGS.join(", ")})`;
  return undefined;
}

/** Why a `secretPath` glob is unacceptable: the service-token scope rule, one home. */
export function permissionGlobProblem(glob: string): string | undefined {
  return scopePathProblem(glob);
}

export function packRule(rule: UnpackedRule): PackedRule {
  return rule.conditions && Object.keys(rule.conditions).length > 0
    ? [rule.action, rule.subject, rule.conditions]
    : [rule.action, rule.subject];
}

export interface StoredRule {
  actions: string[];
  subjects: string[];
  conditions?: PermissionConditions;
}

/** A packed rule read back: anything that is not a well-formed rule is dropped, never trusted. */
export function unpackRule(packed: unknown): StoredRule | undefined {
  if (!Array.isArray(packed) || typeof packed[0] !== "string" || typeof packed[1] !== "string") return undefined;
  const conditions = packed[2];
  const out = { actions: packed[0].split(","), subjects: packed[1].split(",") };
  if (conditions === undefined || conditions === null || conditions === 0) return out;
  if (typeof conditions !== "object" || Array.isArray(conditions)) return undefined;
  return { ...out, conditions: conditions as PermissionConditions };
}

/** Stored packed rules (JSON text) read back; malformed text or entries grant nothing. */
export function parsePackedRules(text: string | null | undefined): StoredRule[] {
  if (!text) return [];
  let packed: unknown;
  try {
    packed = JSON.parse(text);
  } catch {
    return [];
  }
  return (Array.isArray(packed) ? packed : []).flatMap((entry) => {
    const rule = unpackRule(entry);
    return rule ? [rule] : [];
  });
}
