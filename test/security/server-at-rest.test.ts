/**
 * What the embedded server keeps: after secrets are created, renamed, read, deleted and
 * rejected with canary names, values and comments, neither its SQLite files (WAL included, read
 * as raw bytes) nor its log lines hold any of them, nor the password, project key, private key
 * or service-token keys. Names travel in URL paths, so the server sees them, but it must not
 * persist or log them (audit metadata included).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { resources } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { loginOnce } from "../../src/provider/session/login";
import { startServer } from "../../src/server";
import { canary, captureError, foundIn } from "./canaries";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "security-at-rest-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const upperName = (label: string) => canary(label).replaceAll("-", "_").toUpperCase();

test("server at rest: SQLite files and logs hold no names, plaintexts, keys or passwords", async () => {
  const logLines: string[] = [];
  const server = await startServer({ port: 0, dataDir, log: (line) => logLines.push(line) });
  const email = "at-rest@example.com";
  const secrets: Record<string, string> = {
    password: canary("password"),
    name: upperName("name"),
    renamed: upperName("renamed"),
    missingName: upperName("missing"),
    batchName: upperName("batch"),
    value: canary("value"),
    comment: canary("comment"),
    newValue: canary("new-value"),
  };
  const boot = await bootstrap({ host: server.url, email, password: secrets.password!, projectName: "at-rest" });
  secrets.bootstrapTokenKey = boot.serviceToken.split(".")[3]!;
  const session = openSession({ host: server.url, email, password: secrets.password }, { env: {} });
  const ctx = { session, log: silentLogger };
  const location = { projectId: boot.projectId, environment: "dev", path: "/" };
  try {
    secrets.projectKey = await session.projectKey(boot.projectId);
    secrets.privateKey = (await loginOnce(session.api, { email, password: secrets.password! }, session)).privateKey;

    const created = await resources.secret.ops.create(
      ctx,
      resources.secret.validated({ ...location, key: secrets.name, value: secrets.value, comment: secrets.comment }),
    );
    const renamed = await resources.secret.ops.update(
      ctx,
      created.id,
      created.outputs,
      resources.secret.validated({ ...location, key: secrets.renamed, value: secrets.newValue, comment: "" }),
    );
    // Concurrent creates go through the batch route, whose body names each secret in clear.
    await Promise.all([
      session.secrets.create(location, { key: secrets.batchName!, value: secrets.value!, comment: secrets.comment! }),
      session.secrets.create(location, { key: `${secrets.batchName}_2`, value: secrets.value!, comment: "" }),
    ]);
    await captureError(() =>
      session.secrets.create(location, { key: secrets.renamed!, value: secrets.value!, comment: "" }),
    );
    await captureError(() =>
      session.secrets.update(location, { key: secrets.missingName!, value: secrets.value!, comment: "" }),
    );
    await session.secrets.delete(location, secrets.missingName!);
    const token = await resources.serviceToken.ops.create(
      ctx,
      resources.serviceToken.validated({
        projectId: boot.projectId,
        name: "at-rest",
        scopes: [{ environment: "dev", secretPath: "/" }],
        permissions: ["read"],
      }),
    );
    secrets.createdTokenKey = token.outputs.token!.split(".")[3]!;
    await resources.secret.ops.delete(ctx, created.id, renamed);
  } finally {
    await session.close();
    await server.close();
  }

  const files = filesUnder(dataDir);
  assert.ok(
    files.some((f) => /\.(db|sqlite)/.test(f)),
    `no database file in ${files.join(", ")}`,
  );
  let bytes = 0;
  for (const file of files) {
    const content = readFileSync(file);
    bytes += content.length;
    // Text is stored as UTF-8; canaries are ASCII, so a byte-level search finds them anywhere.
    const text = content.toString("latin1");
    assert.deepEqual(foundIn(text, secrets), [], `${path.basename(file)} holds plaintext`);
  }
  assert.ok(bytes > 10_000, `only ${bytes} bytes on disk`);
  assert.ok(logLines.length > 10, "the server logged requests");
  assert.deepEqual(foundIn(logLines.join("\n"), secrets), [], "a server log line holds plaintext");
});
