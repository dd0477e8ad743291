/** infisical-e2ee: the framework-neutral core. */
export * from "./provider/errors";
export * from "./provider/schema/fields";
export * from "./provider/schema/lookup";
export * from "./provider/schema/resource";
