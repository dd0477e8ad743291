/**
 * Field builders: attribute behaviour is data. Every face (check, diff, Terraform schema,
 * Pulumi class, CDKTF construct, docs) is derived from these specs, never re-declared.
 */

export type FieldKind = "string" | "number" | "boolean" | "stringList" | "stringMap" | "object" | "objectList";

/** Which faces expose a field. Write-only fields only make sense where the face has them (Terraform). */
export type Face = "pulumi" | "terraform";

export interface FieldFlags {
  /** The user must set it. */
  required?: boolean;
  /** Set by the provider (alone, or also settable by the user when `optional` too). */
  computed?: boolean;
  /** With `computed`: the user may set it, otherwise the provider does. */
  optional?: boolean;
  /** Never shown in plans/logs; Pulumi secret output; Terraform `sensitive`. */
  sensitive?: boolean;
  /** Sent to the API but never stored in state (Terraform write-only, protocol 6.8+). */
  writeOnly?: boolean;
  /**
   * With `writeOnly`: the optional+computed field this one supplies without storing it (Terraform's
   * `x_wo` for `x`). Set while that field is not, it keeps that field out of state too; see
   * `fieldsKeptOutOfState` and `fieldsRefreshKeepsOut`, the rule's one home.
   */
  writeOnlyFor?: string;
  /** Changing it replaces the resource instead of updating it in place. */
  replaceOnChange?: boolean;
  /** Only these faces expose the field (default: all). */
  faces?: readonly Face[];
  /**
   * stringList only: an unordered set without repeats (Terraform `set(string)`); diffs ignore the
   * order, and a repeated item is a check failure.
   */
  set?: boolean;
}

export interface FieldSpecBase<T> extends FieldFlags {
  kind: FieldKind;
  doc: string;
  default?: T;
  /** Allowed values (strings only). */
  oneOf?: readonly string[];
  /** Returns a reason when invalid; only called on known, present values. (Method syntax keeps specs of
   * different value types assignable to AnyField.) */
  validate?(value: T): string | undefined;
  /** Phantom for type derivation. */
  readonly __type?: T;
}

export interface ScalarSpec<T> extends FieldSpecBase<T> {
  kind: "string" | "number" | "boolean" | "stringList" | "stringMap";
}

export interface ObjectSpec<F extends FieldMap> extends FieldSpecBase<ObjectValue<F>> {
  kind: "object";
  fields: F;
}

