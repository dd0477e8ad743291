/**
 * Spawn-to-handshake time of the Terraform provider (Terraform starts it several times per
 * command), with AutoMTLS as Terraform launches it, for both ways users install it: today's
 * launcher (a shell script exec'ing Node on the package's CLI) and the single-file binary from
 * `npm run package-provider` (built into a temporary directory first; BENCH_PROVIDER_ZIP reuses a zip).
 * Prints the figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageProvider } from "../scripts/package-provider";
import { installTerraformProvider } from "../src/cli/install-terraform-provider-command";
import { listZip, readZipEntry } from "../src/cli/provider-release/zip-reader";
import { createPluginCertificate } from "../src/terraform/certificate";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../src/terraform/plugin-server";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 150;

function startOnce(executable: string, clientCertificatePem: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(executable, [], {
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

async function measure(executable: string, certificatePem: string) {
  await startOnce(executable, certificatePem); // warm the file-system cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await startOnce(executable, certificatePem));
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, min: times[0] ?? 0, max: times.at(-1) ?? 0 };
}

/** A release zip built now from these sources (a stale dist-provider/ would measure old code), or BENCH_PROVIDER_ZIP. */
async function releaseZip(work: string): Promise<string> {
  if (process.env.BENCH_PROVIDER_ZIP) return process.env.BENCH_PROVIDER_ZIP;
  process.stdout.write("building the single-file provider (as npm run package-provider does)...\n");
  return (await packageProvider({ outDir: join(work, "release") })).zip;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "infisical-e2ee-startup-"));
  try {
    const { certificatePem } = createPluginCertificate();
    const launcher = installTerraformProvider({ dir: join(work, "plugins") }).executable;
    const zip = readFileSync(await releaseZip(work));
    const [entry] = listZip(zip);
    const binary = join(work, "terraform-provider-binary");
    writeFileSync(binary, readZipEntry(zip, entry!));
    chmodSync(binary, 0o755);
    const bareNode = join(work, "bare-node");
    writeFileSync(bareNode, `#!/bin/sh\nexec '${process.execPath}' -e 'process.stdout.write("x")'\n`);
    chmodSync(bareNode, 0o755);

    const rows = [
      ["launcher (sh + node + CLI, today)", await measure(launcher, certificatePem)],
      ["single-file binary (SEA)", await measure(binary, certificatePem)],
      ["bare node printing one byte", await measure(bareNode, certificatePem)],
    ] as const;
    process.stdout.write(
      `terraform-provider spawn→handshake, ${RUNS} runs each (target < ${TARGET_MS} ms for the binary; ` +
        `this machine's 2 cores are shared with 7 teammates' builds and tests, so figures vary run to run):\n`,
    );
    for (const [name, t] of rows) {
      process.stdout.write(
        `  ${name.padEnd(36)} median ${t.median.toFixed(0).padStart(4)} ms  min ${t.min.toFixed(0).padStart(4)} ms  max ${t.max.toFixed(0).padStart(4)} ms\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
