/**
 * `infisical-e2ee/cdktf`: CDKTF constructs for the `infisicale2ee` Terraform provider, generated
 * from the core schemas (constructs.generated.ts), plus small helpers for write-only values.
 */
export * from "./constructs.generated";
export { ephemeralVariable } from "./ephemeral";
