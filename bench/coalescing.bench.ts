/**
 * Core-level coalescing benchmark: N secret creates through the core with 10 callers in lockstep,
 * then a refresh, once with coalescing and once naive (one request per secret). Callers in
 * lockstep are the best case; terraform-batching.bench.ts measures real Terraform and Pulumi
 * scheduling, which is what users get. Counts come from the embedded server's own request log.
 * Then the same against the server's `rateLimit: "infisical"` mode (60/min per secret route).
 *
 *   npx node dist/bench/coalescing.bench.js            (N=500, rate-limited N=150)
 *   BENCH_SECRETS=200 BENCH_LIMITED_SECRETS=100 npx node dist/bench/coalescing.bench.js
 */
import { bootstrap } from "../src/provider/bootstrap";
import { secret } from "../src/provider/resources/secret";
import { silentLogger } from "../src/provider/schema/resource";
import { openSession } from "../src/provider/session";
import { NO_COALESCING } from "../src/provider/session/secret-store";
import { startServer } from "../src/server";

const EMAIL = "bench@example.com";
const PASSWORD = "bench password";
const PARALLELISM = 10;

interface Logged {
  method: string;
  route: string;
  status: string;
}

async function runLimited(jobs: (() => Promise<unknown>)[], parallelism: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

/** Requests the server served (a 429 answer is counted separately as `limited`). */
const isSecretWrite = (r: Logged) =>
  r.status !== "429" && r.method !== "GET" && /^\/api\/v3\/secrets(\/batch|\/:secretName)$/.test(r.route);
const isList = (r: Logged) => r.status !== "429" && r.method === "GET" && r.route === "/api/v3/secrets";
const isLimited = (r: Logged) => r.status === "429";

async function scenario(label: string, n: number, rateLimit: "off" | "infisical", naive: boolean) {
  const requests: Logged[] = [];
  const server = await startServer({
    port: 0,
    rateLimit,
    log: (line) => {
      const [method, route, status] = line.split(" ");
      if (method && route && status) requests.push({ method, route, status });
    },
  });
  try {
    const boot = await bootstrap({ host: server.url, email: EMAIL, password: PASSWORD, projectName: "bench" });
    const coalescing = naive ? NO_COALESCING : {};
    const session = openSession({ host: server.url, email: EMAIL, password: PASSWORD }, { env: {}, coalescing });
    const ctx = { session, log: silentLogger };
    await session.projectKey(boot.projectId);
    const states: { id: string; outputs: Record<string, unknown> }[] = [];

    const applyFrom = requests.length;
    const applyStart = performance.now();
    await runLimited(
      Array.from({ length: n }, (_, i) => async () => {
        const inputs = secret.validated({
          projectId: boot.projectId,
          environment: "dev",
          key: `BENCH_${i}`,
          value: `value-${i}`,
        });
        states[i] = await secret.ops.create(ctx, inputs);
      }),
      PARALLELISM,
    );
    const applyMs = performance.now() - applyStart;
    const writes = requests.slice(applyFrom).filter(isSecretWrite).length;
    const limited = requests.slice(applyFrom).filter(isLimited).length;

    const refreshSession = openSession({ host: server.url, email: EMAIL, password: PASSWORD }, { env: {}, coalescing });
    const refreshCtx = { session: refreshSession, log: silentLogger };
    await refreshSession.projectKey(boot.projectId);
    const refreshFrom = requests.length;
    const refreshStart = performance.now();
    let secretReads = 0;
    await runLimited(
      states.map((s) => async () => {
        if (naive) {
          // Naive refresh: one GET per secret.
          await refreshSession.api.secrets.get(
            { workspaceId: boot.projectId, environment: "dev", secretPath: "/" },
            s.outputs.key as string,
          );
          secretReads++;
        } else {
          await secret.ops.read(refreshCtx, s.id, s.outputs as never);
        }
      }),
      PARALLELISM,
    );
    const refreshMs = performance.now() - refreshStart;
    const lists = requests.slice(refreshFrom).filter(isList).length;
    const gets = requests
      .slice(refreshFrom)
      .filter((r) => r.method === "GET" && r.route === "/api/v3/secrets/:secretName").length;
    await session.close();
    await refreshSession.close();
    return { label, n, applyMs, writes, refreshMs, lists, gets: gets || secretReads, limited };
  } finally {
    await server.close();
  }
}

function report(r: Awaited<ReturnType<typeof scenario>>) {
  console.log(
    `${r.label.padEnd(34)} N=${String(r.n).padStart(3)}  apply: ${String(r.writes).padStart(3)} write requests, ${(r.applyMs / 1000).toFixed(1)} s` +
      `  | refresh: ${r.lists} list + ${r.gets} get requests, ${(r.refreshMs / 1000).toFixed(2)} s` +
      `  | 429 answers: ${r.limited}`,
  );
}

async function main() {
  const n = Number(process.env.BENCH_SECRETS ?? 500);
  const limitedN = Number(process.env.BENCH_LIMITED_SECRETS ?? 150);
  console.log(`coalescing benchmark: ${PARALLELISM} concurrent callers; counts from the server's request log`);
  const coalesced = await scenario("coalesced (rate limit off)", n, "off", false);
  report(coalesced);
  const naive = await scenario("naive (rate limit off)", n, "off", true);
  report(naive);
  console.log(
    `secret-write requests: ${coalesced.writes} coalesced vs ${naive.writes} naive (ratio ${(naive.writes / coalesced.writes).toFixed(1)}x; target ≤ 60)` +
      `; refresh list requests: ${coalesced.lists} (target ≤ 2)`,
  );
  console.log(`\nagainst rateLimit "infisical" (60/min per secret route):`);
  const limitedCoalesced = await scenario("coalesced (rate limit infisical)", limitedN, "infisical", false);
  report(limitedCoalesced);
  const limitedNaive = await scenario("naive (rate limit infisical)", limitedN, "infisical", true);
  report(limitedNaive);
  const saved = limitedNaive.applyMs + limitedNaive.refreshMs - (limitedCoalesced.applyMs + limitedCoalesced.refreshMs);
  console.log(`wall time saved by coalescing under the rate limit: ${(saved / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
