/**
 * Renders the constructs (src/cdktn/ and src/cdktf/constructs.generated.ts) from the registry's
 * Terraform view: one config interface and one TerraformResource / TerraformDataSource subclass
 * per schema, plus the provider. One renderer for both frameworks: CDK Terrain (`cdktn`, the
 * maintained continuation) and CDKTF (archived, kept for apps still on it) share the API, and a
 * flavor says only what differs. Output is deterministic (no dates, no absolute paths) so the
 * freshness tests can compare text.
 */
import { type AttributeView, PROVIDER_SOURCE, PROVIDER_TYPE, type SchemaView, toPascalCase } from "./model";

/** What differs between the frameworks the constructs are generated for. */
export interface ConstructFlavor {
  /** The runtime package the constructs extend, and the CLI that deploys them. */
  readonly framework: "cdktn" | "cdktf";
  /**
   * Whether resources wrap write-only values in `markWriteOnlyAttribute` (cdktn ≥ 0.24), so synth
   * checks the app's `targetVersions` admit write-only attributes (Terraform ≥ 1.11).
   */
  readonly marksWriteOnly: boolean;
}

export const CDKTN: ConstructFlavor = { framework: "cdktn", marksWriteOnly: true };
export const CDKTF: ConstructFlavor = { framework: "cdktf", marksWriteOnly: false };

/**
 * Members of cdktf's base classes and of Construct: a field with one of these names gets an
 * `Attribute` suffix (the same rule cdktf's own generator follows).
 */
const RESERVED_MEMBERS = new Set([
  "node",
  "with",
  "toString",
  "fqn",
  "friendlyUniqueId",
  "cdktfStack",
  "terraformResourceType",
  "terraformGeneratorMetadata",
  "terraformMetaArguments",
  "tfResourceType",
  "dependsOn",
  "count",
  "provider",
  "lifecycle",
  "forEach",
  "connection",
  "provisioners",
  "importFrom",
  "moveTo",
  "moveToId",
  "moveFromId",
  "addOverride",
  "overrideLogicalId",
  "alias",
  "metaAttributes",
  "rawOverrides",
  // cdktn only (provider-feature checks), reserved for both so the flavors keep one API.
  "markWriteOnlyAttribute",
  "registerProviderFeatureUsage",
]);

export function memberName(name: string): string {
  if (RESERVED_MEMBERS.has(name) || /^get[A-Z]/.test(name)) return `${name}Attribute`;
  return name;
}

class Lines {
  private readonly out: string[] = [];
  private depth = 0;
  line(text = ""): this {
    this.out.push(text === "" ? "" : "  ".repeat(this.depth) + text);
    return this;
  }
  open(text: string): this {
    this.line(text);
    this.depth++;
    return this;
  }
  close(text = "}"): this {
    this.depth--;
    return this.line(text);
  }
  doc(paragraphs: string[]): this {
    const text = paragraphs.filter((p) => p.length > 0);
    if (text.length === 0) return this;
    this.line("/**");
    text.forEach((p, i) => {
      if (i > 0) this.line(" *");
      for (const l of p.split("\n")) this.line(` * ${l.replace(/\*\//g, "*\\/")}`.trimEnd());
    });
    return this.line(" */");
  }
  toString(): string {
    return `${this.out.join("\n")}\n`;
  }
}

function flagsNote(a: AttributeView): string {
  const flags: string[] = [];
  if (a.required) flags.push("required");
  else if (a.input && a.default !== undefined) flags.push(`optional; default ${JSON.stringify(a.default)}`);
  else if (a.input) flags.push(a.computed ? "optional, computed when unset" : "optional");
  else flags.push("computed");
  if (a.oneOf) flags.push(`one of ${a.oneOf.map((v) => JSON.stringify(v)).join(", ")}`);
  if (a.sensitive) flags.push("sensitive");
  if (a.writeOnly) flags.push("write-only: never stored in state");
  if (a.replaceOnChange) flags.push("changing it replaces the resource");
  return `Terraform \`${a.tfName}\` (${flags.join("; ")}).`;
}

