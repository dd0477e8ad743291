/** Read-only lookups (Pulumi `get…` functions, Terraform data sources), declared like resources. */
import type { FieldFailure } from "../errors";
import { ValidationError } from "../errors";
import type { FieldMap, InputsOf, OutputsOf } from "./fields";
import type { ResourceContext } from "./resource";
import { defineResource } from "./resource";

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
  // Reuse the resource checker for argument validation so lookups follow the same rules.
  const argChecker = defineResource({
    name: def.name,
    version: 1,
    doc: def.doc,
    importId: "",
    fields: def.args,
    ops: {
      create: unsupported,
      read: unsupported,
      update: unsupported,
      delete: unsupported,
      import: unsupported,
      check: def.check,
    },
  });
  return {
    ...def,
    checkArgs(args) {
      const result = argChecker.check(args);
      return { args: result.inputs as InputsOf<A>, failures: result.failures };
    },
    async run(ctx, args) {
      const checked = argChecker.check(args);
      if (checked.failures.length > 0) throw new ValidationError(def.name, checked.failures);
      return def.read(ctx, checked.inputs as InputsOf<A>);
    },
  };
}

function unsupported(): never {
  throw new Error("lookups have no lifecycle");
}
