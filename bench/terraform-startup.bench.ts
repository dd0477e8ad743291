/**
 * Spawn-to-handshake time of `infisical-e2ee terraform-provider` (Terraform starts it several
 * times per command), with AutoMTLS as Terraform launches it. Prints the figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createPluginCertificate } from "../src/terraform/certificate";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../src/terraform/plugin-server";

const CLI = join(__dirname, "..", "src", "cli.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

function startOnce(clientCertificatePem: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, "terraform-provider"], {
      env: {
        ...process.env,
        [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: "5,6",
        PLUGIN_CLIENT_CERT: clientCertificatePem,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.once("data", () => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      child.kill("SIGKILL");
      resolve(elapsed);
    });
    child.once("error", reject);
  });
}

async function main(): Promise<void> {
  const { certificatePem } = createPluginCertificate();
  await startOnce(certificatePem); // warm the file-system cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await startOnce(certificatePem));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const baseline = await new Promise<number>((resolve) => {
    const started = process.hrtime.bigint();
    spawn(process.execPath, ["-e", "0"]).once("exit", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
  process.stdout.write(
    `terraform-provider spawn→handshake over ${RUNS} runs: median ${median.toFixed(0)} ms, ` +
      `min ${times[0]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms (bare node -e 0: ${baseline.toFixed(0)} ms; target < 300 ms)\n`,
  );
}

void main();
