/**
 * The core contract: one declarative schema plus lifecycle ops per resource. Faces only adapt it.
 * check() and the default diff() are derived from the field flags here, once.
 */
import { type FieldFailure, ValidationError } from "../errors";
import type { Session } from "../session/types";
import {
  type AnyField,
  type FieldMap,
  type InputsOf,
  isInputField,
  isUnknown,
  type OutputsOf,
  UNKNOWN,
} from "./fields";

/** Passed to every op; ops never read globals or the environment. */
export interface ResourceContext {
  session: Session;
  log: Logger;
  signal?: AbortSignal;
}

export interface Logger {
  debug(message: string, fields?: Record<string, string | number | boolean>): void;
  info(message: string, fields?: Record<string, string | number | boolean>): void;
  warn(message: string, fields?: Record<string, string | number | boolean>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

export type Inputs = Record<string, unknown>;
export type Outputs = Record<string, unknown>;

export interface DiffResult {
  /** Field names whose value changes (known or unknown-yet). */
  changes: string[];
  /** Subset of `changes` that forces a replacement. */
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CheckResult {
  inputs: Inputs;
  failures: FieldFailure[];
}

export interface CreateResult<O> {
  id: string;
  outputs: O;
}

export interface ResourceOps<I, O> {
  /** All or nothing, or throw PartialCreateError carrying the id. */
  create(ctx: ResourceContext, inputs: I): Promise<CreateResult<O>>;
  /** undefined = gone. */
  read(ctx: ResourceContext, id: string, state: O): Promise<O | undefined>;
  update(ctx: ResourceContext, id: string, olds: O, news: I): Promise<O>;
  /** "Not found" counts as done. */
  delete(ctx: ResourceContext, id: string, state: O): Promise<void>;
  /** Throw ImportUnsupportedError when the resource cannot be imported. */
  import(ctx: ResourceContext, importId: string): Promise<CreateResult<O>>;
  /** Extra cross-field rules after the per-field checks (inputs may hold UNKNOWN). */
  check?(inputs: Inputs): FieldFailure[];
  /** Adjust the derived diff (e.g. a rotation trigger that changes a computed value). */
  diff?(olds: Outputs, news: Inputs, derived: DiffResult): DiffResult;
  /**
   * Which computed outputs an update will change, so faces can mark them unknown in a plan.
   * Default: none besides `version`-like fields the resource lists.
   */
  computedChanges?(olds: Outputs, news: Inputs, diff: DiffResult): string[];
}

export interface ResourceDefinition<F extends FieldMap = FieldMap> {
  /** camelCase core name: `secret`, `projectMembership`. */
  name: string;
  /** State schema version; bump with an upgrade function. */
  version: number;
  doc: string;
  /** How to import, e.g. `<projectId>:<environment>:<path>:<key>`, or why not. */
  importId: string;
  fields: F;
  ops: ResourceOps<InputsOf<F>, OutputsOf<F>>;
  /** Upgrade state written by an older schema version to the current one. */
  upgrade?(fromVersion: number, state: Outputs): Outputs;
}

export interface Resource<F extends FieldMap = FieldMap> extends ResourceDefinition<F> {
  /** Validate and default inputs. Unknown values are kept and not validated. */
  check(inputs: Inputs): CheckResult;
  /** Throwing form of check for callers that need clean inputs. */
  validated(inputs: Inputs): InputsOf<F>;
  diff(olds: Outputs, news: Inputs): DiffResult;
}

export function defineResource<F extends FieldMap>(def: ResourceDefinition<F>): Resource<F> {
  return {
    ...def,
    check(inputs) {
      return checkInputs(def, inputs);
    },
    validated(inputs) {
      const result = checkInputs(def, inputs);
      if (result.failures.length > 0) throw new ValidationError(def.name, result.failures);
      return result.inputs as InputsOf<F>;
    },
    diff(olds, news) {
      const derived = deriveDiff(def.fields, olds, news);
      return def.ops.diff ? def.ops.diff(olds, news, derived) : derived;
    },
  };
}

function checkInputs(def: ResourceDefinition, raw: Inputs): CheckResult {
  return checkFields(def.fields, raw, def.ops.check);
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

/** Deep equality for plain JSON-like values; unknowns are never equal to anything. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === b) return true;
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (
    typeof a === "object" &&
    typeof b === "object" &&
    a !== null &&
    b !== null &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue((a as Inputs)[k], (b as Inputs)[k]));
  }
  return false;
}

/** The default diff: compare every input field (write-only ones never diff; they are not in state). */
export function deriveDiff(fields: FieldMap, olds: Outputs, news: Inputs): DiffResult {
  const changes: string[] = [];
  const replaces: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    if (!isInputField(spec) || spec.writeOnly) continue;
    const next = news[key] === undefined ? spec.default : news[key];
    // An optional+computed field the user left unset keeps whatever the provider chose.
    if ((next === undefined || next === null) && spec.computed) continue;
    if (sameValue(olds[key] ?? spec.default, next)) continue;
    changes.push(key);
    if (spec.replaceOnChange) replaces.push(key);
  }
  return { changes, replaces, deleteBeforeReplace: false };
}

export { UNKNOWN };
