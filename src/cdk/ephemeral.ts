/**
 * `ephemeralVariable()` for both construct flavors (cdktn and cdktf): a string variable declared
 * `ephemeral = true` (Terraform 1.10+), for write-only attributes such as `Secret.valueWo`, so its
 * value never reaches a plan or state file. Neither framework has an option for it, so the
 * attribute is added as an override. Written once over the framework's own TerraformVariable.
 */
import type { Construct } from "constructs";

export interface EphemeralVariableOptions {
  description?: string;
  /** Also mark it sensitive (default true): Terraform then hides it in every output. */
  sensitive?: boolean;
}

/** The part of a framework's TerraformVariable class this helper uses. */
export type VariableClass<V> = new (
  scope: Construct,
  id: string,
  config: { type?: string; description?: string; sensitive?: boolean },
) => V;

export type EphemeralVariable<V> = (scope: Construct, id: string, options?: EphemeralVariableOptions) => V;

export function ephemeralVariableOf<V extends { addOverride(path: string, value: unknown): void }>(
  Variable: VariableClass<V>,
): EphemeralVariable<V> {
  return (scope, id, options = {}) => {
    const variable = new Variable(scope, id, {
      type: "string",
      description: options.description,
      sensitive: options.sensitive ?? true,
    });
    variable.addOverride("ephemeral", true);
    return variable;
  };
}
