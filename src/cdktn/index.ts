/**
 * `infisical-e2ee/cdktn`: CDK Terrain constructs for the `infisicale2ee` Terraform provider,
 * generated from the core schemas (constructs.generated.ts), plus a helper for write-only values.
 * Deploy with `cdktn deploy`. For apps still on CDKTF, `infisical-e2ee/cdktf` has the same API.
 */
import { TerraformVariable } from "cdktn";
import { type EphemeralVariable, ephemeralVariableOf } from "../cdk/ephemeral";

export type { EphemeralVariableOptions } from "../cdk/ephemeral";
export * from "./constructs.generated";

/** A string variable declared `ephemeral = true`, for `Secret.valueWo`: never in plan or state. */
export const ephemeralVariable: EphemeralVariable<TerraformVariable> = ephemeralVariableOf(TerraformVariable);
