/**
 * Drives a provider plugin the way Terraform core does, over the go-plugin harness: builds full
 * configuration objects from the provider's own schema, computes the proposed new state, and
 * applies Terraform's own consistency rules (planned values must match configuration, applied
 * values must match known planned values, write-only attributes stay null, objects carry exactly
 * the schema's attributes) so a provider that real Terraform would reject fails here too.
 */
import assert from "node:assert/strict";
import { isUnknown } from "../../src/provider/schema/fields";
import { dv, fromDv, type PluginConnection, WRITE_ONLY_ALLOWED } from "./harness";

export type Obj = Record<string, unknown>;
export type PathStep = { attribute_name?: string; element_key_int?: string | number; element_key_string?: string };
export interface Diag {
  severity: number;
  summary: string;
  detail: string;
  attribute?: { steps: PathStep[] };
}

export interface SchemaAttribute {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: SchemaAttribute[]; nesting: number | string };
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  write_only: boolean;
}

export interface SchemaBlock {
  version: number | string;
  block: { attributes: SchemaAttribute[] };
}

export interface ProviderSchema {
  provider: SchemaBlock;
  resource_schemas: Record<string, SchemaBlock>;
  data_source_schemas: Record<string, SchemaBlock>;
  diagnostics?: Diag[];
}

interface DynamicValue {
  msgpack: Buffer;
}

export interface PlanResult {
  planned: Obj | null;
  /** The raw msgpack bytes, for scans. */
  raw: Buffer;
  replace: string[];
  diagnostics: Diag[];
}

export interface ApplyResult {
  state: Obj | null;
  raw: Buffer;
  diagnostics: Diag[];
}

const NESTING_LIST = new Set([2, "LIST"]);

/** A diagnostic's attribute path as text: `scopes[0].environment`. */
export function pathText(diagnostic: Diag | undefined): string {
  return (diagnostic?.attribute?.steps ?? [])
    .map((s) => (s.attribute_name !== undefined ? `.${s.attribute_name}` : `[${s.element_key_int}]`))
    .join("")
    .replace(/^\./, "");
}

function describeDiagnostics(diagnostics: Diag[]): string {
  return diagnostics.map((d) => `${d.summary}: ${d.detail} @${pathText(d)}`).join("\n");
}

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

/** Deep equality where numbers compare by value (msgpack may carry int or float). */
function sameTerraformValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return isUnknown(a) && isUnknown(b);
  if (isNull(a) || isNull(b)) return isNull(a) && isNull(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTerraformValue(x, b[i]))
    );
  }
  if (typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a as Obj), ...Object.keys(b as Obj)]);
    return [...keys].every((k) => sameTerraformValue((a as Obj)[k], (b as Obj)[k]));
  }
  return a === b;
}

function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

function isListNesting(attribute: SchemaAttribute): boolean {
  return NESTING_LIST.has(attribute.nested_type?.nesting as number);
}

/** cty would refuse an object with missing or extra attributes. */
export function assertConforms(attributes: SchemaAttribute[], value: unknown, where: string): void {
  if (isNull(value) || isUnknown(value)) return;
  assert.ok(typeof value === "object" && !Array.isArray(value), `${where}: expected an object`);
  const names = attributes.map((a) => a.name).sort();
  assert.deepEqual(Object.keys(value as Obj).sort(), names, `${where}: exactly the schema's attributes`);
  for (const attribute of attributes) {
    const item = (value as Obj)[attribute.name];
    if (!attribute.nested_type || isNull(item) || isUnknown(item)) continue;
    const nested = attribute.nested_type.attributes;
    if (isListNesting(attribute)) {
      assert.ok(Array.isArray(item), `${where}.${attribute.name}: expected a list`);
      for (const [i, element] of item.entries()) assertConforms(nested, element, `${where}.${attribute.name}[${i}]`);
    } else assertConforms(nested, item, `${where}.${attribute.name}`);
  }
}

