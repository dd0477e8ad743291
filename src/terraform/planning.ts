/**
 * Plan and apply semantics for managed resources, as pure functions over Terraform objects:
 * what PlanResourceChange proposes (defaults filled, computed values unknown where they will
 * change, write-only values null, replacement paths) and what ApplyResourceChange stores.
 */
import type { FieldFailure } from "../provider/errors";
import { fieldsKeptOutOfState, isUnknown, UNKNOWN } from "../provider/schema/fields";
import type { DiffResult, Resource } from "../provider/schema/resource";
import type { AttributeModel, BlockModel } from "./schema-model";
import {
  type CoreObject,
  containsUnknownValue,
  isEmptyValue,
  isTerraformObject,
  type TerraformObject,
  toCore,
  toTerraform,
  toTerraformValue,
} from "./values";

export interface PlanRequest {
  resource: Resource;
  model: BlockModel;
  prior: TerraformObject | null;
  proposed: TerraformObject | null;
  config: TerraformObject | null;
}

export interface PlanResult {
  planned: TerraformObject | null;
  /** Attribute names (top level) whose change forces replacement. */
  requiresReplace: string[];
  failures: FieldFailure[];
}

export function planChange({ resource, model, prior, proposed, config }: PlanRequest): PlanResult {
  if (proposed === null) return { planned: null, requiresReplace: [], failures: [] };
  const checked = resource.check(toCore(model.attributes, config, "inputs"));
  if (checked.failures.length > 0) return { planned: null, requiresReplace: [], failures: checked.failures };
  const news = checked.inputs;
  const creating = prior === null;
  const planned: TerraformObject = {};
  const keptOutFields = new Set(fieldsKeptOutOfState(resource.fields, news));
  const keptOut = new Set(
    model.attributes.filter((a) => a.field !== undefined && keptOutFields.has(a.field)).map((a) => a.name),
  );
  for (const attribute of model.attributes) {
    const wanted = attribute.field === undefined ? undefined : news[attribute.field];
    planned[attribute.name] = keptOut.has(attribute.name)
      ? null
      : planAttribute(attribute, proposed[attribute.name], wanted, creating);
  }
  const known = resource.ops.plannedOutputs?.(news) ?? {};
  const withKnown = (object: TerraformObject) => plannedKnown(model, object, known, keptOut);
  if (creating) return { planned: withKnown(planned), requiresReplace: [], failures: [] };

  const olds = toCore(model.attributes, prior, "all");
  const diff = withClearedValues(resource.diff(olds, news), model, prior, keptOut);
  if (diff.changes.length === 0) return { planned, requiresReplace: [], failures: [] };
  const replacing = diff.replaces.length > 0;
  const computedFields = model.attributes.filter((a) => a.computed && a.field).map((a) => a.field as string);
  // Without the resource's own list, assume every computed value may change (safe, if noisier).
  const changing = new Set(
    replacing || !resource.ops.computedChanges ? computedFields : resource.ops.computedChanges(olds, news, diff),
  );
  for (const attribute of model.attributes) {
    if (!attribute.computed || keptOut.has(attribute.name)) continue;
    if (attribute.field === undefined) {
      if (replacing) planned[attribute.name] = UNKNOWN;
      continue;
    }
    const setByUser = config?.[attribute.name] !== null && config?.[attribute.name] !== undefined;
    if (!setByUser && changing.has(attribute.field)) planned[attribute.name] = UNKNOWN;
  }
  const names = new Map(model.attributes.map((a) => [a.field, a.name]));
  return {
    planned: withKnown(planned),
    requiresReplace: diff.replaces.map((field) => names.get(field) ?? field),
    failures: [],
  };
}

/** Computed attributes the resource can tell from its inputs are planned known. */
function plannedKnown(model: BlockModel, planned: TerraformObject, known: CoreObject, keptOut: Set<string>) {
  for (const attribute of model.attributes) {
    if (!attribute.computed || attribute.field === undefined || keptOut.has(attribute.name)) continue;
    const value = known[attribute.field];
    if (value !== undefined && !isUnknown(value)) planned[attribute.name] = toTerraformValue(attribute, value);
  }
  return planned;
}

