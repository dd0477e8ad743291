/**
 * Pulumi class names are derived from the core registry (pulumiClassName), not listed by hand:
 * every core resource has its class exported under the derived name, with the derived type token.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { resources } from "../../src/provider/registry";
import * as infisical from "../../src/pulumi";
import { pulumiClassName } from "../../src/pulumi/resource-class";

test("each core resource is exported from infisical-e2ee/pulumi under its derived class name", () => {
  const exported = infisical as unknown as Record<string, { name?: string }>;
  for (const resource of Object.values(resources)) {
    const name = pulumiClassName(resource.name);
    assert.equal(typeof exported[name], "function", `${name} is not exported`);
    assert.equal(Object.getPrototypeOf(exported[name])?.name, name, `${name} is built from another resource`);
  }
  assert.equal(pulumiClassName("projectMembership"), "ProjectMembership");
});
