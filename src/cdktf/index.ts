/**
 * `infisical-e2ee/cdktf` (legacy): the same constructs as `infisical-e2ee/cdktn`, generated for
 * CDKTF 0.21, which HashiCorp archived on 2025-12-10. Kept for apps still on the `cdktf` library;
 * new apps use CDK Terrain (`infisical-e2ee/cdktn`, see docs/design/0007).
 */
import { TerraformVariable } from "cdktf";
import { type EphemeralVariable, ephemeralVariableOf } from "../cdk/ephemeral";

export type { EphemeralVariableOptions } from "../cdk/ephemeral";
export * from "./constructs.generated";

/** A string variable declared `ephemeral = true`, for `Secret.valueWo`: never in plan or state. */
export const ephemeralVariable: EphemeralVariable<TerraformVariable> = ephemeralVariableOf(TerraformVariable);
