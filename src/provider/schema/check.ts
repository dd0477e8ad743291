/**
 * The per-field checker of the schema kit, on its own so the session layer (connection settings)
 * can use it without depending on resources: resources, lookups and settings share it.
 */
import type { FieldFailure } from "../errors";
import { type AnyField, type FieldMap, isInputField, isUnknown } from "./fields";

export type Inputs = Record<string, unknown>;

export interface CheckResult {
  inputs: Inputs;
  failures: FieldFailure[];
}

/**
 * The per-field checker on its own (kinds, required, defaults, oneOf, validate; UNKNOWN kept), then
 * `extra` cross-field rules once the fields pass. Resources, lookups and connection settings share it.
 */
export function checkFields(fields: FieldMap, raw: Inputs, extra?: (inputs: Inputs) => FieldFailure[]): CheckResult {
  const failures: FieldFailure[] = [];
  const inputs = checkFieldMap(fields, raw ?? {}, "", failures);
  if (failures.length === 0 && extra) failures.push(...extra(inputs));
  return { inputs, failures };
}

function checkFieldMap(fields: FieldMap, raw: Inputs, prefix: string, failures: FieldFailure[]): Inputs {
  const out: Inputs = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    failures.push({ path: prefix || "(inputs)", reason: "expected an object" });
    return out;
  }
  for (const key of Object.keys(raw)) {
    const spec = fields[key];
    if (!spec || !isInputField(spec)) {
      if (raw[key] !== undefined && raw[key] !== null) {
        failures.push({ path: prefix + key, reason: spec ? "is computed and cannot be set" : "is not a known field" });
      }
    }
  }
  for (const [key, spec] of Object.entries(fields)) {
    if (!isInputField(spec)) continue;
    const path = prefix + key;
    let value = raw[key];
    if (value === undefined || value === null) {
      if (spec.default !== undefined) value = structuredClone(spec.default);
      else {
        if (spec.required) failures.push({ path, reason: "is required" });
        continue;
      }
    }
    out[key] = checkValue(spec, value, path, failures);
  }
  return out;
}

function checkValue(spec: AnyField, value: unknown, path: string, failures: FieldFailure[]): unknown {
  if (isUnknown(value)) return value;
  const fail = (reason: string) => {
    failures.push({ path, reason });
    return value;
  };
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") return fail(`expected a string, got ${describe(value)}`);
      break;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value))
        return fail(`expected a number, got ${describe(value)}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") return fail(`expected true or false, got ${describe(value)}`);
      break;
    case "stringList": {
      if (!Array.isArray(value)) return fail(`expected a list of strings, got ${describe(value)}`);
      const strings = value.filter((item) => typeof item === "string");
      if (spec.set && new Set(strings).size !== strings.length) {
        failures.push({ path, reason: "must not repeat an item (it is a set)" });
      }
      value.forEach((item, i) => {
        if (!isUnknown(item) && typeof item !== "string") {
          failures.push({ path: `${path}[${i}]`, reason: `expected a string, got ${describe(item)}` });
        } else if (spec.oneOf && typeof item === "string" && !spec.oneOf.includes(item)) {
          failures.push({ path: `${path}[${i}]`, reason: `expected one of ${spec.oneOf.join(", ")}` });
        }
      });
      break;
    }
    case "stringMap": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail(`expected a map of strings, got ${describe(value)}`);
      }
      for (const [key, item] of Object.entries(value)) {
        if (!isUnknown(item) && typeof item !== "string") {
          failures.push({ path: `${path}.${key}`, reason: `expected a string, got ${describe(item)}` });
        }
      }
      break;
    }
    case "object":
      value = checkFieldMap(spec.fields, value as Inputs, `${path}.`, failures);
      break;
    case "objectList": {
      if (!Array.isArray(value)) return fail(`expected a list of objects, got ${describe(value)}`);
      if (spec.minItems !== undefined && value.length < spec.minItems) {
        return fail(`expected at least ${spec.minItems} item(s), got ${value.length}`);
      }
      value = value.map((item, i) => checkFieldMap(spec.fields, item as Inputs, `${path}[${i}].`, failures));
      break;
    }
  }
  if (spec.kind === "string" && spec.oneOf && !spec.oneOf.includes(value as string)) {
    return fail(`expected one of ${spec.oneOf.join(", ")}`);
  }
  if (spec.validate && !containsUnknown(value)) {
    const reason = spec.validate(value as never);
    if (reason) fail(reason);
  }
  return value;
}

/** Describe a value's type for an error message without echoing it (it may be a secret). */
function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return `a ${typeof value}`;
}

export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}
