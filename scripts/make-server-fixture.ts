/**
 * Writes an embedded-server data folder the way a user's server fills it, for the upgrade
 * fixture in test/fixtures/server-<version>/ (see its README). It drives the server only over
 * HTTP, as clients do, and records the credentials and plaintexts a test needs in
 * `manifest.json`. Run with the server build under test:
 *   npm run build && node dist/scripts/make-server-fixture.js <out-dir>
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startServer } from "../src/server";
import { packageVersion } from "../src/version";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  login,
  RawClient,
  signupAdmin,
} from "../test/server/helpers";
import type { FixtureSecret } from "../test/server/process";

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? "test/fixtures/server-fixture");
  mkdirSync(out, { recursive: true });
  if (readdirSync(out).some((f) => f.includes("sqlite") || f === "server-keys.json")) {
    throw new Error(`${out} already holds a data folder`);
  }
  const dataDir = join(out, "data");
  const server = await startServer({ port: 0, dataDir });
  const client = new RawClient(server.url);
  const admin = { email: "admin@example.com", password: "fixture-admin-password-1" };
  const member = { email: "member@example.com", password: "fixture-member-password-1" };
  await signupAdmin(client, admin.email, admin.password);
  const adminSession = await login(client, admin.email, admin.password);
  const project = await createProject(client, adminSession, "Fixture Project");
  const memberSession = await inviteUser(client, adminSession, member.email, member.password);
  await addMember(client, adminSession, project, memberSession);
  const token = await createServiceToken(client, adminSession, project, {
    name: "fixture token",
    scopes: [{ environment: "dev", secretPath: "/**" }],
  });

  const secrets: FixtureSecret[] = [];
  const expect = async (label: string, reply: Promise<{ status: number; body: unknown }>) => {
    const r = await reply;
    if (r.status !== 200) throw new Error(`${label}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const at = (environment: string, path: string) => ({ workspaceId: project.id, environment, secretPath: path });
  const create = async (s: FixtureSecret, bearer: string) => {
    await expect(
      `create ${s.name}`,
      client.post(
        `/api/v3/secrets/${encodeURIComponent(s.name)}`,
        {
          ...at(s.environment, s.path),
          type: s.type,
          ...encryptSecret(project.projectKey, s.name, s.value, s.comment),
        },
        bearer,
      ),
    );
    secrets.push(s);
  };

  await create(
    {
      environment: "dev",
      path: "/",
      name: "DATABASE_URL",
      type: "shared",
      value: "postgres://app:fixture@db/app",
      comment: "primary database",
      version: 1,
    },
    adminSession.token,
  );
  // Updated once through the service token: version 2 with one earlier value.
  const apiKey: FixtureSecret = {
    environment: "dev",
    path: "/",
    name: "API_KEY",
    type: "shared",
    value: "api-key-v1",
    version: 1,
  };
  await create(apiKey, token.token);
  await expect(
    "update API_KEY",
    client.patch(
      "/api/v3/secrets/API_KEY",
      { ...at("dev", "/"), type: "shared", ...encryptSecret(project.projectKey, "API_KEY", "api-key-v2") },
      token.token,
    ),
  );
  Object.assign(apiKey, { value: "api-key-v2", version: 2, history: ["api-key-v1"] });
  await create(
    { environment: "dev", path: "/", name: "FEATURE_FLAG", type: "shared", value: "off", version: 1 },
    adminSession.token,
  );
  await create(
    {
      environment: "dev",
      path: "/",
      name: "FEATURE_FLAG",
      type: "personal",
      owner: admin.email,
      value: "on-for-admin",
      version: 1,
    },
    adminSession.token,
  );
  await expect(
    "folder /app/db",
    client.post(
      "/api/v1/folders",
      { workspaceId: project.id, environment: "dev", path: "/app", name: "db" },
      token.token,
    ),
  );
  await create(
    { environment: "dev", path: "/app/db", name: "DB_PASSWORD", type: "shared", value: "s3cr3t-in-folder", version: 1 },
    token.token,
  );
  // A batch create (stored with version 0, as on the real server).
  const batch = ["BATCH_A", "BATCH_B"].map((name) => ({ name, value: `${name.toLowerCase()}-value` }));
  await expect(
    "batch",
    client.post(
      "/api/v3/secrets/batch",
      {
        ...at("dev", "/"),
        secrets: batch.map((b) => ({ secretName: b.name, ...encryptSecret(project.projectKey, b.name, b.value) })),
      },
      adminSession.token,
    ),
  );
  for (const b of batch)
    secrets.push({ environment: "dev", path: "/", name: b.name, type: "shared", value: b.value, version: 0 });
  await create(
    {
      environment: "staging",
      path: "/",
      name: "DATABASE_URL",
      type: "shared",
      value: "postgres://staging",
      version: 1,
    },
    memberSession.token,
  );
  await server.close();

  const manifest = {
    madeWith: `infisical-e2ee ${packageVersion()} (scripts/make-server-fixture.ts)`,
    note: "Test-only credentials and plaintexts for the upgrade fixture; nothing here is a real secret.",
    admin,
    member,
    project: { id: project.id, slug: project.slug, name: "Fixture Project" },
    serviceToken: { token: token.token, scopes: [{ environment: "dev", secretPath: "/**" }] },
    folders: [{ environment: "dev", path: "/app/db" }],
    secrets,
  };
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${dataDir}: ${readdirSync(dataDir).join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
