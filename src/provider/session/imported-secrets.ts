/**
 * The effective secrets of a folder with its imports, resolved on this machine as the real server
 * of 2024 resolves a single name (routes-more.md §3, "Precedence"): the folder's own shared secret
 * wins; otherwise the imports are searched from the highest position down to 1 (the last import
 * wins), and inside one import from its start, so the source's own secret beats those it imports
 * itself. Imported secrets arrive encrypted and are decrypted here with the project key.
 */
import type { WireImportEntry } from "../api/secret-imports";
import type { WireSecret } from "../api/wire";
import { decryptSecret } from "./secret-codec";
import type { PlainSecret, SecretLocation, Session } from "./session";

/** Where an effective secret comes from: the folder itself or one import's source. */
export interface SecretOrigin {
  environment: string;
  path: string;
}

export interface EffectiveSecret extends PlainSecret, SecretOrigin {}

/** One import as the server lists it, decrypted, in position order. */
export interface ImportedGroup extends SecretOrigin {
  secrets: PlainSecret[];
}

const isShared = (s: { type?: string }) => (s.type ?? "shared") === "shared";

/** Pure precedence rule; `imports` in ascending position, as the server sends them. */
export function resolveEffectiveSecrets(
  own: PlainSecret[],
  ownOrigin: SecretOrigin,
  imports: ImportedGroup[],
): EffectiveSecret[] {
  const byKey = new Map<string, EffectiveSecret>();
  for (const secret of own.filter(isShared)) {
    if (!byKey.has(secret.key)) byKey.set(secret.key, { ...secret, ...ownOrigin });
  }
  for (let i = imports.length - 1; i >= 0; i--) {
    const group = imports[i]!;
    for (const secret of group.secrets.filter(isShared)) {
      if (!byKey.has(secret.key))
        byKey.set(secret.key, { ...secret, environment: group.environment, path: group.path });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One list call with `include_imports=true`, decrypted and resolved; never served from a snapshot. */
export async function readEffectiveSecrets(session: Session, location: SecretLocation): Promise<EffectiveSecret[]> {
  const projectKey = await session.projectKey(location.projectId);
  const answer = await session.api.secretImports.secretsWithImports({
    workspaceId: location.projectId,
    environment: location.environment,
    secretPath: location.path,
  });
  const open = (secrets: WireSecret[]) => secrets.filter(isShared).map((s) => decryptSecret(projectKey, s));
  const imports = (answer.imports ?? []).map((entry: WireImportEntry) => ({
    environment: entry.environment,
    path: entry.secretPath,
    secrets: open(entry.secrets ?? []),
  }));
  return resolveEffectiveSecrets(
    open(answer.secrets ?? []),
    { environment: location.environment, path: location.path },
    imports,
  );
}
