import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type ExampleValue, examplesFor, isVariableRef } from "../../scripts/codegen/examples";
import { registryViews } from "../../scripts/codegen/model";
import { repoRoot } from "../../scripts/codegen/paths";
import { generateDocPages, stalePages } from "../../scripts/generate-docs";
import { lookups, resources } from "../../src/provider/registry";

const root = repoRoot();

describe("generated reference docs", () => {
  test("every page is fresh (matches what the core schemas generate)", () => {
    assert.deepEqual(stalePages(root), [], "regenerate with: npm run build && node dist/scripts/generate-docs.js");
  });

  test("one page per resource and data source, and no orphan pages", () => {
    const expected = generateDocPages().map((p) => p.path);
    assert.equal(expected.length, 1 + Object.keys(resources).length + Object.keys(lookups).length);
    for (const folder of ["docs/resources", "docs/data-sources"]) {
      const present = readdirSync(join(root, folder)).map((f) => `${folder}/${f}`);
      for (const file of present) assert.ok(expected.includes(file), `${file} is not generated from any schema`);
    }
  });

  test("every field of every schema appears on its page with its Terraform name", () => {
    const pages = new Map(generateDocPages().map((p) => [p.path, p.text]));
    for (const view of registryViews({ resources, lookups })) {
      const page = [...pages.entries()].find(
        ([path]) =>
          path.endsWith(`/${view.tfType.replace("infisicale2ee_", "")}.md`) &&
          path.includes(view.kind === "resource" ? "/resources/" : "/data-sources/"),
      );
      assert.ok(page, `no page for ${view.tfType}`);
      for (const a of view.allAttributes) {
        if (!a.faces || a.faces.includes("pulumi"))
          assert.ok(page[1].includes(`\`${a.name}\``), `${view.tfType}: ${a.name}`);
      }
      for (const a of view.attributes) assert.ok(page[1].includes(`\`${a.tfName}\``), `${view.tfType}: ${a.tfName}`);
      if (view.kind === "resource")
        assert.ok(page[1].includes(`Import ID: ${view.importId}`), `${view.tfType}: import ID`);
    }
  });

  test("the usage examples pass the schemas' own validation", () => {
    const dummies: Record<string, unknown> = {
      projectId: "64f0c8a4b2e1d3f5a6b7c8d9",
      apiKey: "not-a-real-key",
      dbTagId: "4f7a1c2e-0000-4000-8000-000000000001",
    };
    const resolve = (value: ExampleValue): unknown => {
      if (isVariableRef(value)) {
        assert.ok(value.$var in dummies, `no dummy for variable ${value.$var}`);
        return dummies[value.$var];
      }
      if (Array.isArray(value)) return value.map(resolve);
      if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
      return value;
    };
    let checked = 0;
    for (const view of registryViews({ resources, lookups })) {
      for (const example of examplesFor(view.kind, view.coreName)) {
        const inputs = resolve(example.inputs) as Record<string, unknown>;
        const failures =
          view.kind === "resource"
            ? resources[view.coreName as keyof typeof resources].check(inputs).failures
            : lookups[view.coreName as keyof typeof lookups].checkArgs(inputs).failures;
        assert.deepEqual(failures, [], `${view.tfType} example "${example.title}"`);
        checked++;
      }
    }
    assert.ok(checked >= 8, `only ${checked} examples checked`);
  });

  test("the docs index links every reference page and topic page", () => {
    const index = readFileSync(join(root, "docs/README.md"), "utf8");
    for (const target of [
      "reference.md",
      "security.md",
      "rotation.md",
      "configuration.md",
      "migrating.md",
      "errors.md",
    ]) {
      assert.ok(index.includes(`(${target})`), `docs/README.md does not link ${target}`);
      assert.ok(existsSync(join(root, "docs", target)), `docs/${target} is missing`);
    }
  });
});
