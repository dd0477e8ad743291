/**
 * Permission evaluation, CASL-style as the real server (routes-more.md §4): a caller holds rules
 * from every active role, OR-ed; a rule grants (action, subject) and, when it has conditions,
 * only on a target whose `environment` equals the condition and whose `secretPath` the
 * `$glob` matches (picomatch through the shared scope-path rule, so `/app/**` covers `/app`).
 * A check without a target (a whole-subject check) passes on any rule for the pair, as CASL's
 * `can(action, subjectType)` does.
 */
import {
  type BuiltInRoleSlug,
  type PackedRule,
  PERMISSION_ACTIONS,
  PERMISSION_SUBJECTS,
  type PermissionAction,
  type PermissionConditions,
  type PermissionSubject,
} from "../../provider/api/permissions";
import { scopePathMatches } from "../../provider/api/scope-path";

export interface PermissionRule {
  actions: readonly string[];
  subjects: readonly string[];
  conditions?: PermissionConditions;
}

/** What a secret-scoped check is about: the env slug and the folder path (trailing slash removed). */
export interface SecretTarget {
  environment: string;
  secretPath: string;
}

const ALL_ACTIONS: readonly PermissionAction[] = PERMISSION_ACTIONS;
const rule = (subject: PermissionSubject, actions: readonly PermissionAction[]): PermissionRule => ({
  actions,
  subjects: [subject],
});
const everyOf = (subjects: readonly PermissionSubject[], actions: readonly PermissionAction[]) =>
  subjects.map((subject) => rule(subject, actions));

/** The built-in roles, exactly as the real server tables them (§4 "Built-in roles"). */
export const BUILT_IN_ROLE_RULES: Record<BuiltInRoleSlug, readonly PermissionRule[]> = {
  admin: [
    ...everyOf(
      PERMISSION_SUBJECTS.filter((s) => s !== "secret-rollback" && s !== "workspace"),
      ALL_ACTIONS,
    ),
    rule("secret-rollback", ["read", "create"]),
    rule("workspace", ["edit", "delete"]),
  ],
  member: [
    ...everyOf(
      [
        "secrets",
        "integrations",
        "webhooks",
        "identity",
        "service-tokens",
        "settings",
        "environments",
        "tags",
        "certificates",
      ],
      ALL_ACTIONS,
    ),
    ...everyOf(["secret-rollback", "member"], ["read", "create"]),
    ...everyOf(
      ["secret-approval", "secret-rotation", "groups", "role", "audit-logs", "ip-allowlist", "certificate-authorities"],
      ["read"],
    ),
  ],
  viewer: everyOf(
    [
      "secrets",
      "secret-approval",
      "secret-rollback",
      "secret-rotation",
      "member",
      "groups",
      "role",
      "integrations",
      "webhooks",
      "identity",
      "service-tokens",
      "settings",
      "environments",
      "tags",
      "audit-logs",
      "ip-allowlist",
      "certificate-authorities",
      "certificates",
    ],
    ["read"],
  ),
  "no-access": [],
};

function conditionsMatch(conditions: PermissionConditions | undefined, target: SecretTarget | undefined): boolean {
  if (!conditions || target === undefined) return true;
  if (conditions.environment !== undefined && conditions.environment !== target.environment) return false;
  const glob = conditions.secretPath?.$glob;
  if (conditions.secretPath !== undefined && (typeof glob !== "string" || !scopePathMatches(glob, target.secretPath)))
    return false;
  return true;
}

/** Whether any rule grants `action` on `subject` (at `target`, when the check is about one). */
export function rulesAllow(
  rules: readonly PermissionRule[],
  action: string,
  subject: string,
  target?: SecretTarget,
): boolean {
  const path = target && target.secretPath.length > 1 ? target.secretPath.replace(/\/+$/, "") : target?.secretPath;
  const normalized = target ? { environment: target.environment, secretPath: path ?? "/" } : undefined;
  return rules.some(
    (r) => r.actions.includes(action) && r.subjects.includes(subject) && conditionsMatch(r.conditions, normalized),
  );
}

/** CASL packed form, as the permissions route answers: one entry per rule. */
export function packRules(rules: readonly PermissionRule[]): PackedRule[] {
  return rules.map((r) =>
    r.conditions
      ? [r.actions.join(","), r.subjects.join(","), r.conditions]
      : [r.actions.join(","), r.subjects.join(",")],
  );
}

/** Whether `held`'s conditions grant at least everywhere `wanted`'s do (conservative: equal or wider). */
function conditionsCover(held: PermissionConditions | undefined, wanted: PermissionConditions | undefined): boolean {
  if (!held || (held.environment === undefined && held.secretPath === undefined)) return true;
  if (!wanted) return false;
  if (held.environment !== undefined && held.environment !== wanted.environment) return false;
  const glob = held.secretPath?.$glob;
  return glob === undefined || glob === "/**" || glob === wanted.secretPath?.$glob;
}

/**
 * Whether every grant of `wanted` is also a grant of `held`: a caller may give (or write into a
 * role) only what it holds itself, so edit on members or roles is not a way to more.
 */
export function rulesCover(held: readonly PermissionRule[], wanted: readonly PermissionRule[]): boolean {
  return wanted.every((w) =>
    w.actions.every((action) =>
      w.subjects.every((subject) =>
        held.some(
          (h) =>
            h.actions.includes(action) && h.subjects.includes(subject) && conditionsCover(h.conditions, w.conditions),
        ),
      ),
    ),
  );
}
