/**
 * A secret import: the folder (project, environment, path) sees the secrets of
 * (import_environment, import_path) of the same project. The real server's PATCH changes the
 * source and the position in place; the importing folder cannot change, so it replaces.
 * There is no get-by-id route: reads list the folder's imports (routes-more.md §3).
 */
import type { ImportScope, WireSecretImport } from "../api/secret-imports";
import { isSecretImportId } from "../api/secret-imports";
import { NotFoundError, PartialCreateError, ValidationError } from "../errors";
import { type InputsOf, num, type OutputsOf, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { homeEnvironmentField, projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import { integerBetween, validateEnvironmentSlug, validateId, validateSecretPath } from "./validation";

export const secretImportFields = {
  projectId: projectIdField(),
  environment: homeEnvironmentField("Slug of the importing environment, e.g. `dev`."),
  path: str({
    default: "/",
    validate: validateSecretPath,
    doc: "Importing folder, `/` for the root; may reference a folder's `full_path`. The folder must exist. Changes in place: after a rename of its folder the import is found at the new path (it moved along); otherwise it is created there and removed from the old path.",
  }),
  importEnvironment: str({
    required: true,
    validate: validateEnvironmentSlug,
    doc: "Slug of the environment imported from (same project). Changes in place.",
  }),
  importPath: str({
    required: true,
    validate: validateSecretPath,
    doc: "Folder imported from, e.g. `/shared`. Changes in place.",
  }),
  position: num({
    optional: true,
    computed: true,
    validate: integerBetween(1, 1000),
    doc:
      "Order among the folder's imports (1 = first; for a name found in several imports, the highest position wins). " +
      "Chosen by the server (after the last) when unset; when set, the provider moves the import there, and a move made outside shows as drift.",
  }),
  secretImportId: str({ computed: true, doc: "Server-side ID of the import (the last part of the import ID)." }),
};

type ImportInputs = InputsOf<typeof secretImportFields>;
type ImportOutputs = OutputsOf<typeof secretImportFields>;

function scopeOf(o: { projectId?: string; environment?: string; path?: string }): ImportScope {
  return { workspaceId: o.projectId!, environment: o.environment!, path: o.path ?? "/" };
}

function outputsOf(scope: ImportScope, found: WireSecretImport): ImportOutputs {
  return {
    projectId: scope.workspaceId,
    environment: scope.environment,
    path: scope.path,
    importEnvironment: found.importEnv.slug,
    importPath: found.importPath,
    position: found.position,
    secretImportId: found.id,
  };
}

/** The import by id among its folder's imports; undefined when it, its folder or its project is gone. */
async function findImport(ctx: ResourceContext, scope: ImportScope, id: string) {
  const listed = await unlessGone(ctx.session.api.secretImports.list(scope));
  return listed?.secretImports.find((i) => i.id === id);
}

async function createImport(ctx: ResourceContext, inputs: ImportInputs) {
  const scope = scopeOf(inputs);
  const api = ctx.session.api.secretImports;
  const { secretImport: created } = await api.create(scope, {
    environment: inputs.importEnvironment,
    path: inputs.importPath,
  });
  let current = created;
  if (inputs.position !== undefined && inputs.position !== created.position) {
    try {
      ({ secretImport: current } = await api.update(scope, created.id, { position: inputs.position }));
    } catch (error) {
      throw new PartialCreateError(created.id, outputsOf(scope, created), ["moving it to its position failed"], {
        cause: error,
      });
    }
  }
  return { id: current.id, outputs: outputsOf(scope, current) };
}

/** The server's id of the import: state's, since a move creates a new one while the faces keep the first id. */
const serverIdOf = (id: string, state: ImportOutputs) => state.secretImportId ?? id;

async function readImport(ctx: ResourceContext, id: string, state: ImportOutputs) {
  const scope = scopeOf(state);
  const found = await findImport(ctx, scope, serverIdOf(id, state));
  return found ? outputsOf(scope, found) : undefined;
}

/**
 * A new `path`. After its folder was renamed the import is already there (same id): only the other
 * changes, if any, are sent. Otherwise it is created at the new path, then removed from the old one.
 */
async function moveImport(
  ctx: ResourceContext,
  id: string,
  olds: ImportOutputs,
  news: ImportInputs,
): Promise<ImportOutputs> {
  const serverId = serverIdOf(id, olds);
  const there = await findImport(ctx, scopeOf(news), serverId);
  if (there) return updateImport(ctx, id, outputsOf(scopeOf(news), there), news);
  const { outputs } = await createImport(ctx, news);
  await deleteImport(ctx, id, olds);
  return outputs;
}

async function updateImport(
  ctx: ResourceContext,
  id: string,
  olds: ImportOutputs,
  news: ImportInputs,
): Promise<ImportOutputs> {
  if ((news.path ?? "/") !== (olds.path ?? "/")) return moveImport(ctx, id, olds, news);
  const changes: { environment?: string; path?: string; position?: number } = {};
  if (news.importEnvironment !== olds.importEnvironment) changes.environment = news.importEnvironment;
  if (news.importPath !== olds.importPath) changes.path = news.importPath;
  if (news.position !== undefined && news.position !== olds.position) changes.position = news.position;
  const scope = scopeOf(news);
  // The real server answers an empty change with 500: nothing to send means nothing changed.
  if (Object.keys(changes).length === 0) return { ...olds, ...news, position: olds.position };
  const { secretImport } = await ctx.session.api.secretImports.update(scope, serverIdOf(id, olds), changes);
  return outputsOf(scope, secretImport);
}

async function deleteImport(ctx: ResourceContext, id: string, state: ImportOutputs) {
  try {
    await ctx.session.api.secretImports.delete(scopeOf(state), serverIdOf(id, state));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function importImport(ctx: ResourceContext, importId: string) {
  const [projectId, environment, path, id] = splitImportId("secretImport", importId, [
    "projectId",
    "environment",
    "path",
    "id",
  ]);
  const failures = [
    { path: "importId.projectId", reason: validateId(projectId!) },
    { path: "importId.environment", reason: validateEnvironmentSlug(environment!) },
    { path: "importId.path", reason: validateSecretPath(path!) },
    { path: "importId.id", reason: isSecretImportId(id!) ? undefined : "must be a UUID" },
  ].filter((f): f is { path: string; reason: string } => f.reason !== undefined);
  if (failures.length > 0) throw new ValidationError("secretImport", failures);
  const scope = scopeOf({ projectId, environment, path });
  const found = await findImport(ctx, scope, id!);
  if (!found) {
    throw new NotFoundError({ operation: "import secret import", reason: "the folder has no import with this id" });
  }
  return { id: found.id, outputs: outputsOf(scope, found) };
}

export const secretImport = defineResource({
  name: "secretImport",
  version: 1,
  doc:
    "A secret import: the folder `path` of `environment` also sees the secrets of `import_path` in " +
    "`import_environment` (same project). Read them, resolved, with the `secrets` lookup and `include_imports`.",
  importId:
    "`<projectId>:<environment>:<path>:<importId>`, e.g. `6f1c…:dev:/:0b7e…` (the id from `GET /api/v1/secret-imports`).",
  fields: secretImportFields,
  ops: {
    create: createImport,
    read: readImport,
    update: updateImport,
    // A move that is not a folder rename creates a new import at the end of the new folder's list.
    computedChanges: (_olds, news, diff) =>
      diff.changes.includes("path") ? ["secretImportId", ...(news.position === undefined ? ["position"] : [])] : [],
    delete: deleteImport,
    import: importImport,
  },
});
