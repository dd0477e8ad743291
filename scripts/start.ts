/**
 * `npm start`: the embedded server alone, with a persistent data directory
 * (./.infisical-e2ee-data, or INFISICAL_E2EE_DATA), seeded on first start (admin, organization,
 * project, service token) and reusing that seed on restart. Prints the environment variables for
 * `pulumi up` / `terraform apply` / `cdktn deploy` in another shell. Ctrl-C stops it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bootstrap } from "../src/provider/bootstrap";
import { randomHex } from "../src/provider/crypto";
import { startServer } from "../src/server";

interface Seed {
  email: string;
  password: string;
  projectId: string;
  serviceToken: string;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.INFISICAL_E2EE_DATA ?? ".infisical-e2ee-data");
  const port = Number(process.env.PORT ?? 8080);
  // The database holds ciphertexts and password hashes: this user only (the key files are 0600).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const server = await startServer({ port, dataDir }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`port ${port} is already in use; set PORT to another port (e.g. PORT=8081 npm start)`, {
        cause: error,
      });
    }
    throw error;
  });
  const seedFile = join(dataDir, "seed.json");
  let seed: Seed;
  if (existsSync(seedFile)) {
    seed = JSON.parse(readFileSync(seedFile, "utf8")) as Seed;
  } else {
    const email = "admin@example.com";
    const password = randomHex(16);
    const result = await bootstrap({ host: server.url, email, password, projectName: "local" });
    seed = { email, password, projectId: result.projectId, serviceToken: result.serviceToken };
    // The seed holds local credentials: readable by this user only.
    writeFileSync(seedFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
  }
  process.stdout.write(
    [
      `infisical-e2ee server listening on ${server.url} (data: ${dataDir})`,
      "",
      "# In another shell:",
      `export INFISICAL_HOST=${shellQuote(server.url)} INFISICAL_TOKEN=${shellQuote(seed.serviceToken)} INFISICAL_EMAIL=${shellQuote(seed.email)} INFISICAL_PASSWORD=${shellQuote(seed.password)}`,
      `export INFISICAL_PROJECT_ID=${shellQuote(seed.projectId)}`,
      "",
      "Ctrl-C stops the server; the data stays for the next start.",
      "",
    ].join("\n"),
  );
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
