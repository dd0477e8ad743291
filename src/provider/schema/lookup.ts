/** Read-only lookups (Pulumi `get…` functions, Terraform data sources), declared like resources. */
import type { FieldFailure } from "../errors";
import { ValidationError } from "../errors";
import type { FieldMap, InputsOf, OutputsOf } from "./fields";
import type { ResourceContext } from "./resource";
import { checkFields } from "./resource";

export interface LookupDefinition<A extends FieldMap, R extends FieldMap> {
  /** camelCase core name: `secrets`, `project`, `auditLogs`. */
  name: string;
  doc: string;
  /** Arguments the caller sets. */
  args: A;
  /** Results (computed). */
  results: R;
  read(ctx: ResourceContext, args: InputsOf<A>): Promise<OutputsOf<R>>;
  check?(args: Record<string, unknown>): FieldFailure[];
}

export interface Lookup<A extends FieldMap = FieldMap, R extends FieldMap = FieldMap> extends LookupDefinition<A, R> {
  checkArgs(args: Record<string, unknown>): { args: InputsOf<A>; failures: FieldFailure[] };
  run(ctx: ResourceContext, args: Record<string, unknown>): Promise<OutputsOf<R>>;
}

export function defineLookup<A extends FieldMap, R extends FieldMap>(def: LookupDefinition<A, R>): Lookup<A, R> {
  const checkArgs = (args: Record<string, unknown>) => {
    const result = checkFields(def.args, args, def.check);
    return { args: result.inputs as InputsOf<A>, failures: result.failures };
  };
  return {
    ...def,
    checkArgs,
    async run(ctx, args) {
      const checked = checkArgs(args);
      if (checked.failures.length > 0) throw new ValidationError(def.name, checked.failures);
      return def.read(ctx, checked.args);
    },
  };
}
