/** infisical-e2ee/terraform: the Terraform plugin (tfplugin6 over go-plugin) built on the core. */
export { createDefaultProvider } from "./default-provider";
export { PROVIDER_TYPE, terraformTypeName, toCamelCase, toSnakeCase } from "./names";
export { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginStartError, servePlugin } from "./plugin-server";
export { type ProviderCatalog, type SessionFactory, TerraformProvider } from "./provider";
export { type AttributeModel, type BlockModel, lookupModel, providerModel, resourceModel } from "./schema-model";
