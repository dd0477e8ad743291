/**
 * Step 2: a Node single executable application. The bundle and the compiled plugin protocol go
 * into a SEA blob (`node --experimental-sea-config`, run by the very Node binary that will carry
 * it), which postject injects into a copy of that binary.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { EMBEDDED_PROTOCOL_ASSET } from "../../src/terraform/embedded-protocol";
import { compileProtocolJson } from "./protocol-json";

/** Node's SEA fuse: the sentinel postject flips so the binary runs its blob instead of being plain node. */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const SEA_RESOURCE = "NODE_SEA_BLOB";

type Inject = (
  file: string,
  resource: string,
  data: Buffer,
  options: { sentinelFuse: string; machoSegmentName?: string },
) => Promise<void>;

export async function buildExecutable(options: {
  bundleFile: string;
  nodeBinary: string;
  workDir: string;
  output: string;
  /** V8's code cache makes start-up faster but differs from build to build; off gives byte-identical output. */
  codeCache: boolean;
}): Promise<void> {
  writeFileSync(join(options.workDir, EMBEDDED_PROTOCOL_ASSET), compileProtocolJson());
  // Paths relative to workDir: the blob records them, and a temporary directory's name must not make builds differ.
  const config = join(options.workDir, "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main: relative(options.workDir, options.bundleFile),
      output: "provider.blob",
      disableExperimentalSEAWarning: true,
      useCodeCache: options.codeCache,
      // A self-contained provider: the NODE_OPTIONS of the user's shell (--require, --inspect...) must not reach it.
      execArgvExtension: "none",
      assets: { [EMBEDDED_PROTOCOL_ASSET]: EMBEDDED_PROTOCOL_ASSET },
    }),
  );
  execFileSync(options.nodeBinary, ["--experimental-sea-config", "sea-config.json"], {
    cwd: options.workDir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  copyFileSync(options.nodeBinary, options.output);
  chmodSync(options.output, 0o755);
  const { inject } = require("postject") as { inject: Inject };
  // postject's ELF library warns about Node's unnamed note sections on every build: harmless, dropped.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/^warning: Can't find string offset for section name '\.note/.test(String(args[0]))) warn(...args);
  };
  try {
    // The segment name matters on macOS only (Mach-O), where the result must also be re-signed.
    await inject(options.output, SEA_RESOURCE, readFileSync(join(options.workDir, "provider.blob")), {
      sentinelFuse: SEA_FUSE,
      machoSegmentName: "NODE_SEA",
    });
  } finally {
    console.warn = warn;
  }
}
