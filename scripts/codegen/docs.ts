/**
 * Renders one reference page per resource and data source (docs/resources/*.md,
 * docs/data-sources/*.md) from the registry: usage for Pulumi, Terraform and CDKTF side by side,
 * every argument with its flags, and the import ID. Deterministic output for the freshness test.
 */

import { toSnakeCase as snake } from "../../src/terraform/names";
import { type Example, type ExampleValue, examplesFor, isVariableRef } from "./examples";
import { type AttributeView, PROVIDER_TYPE, type SchemaView } from "./model";

const GENERATED_NOTE =
  "<!-- GENERATED FILE, DO NOT EDIT: scripts/generate-docs.ts renders it from the core schemas. -->";

export interface DocPage {
  /** Repository-relative path, e.g. `docs/resources/secret.md`. */
  path: string;
  text: string;
}

export function pageFileName(view: SchemaView): string {
  return `${view.tfType.slice(PROVIDER_TYPE.length + 1)}.md`;
}

export function pagePath(view: SchemaView): string {
  return `docs/${view.kind === "resource" ? "resources" : "data-sources"}/${pageFileName(view)}`;
}

// ---- rendering example values per language -------------------------------------------------

function tsValue(value: ExampleValue, indent: string): string {
  if (isVariableRef(value)) return value.$var;
  if (Array.isArray(value)) return `[${value.map((v) => tsValue(v, indent)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${tsValue(v, indent)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

function tsObject(inputs: Record<string, ExampleValue>, indent: string): string {
  const lines = Object.entries(inputs).map(([k, v]) =>
    isVariableRef(v) && v.$var === k ? `${indent}  ${k},` : `${indent}  ${k}: ${tsValue(v, indent)},`,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** HCL names nested keys in snake_case; `tfNames` maps core names to Terraform ones. */
function hclValue(value: ExampleValue, tfName: (key: string) => string): string {
  if (isVariableRef(value)) return `var.${snake(value.$var)}`;
  if (Array.isArray(value)) return `[${value.map((v) => hclValue(v, tfName)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${tfName(k)} = ${hclValue(v, tfName)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

function findAttribute(list: AttributeView[], name: string): AttributeView | undefined {
  for (const a of list) {
    if (a.name === name) return a;
    const nested = a.nested && findAttribute(a.nested, name);
    if (nested) return nested;
  }
  return undefined;
}

function variablesOf(value: ExampleValue, into: Set<string>): Set<string> {
  if (isVariableRef(value)) into.add(value.$var);
  else if (Array.isArray(value)) for (const v of value) variablesOf(v, into);
  else if (typeof value === "object") for (const v of Object.values(value)) variablesOf(v, into);
  return into;
}

function pulumiSnippet(view: SchemaView, example: Example): string {
  const vars = [...variablesOf(example.inputs, new Set())];
  const lines = ['import * as infisical from "infisical-e2ee/pulumi";', ""];
  if (vars.length > 0) lines.push(`// ${vars.join(", ")}: defined elsewhere in your program`);
  if (view.kind === "resource") {
    lines.push(
      `const ${camel(example.label)} = new infisical.${view.pulumiName}("${example.label}", ${tsObject(example.inputs, "")});`,
    );
  } else {
    lines.push(`const ${camel(example.label)} = infisical.${view.pulumiName}Output(${tsObject(example.inputs, "")});`);
  }
  return lines.join("\n");
}

function camel(label: string): string {
  return label.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function hclSnippet(view: SchemaView, example: Example): string {
  const tfName = (key: string) => findAttribute(view.attributes, key)?.tfName ?? snake(key);
  const block = view.kind === "resource" ? "resource" : "data";
  const lines: string[] = [];
  const vars = [...variablesOf(example.inputs, new Set())];
  for (const v of vars) {
    const attr = Object.entries(example.inputs).find(([, value]) => isVariableRef(value) && value.$var === v);
    const writeOnly = attr ? findAttribute(view.attributes, attr[0])?.writeOnly : false;
    lines.push(
      writeOnly
        ? `variable "${snake(v)}" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}`
        : `variable "${snake(v)}" {\n  type = string\n}`,
    );
    lines.push("");
  }
  lines.push(`${block} "${view.tfType}" "${example.label}" {`);
  const entries = Object.entries(example.inputs);
  const width = Math.max(...entries.map(([k]) => tfName(k).length));
  for (const [k, v] of entries) lines.push(`  ${tfName(k).padEnd(width)} = ${hclValue(v, tfName)}`);
  lines.push("}");
  return lines.join("\n");
}

function cdktfSnippet(view: SchemaView, example: Example): string {
  const vars = [...variablesOf(example.inputs, new Set())];
  const lines = [
    `import { ${view.className}${needsEphemeral(view, example) ? ", ephemeralVariable" : ""} } from "infisical-e2ee/cdktn";`,
    "",
  ];
  lines.push("// inside your TerraformStack's constructor (scope `this`):");
  const inputs = { ...example.inputs };
  for (const v of vars) {
    const attr = Object.entries(example.inputs).find(([, value]) => isVariableRef(value) && value.$var === v);
    if (attr && findAttribute(view.attributes, attr[0])?.writeOnly) {
      lines.push(`const ${v} = ephemeralVariable(this, "${snake(v)}");`);
      inputs[attr[0]] = { $var: `${v}.stringValue` };
    } else {
      lines.push(`// ${v}: defined elsewhere in your stack`);
    }
  }
  lines.push(
    `const ${camel(example.label)} = new ${view.className}(this, "${example.label}", ${tsObject(inputs, "")});`,
  );
  return lines.join("\n");
}

function needsEphemeral(view: SchemaView, example: Example): boolean {
  return Object.entries(example.inputs).some(
    ([k, v]) => isVariableRef(v) && findAttribute(view.attributes, k)?.writeOnly,
  );
}

// ---- argument tables --------------------------------------------------------------------------

function typeName(a: AttributeView): string {
  switch (a.kind) {
    case "stringList":
      return a.set ? "set of string" : "list of string";
    case "stringMap":
      return "map of string";
    case "object":
      return "object";
    case "objectList":
      return "list of object";
    default:
      return a.kind;
  }
}

function flags(a: AttributeView): string {
  const out: string[] = [];
  if (a.required) out.push("required");
  else if (a.input) out.push(a.computed && a.default === undefined ? "optional, computed" : "optional");
  else out.push("computed");
  if (a.default !== undefined) out.push(`default \`${JSON.stringify(a.default)}\``);
  if (a.oneOf) out.push(`one of ${a.oneOf.map((v) => `\`${v}\``).join(", ")}`);
  if (a.minItems !== undefined) out.push(`at least ${a.minItems}`);
  if (a.sensitive) out.push("sensitive");
  if (a.writeOnly) out.push("write-only");
  if (a.replaceOnChange) out.push("replaces on change");
  return out.join(", ");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function tableRows(list: AttributeView[], prefix: string, tfPrefix: string, rows: string[]): void {
  for (const a of list) {
    const onTerraform = !a.faces || a.faces.includes("terraform");
    const pulumi = a.faces && !a.faces.includes("pulumi") ? "—" : `\`${prefix}${a.name}\``;
    const tf = onTerraform ? `\`${tfPrefix}${a.tfName}\`` : "—";
    const cdktf = onTerraform ? `\`${prefix}${a.name}\`` : "—";
    rows.push(`| ${pulumi} | ${tf} | ${cdktf} | ${typeName(a)} | ${flags(a)} | ${cell(a.doc)} |`);
    if (a.nested) {
      const sep = a.kind === "objectList" ? "[]." : ".";
      tableRows(a.nested, `${prefix}${a.name}${sep}`, `${tfPrefix}${a.tfName}${sep}`, rows);
    }
  }
}

function table(list: AttributeView[]): string {
  const rows = ["| Pulumi | Terraform | CDK Terrain | Type | Flags | Description |", "|---|---|---|---|---|---|"];
  tableRows(list, "", "", rows);
  return rows.join("\n");
}

/** All attributes the docs show: the core's fields on any face, plus Terraform-only synthetic ones (`id`). */
function documentedAttributes(view: SchemaView): AttributeView[] {
  const all = view.allAttributes;
  const extra = view.attributes.filter((tf) => !all.some((a) => a.name === tf.name));
  return [...all, ...extra.map((a) => ({ ...a, faces: ["terraform"] as const }))];
}

// ---- pages -----------------------------------------------------------------------------------

export function renderPage(view: SchemaView): string {
  const isResource = view.kind === "resource";
  const attrs = documentedAttributes(view);
  const args = attrs.filter((a) => a.input);
  const outs = attrs.filter((a) => !a.input);
  const out: string[] = [GENERATED_NOTE, ""];
  out.push(`# ${isResource ? view.className : `${view.pulumiName} / data ${view.tfType}`}`, "");
  out.push(`${view.doc}`, "");
  out.push("| Face | Name |", "|---|---|");
  if (isResource)
    out.push(`| Pulumi | \`new infisical.${view.pulumiName}(name, args)\` from \`infisical-e2ee/pulumi\` |`);
  else
    out.push(
      `| Pulumi | \`infisical.${view.pulumiName}(args)\` / \`infisical.${view.pulumiName}Output(args)\` from \`infisical-e2ee/pulumi\` |`,
    );
  out.push(
    `| Terraform | \`${isResource ? "resource" : "data"} "${view.tfType}"\` (provider \`infisical-e2ee/infisicale2ee\`) |`,
  );
  out.push(
    `| CDK Terrain | \`new ${view.className}(scope, id, config)\` from \`infisical-e2ee/cdktn\` (legacy CDKTF: \`infisical-e2ee/cdktf\`) |`,
    "",
  );

  for (const example of examplesFor(view.kind, view.coreName)) {
    out.push(`## Example: ${example.title}`, "");
    if (example.note) out.push(example.note, "");
    const faces = example.faces ?? ["pulumi", "terraform"];
    if (faces.includes("pulumi"))
      out.push("Pulumi (TypeScript):", "", "```ts", pulumiSnippet(view, example), "```", "");
    if (faces.includes("terraform")) {
      out.push("Terraform (HCL):", "", "```hcl", hclSnippet(view, example), "```", "");
      out.push("CDK Terrain (TypeScript; the same with CDKTF):", "", "```ts", cdktfSnippet(view, example), "```", "");
    }
  }

  out.push("## Arguments", "");
  out.push(
    "Pulumi and CDK Terrain / CDKTF use the camelCase names, Terraform HCL the snake_case ones. " +
      "`sensitive` values are Pulumi secrets and hidden in Terraform output; `write-only` values never enter state.",
    "",
  );
  out.push(args.length > 0 ? table(args) : "None.", "");
  out.push(isResource ? "## Outputs" : "## Results", "");
  out.push(outs.length > 0 ? table(outs) : "None beyond the arguments.", "");
  if (isResource) {
    out.push("## Import", "");
    out.push(`Import ID: ${view.importId}`, "");
    if (view.importable) {
      out.push(
        "```sh",
        `terraform import ${view.tfType}.example '<import id>'`,
        "```",
        "",
        'or with an `import` block (CDK Terrain / CDKTF: `construct.importFrom("<import id>")`):',
        "",
        "```hcl",
        `import {\n  to = ${view.tfType}.example\n  id = "<import id>"\n}`,
        "```",
        "",
        "Pulumi's dynamic providers cannot `pulumi import`; " +
          (view.adoptField
            ? `set \`${view.adoptField}: true\` to take over an existing ${toWords(view.coreName)}.`
            : "recreate or adopt instead."),
        "",
      );
    }
  }
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}

export function renderIndex(views: SchemaView[]): string {
  const line = (v: SchemaView) =>
    `| [${v.kind === "resource" ? v.className : v.pulumiName}](${v.kind === "resource" ? "resources" : "data-sources"}/${pageFileName(v)}) | \`${v.tfType}\` | ${cell(v.doc)} |`;
  return [
    GENERATED_NOTE,
    "",
    "# Reference",
    "",
    "## Resources",
    "",
    "| Pulumi / CDK Terrain | Terraform | What it is |",
    "|---|---|---|",
    ...views.filter((v) => v.kind === "resource").map(line),
    "",
    "## Data sources (lookups)",
    "",
    "| Pulumi | Terraform | What it is |",
    "|---|---|---|",
    ...views.filter((v) => v.kind === "dataSource").map(line),
    "",
  ].join("\n");
}

export function renderDocs(views: SchemaView[]): DocPage[] {
  return [
    { path: "docs/reference.md", text: renderIndex(views) },
    ...views.map((v) => ({ path: pagePath(v), text: renderPage(v) })),
  ];
}

/** `projectMembership` → `project membership`. */
function toWords(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}
