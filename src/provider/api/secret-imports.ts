/**
 * Secret imports (routes-more.md §3) and the secret list that carries imported secrets. The real
 * server answers a non-UUID import id with 500 ("Find one", "Update", "Delete"), so ids are checked
 * here before anything is sent; its 400 for a direct cycle becomes a validation error naming the source.
 */
import { ApiError, ApiValidationError, ValidationError } from "../errors";
import type { Send } from "./send";
import type { WireSecret } from "./wire";

export interface WireSecretImport {
  id: string;
  importPath: string;
  position: number;
  /** The importing folder. */
  folderId?: string;
  importEnv: { id: string; name: string; slug: string };
  isReplication?: boolean;
}

/** One entry of `imports` in `GET /api/v3/secrets?include_imports=true`: the source and its secrets, encrypted. */
export interface WireImportEntry {
  secretPath: string;
  environment: string;
  folderId?: string;
  secrets: WireSecret[];
}

/** The importing folder: project, environment slug and path. */
export interface ImportScope {
  workspaceId: string;
  environment: string;
  path: string;
}

export interface ImportSource {
  environment: string;
  path: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The real server looks ids up as UUIDs and answers 500 for anything else: refuse before sending. */
function checkId(id: string): void {
  if (!UUID.test(id)) throw new ValidationError("secretImport", [{ path: "id", reason: "must be a UUID" }]);
}

/** The real server's 400 "Cyclic import not allowed" is the caller's input, not a server fault. */
async function typed<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (
      error instanceof ApiError &&
      error.status === 400 &&
      error.route !== undefined &&
      /cyclic import/i.test(error.serverMessage ?? "")
    ) {
      throw new ApiValidationError({
        status: error.status,
        operation: error.operation,
        route: error.route,
        serverMessage: "the source already imports this folder (cyclic import)",
      });
    }
    throw error;
  }
}

export function secretImportsApi(send: Send) {
  return {
    list: (scope: ImportScope) =>
      send<{ secretImports: WireSecretImport[] }>({
        operation: "list secret imports",
        method: "GET",
        route: "/api/v1/secret-imports",
        query: { ...scope },
      }),
    create: (scope: ImportScope, source: ImportSource) =>
      typed(
        send<{ secretImport: WireSecretImport }>({
          operation: "create secret import",
          method: "POST",
          route: "/api/v1/secret-imports",
          body: { ...scope, import: source, isReplication: false },
        }),
      ),
    /** `changes` must hold at least one field: the real server answers 500 "Update" to an empty `import`. */
    update: async (scope: ImportScope, id: string, changes: Partial<ImportSource> & { position?: number }) => {
      checkId(id);
      return typed(
        send<{ secretImport: WireSecretImport }>({
          operation: "update secret import",
          method: "PATCH",
          route: "/api/v1/secret-imports/{secretImportId}",
          params: { secretImportId: id },
          body: { ...scope, import: changes },
          // Setting the same source or position again is harmless.
          idempotent: true,
        }),
      );
    },
    delete: async (scope: ImportScope, id: string) => {
      checkId(id);
      return typed(
        send<{ secretImport: WireSecretImport }>({
          operation: "delete secret import",
          method: "DELETE",
          route: "/api/v1/secret-imports/{secretImportId}",
          params: { secretImportId: id },
          body: scope,
        }),
      );
    },
    /** The folder's own secrets and, per import in position order, the source's secrets (still encrypted). */
    secretsWithImports: (scope: { workspaceId: string; environment: string; secretPath: string }) =>
      send<{ secrets: WireSecret[]; imports?: WireImportEntry[] }>({
        operation: "list secrets with imports",
        method: "GET",
        route: "/api/v3/secrets",
        query: { ...scope, include_imports: "true" },
      }),
  };
}

export const isSecretImportId = (id: string) => UUID.test(id);
