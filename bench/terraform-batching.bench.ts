/**
 * Group commit as users run it: real `terraform apply` / `plan` / `destroy` (skipped, saying why,
 * when terraform is not on PATH) and Pulumi's own dynamic-provider host with 16 operations in
 * flight, each with coalescing on and off (INFISICAL_COALESCING=0 / `infisical-e2ee:coalescing`),
 * side by side. Counts come from the embedded server's own request log; every scenario gets a
 * fresh server so each pays the same per-name server work. Then `terraform apply` against the
 * server's `--rate-limit infisical` mode (60 requests/min per secret route), on and off.
 *
 *   npm run build && node dist/bench/terraform-batching.bench.js
 *   BENCH_SECRETS=100 BENCH_RATE_LIMITED=0 node dist/bench/terraform-batching.bench.js
 */
import { bootstrap } from "../src/provider/bootstrap";
import type * as Face from "../src/pulumi/index";
import { startServer } from "../src/server";
import { ProviderHost, secret, urnOf } from "../test/pulumi/host";
import { captureRegistrations } from "../test/pulumi/registrations";
import { RequestLog } from "../test/support/request-log";
import { type Shape, TerraformWorkspace, terraformMissing } from "../test/support/terraform-workspace";

const ADMIN = { email: "bench@example.com", password: "bench password" };
const N = Number(process.env.BENCH_SECRETS ?? 200);
const RATE_LIMITED = process.env.BENCH_RATE_LIMITED !== "0";
const PULUMI_IN_FLIGHT = 16;

interface Step {
  writes: number;
  lists: number;
  limited: number;
  ms: number;
}

async function withServer<T>(rateLimit: "off" | "infisical", body: (s: Served) => Promise<T>): Promise<T> {
  const log = new RequestLog();
  const server = await startServer({ port: 0, rateLimit, log: log.line });
  try {
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "bench" });
    return await body({ log, target: { host: server.url, ...ADMIN, projectId: boot.projectId } });
  } finally {
    await server.close();
  }
}

interface Served {
  log: RequestLog;
  target: { host: string; email: string; password: string; projectId: string };
}

async function measure(log: RequestLog, run: () => Promise<{ code: number | null; output?: string }>): Promise<Step> {
  const mark = log.mark();
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  if (result.code !== 0) throw new TypeError(`step failed:\n${result.output?.slice(-3000) ?? ""}`);
  return { writes: log.writes(mark), lists: log.lists(mark), limited: log.limited(mark), ms };
}

function row(label: string, step: Step): string {
  return `${label.padEnd(30)} ${String(step.writes).padStart(5)} writes ${String(step.lists).padStart(4)} lists ${String(step.limited).padStart(4)} ×429 ${(step.ms / 1000).toFixed(1).padStart(7)} s`;
}

async function terraformRun(workspace: TerraformWorkspace, coalescing: boolean, parallelism?: number) {
  const shape: Shape = { environments: ["dev"], perEnvironment: N };
  const env = coalescing ? {} : { INFISICAL_COALESCING: "0" };
  workspace.resetState();
  return withServer("off", async ({ log, target }) => {
    const apply = await measure(log, () => workspace.apply(target, shape, { parallelism, env }));
    const plan = await measure(log, () => workspace.plan(target, shape, { env }));
    const destroy = await measure(log, () => workspace.destroy(target, shape, { parallelism, env }));
    return { apply, plan, destroy };
  });
}

async function pulumiRun(coalescing: boolean) {
  return withServer("off", async ({ log, target }) => {
    const registered = [
      ...(
        await captureRegistrations(async () => {
          const infisical: typeof Face = require("../src/pulumi/index");
          return Array.from(
            { length: N },
            (_, i) =>
              new infisical.Secret(`s${i}`, {
                projectId: target.projectId,
                environment: "dev",
                key: `P_${i}`,
                value: `v-${i}`,
              }),
          );
        })
      ).values(),
    ];
    const host = await ProviderHost.start();
    try {
      await host.configure({
        "infisical-e2ee:host": target.host,
        "infisical-e2ee:email": target.email,
        "infisical-e2ee:password": secret(target.password),
        "infisical-e2ee:coalescing": coalescing ? "true" : "false",
      });
      const states: { urn: string; id: string; properties: Record<string, unknown> }[] = [];
      const create = await measure(log, async () => {
        await pool(
          registered.map((reg) => async () => {
            const urn = urnOf("Secret", reg.name);
            const checked = await host.check(urn, {}, reg.inputs);
            states.push({ urn, ...(await host.create(urn, checked.inputs)) });
          }),
        );
        return { code: 0 };
      });
      const destroy = await measure(log, async () => {
        await pool(states.map((s) => () => host.delete(s.urn, s.id, s.properties)));
        return { code: 0 };
      });
      return { create, destroy };
    } finally {
      await host.close();
    }
  });
}

async function pool(jobs: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PULUMI_IN_FLIGHT }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

async function main() {
  console.log(`group commit through real faces: ${N} secrets in one environment; counts from the server's log`);
  const missing = terraformMissing();
  if (missing) console.log(`terraform: skipped (${missing})`);
  else {
    const workspace = await TerraformWorkspace.create();
    try {
      for (const parallelism of [undefined, 30]) {
        const label = parallelism ? `-parallelism=${parallelism}` : "default -parallelism=10";
        console.log(`\nterraform, ${label}`);
        const on = await terraformRun(workspace, true, parallelism);
        const off = await terraformRun(workspace, false, parallelism);
        for (const step of ["apply", "plan", "destroy"] as const) {
          console.log(`  ${row(`${step}, coalescing on`, on[step])}`);
          console.log(`  ${row(`${step}, coalescing off`, off[step])}`);
        }
      }
      if (RATE_LIMITED) {
        console.log(`\nterraform apply against --rate-limit infisical (60/min per secret route)`);
        const shape: Shape = { environments: ["dev"], perEnvironment: N };
        for (const coalescing of [true, false]) {
          const env = coalescing ? {} : { INFISICAL_COALESCING: "0" };
          const step = await withServer("infisical", ({ log, target }) =>
            measure(log, () => workspace.apply(target, shape, { env })),
          );
          console.log(`  ${row(`apply, coalescing ${coalescing ? "on" : "off"}`, step)}`);
          // The next scenario starts from an empty workspace state on a new server.
          workspace.resetState();
        }
      }
    } finally {
      workspace.close();
    }
  }
  console.log(`\npulumi dynamic-provider host, ${PULUMI_IN_FLIGHT} operations in flight`);
  const on = await pulumiRun(true);
  const off = await pulumiRun(false);
  for (const step of ["create", "destroy"] as const) {
    console.log(`  ${row(`${step}, coalescing on`, on[step])}`);
    console.log(`  ${row(`${step}, coalescing off`, off[step])}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