export interface ObjectListSpec<F extends FieldMap> extends FieldSpecBase<ObjectValue<F>[]> {
  kind: "objectList";
  fields: F;
  minItems?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the map is heterogenous by design
export type AnyField = ScalarSpec<any> | ObjectSpec<any> | ObjectListSpec<any>;
export type FieldMap = Record<string, AnyField>;

type ValueOf<S> = S extends FieldSpecBase<infer T> ? T : never;
type IsRequired<S> = S extends { required: true } ? true : false;
type IsInput<S> = S extends { computed: true } ? (S extends { optional: true } ? true : false) : true;

/** Input shape of a field map: required fields mandatory, the rest optional. Computed-only fields excluded. */
export type InputsOf<F extends FieldMap> = {
  [K in keyof F as IsInput<F[K]> extends true ? (IsRequired<F[K]> extends true ? K : never) : never]: ValueOf<F[K]>;
} & {
  [K in keyof F as IsInput<F[K]> extends true ? (IsRequired<F[K]> extends true ? never : K) : never]?: ValueOf<F[K]>;
};

/** State/output shape: every field may be present (write-only ones are always absent). */
export type OutputsOf<F extends FieldMap> = { [K in keyof F]?: ValueOf<F[K]> };

export type ObjectValue<F extends FieldMap> = InputsOf<F>;

interface Opts<T> extends FieldFlags {
  doc: string;
  default?: T;
  validate?: (value: T) => string | undefined;
}

type Spec<K extends FieldKind, T, O> = FieldSpecBase<T> & { kind: K } & O;

export function str<const O extends Opts<string> & { oneOf?: readonly string[] }>(opts: O): Spec<"string", string, O> {
  return { kind: "string", ...opts } as Spec<"string", string, O>;
}
export function num<const O extends Opts<number>>(opts: O): Spec<"number", number, O> {
  return { kind: "number", ...opts } as Spec<"number", number, O>;
}
export function bool<const O extends Opts<boolean>>(opts: O): Spec<"boolean", boolean, O> {
  return { kind: "boolean", ...opts } as Spec<"boolean", boolean, O>;
}
export function strList<const O extends Opts<string[]> & { oneOf?: readonly string[] }>(
  opts: O,
): Spec<"stringList", string[], O> {
  return { kind: "stringList", ...opts } as Spec<"stringList", string[], O>;
}
/** A map of string keys to string values (Terraform `map(string)`, a plain object elsewhere). */
export function strMap<const O extends Opts<Record<string, string>>>(
  opts: O,
): Spec<"stringMap", Record<string, string>, O> {
  return { kind: "stringMap", ...opts } as Spec<"stringMap", Record<string, string>, O>;
}
export function obj<F extends FieldMap, const O extends Opts<ObjectValue<F>>>(
  fields: F,
  opts: O,
): Spec<"object", ObjectValue<F>, O> & { fields: F } {
  return { kind: "object", fields, ...opts } as Spec<"object", ObjectValue<F>, O> & { fields: F };
}
export function objList<F extends FieldMap, const O extends Opts<ObjectValue<F>[]> & { minItems?: number }>(
  fields: F,
  opts: O,
): Spec<"objectList", ObjectValue<F>[], O> & { fields: F } {
  return { kind: "objectList", fields, ...opts } as Spec<"objectList", ObjectValue<F>[], O> & { fields: F };
}

/** Sentinel for a value not known yet (Pulumi preview, Terraform plan). Faces translate theirs into this. */
export const UNKNOWN: unique symbol = Symbol.for("infisical-e2ee.unknown");
export type Unknown = typeof UNKNOWN;
export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** True for fields the user can set (everything except computed-only). */
export function isInputField(spec: AnyField): boolean {
  return !spec.computed || spec.optional === true || spec.required === true;
}

export function isFieldOnFace(spec: AnyField, face: Face): boolean {
  return spec.faces === undefined || spec.faces.includes(face);
}

/** `[writeOnlyField, suppliedField]` for every `writeOnlyFor` the map declares. */
export function writeOnlyPairs(fields: FieldMap): [string, string][] {
  return Object.entries(fields).flatMap(([name, spec]) =>
    spec.writeOnly && spec.writeOnlyFor !== undefined ? [[name, spec.writeOnlyFor] as [string, string]] : [],
  );
}

const isSet = (value: unknown) => value !== undefined && value !== null;

/**
 * Fields these inputs keep out of state: each one supplied through its write-only twin (the twin
 * set, the field itself not). Write-only fields themselves are never in state either.
 */
export function fieldsKeptOutOfState(fields: FieldMap, inputs: Record<string, unknown>): string[] {
  return writeOnlyPairs(fields)
    .filter(([writeOnly, supplied]) => isSet(inputs[writeOnly]) && !isSet(inputs[supplied]))
    .map(([, supplied]) => supplied);
}

/**
 * Fields a refresh must leave out of the state it returns: a field that has a write-only twin and
 * is absent from the prior state was kept out (supplied write-only, or imported without its value)
 * and must not enter state through a read of the server's copy.
 */
export function fieldsRefreshKeepsOut(fields: FieldMap, prior: Record<string, unknown>): string[] {
  return writeOnlyPairs(fields)
    .map(([, supplied]) => supplied)
    .filter((supplied) => !isSet(prior[supplied]));
}

/** A copy of `values` without the write-only fields, which never enter state. */
export function withoutWriteOnly<T extends Record<string, unknown>>(fields: FieldMap, values: T): T {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !fields[key]?.writeOnly)) as T;
}
