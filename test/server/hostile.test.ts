/**
 * Issue #12, findings 2, 4, 5, 8 and 9, each against a real `infisical-e2ee server` process over
 * loopback HTTP, the way a hostile holder of a valid (weaker) credential or a web page would try.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import { allRoutes } from "../../src/server/routes";
import {
  createProject,
  createServiceToken,
  encryptSecret,
  fetchProjectKey,
  inviteUser,
  type Json,
  login,
  type Session,
  signupAdmin,
  type TestProject,
} from "./helpers";
import { CLI, copyFixture, fixturePath, type ServerProcess, startServerProcess } from "./process";

const randomName = () => `NOPE_${randomBytes(8).toString("hex").toUpperCase()}`;

/** One request with headers fetch will not send (Host), over a fresh connection. */
function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface Team {
  server: ServerProcess;
  admin: Session;
  project: TestProject;
  reader: string;
  writer: string;
  where: { workspaceId: string; environment: string; secretPath: string };
}

async function team(args: string[] = []): Promise<Team> {
  const server = await startServerProcess(["--quiet", ...args]);
  await signupAdmin(server.client, "admin@example.com", "admin-password-1");
  const admin = await login(server.client, "admin@example.com", "admin-password-1");
  const project = await createProject(server.client, admin);
  const reader = (await createServiceToken(server.client, admin, project, { permissions: ["read"] })).token;
  const writer = (await createServiceToken(server.client, admin, project)).token;
  return {
    server,
    admin,
    project,
    reader,
    writer,
    where: { workspaceId: project.id, environment: "dev", secretPath: "/" },
  };
}

describe("finding 2: bounded work per request", () => {
  let t: Team;
  before(async () => {
    t = await team();
  });
  after(() => t.server.stop());

  it("a flood of unknown names from weaker tokens is answered 400 while another member's reads and writes all succeed", async () => {
    const { client } = t.server;
    const member = await inviteUser(client, t.admin, "member@example.com", "member-password-1");
    const other = await createProject(client, member, "Other Team");
    const otherWhere = { workspaceId: other.id, environment: "dev", secretPath: "/" };
    assert.equal(
      (
        await client.post(
          "/api/v3/secrets/OTHER",
          { ...otherWhere, ...encryptSecret(other.projectKey, "OTHER", "v") },
          member.token,
        )
      ).status,
      200,
    );
    const unknownBatch = () => ({
      ...t.where,
      secrets: Array.from({ length: 500 }, () => ({ secretName: randomName(), type: "shared" })),
    });
    const floodStatuses: number[] = [];
    let stop = false;
    const lookups = Array.from({ length: 16 }, async () => {
      while (!stop) floodStatuses.push((await client.get(`/api/v3/secrets/${randomName()}`, t.reader, t.where)).status);
    });
    const deletes = Array.from({ length: 3 }, async () => {
      while (!stop) floodStatuses.push((await client.delete("/api/v3/secrets/batch", unknownBatch(), t.writer)).status);
    });
    const victim: number[] = [];
    for (let i = 0; i < 20; i++) {
      victim.push((await client.get("/api/v3/secrets/OTHER", member.token, otherWhere)).status);
      victim.push(
        (
          await client.post(
            `/api/v3/secrets/V_${i}`,
            { ...otherWhere, ...encryptSecret(other.projectKey, `V_${i}`, "v") },
            member.token,
          )
        ).status,
      );
    }
    stop = true;
    await Promise.all([...lookups, ...deletes]);
    assert.deepEqual(new Set(victim), new Set([200]));
    assert.ok(floodStatuses.length >= 19, `flood answered ${floodStatuses.length} requests`);
    assert.deepEqual(new Set(floodStatuses), new Set([400]));
    // Nothing the flood named was written or deleted.
    const list = await client.get("/api/v3/secrets", member.token, otherWhere);
    assert.equal(list.body.secrets.length, 21);
  });
});

