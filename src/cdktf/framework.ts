/**
 * The one place the constructs import the CDK for Terraform runtime. HashiCorp archived CDKTF on
 * 2025-12-10; its community continuation CDK Terrain (`cdktn`) keeps the same API, so moving to
 * it means changing the module name on the next line (and the app's own imports).
 */
export * from "cdktf";