function structName(owner: string, a: AttributeView): string {
  return `${owner}${toPascalCase(a.name)}`;
}

function mapperName(owner: string, a: AttributeView): string {
  const s = structName(owner, a);
  return `${s.charAt(0).toLowerCase()}${s.slice(1)}ToTerraform`;
}

/** TypeScript type of an input property. */
function inputType(owner: string, a: AttributeView): string {
  switch (a.kind) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean | cdk.IResolvable";
    case "stringList":
      return "string[]";
    case "stringMap":
      return "{ [key: string]: string }";
    case "object":
      return `${structName(owner, a)} | cdk.IResolvable`;
    case "objectList":
      return `${structName(owner, a)}[] | cdk.IResolvable`;
  }
}

/** Getter returning a Terraform reference to the attribute (resolved at apply time). */
function referenceGetter(a: AttributeView): { type: string; expr: string } {
  const attr = JSON.stringify(a.tfName);
  switch (a.kind) {
    case "string":
      return { type: "string", expr: `this.getStringAttribute(${attr})` };
    case "number":
      return { type: "number", expr: `this.getNumberAttribute(${attr})` };
    case "boolean":
      return { type: "cdk.IResolvable", expr: `this.getBooleanAttribute(${attr})` };
    case "stringList":
      return { type: "string[]", expr: `this.getListAttribute(${attr})` };
    case "stringMap":
      return { type: "{ [key: string]: string }", expr: `this.getStringMapAttribute(${attr})` };
    case "object":
    case "objectList":
      return { type: "cdk.IResolvable", expr: `this.interpolationForAttribute(${attr})` };
  }
}

function renderReferenceGetter(w: Lines, a: AttributeView, member: string): void {
  const getter = referenceGetter(a);
  w.doc([`Reference to \`${a.tfName}\`: ${a.doc}`]);
  w.open(`public get ${member}(): ${getter.type} {`);
  w.line(`return ${getter.expr};`);
  w.close();
}

function synthExpr(owner: string, a: AttributeView, source: string): string {
  switch (a.kind) {
    case "string":
      return `cdk.stringToTerraform(${source})`;
    case "number":
      return `cdk.numberToTerraform(${source})`;
    case "boolean":
      return `cdk.booleanToTerraform(${source})`;
    case "stringList":
      return `cdk.listMapper(cdk.stringToTerraform, false)(${source})`;
    case "stringMap":
      return `cdk.hashMapper(cdk.stringToTerraform)(${source})`;
    case "object":
      return `${mapperName(owner, a)}(${source})`;
    case "objectList":
      return `cdk.listMapper(${mapperName(owner, a)}, false)(${source})`;
  }
}

function renderStructs(w: Lines, owner: string, attributes: AttributeView[]): void {
  for (const a of attributes) {
    if (!a.input || !a.nested) continue;
    const name = structName(owner, a);
    const fields = a.nested.filter((n) => n.input);
    renderStructs(w, name, fields);
    w.doc([`One item of {@link ${owner}Config.${a.name}}: ${a.doc}`]);
    w.open(`export interface ${name} {`);
    for (const n of fields) {
      w.doc([n.doc, flagsNote(n)]);
      w.line(`readonly ${n.name}${n.required ? "" : "?"}: ${inputType(name, n)};`);
    }
    w.close();
    w.line();
    w.open(`export function ${mapperName(owner, a)}(struct?: ${name} | cdk.IResolvable): unknown {`);
    w.line("if (!cdk.canInspect(struct) || cdk.Tokenization.isResolvable(struct)) return struct;");
    w.line(`const value = struct as ${name};`);
    w.open("return {");
    for (const n of fields) w.line(`${n.tfName}: ${synthExpr(name, n, `value.${n.name}`)},`);
    w.close("};");
    w.close();
    w.line();
  }
}