describe("finding 2: a client that hangs up mid-body", () => {
  it("is answered as gone (499 in the log, never a 5xx), and the server still closes at once", async () => {
    const server = await startServerProcess([]);
    const { port } = new URL(server.url);
    for (let i = 0; i < 5; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(
        `POST /api/v3/secrets/X HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 100000\r\n\r\n{"workspaceId":',
      );
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
    }
    const status = await server.client.get("/api/status");
    assert.equal(status.status, 200);
    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
    const posts = server.stderr.filter((l) => l.startsWith("POST /api/v3/secrets/:secretName"));
    assert.equal(posts.length, 5, server.stderr.join("\n"));
    assert.ok(
      posts.every((l) => / 499 /.test(l)),
      posts.join("\n"),
    );
  });
});

describe("finding 2: a 0.1.0 (Argon2id) project under a hostile caller", () => {
  const dataDir = copyFixture("server-0.1.0");
  const manifest = JSON.parse(readFileSync(fixturePath("server-0.1.0", "manifest.json"), "utf8"));
  const where = { workspaceId: manifest.project.id as string, environment: "dev", secretPath: "/" };
  const token = manifest.serviceToken.token as string;
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dirname(dataDir), { recursive: true, force: true });
  });

  it("a batch delete whose first name is unknown is refused before the other names cost anything", async () => {
    server = await startServerProcess(["--data", dataDir, "--quiet"]);
    // 300 Argon2id computations would take the server's one Argon2 slot for half a minute or more;
    // refused at the first, the request ends and the next lookup is not queued behind them.
    const names = [randomName(), ...Array.from({ length: 299 }, randomName)];
    const refused = await server.client.delete(
      "/api/v3/secrets/batch",
      { ...where, secrets: names.map((secretName) => ({ secretName })) },
      token,
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.message, "Secret not found");
    const known = await server.client.get("/api/v3/secrets/DATABASE_URL", token, where);
    assert.equal(known.status, 200);
  });

  it("work stops when the client goes away: an abandoned batch create writes nothing", async () => {
    server ??= await startServerProcess(["--data", dataDir, "--quiet"]);
    const admin = await login(server.client, manifest.admin.email, manifest.admin.password);
    const key = await fetchProjectKey(server.client, admin, where.workspaceId);
    const names = Array.from({ length: 100 }, (_, i) => `ABANDONED_${i}`);
    const controller = new AbortController();
    const abandoned = fetch(`${server.url}/api/v3/secrets/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        ...where,
        secrets: names.map((secretName) => ({ secretName, ...encryptSecret(key, secretName, "v") })),
      }),
      signal: controller.signal,
    }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    assert.equal(await abandoned, "aborted");
    // This lookup needs the Argon2 slot: had the abandoned batch gone on, it would wait for all
    // 100 of its computations, after which the batch would have committed.
    assert.equal((await server.client.get(`/api/v3/secrets/${randomName()}`, token, where)).status, 400);
    const list = await server.client.get("/api/v3/secrets", admin.token, where);
    const stored = (list.body.secrets as Json[]).map((s) =>
      decryptSymmetric({ ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag }, key),
    );
    assert.deepEqual(
      stored.filter((n) => n.startsWith("ABANDONED_")),
      [],
    );
  });

  it("SIGTERM during a long batch: the process exits 0 within 5 s, and the batch is all or nothing", async () => {
    server ??= await startServerProcess(["--data", dataDir, "--quiet"]);
    const admin = await login(server.client, manifest.admin.email, manifest.admin.password);
    const key = await fetchProjectKey(server.client, admin, where.workspaceId);
    const names = Array.from({ length: 100 }, (_, i) => `INFLIGHT_${i}`);
    const inFlight = server.client
      .post(
        "/api/v3/secrets/batch",
        { ...where, secrets: names.map((secretName) => ({ secretName, ...encryptSecret(key, secretName, "v") })) },
        token,
      )
      .then((r) => r.status)
      .catch(() => "connection closed");
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await server.stop();
    server = undefined;
    assert.equal(stopped.code, 0);
    assert.equal(stopped.signal, null);
    assert.ok(stopped.ms < 5_000, `exit took ${stopped.ms.toFixed(0)} ms`);
    const answer = await inFlight;
    assert.ok(answer === 503 || answer === "connection closed", `in-flight answer ${answer}`);

    server = await startServerProcess(["--data", dataDir, "--quiet"]);
    const again = await login(server.client, manifest.admin.email, manifest.admin.password);
    const list = await server.client.get("/api/v3/secrets", again.token, where);
    const count = (list.body.secrets as Json[])
      .map((s) => decryptSymmetric({ ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag }, key))
      .filter((n) => n.startsWith("INFLIGHT_")).length;
    assert.ok(count === 0 || count === 100, `${count} of 100 batch secrets stored`);
  });
});

