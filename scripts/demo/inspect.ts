/**
 * How the demo looks at the outcome, the same for every face: Infisical's own legacy client,
 * the raw API record, the server's database files, the version history, an edit made behind the
 * tool's back, and what is left in the project.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import InfisicalClient from "infisical-node";
import { decryptSymmetric } from "../../src/provider/crypto";
import { resources } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { type DemoContext, ENVIRONMENT } from "./context";
import { mask } from "./report";

/** DB_HOST and API_KEY from `/`, DB_PASSWORD from `/db`, decrypted by infisical-node with `token`. */
export async function readWithInfisicalNode(host: string, token: string): Promise<Record<string, string>> {
  const client = new InfisicalClient({ token, siteURL: host, cacheTTL: 0 });
  const values: Record<string, string> = {};
  const root = await client.getAllSecrets({
    environment: ENVIRONMENT,
    path: "/",
    attachToProcessEnv: false,
    includeImports: false,
  });
  for (const s of root) if (s.secretName && s.secretValue !== undefined) values[s.secretName] = s.secretValue;
  const password = await client.getSecret("DB_PASSWORD", { environment: ENVIRONMENT, path: "/db", type: "shared" });
  if (password.secretValue) values.DB_PASSWORD = password.secretValue;
  return values;
}

export interface StoredSecret {
  id?: string;
  _id?: string;
  secretKeyCiphertext?: string;
  secretValueCiphertext?: string;
  secretValueIV?: string;
  secretValueTag?: string;
}

/** What any API client gets back: the raw stored record (ciphertext only); `version` asks for an older one. */
export async function storedSecret(
  host: string,
  token: string,
  projectId: string,
  path: string,
  name: string,
  version?: number,
): Promise<StoredSecret> {
  const bearer = token.split(".").slice(0, 3).join(".");
  const query = new URLSearchParams({
    workspaceId: projectId,
    environment: ENVIRONMENT,
    secretPath: path,
    type: "shared",
  });
  if (version !== undefined) query.set("version", String(version));
  const response = await fetch(`${host}/api/v3/secrets/${encodeURIComponent(name)}?${query}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  if (!response.ok) throw new Error(`reading the stored secret failed with HTTP ${response.status}`);
  return ((await response.json()) as { secret: StoredSecret }).secret;
}

/** Decrypts a stored record's value with the project key, here on the client. */
export async function decryptStoredValue(ctx: DemoContext, stored: StoredSecret): Promise<string> {
  const key = await ctx.session.projectKey(ctx.projectId);
  return decryptSymmetric(
    {
      ciphertext: stored.secretValueCiphertext ?? "",
      iv: stored.secretValueIV ?? "",
      tag: stored.secretValueTag ?? "",
    },
    key,
  );
}

export function databaseFiles(dataDir: string): string[] {
  return ["infisical-e2ee.sqlite", "infisical-e2ee.sqlite-wal"].map((f) => join(dataDir, f)).filter(existsSync);
}

/** Which of `needles` occur in `text` (as UTF-8 or base64 of UTF-8), masked for display. */
export function leakedValues(text: string | Buffer, needles: string[]): string[] {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return needles
    .filter(
      (needle) =>
        bytes.includes(Buffer.from(needle, "utf8")) ||
        bytes.includes(Buffer.from(Buffer.from(needle).toString("base64"))),
    )
    .map(mask);
}

/** Which of `needles` occur in any of the files (as UTF-8 or base64 of UTF-8). */
export function scanFiles(files: string[], needles: string[]): string[] {
  const found = new Set<string>();
  for (const file of files) for (const leak of leakedValues(readFileSync(file), needles)) found.add(leak);
  return [...found];
}

/**
 * Every stored version of a secret, decrypted here with the project key (the server cannot).
 * Read from the version table, not by guessing numbers: secrets created in one batch start at
 * version 0, a lone create at version 1.
 */
export async function versionHistory(
  ctx: DemoContext,
  secretId: string,
): Promise<{ version: number; value: string }[]> {
  const key = await ctx.session.projectKey(ctx.projectId);
  const db = new DatabaseSync(join(ctx.dataDir, "infisical-e2ee.sqlite"), { readOnly: true });
  try {
    const rows = db
      .prepare(
        "SELECT version, value_ciphertext, value_iv, value_tag FROM secret_versions WHERE secret_id = ? ORDER BY version",
      )
      .all(secretId) as { version: number; value_ciphertext: string; value_iv: string; value_tag: string }[];
    return rows.map((r) => ({
      version: r.version,
      value: decryptSymmetric({ ciphertext: r.value_ciphertext, iv: r.value_iv, tag: r.value_tag }, key),
    }));
  } finally {
    db.close();
  }
}

/** Another Infisical client with its own read/write token changes a value; the token is removed afterwards. */
export async function changeBehindTheBack(ctx: DemoContext, name: string, value: string): Promise<void> {
  const opCtx = { session: ctx.session, log: silentLogger };
  const created = await resources.serviceToken.ops.create(
    opCtx,
    resources.serviceToken.validated({
      projectId: ctx.projectId,
      name: "hand-edit",
      scopes: [{ environment: ENVIRONMENT, secretPath: "/**" }],
      permissions: ["read", "write"],
    }),
  );
  try {
    const client = new InfisicalClient({ token: created.outputs.token!, siteURL: ctx.server.url, cacheTTL: 0 });
    await client.updateSecret(name, value, { environment: ENVIRONMENT, path: "/", type: "shared" });
  } finally {
    await resources.serviceToken.ops.delete(opCtx, created.id, created.outputs);
  }
}

export async function whatIsLeft(ctx: DemoContext) {
  const api = ctx.session.api;
  const { workspace } = await api.projects.get(ctx.projectId);
  const environments = (workspace?.environments ?? []).map((e) => e.slug);
  let secrets = 0;
  for (const environment of environments) {
    secrets += (await ctx.session.secrets.list({ projectId: ctx.projectId, environment, path: "/" }, { fresh: true }))
      .length;
  }
  const { memberships } = await api.memberships.list(ctx.projectId);
  const members = memberships.map((m) => (m as unknown as { user?: { email?: string } }).user?.email ?? "?");
  const { serviceTokenData } = await api.serviceTokens.list(ctx.projectId);
  return { environments, secrets, members, tokens: serviceTokenData.map((t) => t.name) };
}