const META_ARGUMENTS = ["provider", "dependsOn", "count", "lifecycle", "forEach"];

function renderSchema(w: Lines, view: SchemaView, flavor: ConstructFlavor): void {
  const owner = view.className;
  const inputs = view.attributes.filter((a) => a.input);
  const isResource = view.kind === "resource";
  renderStructs(w, owner, view.attributes);

  w.doc([`Configuration of {@link ${owner}} (\`${view.tfType}\`).`]);
  w.open(`export interface ${owner}Config extends cdk.TerraformMetaArguments {`);
  for (const a of inputs) {
    w.doc([a.doc, flagsNote(a)]);
    w.line(`readonly ${memberName(a.name)}${a.required ? "" : "?"}: ${inputType(owner, a)};`);
  }
  w.close();
  w.line();

  const paragraphs = [view.doc, `Terraform ${isResource ? "resource" : "data source"} \`${view.tfType}\`.`];
  if (isResource && view.importId) paragraphs.push(`Import ID: ${view.importId}`);
  w.doc(paragraphs);
  const base = isResource ? "cdk.TerraformResource" : "cdk.TerraformDataSource";
  w.open(`export class ${owner} extends ${base} {`);
  w.line(`public static readonly tfResourceType = ${JSON.stringify(view.tfType)};`);
  w.line();
  if (isResource) {
    w.doc([`Generates configuration for importing an existing \`${view.tfType}\` (see {@link ${owner}}'s import ID).`]);
    w.open(
      "public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdk.TerraformProvider): cdk.ImportableResource {",
    );
    w.line(
      `return new cdk.ImportableResource(scope, importToId, { terraformResourceType: ${JSON.stringify(view.tfType)}, importId: importFromId, provider });`,
    );
    w.close();
    w.line();
  }
  const anyRequired = inputs.some((a) => a.required);
  w.open(`constructor(scope: Construct, id: string, config: ${owner}Config${anyRequired ? "" : " = {}"}) {`);
  w.open("super(scope, id, {");
  w.line(`terraformResourceType: ${JSON.stringify(view.tfType)},`);
  w.line(`terraformGeneratorMetadata: { providerName: ${JSON.stringify(PROVIDER_TYPE)} },`);
  const metas = isResource ? [...META_ARGUMENTS, "provisioners", "connection"] : META_ARGUMENTS;
  for (const m of metas) w.line(`${m}: config.${m},`);
  w.close("});");
  for (const a of inputs) w.line(`this._${a.name} = config.${memberName(a.name)};`);
  w.close();

  for (const a of view.attributes) {
    const member = memberName(a.name);
    w.line();
    if (a.input) {
      const type = inputType(owner, a);
      w.line(`private _${a.name}?: ${type};`);
      if (a.writeOnly) {
        // A reference to a write-only attribute always resolves to null, so only the input is offered.
        w.doc([`${a.doc} Write-only: Terraform never stores it, so there is no attribute reference.`]);
        w.open(`public get ${member}(): ${type} | undefined {`);
        w.line(`return this._${a.name};`);
        w.close();
      } else {
        renderReferenceGetter(w, a, member);
      }
      w.open(`public set ${member}(value: ${a.writeOnly ? `${type} | undefined` : type}) {`);
      w.line(`this._${a.name} = value;`);
      w.close();
      if (!a.required) {
        w.open(`public reset${toPascalCase(a.name)}(): void {`);
        w.line(`this._${a.name} = undefined;`);
        w.close();
      }
      w.doc([`The value set in configuration, if any (not the resolved attribute).`]);
      w.open(`public get ${a.name}Input(): ${type} | undefined {`);
      w.line(`return this._${a.name};`);
      w.close();
    } else {
      renderReferenceGetter(w, a, member);
    }
  }
  w.line();
  w.open("protected override synthesizeAttributes(): Record<string, unknown> {");
  w.open("return {");
  for (const a of inputs) {
    const expr = synthExpr(owner, a, `this._${a.name}`);
    const marked = isResource && a.writeOnly && flavor.marksWriteOnly;
    w.line(`${a.tfName}: ${marked ? `this.markWriteOnlyAttribute(${expr})` : expr},`);
  }
  w.close("};");
  w.close();
  w.close();
  w.line();
}

