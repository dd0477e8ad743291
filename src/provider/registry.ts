/** Every resource and lookup of the core; faces, the CDKTF generator and docs iterate these. */
import { environment } from "./resources/environment";
import { folder } from "./resources/folder";
import { auditLogs } from "./resources/lookups/audit-logs";
import { project as projectLookup } from "./resources/lookups/project";
import { projectMembers } from "./resources/lookups/project-members";
import { secrets } from "./resources/lookups/secrets";
import { project } from "./resources/project";
import { projectMembership } from "./resources/project-membership";
import { projectRole } from "./resources/project-role";
import { secret } from "./resources/secret";
import { secretImport } from "./resources/secret-import";
import { secretTag } from "./resources/secret-tag";
import { serviceToken } from "./resources/service-token";

export const resources = {
  secret,
  environment,
  projectMembership,
  project,
  serviceToken,
  secretTag,
  projectRole,
  folder,
  secretImport,
};

export const lookups = { secrets, project: projectLookup, auditLogs, projectMembers };

export type ResourceName = keyof typeof resources;
export type LookupName = keyof typeof lookups;
