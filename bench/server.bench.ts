/**
 * The embedded server as users run it (`infisical-e2ee server --data DIR`, its own process),
 * driven over keep-alive HTTP from this process:
 *   - single creates per second (one at a time, and 10 in flight), new projects (HMAC-SHA256
 *     blind index) side by side with the naive way, a project written by 0.1.0 (Argon2id);
 *   - one 100-secret batch create, both ways;
 *   - a member's read latency (p50/p99), idle and while a hostile flood runs from another
 *     process: 16 concurrent random-name lookups with a read-only token plus 3 concurrent batch
 *     deletes of 500 unknown names, looping.
 * Figures are printed, not asserted. Run: npm run build && node dist/bench/server.bench.js [creates]
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  createProject,
  createServiceToken,
  encryptSecret,
  fetchProjectKey,
  login,
  RawClient,
  signupAdmin,
} from "../test/server/helpers";
import { copyFixture, fixturePath, startServerProcess } from "../test/server/process";

type Where = { workspaceId: string; environment: string; secretPath: string };

async function rate(count: number, concurrency: number, one: (i: number) => Promise<number>) {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        if ((await one(i)) !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: count / seconds, failures };
}

/** CPU milliseconds the server process has used (Linux /proc; undefined elsewhere). */
function serverCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Server CPU per operation over a phase: a figure the machine's other load disturbs less than rates. */
async function cpuPer<T>(pid: number | undefined, ops: number, phase: () => Promise<T>): Promise<[T, string]> {
  const before = serverCpuMs(pid);
  const result = await phase();
  const after = serverCpuMs(pid);
  const per = before === undefined || after === undefined ? "n/a" : `${((after - before) / ops).toFixed(2)} ms`;
  return [result, `server CPU ${per}/op`];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latencies(count: number, one: () => Promise<number>) {
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    if ((await one()) !== 200) failures++;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), failures };
}

const row = (label: string, figure: string, note = "") =>
  console.log(`${label.padEnd(52)} ${figure.padStart(16)}  ${note}`);

async function creates(client: RawClient, token: string, where: Where, key: string, prefix: string, count: number) {
  const bodies = Array.from({ length: count }, (_, i) => ({ ...where, ...encryptSecret(key, `${prefix}_${i}`, "v") }));
  return (concurrency: number, offset: number) =>
    rate(
      count - offset,
      concurrency,
      async (i) => (await client.post(`/api/v3/secrets/${prefix}_${i + offset}`, bodies[i + offset], token)).status,
    );
}

async function batchCreate(client: RawClient, token: string, where: Where, key: string, prefix: string, size: number) {
  const body = {
    ...where,
    secrets: Array.from({ length: size }, (_, i) => ({
      secretName: `${prefix}_${i}`,
      ...encryptSecret(key, `${prefix}_${i}`, "v"),
    })),
  };
  const started = performance.now();
  const status = (await client.post("/api/v3/secrets/batch", body, token)).status;
  return { seconds: (performance.now() - started) / 1000, status };
}