function renderProvider(w: Lines, settings: AttributeView[], version: string, flavor: ConstructFlavor): void {
  const name = "InfisicalE2eeProvider";
  w.doc([
    `Configuration of the \`${PROVIDER_TYPE}\` provider block. Every setting falls back to its environment variable.`,
  ]);
  w.open(`export interface ${name}Config {`);
  for (const s of settings) {
    w.doc([s.doc, `Terraform \`${s.tfName}\` (optional${s.sensitive ? "; sensitive" : ""}).`]);
    w.line(`readonly ${s.name}?: string;`);
  }
  w.doc(["Alias for using several configurations of the provider in one stack."]);
  w.line("readonly alias?: string;");
  w.close();
  w.line();
  w.doc([
    `The infisical-e2ee Terraform provider (\`${PROVIDER_SOURCE}\`): encrypts on this machine, so the server never sees values.`,
    `Install it with \`infisical-e2ee install-terraform-provider\` before \`${flavor.framework} deploy\`.`,
  ]);
  w.open(`export class ${name} extends cdk.TerraformProvider {`);
  w.line(`public static readonly tfResourceType = ${JSON.stringify(PROVIDER_TYPE)};`);
  w.line();
  w.open(`constructor(scope: Construct, id: string, config: ${name}Config = {}) {`);
  w.open("super(scope, id, {");
  w.line(`terraformResourceType: ${JSON.stringify(PROVIDER_TYPE)},`);
  // The CLI requires a version constraint in required_providers: this package or newer.
  w.line(
    `terraformGeneratorMetadata: { providerName: ${JSON.stringify(PROVIDER_TYPE)}, providerVersionConstraint: ${JSON.stringify(`>= ${version}`)} },`,
  );
  w.line(`terraformProviderSource: ${JSON.stringify(PROVIDER_SOURCE)},`);
  w.close("});");
  for (const s of settings) w.line(`this.${s.name} = config.${s.name};`);
  w.line("this._alias = config.alias;");
  w.close();
  w.line();
  for (const s of settings) {
    w.doc([s.doc]);
    w.line(`public ${s.name}?: string;`);
  }
  w.line();
  w.line("private _alias?: string;");
  w.open("public override get alias(): string | undefined {");
  w.line("return this._alias;");
  w.close();
  w.open("public override set alias(value: string | undefined) {");
  w.line("this._alias = value;");
  w.close();
  w.line();
  w.open("protected override synthesizeAttributes(): Record<string, unknown> {");
  w.open("return {");
  for (const s of settings) w.line(`${s.tfName}: cdk.stringToTerraform(this.${s.name}),`);
  w.line("alias: cdk.stringToTerraform(this._alias),");
  w.close("};");
  w.close();
  w.close();
  w.line();
}

/** `version`: the package version, which is also the Terraform provider's version. */
export function renderConstructs(
  views: SchemaView[],
  settings: AttributeView[],
  version: string,
  flavor: ConstructFlavor,
): string {
  const w = new Lines();
  w.line("// GENERATED FILE, DO NOT EDIT.");
  w.line(
    `// Constructs for ${flavor.framework}, generated by scripts/generate-cdktf.ts from the core schemas in src/provider/registry.ts.`,
  );
  w.line("// Regenerate: npm run build && node dist/scripts/generate-cdktf.js");
  w.line("/* biome-ignore-all format: generated */");
  w.line();
  w.line(`import * as cdk from ${JSON.stringify(flavor.framework)};`);
  w.line('import type { Construct } from "constructs";');
  w.line();
  renderProvider(w, settings, version, flavor);
  for (const view of views) renderSchema(w, view, flavor);
  return w.toString().replace(/\n+$/, "\n");
}