/** Terraform's AssertPlanValid, reduced to the rules a provider can break. */
export function assertPlanValid(attributes: SchemaAttribute[], config: Obj, planned: Obj, where: string): void {
  for (const attribute of attributes) {
    const at = `${where}.${attribute.name}`;
    const configured = config[attribute.name];
    const plannedValue = planned[attribute.name];
    if (attribute.write_only) {
      assert.equal(plannedValue, null, `${at}: write-only attributes must be planned null`);
      continue;
    }
    if (isNull(configured)) {
      if (!attribute.computed)
        assert.ok(isNull(plannedValue), `${at}: planned a value for a null non-computed attribute`);
      continue;
    }
    if (isUnknown(configured)) {
      assert.ok(isUnknown(plannedValue), `${at}: an unknown configuration value must be planned unknown`);
      continue;
    }
    if (attribute.nested_type && !isNull(plannedValue) && !isUnknown(plannedValue)) {
      const nested = attribute.nested_type.attributes;
      if (isListNesting(attribute)) {
        const items = configured as Obj[];
        assert.equal((plannedValue as Obj[]).length, items.length, `${at}: planned list length`);
        for (const [i, item] of items.entries()) {
          assertPlanValid(nested, item, (plannedValue as Obj[])[i] as Obj, `${at}[${i}]`);
        }
      } else assertPlanValid(nested, configured as Obj, plannedValue as Obj, at);
      continue;
    }
    assert.ok(sameTerraformValue(configured, plannedValue), `${at}: planned value does not match the configuration`);
  }
}

/** Terraform's AssertObjectCompatible: applied values must equal every known planned value. */
export function assertAppliedMatchesPlan(attributes: SchemaAttribute[], planned: Obj, applied: Obj, where: string) {
  for (const attribute of attributes) {
    const at = `${where}.${attribute.name}`;
    const plannedValue = planned[attribute.name];
    const actual = applied[attribute.name];
    assert.ok(!containsUnknown(actual), `${at}: applied state must be wholly known`);
    if (attribute.write_only) {
      assert.equal(actual, null, `${at}: write-only attributes must be null in state`);
      continue;
    }
    if (isUnknown(plannedValue)) continue;
    if (attribute.nested_type && containsUnknown(plannedValue)) {
      const nested = attribute.nested_type.attributes;
      if (isListNesting(attribute)) {
        assert.equal((actual as Obj[]).length, (plannedValue as Obj[]).length, `${at}: list length changed`);
        for (const [i, p] of (plannedValue as Obj[]).entries()) {
          assertAppliedMatchesPlan(nested, p, (actual as Obj[])[i] as Obj, `${at}[${i}]`);
        }
      } else assertAppliedMatchesPlan(nested, plannedValue as Obj, actual as Obj, at);
      continue;
    }
    assert.ok(
      sameTerraformValue(plannedValue, actual),
      `${at}: provider produced an inconsistent result after apply (planned ${JSON.stringify(plannedValue)}, got ${JSON.stringify(actual)})`,
    );
  }
}

/** objchange.ProposedNew: configuration, with prior values where a computed attribute is unset. */
export function proposedNewState(attributes: SchemaAttribute[], prior: Obj | null, config: Obj): Obj {
  const out: Obj = {};
  for (const attribute of attributes) {
    const configured = config[attribute.name];
    const before = prior?.[attribute.name] ?? null;
    if (isNull(configured)) out[attribute.name] = attribute.computed ? before : null;
    else if (attribute.nested_type && !isUnknown(configured) && !isListNesting(attribute)) {
      out[attribute.name] = proposedNewState(
        attribute.nested_type.attributes,
        typeof before === "object" && before !== null && !isUnknown(before) ? (before as Obj) : null,
        configured as Obj,
      );
    } else out[attribute.name] = configured;
  }
  return out;
}

export class TerraformDriver {
  private constructor(
    readonly plugin: PluginConnection,
    readonly schema: ProviderSchema,
  ) {}

  static async connect(plugin: PluginConnection): Promise<TerraformDriver> {
    const schema = await plugin.call<ProviderSchema>("GetProviderSchema");
    assert.deepEqual(schema.diagnostics ?? [], []);
    return new TerraformDriver(plugin, schema);
  }

  /** A managed resource's attributes. */
  attributes(typeName: string): SchemaAttribute[] {
    const found = this.schema.resource_schemas[typeName];
    assert.ok(found, `no resource schema for ${typeName}`);
    return found.block.attributes;
  }

