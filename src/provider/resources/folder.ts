/**
 * A secret folder. Its `fullPath` is what a secret's `path` references, so the folder is created
 * first and renamed in place (the secrets in it move along on the server). Deleting a folder on the
 * server deletes everything in it, so a non-empty folder is only deleted with `forceDelete`.
 */
import type { FolderScope } from "../api/folders";
import type { WireFolder } from "../api/wire";
import { ConflictError, FolderNotEmptyError, NotFoundError, ValidationError } from "../errors";
import { bool, type InputsOf, isUnknown, type OutputsOf, str } from "../schema/fields";
import { defineResource, type Inputs, type Outputs, type ResourceContext } from "../schema/resource";
import { homeEnvironmentField, projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import { validateFolderName, validateFolderPath } from "./validation";

export const folderFields = {
  projectId: projectIdField(),
  environment: homeEnvironmentField(),
  path: str({
    default: "/",
    validate: validateFolderPath,
    doc: "Path of the parent folder, `/` for the root, e.g. `/app`; may reference the parent's `full_path`. Missing parents are created (as the server does). The server cannot move a folder: a change is accepted in place when a parent was renamed (the folder moved along); any other change is refused, naming `path` (replace the folder instead).",
  }),
  name: str({
    required: true,
    validate: validateFolderName,
    doc: "Folder name (`^[a-zA-Z0-9_-]+$`, case-sensitive, at most 64 characters). Renames in place: the secrets and subfolders in it move along.",
  }),
  forceDelete: bool({
    default: false,
    doc: "Allow deleting the folder while it holds secrets or subfolders (the server deletes them with it). Off: a destroy of a non-empty folder fails with `ERR_FOLDER_NOT_EMPTY`. Apply it before the destroy, like any setting.",
  }),
  adopt: bool({
    default: false,
    faces: ["pulumi"],
    doc: "If this folder already exists, take it over (with what it holds) instead of failing; Pulumi's dynamic providers cannot `pulumi import`.",
  }),
  fullPath: str({
    computed: true,
    doc: "The folder's own path, e.g. `/app/db`: reference it as a secret's `path` to order the secret after the folder. Known at plan time when `path` and `name` are.",
  }),
  folderId: str({ computed: true, doc: "Server-side ID of the folder." }),
};

type FolderInputs = InputsOf<typeof folderFields>;
type FolderOutputs = OutputsOf<typeof folderFields>;

export function joinFolderPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

function scopeOf(o: { projectId?: string; environment?: string }): FolderScope {
  return { workspaceId: o.projectId!, environment: o.environment! };
}

function outputsOf(inputs: FolderInputs | FolderOutputs, parent: string, folder: WireFolder): FolderOutputs {
  return {
    projectId: inputs.projectId,
    environment: inputs.environment,
    path: parent,
    name: folder.name,
    forceDelete: inputs.forceDelete ?? false,
    adopt: inputs.adopt ?? false,
    fullPath: joinFolderPath(parent, folder.name),
    folderId: folder.id,
  };
}

/** `fullPath` follows from the inputs alone, so a plan shows it (and a secret's `path` that references it). */
function plannedFolderOutputs(news: Inputs): Outputs {
  const { path, name } = news;
  if (typeof path !== "string" || typeof name !== "string" || isUnknown(path) || isUnknown(name)) return {};
  return { fullPath: joinFolderPath(path, name) };
}

async function childrenOf(ctx: ResourceContext, scope: FolderScope, path: string): Promise<WireFolder[]> {
  return (await ctx.session.api.folders.list(scope, path)).folders;
}

async function createFolder(ctx: ResourceContext, inputs: FolderInputs) {
  const scope = scopeOf(inputs);
  const parent = inputs.path ?? "/";
  // The server answers an existing folder as if it had created it; taking over a folder (and
  // later deleting what it holds) must be an explicit import instead.
  const existing = (await childrenOf(ctx, scope, parent)).find((f) => f.name === inputs.name);
  if (existing && inputs.adopt) return { id: existing.id, outputs: outputsOf(inputs, parent, existing) };
  if (existing) {
    throw new ConflictError({
      operation: "create folder",
      reason: `a folder ${joinFolderPath(parent, inputs.name)} already exists; import it (Pulumi: set adopt) instead`,
    });
  }
  const { folder } = await ctx.session.api.folders.create(scope, parent, inputs.name);
  return { id: folder.id, outputs: outputsOf(inputs, parent, folder) };
}

/** The folder's parent path from its chain of parents (the root folder has no parent). */
async function parentPathOf(ctx: ResourceContext, folder: WireFolder): Promise<string | undefined> {
  const names: string[] = [];
  let parentId = folder.parentId;
  // A chain deeper than this is not a tree the server can hold; stop rather than loop.
  for (let depth = 0; parentId && depth < 256; depth++) {
    const parent = await unlessGone(ctx.session.api.folders.get(parentId));
    if (!parent) return undefined;
    if (!parent.folder.parentId) return names.length === 0 ? "/" : `/${names.reverse().join("/")}`;
    names.push(parent.folder.name);
    parentId = parent.folder.parentId;
  }
  return undefined;
}

/**
 * One list of the parent finds the folder by id (a rename outside shows as drift on `name`). Not
 * there: either it is gone, or a parent was renamed outside, and then `path` reports where it is.
 */
async function readFolder(ctx: ResourceContext, id: string, state: FolderOutputs) {
  const scope = scopeOf(state);
  const parent = state.path ?? "/";
  const listed = await unlessGone(childrenOf(ctx, scope, parent));
  const found = listed?.find((f) => f.id === id);
  if (found) return outputsOf(state, parent, found);
  const direct = await unlessGone(ctx.session.api.folders.get(id));
  if (!direct) return undefined;
  const actualParent = await parentPathOf(ctx, direct.folder);
  return actualParent === undefined ? undefined : outputsOf(state, actualParent, direct.folder);
}

/**
 * A new parent `path` is only possible when a parent folder was renamed (this folder moved along,
 * same id, and a child's `path` referencing the parent's `fullPath` follows): the server cannot move
 * a folder. Anything else is refused naming `path`, before any write.
 */
async function followParent(ctx: ResourceContext, id: string, news: FolderInputs): Promise<WireFolder> {
  const parent = news.path ?? "/";
  const there = (await unlessGone(childrenOf(ctx, scopeOf(news), parent)))?.find((f) => f.id === id);
  if (there) return there;
  throw new ValidationError("folder", [
    {
      path: "path",
      reason: `the server cannot move a folder: it is not under ${parent} (only renaming a parent folder moves it). Replace it instead (terraform apply -replace=<address>; Pulumi: replaceOnChanges ["path"])`,
    },
  ]);
}

async function updateFolder(ctx: ResourceContext, id: string, olds: FolderOutputs, news: FolderInputs) {
  const parent = news.path ?? "/";
  const moved = parent !== (olds.path ?? "/");
  const current = moved ? await followParent(ctx, id, news) : undefined;
  const name = current?.name ?? olds.name;
  if (news.name === name) {
    const kept = current ? outputsOf(news, parent, current) : { ...olds };
    return { ...kept, forceDelete: news.forceDelete ?? false, adopt: news.adopt ?? false };
  }
  const { folder } = await ctx.session.api.folders.rename(scopeOf(olds), id, parent, news.name);
  return outputsOf(news, parent, folder);
}

async function deleteFolder(ctx: ResourceContext, id: string, state: FolderOutputs) {
  const scope = scopeOf(state);
  const parent = state.path ?? "/";
  const fullPath = state.fullPath ?? joinFolderPath(parent, state.name!);
  if (!state.forceDelete) {
    const [{ secrets }, subfolders] = await Promise.all([
      ctx.session.api.secrets.list({ ...scope, secretPath: fullPath }),
      childrenOf(ctx, scope, fullPath),
    ]);
    if (secrets.length > 0 || subfolders.length > 0) {
      throw new FolderNotEmptyError(
        fullPath,
        secrets.length,
        subfolders.map((f) => f.name),
      );
    }
  }
  try {
    await ctx.session.api.folders.delete(scope, id, parent);
  } catch (error) {
    // Already gone (or its parent is): done.
    if (!(error instanceof NotFoundError)) throw error;
  }
}

function parentAndName(fullPath: string): [string, string] {
  const at = fullPath.lastIndexOf("/");
  return [at === 0 ? "/" : fullPath.slice(0, at), fullPath.slice(at + 1)];
}

async function importFolder(ctx: ResourceContext, importId: string) {
  const [projectId, environment, fullPath] = splitImportId("folder", importId, ["projectId", "environment", "path"]);
  const problem = fullPath === "/" ? "the root folder cannot be managed" : validateFolderPath(fullPath!);
  if (problem) throw new ValidationError("folder", [{ path: "importId", reason: `path ${problem}` }]);
  const [parent, name] = parentAndName(fullPath!);
  const inputs = folder.validated({ projectId, environment, path: parent, name }) as FolderInputs;
  const found = (await childrenOf(ctx, scopeOf(inputs), parent)).find((f) => f.name === name);
  if (!found) {
    throw new NotFoundError({
      operation: "import folder",
      reason: `no folder ${fullPath} in environment ${JSON.stringify(environment)}`,
    });
  }
  return { id: found.id, outputs: outputsOf(inputs, parent, found) };
}

export const folder = defineResource({
  name: "folder",
  version: 1,
  doc: "A secret folder in a project environment, e.g. `/app/db`. Folder names are plaintext on the server.",
  importId: "`<projectId>:<environment>:<path>` with the folder's full path, e.g. `6f1c…:dev:/app/db`.",
  adoptField: "adopt",
  fields: folderFields,
  ops: {
    create: createFolder,
    read: readFolder,
    update: updateFolder,
    delete: deleteFolder,
    import: importFolder,
    // A rename (its own or a parent's) changes the full path only, and that is planned known; the id stays.
    computedChanges: (_olds, _news, diff) =>
      diff.changes.includes("name") || diff.changes.includes("path") ? ["fullPath"] : [],
    plannedOutputs: plannedFolderOutputs,
  },
});