/**
 * A value the configuration keeps out of state (the core's write-only rule) but prior state still
 * holds (after a switch from `value`) must be cleared: that is a change, the update rewrites it.
 */
function withClearedValues(
  diff: DiffResult,
  model: BlockModel,
  prior: TerraformObject,
  keptOut: Set<string>,
): DiffResult {
  const cleared = model.attributes
    .filter(
      (a) => keptOut.has(a.name) && a.field !== undefined && prior[a.name] !== null && prior[a.name] !== undefined,
    )
    .map((a) => a.field as string)
    .filter((field) => !diff.changes.includes(field));
  return cleared.length === 0 ? diff : { ...diff, changes: [...diff.changes, ...cleared] };
}

function planAttribute(attribute: AttributeModel, proposed: unknown, wanted: unknown, creating: boolean): unknown {
  if (attribute.writeOnly) return null;
  const computedOnly = attribute.computed && !attribute.optional;
  if (attribute.field === undefined || computedOnly) return creating ? UNKNOWN : (proposed ?? null);
  if (wanted === undefined) return attribute.computed ? (creating ? UNKNOWN : (proposed ?? null)) : null;
  if (isUnknown(wanted)) return UNKNOWN;
  if (attribute.kind === "object" && attribute.nested) {
    return planObject(attribute.nested, proposed, wanted as CoreObject, creating);
  }
  if (attribute.kind === "objectList" && attribute.nested && Array.isArray(wanted)) {
    const nested = attribute.nested;
    return wanted.map((item, i) =>
      isUnknown(item)
        ? UNKNOWN
        : planObject(nested, Array.isArray(proposed) ? proposed[i] : null, item as CoreObject, creating),
    );
  }
  return toTerraformValue(attribute, wanted);
}

function planObject(attributes: AttributeModel[], proposed: unknown, wanted: CoreObject, creating: boolean) {
  const previous = isTerraformObject(proposed) ? proposed : null;
  const out: TerraformObject = {};
  for (const nested of attributes) {
    out[nested.name] = planAttribute(
      nested,
      previous?.[nested.name] ?? null,
      nested.field === undefined ? undefined : wanted[nested.field],
      creating || previous === null,
    );
  }
  return out;
}

/**
 * The state ApplyResourceChange returns: configuration-owned attributes exactly as planned,
 * computed ones from the core's outputs (falling back to a known planned value), write-only null.
 */
export function appliedState(model: BlockModel, planned: TerraformObject, outputs: CoreObject, id: string) {
  const state: TerraformObject = {};
  for (const attribute of model.attributes) {
    if (attribute.writeOnly) state[attribute.name] = null;
    else if (attribute.field === undefined) state[attribute.name] = id;
    else if (!attribute.computed) state[attribute.name] = planned[attribute.name] ?? null;
    else {
      const fromCore = toTerraformValue(attribute, outputs[attribute.field]);
      const plannedValue = planned[attribute.name] ?? null;
      state[attribute.name] = fromCore !== null ? fromCore : containsUnknownValue(plannedValue) ? null : plannedValue;
    }
  }
  return state;
}

/** The state ReadResource returns: what the server says now, over the prior state. */
export function refreshedState(model: BlockModel, prior: TerraformObject, read: CoreObject, id: string) {
  const merged: CoreObject = { ...toCore(model.attributes, prior, "all") };
  for (const [key, value] of Object.entries(read)) if (value !== undefined) merged[key] = value;
  const state = toTerraform(model.attributes, merged, id);
  for (const attribute of model.attributes) {
    const before = prior[attribute.name];
    // What stays out of state on a refresh is the core's decision (its read leaves it out); here only
    // Terraform's null-vs-empty: "", [] or {} read back for an attribute that was null stays null.
    if ((before === null || before === undefined) && isEmptyValue(state[attribute.name])) state[attribute.name] = null;
  }
  return state;
}
