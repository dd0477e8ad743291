/**
 * The core contract: one declarative schema plus lifecycle ops per resource. Faces only adapt it.
 * check() and the default diff() are derived from the field flags here, once.
 */
import type { Logger } from "../contract";
import { type FieldFailure, InternalError, ValidationError } from "../errors";
import type { Session } from "../session/types";
import { type CheckResult, checkFields, type Inputs } from "./check";
import { type FieldMap, type InputsOf, isInputField, isUnknown, type OutputsOf, UNKNOWN } from "./fields";

export { type Logger, silentLogger } from "../contract";
export { type CheckResult, checkFields, containsUnknown, type Inputs } from "./check";

/** Passed to every op; ops never read globals or the environment. */
export interface ResourceContext {
  session: Session;
  log: Logger;
  signal?: AbortSignal;
}

export type Outputs = Record<string, unknown>;

export interface DiffResult {
  /** Field names whose value changes (known or unknown-yet). */
  changes: string[];
  /** Subset of `changes` that forces a replacement. */
  replaces: string[];
  deleteBeforeReplace: boolean;
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
  /**
   * Computed outputs that follow from the inputs alone (a folder's `fullPath`), so a plan can show
   * them known instead of unknown; fields whose inputs are unknown are left out.
   */
  plannedOutputs?(news: Inputs): Outputs;
}

export interface ResourceDefinition<F extends FieldMap = FieldMap> {
  /** camelCase core name: `secret`, `projectMembership`. */
  name: string;
  /** State schema version; bump with an upgrade function. */
  version: number;
  doc: string;
  /** How to import, e.g. `<projectId>:<environment>:<path>:<key>`, or why not. */
  importId: string;
  /** False when the resource cannot be imported by nature (`importId` then says why). Default true. */
  importable?: boolean;
  /** The boolean input that lets a create take over an existing object (where `pulumi import` cannot). */
  adoptField?: string;
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
  if (def.adoptField !== undefined && def.fields[def.adoptField]?.kind !== "boolean") {
    throw new InternalError(`${def.name}: adoptField ${def.adoptField} is not a boolean field`);
  }
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

/** Equality of two string sets given as arrays: order does not count. */
export function sameSet(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if ([...a, ...b].some(isUnknown)) return false;
    return sameValue([...a].sort(), [...b].sort());
  }
  return sameValue(a, b);
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
    if (spec.set ? sameSet(olds[key] ?? spec.default, next) : sameValue(olds[key] ?? spec.default, next)) continue;
    changes.push(key);
    if (spec.replaceOnChange) replaces.push(key);
  }
  return { changes, replaces, deleteBeforeReplace: false };
}

export { UNKNOWN };
