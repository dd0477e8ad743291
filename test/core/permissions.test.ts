/**
 * The permission format and its evaluation, as tables: the real server's matrix for a custom
 * role (routes-more.md §4), glob matching, built-in role tables, and the ProjectRole schema's
 * checks with the field named. No server: pure functions only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapApiError } from "../../src/provider/api/errors";
import { packRule, parsePackedRules, roleSlugProblem } from "../../src/provider/api/permissions";
import { resources } from "../../src/provider/registry";
import { validateRole } from "../../src/provider/resources/validation";
import { allows } from "../../src/server/auth/access";
import { BUILT_IN_ROLE_RULES, type PermissionRule, rulesAllow } from "../../src/server/auth/permissions";

/** The spec's probed custom role: read secrets in dev under /app/**, plus read tags. */
const appReader: PermissionRule[] = parsePackedRules(
  JSON.stringify([
    packRule({
      action: "read",
      subject: "secrets",
      conditions: { environment: "dev", secretPath: { $glob: "/app/**" } },
    }),
    packRule({ action: "read", subject: "tags" }),
  ]),
);

describe("custom role rules: the real server's matrix", () => {
  const cases: [string, string, string, { environment: string; secretPath: string } | undefined, boolean][] = [
    ["dev:/app", "read", "secrets", { environment: "dev", secretPath: "/app" }, true],
    ["dev:/app/x", "read", "secrets", { environment: "dev", secretPath: "/app/x" }, true],
    ["dev:/app/x/y/z", "read", "secrets", { environment: "dev", secretPath: "/app/x/y/z" }, true],
    ["dev:/app/ (trailing slash dropped)", "read", "secrets", { environment: "dev", secretPath: "/app/" }, true],
    ["tags", "read", "tags", undefined, true],
    ["dev:/ refused", "read", "secrets", { environment: "dev", secretPath: "/" }, false],
    ["staging:/app refused", "read", "secrets", { environment: "staging", secretPath: "/app" }, false],
    ["prod:/app/x refused", "read", "secrets", { environment: "prod", secretPath: "/app/x" }, false],
    ["dev:/other refused", "read", "secrets", { environment: "dev", secretPath: "/other" }, false],
    ["dev:/apple refused (no prefix match)", "read", "secrets", { environment: "dev", secretPath: "/apple" }, false],
    ["DEV:/app refused (case-sensitive)", "read", "secrets", { environment: "DEV", secretPath: "/app" }, false],
    ["write dev:/app/x refused", "edit", "secrets", { environment: "dev", secretPath: "/app/x" }, false],
    ["create tags refused", "create", "tags", undefined, false],
    ["member refused", "read", "member", undefined, false],
  ];
  for (const [name, action, subject, target, expected] of cases) {
    it(name, () => assert.equal(rulesAllow(appReader, action, subject, target), expected));
  }

  it("a whole-subject check (no target) passes on a conditioned rule, as CASL's can(action, type)", () => {
    assert.equal(rulesAllow(appReader, "read", "secrets"), true);
  });
});