  /** A data source's attributes (a data source may share its type name with a resource). */
  dataAttributes(typeName: string): SchemaAttribute[] {
    const found = this.schema.data_source_schemas[typeName];
    assert.ok(found, `no data source schema for ${typeName}`);
    return found.block.attributes;
  }

  /** A configuration object as Terraform sends it: every attribute, null where unset. Typos fail. */
  config(typeName: string, values: Obj, attributes = this.attributes(typeName)): Obj {
    const names = new Set(attributes.map((a) => a.name));
    for (const key of Object.keys(values)) assert.ok(names.has(key), `${typeName} has no attribute ${key}`);
    const out: Obj = {};
    for (const attribute of attributes) {
      const value = values[attribute.name] ?? null;
      if (attribute.nested_type && value !== null && !isUnknown(value)) {
        const nested = attribute.nested_type.attributes;
        out[attribute.name] = isListNesting(attribute)
          ? (value as Obj[]).map((item) => (isUnknown(item) ? item : this.config(typeName, item, nested)))
          : this.config(typeName, value as Obj, nested);
      } else out[attribute.name] = value;
    }
    return out;
  }

  async validate(typeName: string, config: Obj, capabilities = WRITE_ONLY_ALLOWED): Promise<Diag[]> {
    const response = await this.plugin.call<{ diagnostics?: Diag[] }>("ValidateResourceConfig", {
      type_name: typeName,
      config: dv(config),
      client_capabilities: capabilities,
    });
    return response.diagnostics ?? [];
  }

  async plan(typeName: string, prior: Obj | null, config: Obj, capabilities = WRITE_ONLY_ALLOWED): Promise<PlanResult> {
    const response = await this.plugin.call<{
      planned_state?: DynamicValue;
      requires_replace?: { steps: PathStep[] }[];
      diagnostics?: Diag[];
    }>("PlanResourceChange", {
      type_name: typeName,
      prior_state: dv(prior),
      proposed_new_state: dv(proposedNewState(this.attributes(typeName), prior, config)),
      config: dv(config),
      client_capabilities: capabilities,
    });
    const diagnostics = response.diagnostics ?? [];
    const planned = fromDv(response.planned_state) as Obj | null;
    if (diagnostics.length === 0 && planned !== null) {
      assertConforms(this.attributes(typeName), planned, `${typeName} planned`);
      assertPlanValid(this.attributes(typeName), config, planned, `${typeName} planned`);
    }
    return {
      planned,
      raw: Buffer.from(response.planned_state?.msgpack ?? []),
      replace: (response.requires_replace ?? []).map((p) => pathText({ attribute: p } as Diag)),
      diagnostics,
    };
  }

  async apply(typeName: string, prior: Obj | null, planned: Obj | null, config: Obj | null): Promise<ApplyResult> {
    const response = await this.plugin.call<{ new_state?: DynamicValue; diagnostics?: Diag[] }>("ApplyResourceChange", {
      type_name: typeName,
      prior_state: dv(prior),
      planned_state: dv(planned),
      config: dv(config),
    });
    const diagnostics = response.diagnostics ?? [];
    const state = fromDv(response.new_state) as Obj | null;
    if (diagnostics.length === 0 && planned !== null) {
      assert.ok(state, `${typeName}: apply returned no state`);
      assertConforms(this.attributes(typeName), state, `${typeName} applied`);
      assertAppliedMatchesPlan(this.attributes(typeName), planned, state, `${typeName} applied`);
    }
    return { state, raw: Buffer.from(response.new_state?.msgpack ?? []), diagnostics };
  }

  /** validate → plan → apply, as `terraform apply` does for a change; fails on any diagnostic. */
  async converge(typeName: string, prior: Obj | null, values: Obj) {
    const config = this.config(typeName, values);
    const validation = await this.validate(typeName, config);
    assert.deepEqual(validation, [], describeDiagnostics(validation));
    const plan = await this.plan(typeName, prior, config);
    assert.deepEqual(plan.diagnostics, [], describeDiagnostics(plan.diagnostics));
    const applied = await this.apply(typeName, prior, plan.planned, config);
    assert.deepEqual(applied.diagnostics, [], describeDiagnostics(applied.diagnostics));
    return { config, plan, state: applied.state as Obj, raw: applied.raw };
  }

  async create(typeName: string, values: Obj): Promise<Obj> {
    return (await this.converge(typeName, null, values)).state;
  }

