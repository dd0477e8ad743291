/**
 * Enabling blind indices on a project from before April 2023 (routes-more.md §5), as Infisical's
 * own web app does: an admin lists every encrypted secret of the project, this machine decrypts
 * only their names with the project key, and the names go back with their ids so the server can
 * index them. Refuses to submit when two secrets would share an index (same environment, folder,
 * type and owner, same trimmed name): the real server would silently create that collision.
 * Values are never decrypted.
 */
import type { SecretNameItem, WireProjectSecret } from "./api/blind-indexes";
import { decryptSymmetric } from "./crypto";
import { ConflictError, CryptoError, PermissionDeniedError } from "./errors";
import { type Logger, silentLogger } from "./schema/resource";
import { openSession, type Session } from "./session";

export interface EnableBlindIndicesOptions {
  host: string;
  /** An admin of the project (the built-in admin role, permanent or temporary). */
  email: string;
  password: string;
  projectId: string;
  allowInsecureHttp?: boolean;
  organizationId?: string;
  log?: Logger;
}

export interface EnableBlindIndicesResult {
  projectId: string;
  /** True when every secret had an index already; nothing was sent. */
  alreadyEnabled: boolean;
  /** Secrets whose names were submitted. */
  indexed: number;
  /** The status the server gives afterwards (true once every secret has an index). */
  enabled: boolean;
}

/** Names per request: the embedded server's limit; one request (all-or-nothing) for any usual project. */
export const NAMES_PER_REQUEST = 5000;

export async function enableBlindIndices(options: EnableBlindIndicesOptions): Promise<EnableBlindIndicesResult> {
  const log = options.log ?? silentLogger;
  const session = openSession(
    {
      host: options.host,
      email: options.email,
      password: options.password,
      organizationId: options.organizationId,
      allowInsecureHttp: options.allowInsecureHttp,
    },
    { env: {}, log },
  );
  try {
    return await enableWith(session, options.projectId, log);
  } finally {
    await session.close();
  }
}

async function enableWith(session: Session, projectId: string, log: Logger): Promise<EnableBlindIndicesResult> {
  const { api } = session;
  if ((await api.blindIndexes.status(projectId)) === true) {
    return { projectId, alreadyEnabled: true, indexed: 0, enabled: true };
  }
  let secrets: WireProjectSecret[];
  try {
    ({ secrets } = await api.blindIndexes.listAll(projectId));
  } catch (error) {
    if (error instanceof PermissionDeniedError && /must be/i.test(error.serverMessage ?? "")) {
      throw new PermissionDeniedError({
        operation: "enable blind indices",
        reason: `only an admin of project ${projectId} can list its secrets and submit their names (the server answered "User must be admin"); log in as an admin, or have one run this`,
      });
    }
    throw error;
  }
  const projectKey = await session.projectKey(projectId);
  const items = secrets.map((s) => ({ secret: s, name: decryptName(projectKey, s) }));
  const collisions = findCollisions(items);
  if (collisions.length > 0) throw await collisionError(session, projectId, collisions);
  const names: SecretNameItem[] = items.map(({ secret, name }) => ({ secretId: secret.id, secretName: name }));
  for (let at = 0; at < names.length; at += NAMES_PER_REQUEST) {
    await api.blindIndexes.submitNames(projectId, names.slice(at, at + NAMES_PER_REQUEST));
  }
  log.info("submitted secret names", { projectId, count: names.length });
  const enabled = (await api.blindIndexes.status(projectId)) === true;
  return { projectId, alreadyEnabled: false, indexed: names.length, enabled };
}

/** The name only (never the value), trimmed as the server trims it before indexing. */
function decryptName(projectKey: string, secret: WireProjectSecret): string {
  try {
    return decryptSymmetric(
      { ciphertext: secret.secretKeyCiphertext, iv: secret.secretKeyIV, tag: secret.secretKeyTag },
      projectKey,
    ).trim();
  } catch (cause) {
    throw new CryptoError(
      "decrypt-secret",
      `secret ${secret.id}: its name did not decrypt with the project key; nothing was submitted`,
      { cause },
    );
  }
}

interface Collision {
  environment: string;
  folderId: string;
  type: string;
  name: string;
  secretIds: string[];
}

/** Secrets a by-name lookup could not tell apart: same folder, type, owner (personal) and name. */
export function findCollisions(items: { secret: WireProjectSecret; name: string }[]): Collision[] {
  const groups = new Map<string, Collision>();
  for (const { secret, name } of items) {
    const type = secret.type ?? "shared";
    const owner = type === "personal" ? (secret.userId ?? "") : "";
    const key = JSON.stringify([secret.environment, secret.folderId, type, owner, name]);
    const group = groups.get(key);
    if (group) group.secretIds.push(secret.id);
    else
      groups.set(key, {
        environment: secret.environment,
        folderId: secret.folderId,
        type,
        name,
        secretIds: [secret.id],
      });
  }
  return [...groups.values()].filter((g) => g.secretIds.length > 1);
}

async function collisionError(session: Session, projectId: string, collisions: Collision[]): Promise<ConflictError> {
  const paths = await folderPaths(session, projectId, collisions);
  const described = collisions.map((c) => {
    const where = paths.get(c.folderId) ?? `folder ${c.folderId}`;
    const kind = c.type === "personal" ? " (one user's personal overrides)" : "";
    return `environment ${JSON.stringify(c.environment)}, ${where}, name ${JSON.stringify(c.name)}${kind}: secrets ${c.secretIds.join(", ")}`;
  });
  return new ConflictError({
    operation: "enable blind indices",
    reason:
      `nothing was submitted: ${collisions.length === 1 ? "two secrets decrypt" : "secrets decrypt"} to the same name in one environment and folder, ` +
      `which the server would index as one (by-name reads and writes would hit either): ${described.join("; ")}. ` +
      "Keep one of each: delete or rename the others (a copy created since the project was migrated can be deleted by name), then run this again",
  });
}

/** Folder ids to paths, walking only the environments that have collisions (names are not secret values). */
async function folderPaths(session: Session, projectId: string, collisions: Collision[]): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const wanted = new Set(collisions.map((c) => c.folderId));
  for (const environment of new Set(collisions.map((c) => c.environment))) {
    const queue = ["/"];
    const byId = new Map<string, string>();
    let complete = false;
    try {
      while (queue.length > 0 && byId.size < 10_000) {
        const parent = queue.shift()!;
        const { folders } = await session.api.folders.list({ workspaceId: projectId, environment }, parent);
        for (const folder of folders) {
          const path = parent === "/" ? `/${folder.name}` : `${parent}/${folder.name}`;
          byId.set(folder.id, path);
          queue.push(path);
        }
      }
      complete = queue.length === 0;
    } catch {
      // Paths only improve the message; folder ids still say where.
    }
    for (const c of collisions) {
      if (c.environment !== environment || !wanted.has(c.folderId)) continue;
      // The root folder is the one id no listing names.
      const path = byId.get(c.folderId) ?? (complete ? "/" : undefined);
      if (path) paths.set(c.folderId, `path ${path}`);
    }
  }
  return paths;
}
