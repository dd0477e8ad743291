/** Every resource and lookup of the core; faces, the CDKTF generator and docs iterate these. */
import { environment } from "./resources/environment";
import { auditLogs } from "./resources/lookups/audit-logs";
import { project as projectLookup } from "./resources/lookups/project";
import { projectMembers } from "./resources/lookups/project-members";
import { secrets } from "./resources/lookups/secrets";
import { project } from "./resources/project";
import { projectMembership } from "./resources/project-membership";
import { secret } from "./resources/secret";
import { secretImport } from "./resources/secret-import";
import { serviceToken } from "./resources/service-token";

export const resources = { secret, environment, projectMembership, project, serviceToken, secretImport };

export const lookups = { secrets, project: projectLookup, auditLogs, projectMembers };

export type ResourceName = keyof typeof resources;
export type LookupName = keyof typeof lookups;
