/** Every route, in registration order (static paths such as `/batch` before `/:secretName`). */
import type { AnyRoute } from "../route";
import { auditLogRoutes } from "./audit-logs";
import { authRoutes } from "./auth";
import { blindIndexRoutes } from "./blind-indexes";
import { environmentRoutes } from "./environments";
import { folderRoutes } from "./folders";
import { membershipRoutes } from "./memberships";
import { organizationRoutes } from "./organizations";
import { projectRoutes } from "./projects";
import { roleRoutes } from "./roles";
import { secretImportRoutes } from "./secret-imports";
import { secretRoutes } from "./secrets";
import { serviceTokenRoutes } from "./service-tokens";
import { tagRoutes } from "./tags";

export const allRoutes: AnyRoute[] = [
  ...authRoutes,
  ...organizationRoutes,
  ...projectRoutes,
  ...environmentRoutes,
  ...membershipRoutes,
  ...serviceTokenRoutes,
  ...secretRoutes,
  ...folderRoutes,
  ...auditLogRoutes,
  ...blindIndexRoutes,
  ...tagRoutes,
  ...roleRoutes,
  ...secretImportRoutes,
];
