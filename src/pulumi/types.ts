/**
 * Pulumi argument and output types, derived from the core field maps so no field is declared twice.
 * Fields restricted to other faces (`faces: ["terraform"]`) are dropped here, as they are at run time.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FieldMap, InputsOf, OutputsOf } from "../provider/schema/fields";

/** Keys of a field map that the Pulumi face exposes. */
type PulumiKeys<F extends FieldMap> = {
  [K in keyof F]: F[K] extends { faces: readonly (infer Face)[] } ? ("pulumi" extends Face ? K : never) : K;
}[keyof F];

/** Field map without the fields hidden from Pulumi. */
export type PulumiFields<F extends FieldMap> = Pick<F, PulumiKeys<F>>;

/** Every level may be a promise or an Output, as Pulumi users expect of resource arguments. */
export type DeepInput<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends readonly (infer Item)[]
    ? pulumi.Input<DeepInput<Item>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
      : pulumi.Input<T>;

/** Constructor arguments of a Pulumi resource class. */
export type ArgsOf<F extends FieldMap> = {
  [K in keyof InputsOf<PulumiFields<F>>]: DeepInput<InputsOf<PulumiFields<F>>[K]>;
};

/** Fields always present in state: required, defaulted or computed. The others may be undefined. */
type AlwaysSet<S> = S extends { required: true }
  ? true
  : S extends { computed: true }
    ? true
    : S extends { default: unknown }
      ? true
      : false;

/** Output properties of a Pulumi resource class. */
export type OutputPropertiesOf<F extends FieldMap> = {
  readonly [K in keyof PulumiFields<F>]-?: pulumi.Output<
    AlwaysSet<F[K]> extends true
      ? NonNullable<OutputsOf<PulumiFields<F>>[K]>
      : OutputsOf<PulumiFields<F>>[K] | undefined
  >;
};

/** Plain arguments of a lookup function. */
export type LookupArgsOf<F extends FieldMap> = InputsOf<PulumiFields<F>>;
/** Arguments of a lookup's Output form. */
export type LookupInputArgsOf<F extends FieldMap> = ArgsOf<F>;
/** Plain results of a lookup function. */
export type LookupResultOf<F extends FieldMap> = OutputsOf<PulumiFields<F>>;