  /** Plan with the same configuration again: Terraform calls it a no-op when planned equals prior. */
  async assertNoChanges(typeName: string, state: Obj, values: Obj): Promise<void> {
    const plan = await this.plan(typeName, state, this.config(typeName, values));
    assert.deepEqual(plan.diagnostics, [], describeDiagnostics(plan.diagnostics));
    assert.ok(
      sameTerraformValue(plan.planned, state),
      `${typeName}: plan not empty: ${JSON.stringify(plan.planned)} vs ${JSON.stringify(state)}`,
    );
  }

  async destroy(typeName: string, state: Obj): Promise<void> {
    const applied = await this.apply(typeName, state, null, null);
    assert.deepEqual(applied.diagnostics, [], describeDiagnostics(applied.diagnostics));
    assert.equal(applied.state, null);
  }

  async read(typeName: string, state: Obj): Promise<Obj | null> {
    const response = await this.plugin.call<{ new_state?: DynamicValue; diagnostics?: Diag[] }>("ReadResource", {
      type_name: typeName,
      current_state: dv(state),
      client_capabilities: WRITE_ONLY_ALLOWED,
    });
    const diagnostics = response.diagnostics ?? [];
    assert.deepEqual(diagnostics, [], describeDiagnostics(diagnostics));
    const refreshed = fromDv(response.new_state) as Obj | null;
    assertConforms(this.attributes(typeName), refreshed, `${typeName} read`);
    assert.ok(!containsUnknown(refreshed), `${typeName}: read returned unknown values`);
    return refreshed;
  }

  async import(typeName: string, id: string): Promise<{ state: Obj | null; diagnostics: Diag[] }> {
    const response = await this.plugin.call<{
      imported_resources?: { type_name: string; state: DynamicValue }[];
      diagnostics?: Diag[];
    }>("ImportResourceState", { type_name: typeName, id, client_capabilities: WRITE_ONLY_ALLOWED });
    const diagnostics = response.diagnostics ?? [];
    if (diagnostics.length > 0) return { state: null, diagnostics };
    assert.equal(response.imported_resources?.length, 1);
    assert.equal(response.imported_resources?.[0]?.type_name, typeName);
    const state = fromDv(response.imported_resources?.[0]?.state) as Obj;
    assertConforms(this.attributes(typeName), state, `${typeName} imported`);
    for (const attribute of this.attributes(typeName)) {
      if (attribute.write_only) assert.equal(state[attribute.name], null, `${attribute.name} imported as null`);
    }
    return { state, diagnostics };
  }

  async upgrade(typeName: string, version: number, rawState: unknown) {
    const response = await this.plugin.call<{ upgraded_state?: DynamicValue; diagnostics?: Diag[] }>(
      "UpgradeResourceState",
      { type_name: typeName, version, raw_state: { json: Buffer.from(JSON.stringify(rawState)) } },
    );
    const diagnostics = response.diagnostics ?? [];
    const state = diagnostics.length === 0 ? (fromDv(response.upgraded_state) as Obj) : null;
    if (state) assertConforms(this.attributes(typeName), state, `${typeName} upgraded`);
    return { state, diagnostics };
  }

  async readData(typeName: string, values: Obj): Promise<{ state: Obj | null; diagnostics: Diag[] }> {
    const attributes = this.dataAttributes(typeName);
    const config = this.config(typeName, values, attributes);
    const validation = await this.plugin.call<{ diagnostics?: Diag[] }>("ValidateDataResourceConfig", {
      type_name: typeName,
      config: dv(config),
    });
    if ((validation.diagnostics ?? []).length > 0) return { state: null, diagnostics: validation.diagnostics ?? [] };
    const response = await this.plugin.call<{ state?: DynamicValue; diagnostics?: Diag[] }>("ReadDataSource", {
      type_name: typeName,
      config: dv(config),
    });
    const diagnostics = response.diagnostics ?? [];
    const state = diagnostics.length === 0 ? (fromDv(response.state) as Obj) : null;
    if (state) {
      assertConforms(attributes, state, `${typeName} read`);
      assertPlanValid(attributes, config, state, `${typeName} read`);
      assert.ok(!containsUnknown(state), `${typeName}: a data source result must be wholly known`);
    }
    return { state, diagnostics };
  }
}
