/** Bad input fails in check() with the field named; check() is synchronous and takes no session, so no request can be sent. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lookups, resources } from "../../src/provider/registry";
import type { Resource } from "../../src/provider/schema/resource";

function failurePaths(resource: Pick<Resource, "check">, inputs: Record<string, unknown>): string[] {
  return resource.check(inputs).failures.map((f) => f.path);
}

const secretBase = { projectId: "p1", environment: "dev", key: "KEY", value: "v" };

const cases: [string, Pick<Resource, "check">, Record<string, unknown>, string][] = [
  ["empty key", resources.secret, { ...secretBase, key: "" }, "key"],
  ["blank key", resources.secret, { ...secretBase, key: "   " }, "key"],
  ["key with /", resources.secret, { ...secretBase, key: "a/b" }, "key"],
  ["key over 100 characters", resources.secret, { ...secretBase, key: "K".repeat(101) }, "key"],
  ["value over the size limit", resources.secret, { ...secretBase, value: "x".repeat(70_000) }, "value"],
  ["value not a string", resources.secret, { ...secretBase, value: 42 }, "value"],
  ["environment slug with spaces", resources.secret, { ...secretBase, environment: "Bad Env" }, "environment"],
  ["path without leading /", resources.secret, { ...secretBase, path: "app" }, "path"],
  ["path with ..", resources.secret, { ...secretBase, path: "/a/../b" }, "path"],
  ["empty projectId", resources.secret, { ...secretBase, projectId: "" }, "projectId"],
  ["type personal", resources.secret, { ...secretBase, type: "personal" }, "type"],
  ["comment too large", resources.secret, { ...secretBase, comment: "c".repeat(20_000) }, "comment"],
  [
    "generate length too small",
    resources.secret,
    { ...secretBase, value: undefined, generate: { length: 2 } },
    "generate.length",
  ],
  [
    "generate with no classes",
    resources.secret,
    { ...secretBase, value: undefined, generate: { lowercase: false, uppercase: false, digits: false } },
    "generate",
  ],
  ["value and generate together", resources.secret, { ...secretBase, generate: {} }, "value"],
  ["rotationTrigger without generate", resources.secret, { ...secretBase, rotationTrigger: "1" }, "rotationTrigger"],
  ["unknown field", resources.secret, { ...secretBase, colour: "red" }, "colour"],
  ["computed field set", resources.secret, { ...secretBase, version: 3 }, "version"],
  [
    "createMissingFolders not boolean",
    resources.secret,
    { ...secretBase, createMissingFolders: "yes" },
    "createMissingFolders",
  ],
  ["env slug with spaces", resources.environment, { projectId: "p", name: "QA", slug: "q a" }, "slug"],
  ["env slug uppercase", resources.environment, { projectId: "p", name: "QA", slug: "QA" }, "slug"],
  ["env slug too long", resources.environment, { projectId: "p", name: "QA", slug: "a".repeat(65) }, "slug"],
  ["env empty name", resources.environment, { projectId: "p", name: " ", slug: "qa" }, "name"],
  [
    "env position not whole",
    resources.environment,
    { projectId: "p", name: "QA", slug: "qa", position: 1.5 },
    "position",
  ],
  ["unknown role", resources.projectMembership, { projectId: "p", email: "a@b.co", role: "Super Admin" }, "role"],
  ["bad email", resources.projectMembership, { projectId: "p", email: "not-an-email", role: "admin" }, "email"],
  ["project name missing", resources.project, { slug: "valid-slug" }, "name"],
  ["project slug too short", resources.project, { name: "P", slug: "abc" }, "slug"],
  ["project slug invalid", resources.project, { name: "P", slug: "Not Valid!" }, "slug"],
  ["token without scopes", resources.serviceToken, { projectId: "p", name: "t", scopes: [] }, "scopes"],
  [
    "token scope env invalid",
    resources.serviceToken,
    { projectId: "p", name: "t", scopes: [{ environment: "Prod Env" }] },
    "scopes[0].environment",
  ],
  [
    "token scope path invalid",
    resources.serviceToken,
    { projectId: "p", name: "t", scopes: [{ environment: "dev", secretPath: "app" }] },
    "scopes[0].secretPath",
  ],
  [
    "token permission unknown",
    resources.serviceToken,
    { projectId: "p", name: "t", scopes: [{ environment: "dev" }], permissions: ["admin"] },
    "permissions[0]",
  ],
  [
    "token permissions empty",
    resources.serviceToken,
    { projectId: "p", name: "t", scopes: [{ environment: "dev" }], permissions: [] },
    "permissions",
  ],
  [
    "token expiry too short",
    resources.serviceToken,
    { projectId: "p", name: "t", scopes: [{ environment: "dev" }], expiresIn: 5 },
    "expiresIn",
  ],
];

describe("check() rejects bad input with the field named", () => {
  for (const [name, resource, inputs, path] of cases) {
    it(`${name} → ${path}`, () => {
      assert.ok(
        failurePaths(resource, inputs).includes(path),
        `failures: ${JSON.stringify(resource.check(inputs).failures)}`,
      );
    });
  }

  it("failure reasons never echo a rejected value", () => {
    const value = "x".repeat(70_000);
    const { failures } = resources.secret.check({ ...secretBase, key: "bad/KEY-canary", value });
    assert.ok(!JSON.stringify(failures).includes("KEY-canary"));
    assert.ok(!JSON.stringify(failures).includes("xxxxxxxx"));
  });

  it("valid inputs pass and get defaults", () => {
    const { failures, inputs } = resources.secret.check(secretBase);
    assert.deepEqual(failures, []);
    assert.equal(inputs.path, "/");
    assert.equal(inputs.type, "shared");
    assert.deepEqual(
      resources.projectMembership.check({ projectId: "p", email: "a@b.co", role: "my-custom-role" }).failures,
      [],
    );
  });

  it("lookups check their arguments", () => {
    assert.deepEqual(
      lookups.project.checkArgs({}).failures.map((f) => f.path),
      ["projectId"],
    );
    assert.deepEqual(
      lookups.auditLogs.checkArgs({ projectId: "p", limit: 0 }).failures.map((f) => f.path),
      ["limit"],
    );
    assert.deepEqual(
      lookups.auditLogs
        .checkArgs({ projectId: "p", startDate: "2024-02-01T00:00:00Z", endDate: "2024-01-01T00:00:00Z" })
        .failures.map((f) => f.path),
      ["endDate"],
    );
    assert.deepEqual(
      lookups.secrets.checkArgs({ projectId: "p", environment: "Bad Env" }).failures.map((f) => f.path),
      ["environment"],
    );
  });

  it("schema flags the faces rely on", () => {
    const f = resources.secret.fields;
    assert.equal(f.value.sensitive && f.value.optional && f.value.computed, true);
    assert.deepEqual(f.valueWo.faces, ["terraform"]);
    assert.equal(f.valueWo.writeOnly, true);
    assert.deepEqual(f.adopt.faces, ["pulumi"]);
    assert.equal(resources.serviceToken.fields.token.sensitive, true);
    assert.equal(resources.serviceToken.fields.rotationTrigger.replaceOnChange, true);
    assert.equal(resources.secret.fields.rotationTrigger.replaceOnChange, undefined);
  });
});
