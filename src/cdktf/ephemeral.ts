import type { Construct } from "constructs";
import { TerraformVariable } from "./framework";

export interface EphemeralVariableOptions {
  description?: string;
  /** Also mark it sensitive (default true): Terraform then hides it in every output. */
  sensitive?: boolean;
}

/**
 * A string variable declared `ephemeral = true` (Terraform 1.10+), for write-only attributes such
 * as `Secret.valueWo`: its value never reaches a plan or state file. cdktf 0.21 has no option for
 * it, so the attribute is added as an override.
 */
export function ephemeralVariable(
  scope: Construct,
  id: string,
  options: EphemeralVariableOptions = {},
): TerraformVariable {
  const variable = new TerraformVariable(scope, id, {
    type: "string",
    description: options.description,
    sensitive: options.sensitive ?? true,
  });
  variable.addOverride("ephemeral", true);
  return variable;
}
