/**
 * Requests per second of the embedded server for secret create / get / list, server and client
 * in one Node process (one core). Creates are bound by the server-side Argon2id blind index
 * (~0.1 s each, run on libuv's thread pool); gets hit the blind-index cache.
 * Run: npm run build && node dist/bench/server.bench.js [count]
 */
import { createServiceToken, encryptSecret, setupWorld } from "../test/server/helpers";

async function timed(
  label: string,
  count: number,
  concurrency: number,
  one: (i: number) => Promise<number>,
): Promise<void> {
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
  const rate = (count / seconds).toFixed(1);
  console.log(
    `${label.padEnd(28)} ${String(count).padStart(5)} requests  ${seconds.toFixed(2).padStart(7)} s  ${rate.padStart(8)} req/s  failures ${failures}`,
  );
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const world = await setupWorld();
  const { client, admin, project } = world;
  const token = (await createServiceToken(client, admin, project)).token;
  const where = { workspaceId: project.id, environment: "dev", secretPath: "/", type: "shared" };
  const bodies = Array.from({ length: count }, (_, i) => ({
    ...where,
    ...encryptSecret(project.projectKey, `BENCH_${i}`, `value-${i}`),
  }));
  console.log(`embedded server bench (${count} secrets, one process, Node ${process.version})`);
  await timed(
    "create (new name, Argon2)",
    count,
    4,
    async (i) => (await client.post(`/api/v3/secrets/BENCH_${i}`, bodies[i], token)).status,
  );
  await timed(
    "get by name (cached index)",
    count,
    4,
    async (i) => (await client.get(`/api/v3/secrets/BENCH_${i}`, token, where)).status,
  );
  await timed(
    `list (${count} secrets)`,
    Math.max(20, Math.floor(count / 10)),
    4,
    async () => (await client.get("/api/v3/secrets", token, where)).status,
  );
  const batch = {
    ...where,
    secrets: Array.from({ length: 100 }, (_, i) => ({
      secretName: `BATCH_${i}`,
      ...encryptSecret(project.projectKey, `BATCH_${i}`, "v"),
    })),
  };
  await timed(
    "batch create (100 per req)",
    1,
    1,
    async () => (await client.post("/api/v3/secrets/batch", batch, token)).status,
  );
  await world.server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