/** The hostile side, in its own process so its client work does not slow the measured reads. */
async function flood(url: string, reader: string, writer: string, where: Where): Promise<void> {
  const client = new RawClient(url);
  let stop = false;
  process.on("message", () => {
    stop = true;
  });
  const name = () => `NOPE_${randomBytes(8).toString("hex")}`;
  let answered = 0;
  const statuses = new Map<number, number>();
  const count = (status: number) => {
    answered++;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };
  const lookups = Array.from({ length: 16 }, async () => {
    while (!stop) count((await client.get(`/api/v3/secrets/${name()}`, reader, where)).status);
  });
  const deletes = Array.from({ length: 3 }, async () => {
    while (!stop) {
      const secrets = Array.from({ length: 500 }, () => ({ secretName: name() }));
      count((await client.delete("/api/v3/secrets/batch", { ...where, secrets }, writer)).status);
    }
  });
  process.send?.("started");
  await Promise.all([...lookups, ...deletes]);
  process.send?.({ answered, statuses: Object.fromEntries(statuses) });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const dataDir = join(mkdtempSync(join(tmpdir(), "infisical-e2ee-bench-")), "data");
  const server = await startServerProcess(["--data", dataDir, "--quiet"]);
  const { client } = server;
  await signupAdmin(client, "admin@example.com", "admin-password-1");
  const admin = await login(client, "admin@example.com", "admin-password-1");
  const project = await createProject(client, admin);
  const token = (await createServiceToken(client, admin, project)).token;
  const reader = (await createServiceToken(client, admin, project, { permissions: ["read"] })).token;
  const where = { workspaceId: project.id, environment: "dev", secretPath: "/" };

  console.log(
    `embedded server bench: server process with --data (WAL, each write acknowledged after a group-committed fsync), client over keep-alive, Node ${process.version}`,
  );
  console.log(
    `machine: 2 cores shared with 7 teammates' builds and tests (load average ${loadavg()[0]!.toFixed(1)}); figures vary run to run`,
  );
  const pid = server.child.pid;
  const one = await creates(client, token, where, project.projectKey, "ONE", count / 2);
  const [serial, serialCpu] = await cpuPer(pid, count / 2, () => one(1, 0));
  const ten = await creates(client, token, where, project.projectKey, "TEN", count / 2);
  const [parallel, parallelCpu] = await cpuPer(pid, count / 2, () => ten(10, 0));
  row(
    `single creates, HMAC project, 1 in flight (${count / 2})`,
    `${serial.perSecond.toFixed(0)} /s`,
    `failures ${serial.failures}; ${serialCpu}`,
  );
  row(
    `single creates, HMAC project, 10 in flight (${count / 2})`,
    `${parallel.perSecond.toFixed(0)} /s`,
    `failures ${parallel.failures}; ${parallelCpu}`,
  );
  const [batch, batchCpu] = await cpuPer(pid, 1, () =>
    batchCreate(client, token, where, project.projectKey, "BATCH", 100),
  );
  row("100-secret batch create, HMAC project", `${batch.seconds.toFixed(3)} s`, `status ${batch.status}; ${batchCpu}`);

  // Reads of one member's secret, idle and under the flood.
  const readOne = async () => (await client.get("/api/v3/secrets/ONE_0", admin.token, where)).status;
  await latencies(50, readOne);
  const idle = await latencies(300, readOne);
  row("member read by name, idle (300)", `p50 ${idle.p50.toFixed(1)} ms`, `p99 ${idle.p99.toFixed(1)} ms`);
  const child = fork(__filename, ["--flood", server.url, reader, token, JSON.stringify(where)]);
  await new Promise((resolve) => child.once("message", resolve));
  await new Promise((r) => setTimeout(r, 500));
  const hostile = await latencies(300, readOne);
  child.send("stop");
  const floodResult = (await new Promise((resolve) => child.once("message", resolve))) as {
    answered: number;
    statuses: Record<string, number>;
  };
  row(
    "member read by name, during the flood (300)",
    `p50 ${hostile.p50.toFixed(1)} ms`,
    `p99 ${hostile.p99.toFixed(1)} ms = ${(hostile.p99 / idle.p99).toFixed(1)}x idle p99; failures ${hostile.failures}`,
  );
  row("  flood answered meanwhile", `${floodResult.answered} req`, JSON.stringify(floodResult.statuses));
  await server.stop();
  rmSync(dirname(dataDir), { recursive: true, force: true });

  // The naive way, side by side: a project written by 0.1.0 keeps its Argon2id blind index.
  const legacyDir = copyFixture("server-0.1.0");
  const legacy = await startServerProcess(["--data", legacyDir, "--quiet"]);
  try {
    const manifest = JSON.parse(readFileSync(fixturePath("server-0.1.0", "manifest.json"), "utf8"));
    const legacyAdmin = await login(legacy.client, manifest.admin.email, manifest.admin.password);
    const key = await fetchProjectKey(legacy.client, legacyAdmin, manifest.project.id);
    const legacyWhere = { workspaceId: manifest.project.id, environment: "dev", secretPath: "/" };
    const legacyCount = 20;
    const old = await creates(legacy.client, manifest.serviceToken.token, legacyWhere, key, "OLD", legacyCount);
    const [oldSerial, oldCpu] = await cpuPer(legacy.child.pid, legacyCount, () => old(1, 0));
    row(
      `single creates, Argon2id project (0.1.0), 1 in flight (${legacyCount})`,
      `${oldSerial.perSecond.toFixed(1)} /s`,
      `failures ${oldSerial.failures}; ${oldCpu}`,
    );
    // 25, not 100: each is a 64 MiB Argon2id, one at a time, on a machine shared with teammates.
    const oldBatch = await batchCreate(legacy.client, manifest.serviceToken.token, legacyWhere, key, "OLDBATCH", 25);
    row(
      "25-secret batch create, Argon2id project (0.1.0)",
      `${oldBatch.seconds.toFixed(3)} s`,
      `status ${oldBatch.status}; about ${(oldBatch.seconds * 4).toFixed(0)} s per 100`,
    );
  } finally {
    await legacy.stop();
    rmSync(dirname(legacyDir), { recursive: true, force: true });
  }
}

if (process.argv[2] === "--flood") {
  const [, , , url, reader, writer, where] = process.argv;
  flood(url!, reader!, writer!, JSON.parse(where!) as Where).then(() => process.exit(0));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