describe("finding 4: the data folder is private whatever existed before and whatever the umask", () => {
  const root = mkdtempSync(join(tmpdir(), "infisical-e2ee-modes-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  function modes(dir: string): Record<string, string> {
    const out: Record<string, string> = { ".": (statSync(dir).mode & 0o777).toString(8) };
    for (const f of readdirSync(dir)) out[f] = (statSync(join(dir, f)).mode & 0o777).toString(8);
    return out;
  }

  async function serveUnderUmask000(dataDir: string): Promise<{ whileRunning: Record<string, string> }> {
    const child = spawn(
      "sh",
      ["-c", `umask 000; exec "${process.execPath}" "${CLI}" server --port 0 --quiet --data "${dataDir}"`],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const first = await new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (d: Buffer) => resolve(d.toString("utf8").trim()));
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const url = first.replace(/^listening on /, "");
    try {
      // A write, so that the -wal and -shm files are in use.
      const res = await fetch(`${url}/api/v1/admin/config`);
      assert.equal(res.status, 200);
      return { whileRunning: modes(dataDir) };
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }

  it("an existing 0755 folder with 0644 files (a 0.1.0 database and keys) becomes 0700 with 0600 files", async () => {
    const dataDir = join(root, "existing");
    mkdirSync(dataDir);
    for (const f of readdirSync(fixturePath("server-0.1.0", "data"))) {
      writeFileSync(join(dataDir, f), readFileSync(fixturePath("server-0.1.0", join("data", f))));
      chmodSync(join(dataDir, f), 0o644);
    }
    writeFileSync(join(dataDir, "notes.txt"), "left here by the operator\n", { mode: 0o644 });
    chmodSync(dataDir, 0o755);
    const { whileRunning } = await serveUnderUmask000(dataDir);
    assert.ok("infisical-e2ee.sqlite-wal" in whileRunning && "infisical-e2ee.sqlite-shm" in whileRunning);
    for (const [file, mode] of Object.entries(whileRunning)) assert.equal(mode, file === "." ? "700" : "600", file);
    for (const [file, mode] of Object.entries(modes(dataDir))) assert.equal(mode, file === "." ? "700" : "600", file);
  });

  it("a new folder under umask 000: 0700, database, -wal, -shm and keys 0600", async () => {
    const dataDir = join(root, "fresh", "data");
    const { whileRunning } = await serveUnderUmask000(dataDir);
    assert.deepEqual(Object.keys(whileRunning).sort(), [
      ".",
      "infisical-e2ee.sqlite",
      "infisical-e2ee.sqlite-shm",
      "infisical-e2ee.sqlite-wal",
      "server-keys.json",
    ]);
    for (const [file, mode] of Object.entries(whileRunning)) assert.equal(mode, file === "." ? "700" : "600", file);
  });
});

describe("finding 5: no 5xx on any input", () => {
  let t: Team;
  before(async () => {
    t = await team();
  });
  after(() => t.server.stop());

  it("out-of-range offsets and impossible dates are validation failures naming the field", async () => {
    const { client } = t.server;
    const secret = await client.post(
      "/api/v3/secrets/ONE",
      { ...t.where, ...encryptSecret(t.project.projectKey, "ONE", "v") },
      t.admin.token,
    );
    const cases: Array<[string, Record<string, string>, string]> = [
      [`/api/v1/workspace/${t.project.id}/audit-logs`, { offset: "1e19" }, "offset"],
      [`/api/v1/workspace/${t.project.id}/audit-logs`, { offset: "1e300" }, "offset"],
      [`/api/v1/workspace/${t.project.id}/audit-logs`, { startDate: "2024-01-01T00:00:00+99:99" }, "startDate"],
      [`/api/v1/workspace/${t.project.id}/audit-logs`, { endDate: "2024-13-45T00:00:00Z" }, "endDate"],
      [`/api/v1/secret/${secret.body.secret.id}/secret-versions`, { offset: "1e300" }, "offset"],
      [`/api/v1/secret/${secret.body.secret.id}/secret-versions`, { limit: "1e19" }, "limit"],
    ];
    for (const [path, query, field] of cases) {
      const res = await client.get(path, t.admin.token, query);
      assert.equal(res.status, 403, `${path} ${JSON.stringify(query)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, "ValidationFailure");
      assert.deepEqual([...new Set(res.body.message.map((issue: Json) => issue.path.join(".")))], [field]);
    }
    // In range, the same routes answer.
    const ok = await client.get(`/api/v1/workspace/${t.project.id}/audit-logs`, t.admin.token, {
      startDate: "2024-01-01T00:00:00+01:00",
      offset: "0",
    });
    assert.equal(ok.status, 200);
    assert.ok(ok.body.auditLogs.length > 0);
  });

  it("renames onto a name in use are clear 400s: personal override Z→Y, then shared X→Y", async () => {
    const { client } = t.server;
    const key = t.project.projectKey;
    const put = (name: string, type: "shared" | "personal") =>
      client.post(
        `/api/v3/secrets/${name}`,
        { ...t.where, type, ...encryptSecret(key, name, `${name}-${type}`) },
        t.admin.token,
      );
    for (const [name, type] of [
      ["X", "shared"],
      ["X", "personal"],
      ["Z", "shared"],
      ["Z", "personal"],
      ["W", "shared"],
      ["W", "personal"],
    ] as const)
      assert.equal((await put(name, type)).status, 200);
    const rename = (from: string, to: string, type: "shared" | "personal") =>
      client.patch(
        `/api/v3/secrets/${from}`,
        { ...t.where, type, secretName: to, ...encryptSecret(key, to, "renamed") },
        t.admin.token,
      );
    // The reported sequence: the personal Z → Y would orphan the override (no shared Y) ...
    const personalRename = await rename("Z", "Y", "personal");
    assert.equal(personalRename.status, 400);
    assert.match(personalRename.body.message, /personal override can only be renamed/);
    // ... onto a shared name or an own override already there: refused.
    const sharedOntoShared = await rename("X", "Z", "shared");
    assert.equal(sharedOntoShared.status, 400);
    assert.equal(sharedOntoShared.body.message, "Secret with the provided name already exist");
    const personalOntoOwn = await rename("X", "W", "personal");
    assert.equal(personalOntoOwn.status, 400);
    assert.equal(personalOntoOwn.body.message, "Secret with the provided name already exist");
    // ... and then the shared X → Y is a plain rename that takes X's override along.
    assert.equal((await rename("X", "Y", "shared")).status, 200);
    assert.equal((await client.get("/api/v3/secrets/Y", t.admin.token, { ...t.where, type: "personal" })).status, 200);
    assert.equal((await client.get("/api/v3/secrets/X", t.admin.token, t.where)).status, 400);
    // Nothing else moved: the shared names are W, Y, Z, each still with one override.
    const list = await client.get("/api/v3/secrets", t.admin.token, t.where);
    const shared = (list.body.secrets as Json[])
      .filter((s) => s.type === "shared")
      .map((s) => decryptSymmetric({ ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag }, key))
      .filter((n) => /^[XYZW]$/.test(n))
      .sort();
    assert.deepEqual(shared, ["W", "Y", "Z"]);
    for (const name of ["W", "Y", "Z"]) {
      const override = await client.get(`/api/v3/secrets/${name}`, t.admin.token, { ...t.where, type: "personal" });
      assert.equal(override.status, 200, name);
    }
  });

  it("every route × extreme numbers, dates and sizes in every query and body field → never a 5xx", async () => {
    const { client } = t.server;
    const extremes: unknown[] = [
      "1e19",
      "1e300",
      "-1e300",
      "NaN",
      "Infinity",
      "1e-300",
      "9".repeat(400),
      "2024-01-01T00:00:00+99:99",
    ];
    const numericBody = (value: unknown) => ({
      ...t.where,
      position: value,
      expiresIn: value,
      secretReminderRepeatDays: value,
      version: value,
      offset: value,
      limit: value,
      startDate: value,
      scopes: [{ environment: "dev", secretPath: value }],
      permissions: ["read"],
      name: "n",
      secrets: [{ secretName: value, type: "shared" }],
    });
    let requests = 0;
    for (const [i, route] of allRoutes.entries()) {
      // A project of its own per route: a route earlier in the list may delete its project.
      const project = await createProject(client, t.admin, `Sweep ${i}`);
      const where = { workspaceId: project.id, environment: "dev", secretPath: "/" };
      const made = await client.post(
        "/api/v3/secrets/SWEEP",
        { ...where, ...encryptSecret(project.projectKey, "SWEEP", "v") },
        t.admin.token,
      );
      assert.equal(made.status, 200);
      const ids: Record<string, string> = { ":workspaceId": project.id, ":secretId": made.body.secret.id };
      const path = route.path.replace(/:[A-Za-z]+/g, (p) => ids[p] ?? "SWEEP");
      // One field at a time, the rest valid, so that no other field's failure hides it.
      for (const field of ["offset", "limit", "version", "startDate", "endDate"]) {
        for (const value of extremes) {
          const query = { ...where, [field]: String(value) };
          const res = await client.request(route.method, path, {
            token: t.admin.token,
            query,
            body: route.method === "GET" ? undefined : where,
          });
          requests++;
          assert.ok(res.status < 500, `${route.method} ${route.path} ?${field}=${String(value)} → ${res.status}`);
        }
      }
      for (const value of extremes) {
        const body = route.method === "GET" ? undefined : numericBody(Number(value));
        for (const token of [t.admin.token, t.reader]) {
          const res = await client.request(route.method, path, { token, query: where, body });
          requests++;
          assert.ok(res.status < 500, `${route.method} ${route.path} body ${String(value)} → ${res.status}`);
        }
      }
    }
    assert.ok(requests > 300);
  });
});

describe("finding 8: the 1 MiB body limit closes the connection", () => {
  let t: Team;
  before(async () => {
    t = await team();
  });
  after(() => t.server.stop());

  it("an endless chunked body gets a 413 and a closed connection after about 1 MiB", async () => {
    const { port } = new URL(t.server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let answer = "";
    socket.on("data", (d: Buffer) => {
      answer += d.toString("latin1");
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => undefined);
    socket.write(
      `POST /api/v3/secrets/batch HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${t.writer}\r\n` +
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    const chunk = Buffer.from(`${(64 * 1024).toString(16)}\r\n${"x".repeat(64 * 1024)}\r\n`);
    let sent = 0;
    let open = true;
    closed.then(() => {
      open = false;
    });
    // Keep sending until the server closes; cap at 64 MiB so a broken server fails the test, not the machine.
    // A client stops sending once it has an answer; until then it keeps going.
    while (open && answer === "" && sent < 64 * 1024 * 1024) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once("drain", r)), closed]);
      sent += chunk.length;
    }
    const stillOpen = open && answer === "";
    if (stillOpen) socket.destroy();
    await closed;
    assert.equal(stillOpen, false, "no answer and no close after 64 MiB");
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.ok(sent < 16 * 1024 * 1024, `the server read on: ${sent} bytes sent before it closed`);
  });

  it("a declared Content-Length over the limit is refused before the body is sent", async () => {
    const { port } = new URL(t.server.url);
    const socket = connect(Number(port), "127.0.0.1");
    let answer = "";
    socket.on("data", (d: Buffer) => {
      answer += d.toString("latin1");
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(
      `POST /api/v3/secrets/X HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${16 * 1024 * 1024 * 1024}\r\n\r\n`,
    );
    await closed;
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });
});

describe("finding 9: Host header (DNS rebinding)", () => {
  it("a fresh server answers loopback names only: a rebound name cannot complete the admin signup", async () => {
    const server = await startServerProcess(["--quiet"]);
    try {
      const { port } = new URL(server.url);
      const signup = JSON.stringify({ email: "evil@example.com" });
      const rebound = await rawRequest(
        server.url,
        "POST",
        "/api/v1/admin/signup",
        {
          host: `attacker.example:${port}`,
          "content-type": "application/json",
        },
        signup,
      );
      assert.equal(rebound.status, 400);
      assert.match(rebound.body.message, /Host header not allowed/);
      for (const host of [`attacker.example:${port}`, "0.0.0.0", `192.168.1.10:${port}`]) {
        assert.equal((await rawRequest(server.url, "GET", "/api/status", { host })).status, 400, host);
      }
      for (const host of [
        `127.0.0.1:${port}`,
        `localhost:${port}`,
        `LOCALHOST.:${port}`,
        `[::1]:${port}`,
        `app.localhost:${port}`,
      ]) {
        assert.equal((await rawRequest(server.url, "GET", "/api/status", { host })).status, 200, host);
      }
      const config = await server.client.get("/api/v1/admin/config");
      assert.equal(config.body.config.initialized, false);
    } finally {
      await server.stop();
    }
  });

  it("--allow-remote answers IP literals and the --allowed-hosts names, nothing else", async () => {
    const server = await startServerProcess([
      "--quiet",
      "--allow-remote",
      "--allowed-hosts",
      "vault.internal,Secrets.Example",
    ]);
    try {
      const { port } = new URL(server.url);
      for (const host of [`vault.internal:${port}`, "secrets.example", `10.0.0.5:${port}`, `127.0.0.1:${port}`]) {
        assert.equal((await rawRequest(server.url, "GET", "/api/status", { host })).status, 200, host);
      }
      for (const host of [`attacker.example:${port}`, `vault.internal.attacker.example`, `0.0.0.0:${port}`]) {
        assert.equal((await rawRequest(server.url, "GET", "/api/status", { host })).status, 400, host);
      }
    } finally {
      await server.stop();
    }
  });

  it("--allowed-hosts without --allow-remote is a usage error", async () => {
    const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--allowed-hosts", "a.example"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--allowed-hosts needs --allow-remote/);
  });
});
