import type { Send } from "./send";
import type { WireFolder } from "./wire";

export interface FolderScope {
  workspaceId: string;
  environment: string;
}

export function foldersApi(send: Send) {
  return {
    list: (scope: FolderScope, path: string) =>
      send<{ folders: WireFolder[] }>({
        operation: "list folders",
        method: "GET",
        route: "/api/v1/folders",
        query: { ...scope, path },
      }),
    create: (scope: FolderScope, path: string, name: string) =>
      send<{ folder: WireFolder }>({
        operation: "create folder",
        method: "POST",
        route: "/api/v1/folders",
        body: { ...scope, path, name },
      }),
  };
}
