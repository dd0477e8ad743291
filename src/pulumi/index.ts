/**
 * infisical-e2ee/pulumi: Pulumi resources and lookups over the core schemas. Secret values are
 * encrypted on this machine before they reach Infisical, and are Pulumi secrets in state.
 *
 * Credentials: `pulumi config set infisical-e2ee:host …`, `pulumi config set --secret
 * infisical-e2ee:token …` (service token) or `infisical-e2ee:email` + `--secret infisical-e2ee:password`
 * (user login); unset keys fall back to INFISICAL_HOST, INFISICAL_TOKEN, INFISICAL_EMAIL, INFISICAL_PASSWORD.
 */
import { lookups, resources } from "../provider/registry";
import { lookupFunction, lookupOutputFunction } from "./lookups";
import { resourceClass } from "./resource-class";

type SecretFields = (typeof resources.secret)["fields"];
type EnvironmentFields = (typeof resources.environment)["fields"];
type ProjectMembershipFields = (typeof resources.projectMembership)["fields"];
type ProjectFields = (typeof resources.project)["fields"];
type ServiceTokenFields = (typeof resources.serviceToken)["fields"];
type SecretTagFields = (typeof resources.secretTag)["fields"];
type ProjectRoleFields = (typeof resources.projectRole)["fields"];
type FolderFields = (typeof resources.folder)["fields"];
type SecretImportFields = (typeof resources.secretImport)["fields"];

/** A secret, encrypted with the project key on this machine. `value` is a Pulumi secret output. */
export class Secret extends resourceClass(resources.secret) {}
/** An environment (for example `staging`) of a project. */
export class Environment extends resourceClass(resources.environment) {}
/** A user's membership of a project; the project key is wrapped for the member on this machine. */
export class ProjectMembership extends resourceClass(resources.projectMembership) {}
/** A project with its own end-to-end encryption key. */
export class Project extends resourceClass(resources.project) {}
/** A service token; `token` (the full 4-part token) is a Pulumi secret output. */
export class ServiceToken extends resourceClass(resources.serviceToken) {}
/** A tag of a project (plaintext name, slug and colour), for a Secret's `tagIds`. */
export class SecretTag extends resourceClass(resources.secretTag) {}

/** A custom project role; give it to members by its slug (ProjectMembership `role`). */
export class ProjectRole extends resourceClass(resources.projectRole) {}

/** A secret folder; reference `fullPath` as a secret's `path`. Renames in place. */
export class Folder extends resourceClass(resources.folder) {}

/** A secret import: a folder also sees another environment's folder (read it resolved with getSecrets + includeImports). */
export class SecretImport extends resourceClass(resources.secretImport) {}

export type SecretArgs = ConstructorParameters<typeof Secret>[1];
export type EnvironmentArgs = ConstructorParameters<typeof Environment>[1];
export type ProjectMembershipArgs = ConstructorParameters<typeof ProjectMembership>[1];
export type ProjectArgs = ConstructorParameters<typeof Project>[1];
export type ServiceTokenArgs = ConstructorParameters<typeof ServiceToken>[1];
export type SecretTagArgs = ConstructorParameters<typeof SecretTag>[1];
export type ProjectRoleArgs = ConstructorParameters<typeof ProjectRole>[1];
export type FolderArgs = ConstructorParameters<typeof Folder>[1];
export type SecretImportArgs = ConstructorParameters<typeof SecretImport>[1];
export type {
  EnvironmentFields,
  FolderFields,
  ProjectFields,
  ProjectMembershipFields,
  ProjectRoleFields,
  SecretFields,
  SecretImportFields,
  SecretTagFields,
  ServiceTokenFields,
};

/** Decrypted secrets of an environment and path. Plain promise: prefer getSecretsOutput (a Pulumi secret). */
export const getSecrets = lookupFunction(lookups.secrets);
export const getSecretsOutput = lookupOutputFunction(lookups.secrets);
/** A project by id or slug. */
export const getProject = lookupFunction(lookups.project);
export const getProjectOutput = lookupOutputFunction(lookups.project);
/** Audit log entries of a project. */
export const getAuditLogs = lookupFunction(lookups.auditLogs);
export const getAuditLogsOutput = lookupOutputFunction(lookups.auditLogs);

export const getProjectMembers = lookupFunction(lookups.projectMembers);
export const getProjectMembersOutput = lookupOutputFunction(lookups.projectMembers);

export { closeLookupSession } from "./lookups";
export type { ArgsOf, DeepInput, LookupArgsOf, LookupResultOf, OutputPropertiesOf } from "./types";
