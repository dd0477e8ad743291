/** infisical-e2ee: the framework-neutral core, and the library for your own scripts (docs/library.md). */

export {
  type EnableBlindIndicesOptions,
  type EnableBlindIndicesResult,
  enableBlindIndices,
} from "./provider/blind-indices";
export {
  type BootstrapOptions,
  type BootstrapResult,
  bootstrap,
  type InviteMemberOptions,
  inviteMember,
} from "./provider/bootstrap";
export * from "./provider/errors";
export { type LookupName, lookups, type ResourceName, resources } from "./provider/registry";
export { type GenerateSpec, generateValue } from "./provider/resources/generate";
export * from "./provider/schema/fields";
export * from "./provider/schema/lookup";
export * from "./provider/schema/resource";
// The library (docs/library.md): sessions, the resources and lookups every face drives, bootstrap.
export {
  type AuthMode,
  type ConnectionSettings,
  type Env,
  type OpenSessionOptions,
  openSession,
  type PlainSecret,
  resolveSettings,
  type SecretLocation,
  type SecretStore,
  type SecretUpdate,
  type SecretWrite,
  type Session,
  type SessionUser,
  USER_AGENT,
} from "./provider/session";
