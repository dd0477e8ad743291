/**
 * Step 1: the provider's JavaScript as one CommonJS file (esbuild, from the TypeScript sources).
 * Only pure-JavaScript dependencies go in; the optional native `argon2` package is replaced by a
 * module that fails to load (the provider then uses node:crypto's Argon2id, present in the
 * embedded Node 24), and the build fails if anything else outside Node's built-ins is required.
 */
import { builtinModules } from "node:module";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";

/** Optional native addons the code loads in a try/catch and never needs inside the binary. */
const EXCLUDED_NATIVE = ["argon2"];

const excludeNative: Plugin = {
  name: "exclude-native",
  setup(pluginBuild) {
    const filter = new RegExp(`^(${EXCLUDED_NATIVE.join("|")})$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: "excluded-native" }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "excluded-native" }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is a native addon and is not part of the single-file provider`)}), { code: "MODULE_NOT_FOUND" });`,
      loader: "js",
    }));
  },
};

/**
 * Built into the embedded Node. Any `node:` specifier is one (no package can be named so), whatever
 * the Node running the build lists: Node 20 lists no `node:sqlite`, which undici's cache module names.
 */
const isBuiltin = (specifier: string): boolean => specifier.startsWith("node:") || builtinModules.includes(specifier);

export interface Bundle {
  file: string;
  bytes: number;
  /** The source files that went in, relative to the root (esbuild's metafile). */
  inputs: string[];
}

export async function bundleProvider(options: { root: string; outDir: string; version: string }): Promise<Bundle> {
  const file = join(options.outDir, "provider.js");
  const result = await build({
    absWorkingDir: options.root,
    entryPoints: [join(options.root, "src", "cli", "provider-binary.ts")],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node24",
    minify: true,
    keepNames: true,
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
    define: { INFISICAL_E2EE_BUNDLED_VERSION: JSON.stringify(options.version) },
    plugins: [excludeNative],
  });
  const output = Object.values(result.metafile.outputs)[0];
  const foreign = (output?.imports ?? []).filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path);
  if (foreign.length > 0) {
    throw new Error(`the provider bundle still requires ${foreign.join(", ")}: it would fail inside the binary`);
  }
  return { file, bytes: output?.bytes ?? 0, inputs: Object.keys(result.metafile.inputs) };
}
