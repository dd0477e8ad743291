/** Folders, so that a `secretPath` other than `/` works. */
import { z } from "zod";
import { recordAudit } from "../audit";
import { requireSecretAccess } from "../auth/access";
import { FOLDER_NAME, secretPath } from "../fields";
import { ensureFolder, findFolder } from "../folders";
import { type AnyRoute, route } from "../route";
import type { FolderRow } from "../rows";

function folderJson(folder: FolderRow) {
  return {
    id: folder.id,
    name: folder.name,
    version: 1,
    envId: folder.env_id,
    parentId: folder.parent_id,
    isReserved: false,
    createdAt: folder.created_at,
    updatedAt: folder.updated_at,
  };
}

const target = {
  workspaceId: z.string().trim().min(1).max(100),
  environment: z.string().trim().min(1).max(64),
  path: secretPath(),
  /** The real server's deprecated alias of `path`. */
  directory: secretPath().optional(),
};

function effectivePath(path: string, directory: string | undefined): string {
  return path === "/" && directory !== undefined ? directory : path;
}

export const folderRoutes: AnyRoute[] = [
  route({
    method: "POST",
    path: "/api/v1/folders",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    body: z.object({
      ...target,
      name: z.string().trim().min(1).max(64).regex(FOLDER_NAME, "Folder names may use a-z, A-Z, 0-9, - and _"),
    }),
    handler: ({ state, actor, body, request }) => {
      const parentPath = effectivePath(body.path, body.directory);
      const access = requireSecretAccess(state, actor, body.workspaceId, body.environment, parentPath, "create");
      const fullPath = parentPath === "/" ? `/${body.name}` : `${parentPath}/${body.name}`;
      // Like the real server: missing parents are created, and an existing folder is returned as is.
      const folder = state.store.transaction(() => {
        const existed = findFolder(state, access.environment.id, fullPath);
        const row = ensureFolder(state, access.environment.id, fullPath);
        if (!existed) {
          recordAudit(
            state,
            actor,
            request,
            { orgId: access.project.org_id, projectId: access.project.id },
            "create-folder",
            {
              environment: access.environment.slug,
              folderId: row.id,
              folderPath: fullPath,
            },
          );
        }
        return row;
      });
      return { folder: folderJson(folder) };
    },
  }),

  route({
    method: "GET",
    path: "/api/v1/folders",
    auth: ["user", "serviceToken"],
    rateLimit: "secrets",
    query: z.object(target),
    handler: ({ state, actor, query }) => {
      const path = effectivePath(query.path, query.directory);
      const access = requireSecretAccess(state, actor, query.workspaceId, query.environment, path, "read");
      const parent = findFolder(state, access.environment.id, path);
      if (!parent) return { folders: [] };
      const children = state.store.all<FolderRow>("SELECT * FROM folders WHERE parent_id = ? ORDER BY name", parent.id);
      return { folders: children.map(folderJson) };
    },
  }),
];