describe("secretPath globs (picomatch, as the spec tables them)", () => {
  const rule = (glob: string): PermissionRule[] => [
    { actions: ["read"], subjects: ["secrets"], conditions: { secretPath: { $glob: glob } } },
  ];
  const cases: [string, string, boolean][] = [
    ["/", "/", true],
    ["/", "/app", false],
    ["/**", "/", true],
    ["/**", "/a/b/c", true],
    ["/app/**", "/app", true],
    ["/app/**", "/app/x/y", true],
    ["/app/*", "/app/x", true],
    ["/app/*", "/app", false],
    ["/app/*", "/app/x/y", false],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? "matches" : "does not match"} ${path}`, () =>
      assert.equal(rulesAllow(rule(glob), "read", "secrets", { environment: "dev", secretPath: path }), expected));
  }

  it("a stored glob outside the accepted bound grants nothing (no slow match on hostile data)", () => {
    assert.equal(
      rulesAllow(rule("/a*/b*/c*/d*"), "read", "secrets", { environment: "dev", secretPath: "/a/b/c/d" }),
      false,
    );
  });

  it("rules are OR-ed across roles", () => {
    const both = [...rule("/app/**"), ...rule("/other")];
    assert.equal(rulesAllow(both, "read", "secrets", { environment: "x", secretPath: "/other" }), true);
    assert.equal(rulesAllow(both, "read", "secrets", { environment: "x", secretPath: "/third" }), false);
  });
});

describe("built-in roles as the spec tables them", () => {
  const can = (role: keyof typeof BUILT_IN_ROLE_RULES, action: string, subject: string) =>
    rulesAllow(BUILT_IN_ROLE_RULES[role], action, subject);
  const cases: [keyof typeof BUILT_IN_ROLE_RULES, string, string, boolean][] = [
    ["admin", "delete", "role", true],
    ["admin", "edit", "secret-rollback", false],
    ["admin", "create", "secret-rollback", true],
    ["admin", "read", "workspace", false],
    ["admin", "delete", "workspace", true],
    ["member", "delete", "secrets", true],
    ["member", "create", "member", true],
    ["member", "edit", "member", false],
    ["member", "delete", "member", false],
    ["member", "create", "role", false],
    ["member", "read", "role", true],
    ["member", "edit", "workspace", false],
    ["member", "delete", "tags", true],
    ["viewer", "read", "secrets", true],
    ["viewer", "create", "secrets", false],
    ["viewer", "read", "certificates", true],
    ["viewer", "read", "workspace", false],
    ["no-access", "read", "secrets", false],
    ["no-access", "read", "tags", false],
  ];
  for (const [role, action, subject, expected] of cases) {
    it(`${role} ${expected ? "may" : "may not"} ${action} ${subject}`, () =>
      assert.equal(can(role, action, subject), expected));
  }

  it("the project record: any member reads it; edit and delete are `workspace` (admin only)", () => {
    assert.equal(allows(BUILT_IN_ROLE_RULES["no-access"], "read", "project"), true);
    assert.equal(allows(BUILT_IN_ROLE_RULES.member, "edit", "project"), false);
    assert.equal(allows(BUILT_IN_ROLE_RULES.admin, "delete", "project"), true);
  });
});

describe("packed rules read back defensively", () => {
  it("malformed text or entries grant nothing", () => {
    assert.deepEqual(parsePackedRules("not json"), []);
    assert.deepEqual(parsePackedRules('{"a":1}'), []);
    assert.deepEqual(parsePackedRules('[[1,2],["read"],["read","secrets",[]],"x"]'), []);
    assert.deepEqual(parsePackedRules('[["read,edit","secrets"]]'), [
      { actions: ["read", "edit"], subjects: ["secrets"] },
    ]);
  });
});

describe("ProjectRole check names the field", () => {
  const base = {
    projectId: "p1",
    slug: "app-reader",
    name: "App reader",
    permissions: [{ action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" }],
  };
  const paths = (inputs: Record<string, unknown>) => resources.projectRole.check(inputs).failures.map((f) => f.path);
  const cases: [string, Record<string, unknown>, string][] = [
    ["reserved slug", { ...base, slug: "admin" }, "slug"],
    ["reserved slug custom", { ...base, slug: "custom" }, "slug"],
    ["slug not in slugify form", { ...base, slug: "App Reader" }, "slug"],
    ["slug with a double dash", { ...base, slug: "a--b" }, "slug"],
    ["bad subject", { ...base, permissions: [{ action: "read", subject: "everything" }] }, "permissions[0].subject"],
    ["bad action", { ...base, permissions: [{ action: "manage", subject: "secrets" }] }, "permissions[0].action"],
    [
      "glob with three wildcard runs",
      { ...base, permissions: [{ action: "read", subject: "secrets", secretPath: "/*/*/*" }] },
      "permissions[0].secretPath",
    ],
    [
      "relative glob",
      { ...base, permissions: [{ action: "read", subject: "secrets", secretPath: "app/**" }] },
      "permissions[0].secretPath",
    ],
    [
      "bad environment slug",
      { ...base, permissions: [{ action: "read", subject: "secrets", environment: "Bad Env" }] },
      "permissions[0].environment",
    ],
    [
      "condition on a subject other than secrets",
      { ...base, permissions: [{ action: "read", subject: "tags", environment: "dev" }] },
      "permissions[0].environment",
    ],
    [
      "too many rules",
      { ...base, permissions: Array.from({ length: 101 }, () => ({ action: "read", subject: "tags" })) },
      "permissions",
    ],
    ["empty description", { ...base, description: " " }, "description"],
    ["missing permissions", { ...base, permissions: undefined }, "permissions"],
  ];
  for (const [name, inputs, path] of cases) {
    it(name, () => assert.deepEqual(paths(inputs), [path]));
  }

  it("a good role passes, with an empty permissions list allowed", () => {
    assert.deepEqual(paths(base), []);
    assert.deepEqual(paths({ ...base, permissions: [] }), []);
  });

  it("the slug rule is the server's (lower-case slugify form, not reserved)", () => {
    assert.equal(roleSlugProblem("app-writer"), undefined);
    assert.match(roleSlugProblem("no-access") ?? "", /reserved/);
  });

  it("membership role: built-in or custom slug, never the bare `custom` marker", () => {
    assert.equal(validateRole("viewer"), undefined);
    assert.equal(validateRole("app-reader"), undefined);
    assert.match(validateRole("custom") ?? "", /custom role's own slug/);
    assert.ok(validateRole("App Reader"));
  });
});

describe("the real server's role answers map to typed errors", () => {
  it("RBAC restriction: ERR_CUSTOM_ROLE_LICENSE, saying a licence is needed and the role itself still works", () => {
    const error = mapApiError(
      400,
      {
        error: "BadRequest",
        message: "Failed to assign custom role due to RBAC restriction. Upgrade plan to assign custom role to member.",
      },
      "change project member role",
      "/api/v1/workspace/{workspaceId}/memberships/{membershipId}",
    );
    assert.equal(error.code, "ERR_CUSTOM_ROLE_LICENSE");
    assert.match(error.message, /licence/);
    assert.match(error.message, /role itself can still be created/);
  });

  it("role assigned to users: ERR_ROLE_IN_USE naming the remedy", () => {
    const error = mapApiError(
      400,
      {
        error: "Delete role",
        message: "The role is assigned to one or more users. Make sure to unassign them before deleting the role.",
      },
      "delete project role",
      "/api/v1/workspace/{projectSlug}/roles/{roleId}",
    );
    assert.equal(error.code, "ERR_ROLE_IN_USE");
    assert.match(error.message, /give them another role first/);
  });
});
