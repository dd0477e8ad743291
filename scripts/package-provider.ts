/**
 * `npm run package-provider [-- --out DIR] [--reproducible]`: the Terraform provider as a self-contained binary
 * (Node single executable application) for this machine's platform, laid out as a registry
 * release in DIR (default dist-provider/). Other platforms: run it there (SEA cannot cross-build).
 * --reproducible leaves out V8's code cache (slower start, byte-identical zips from the same checkout).
 * Steps: ./package-provider/bundle.ts, ./package-provider/sea.ts, ./package-provider/release.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseFlags } from "../src/cli/args";
import { terraformPlatform } from "../src/cli/install-terraform-provider-command";
import { executableName } from "../src/cli/provider-release/names";
import { bundleProvider } from "./package-provider/bundle";
import { writeRelease } from "./package-provider/release";
import { buildExecutable } from "./package-provider/sea";

const ROOT = join(__dirname, "..", "..");
const MIB = 1024 * 1024;

/** The pinned Node (the `node` devDependency): the binary embeds exactly the runtime the tests use. */
function pinnedNode(): string {
  return join(ROOT, "node_modules", "node", "bin", "node");
}

export async function packageProvider(options: { outDir: string; nodeBinary?: string; reproducible?: boolean }) {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const platform = terraformPlatform();
  mkdirSync(options.outDir, { recursive: true });
  const work = mkdtempSync(join(options.outDir, ".build-"));
  try {
    const started = Date.now();
    const bundle = await bundleProvider({ root: ROOT, outDir: work, version });
    const executable = join(work, executableName(version, platform));
    await buildExecutable({
      bundleFile: bundle.file,
      nodeBinary: options.nodeBinary ?? pinnedNode(),
      workDir: work,
      output: executable,
      codeCache: options.reproducible !== true,
    });
    const release = writeRelease({ executable, version, platform, outDir: options.outDir });
    return {
      version,
      platform,
      ...release,
      bundleBytes: bundle.bytes,
      executableBytes: statSync(executable).size,
      zipBytes: statSync(release.zip).size,
      milliseconds: Date.now() - started,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { out: "string", node: "string", reproducible: "boolean" });
  const built = await packageProvider({
    outDir: resolve(flags.out ?? join(ROOT, "dist-provider")),
    nodeBinary: flags.node === undefined ? undefined : resolve(flags.node),
    reproducible: flags.reproducible === true,
  });
  process.stdout.write(
    `Built terraform-provider-infisicale2ee ${built.version} for ${built.platform} in ${(built.milliseconds / 1000).toFixed(1)} s\n` +
      `  bundle ${(built.bundleBytes / MIB).toFixed(1)} MiB, executable ${(built.executableBytes / MIB).toFixed(1)} MiB, zip ${(built.zipBytes / MIB).toFixed(1)} MiB\n` +
      `  ${built.zip}\n  ${built.checksums}\n  ${built.manifest}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`package-provider: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
