/**
 * The demo's private workspace: a temporary folder with a CDK app from examples/, a private
 * Terraform home (HOME, TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE=1) and the processes that run in it.
 */
import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";

export interface Workspace {
  root: string;
  /** The CDK app folder (a copy of examples/cdktn, or of the legacy examples/cdktf). */
  appDir: string;
  /** Private HOME with the Terraform plugin mirror under ~/.terraform.d/plugins. */
  home: string;
  pluginDir: string;
  /** Environment for Terraform, the cdktn CLI and the provider it starts. */
  env: NodeJS.ProcessEnv;
}

/** `<packageRoot>/dist` (or the out dir this script was compiled into). */
export function compiledRoot(): string {
  // This file is <out>/scripts/demo/workspace.js.
  return resolve(__dirname, "..", "..");
}

/** The CDK apps in examples/: CDK Terrain (the main one) and the legacy CDKTF one. */
export type CdkExample = "cdktn" | "cdktf";

/**
 * Copies examples/<example> into a temp folder and links `infisical-e2ee` (this package, with
 * `dist` pointing at the compiled output in use), the app's framework (`cdktn` or `cdktf`) and
 * `constructs` into its node_modules, so the app runs with no `npm install` and shares one
 * framework instance with our constructs.
 */
export function createWorkspace(
  packageRoot: string,
  example: CdkExample = "cdktn",
  baseEnv: NodeJS.ProcessEnv = process.env,
): Workspace {
  const root = mkdtempSync(join(tmpdir(), "infisical-e2ee-demo-"));
  const appDir = join(root, "app");
  const home = join(root, "home");
  const pluginDir = join(home, ".terraform.d", "plugins");
  mkdirSync(appDir, { recursive: true });
  mkdirSync(pluginDir, { recursive: true });
  for (const file of ["main.ts", "cdktf.json", "package.json"]) {
    copyFileSync(join(packageRoot, "examples", example, file), join(appDir, file));
  }
  const modules = join(appDir, "node_modules");
  const self = join(modules, "infisical-e2ee");
  mkdirSync(self, { recursive: true });
  copyFileSync(join(packageRoot, "package.json"), join(self, "package.json"));
  symlinkSync(compiledRoot(), join(self, "dist"), "dir");
  for (const dep of [example, "constructs"])
    symlinkSync(join(packageRoot, "node_modules", dep), join(modules, dep), "dir");

  const cliConfig = join(root, "terraformrc");
  // No provider_installation block: Terraform's implicit local mirror (~/.terraform.d/plugins) is used.
  writeFileSync(cliConfig, "# private Terraform CLI config for the demo\n");
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    HOME: home,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    CI: "1",
    // The pinned Node first, so `node main.ts` (cdktf.json "app") runs with type stripping.
    PATH: [dirname(process.execPath), baseEnv.PATH ?? ""].join(delimiter),
  };
  delete env.TF_LOG;
  return { root, appDir, home, pluginDir, env };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing output; `onLine` sees stdout lines as they come. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onLine?: (line: string) => void; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let pending = "";
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs ?? 300_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stdout += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine?.(line);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Every executable named `name` on PATH, in order. */
export function whichAll(name: string, pathVar = process.env.PATH ?? ""): string[] {
  const found: string[] = [];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      const real = realpathSync(candidate);
      if (!found.some((f) => realpathSync(f) === real)) found.push(candidate);
    } catch {
      // not here
    }
  }
  return found;
}

/**
 * The cdktn CLI of this package's devDependencies: a script run with this process's Node (the
 * pinned Node 24; the CLI has no native module, so any Node ≥ 22.19 runs it).
 */
export function findCdktnCli(packageRoot: string): string | undefined {
  const cliRoot = join(packageRoot, "node_modules", "cdktn-cli");
  if (!existsSync(join(cliRoot, "package.json"))) return undefined;
  const pkg = JSON.parse(readFileSync(join(cliRoot, "package.json"), "utf8")) as {
    bin: string | Record<string, string>;
  };
  return join(cliRoot, typeof pkg.bin === "string" ? pkg.bin : pkg.bin.cdktn!);
}
