/**
 * Drives @pulumi/pulumi's own dynamic-provider host over gRPC with the SDK's generated stubs, the
 * way the Pulumi engine does (no Pulumi CLI needed). The host runs in a temp project directory whose
 * node_modules/infisical-e2ee makes `require("infisical-e2ee/pulumi/runtime")` resolve.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./registrations";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// The stubs must use the grpc-js and google-protobuf instances the SDK itself resolves.
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
const providerPb = require("@pulumi/pulumi/proto/provider_pb.js");

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

type Json = Record<string, unknown>;

export function secret(value: unknown): Json {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export interface HostError extends Error {
  code: number;
  details: string;
  /** ErrorResourceInitFailed packed in grpc-status-details-bin, when the host sent one. */
  initFailed?: { id: string; properties: Json; reasons: string[] };
}

/**
 * Where `infisical-e2ee` resolves from in the host's project directory: the package root itself
 * when these tests run from the package's dist/ (so its `exports` map is exercised), else a stand-in
 * package whose runtime export forwards to `runtimeFile` (development builds into dist-<area>/, and
 * test-only runtimes).
 */
function linkPackage(projectDir: string, runtimeFile: string | undefined) {
  const modules = path.join(projectDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  const link = path.join(modules, "infisical-e2ee");
  const builtIntoPackageDist = path.resolve(__dirname, "..", "..") === path.join(repoRoot, "dist");
  if (!runtimeFile && builtIntoPackageDist) {
    symlinkSync(repoRoot, link, "dir");
    return;
  }
  const target = runtimeFile ?? path.resolve(__dirname, "..", "..", "src", "pulumi", "runtime.js");
  mkdirSync(link);
  writeFileSync(
    path.join(link, "package.json"),
    JSON.stringify({ name: "infisical-e2ee", exports: { "./pulumi/runtime": "./runtime.js" } }),
  );
  writeFileSync(path.join(link, "runtime.js"), `module.exports = require(${JSON.stringify(target)});\n`);
}

export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: {
      close(): void;
    } & Record<string, (req: unknown, md: unknown, opts: unknown, cb: (e: unknown, r: unknown) => void) => void>,
    private readonly projectDir: string,
    readonly stderr: () => string,
  ) {}

  /** `runtimeFile` replaces the package runtime (test-only resources); default: the package's own. */
  static async start(options: { runtimeFile?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProviderHost> {
    const projectDir = mkdtempSync(path.join(os.tmpdir(), "infisical-pulumi-host-"));
    linkPackage(projectDir, options.runtimeFile);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PULUMI_NODEJS_PROJECT: "myproj", ...options.env };
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
    const child = spawn(process.execPath, [entry, "127.0.0.1:1"], { cwd: projectDir, env, stdio: "pipe" });
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
    });
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error(`host printed no port; stderr: ${stderr}`)), 30_000);
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const newline = stdout.indexOf("\n");
        if (newline >= 0) {
          clearTimeout(timer);
          resolve(Number.parseInt(stdout.slice(0, newline), 10));
        }
      });
      child.once("exit", (code) => reject(new Error(`host exited (${code}); stderr: ${stderr}`)));
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderHost(child, client, projectDir, () => stderr);
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill();
      await exited;
    }
    rmSync(this.projectDir, { recursive: true, force: true });
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + 120_000);
      this.client[method](request, new grpc.Metadata(), { deadline }, (error: unknown, response: unknown) => {
        if (error) reject(decorate(error as HostError));
        else resolve(response as T);
      });
    });
  }

  async configure(args: Json): Promise<{ acceptSecrets: boolean }> {
    const req = new providerPb.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args));
    const res = await this.call<{ getAcceptsecrets(): boolean }>("configure", req);
    return { acceptSecrets: res.getAcceptsecrets() };
  }

  async check(
    urn: string,
    olds: Json,
    news: Json,
  ): Promise<{ inputs: Json; failures: { property: string; reason: string }[] }> {
    const req = new providerPb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const res = await this.call<{
      getInputs(): { toJavaScript(): Json };
      getFailuresList(): { getProperty(): string; getReason(): string }[];
    }>("check", req);
    return {
      inputs: res.getInputs().toJavaScript(),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    olds: Json,
    news: Json,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }> {
    const req = new providerPb.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const res = await this.call<{
      getChanges(): number;
      getReplacesList(): string[];
      getDeletebeforereplace(): boolean;
    }>("diff", req);
    return {
      changes: res.getChanges(),
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: Json): Promise<{ id: string; properties: Json }> {
    const req = new providerPb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(Struct.fromJavaScript(properties));
    const res = await this.call<{ getId(): string; getProperties(): { toJavaScript(): Json } }>("create", req);
    return { id: res.getId(), properties: res.getProperties().toJavaScript() };
  }

  async read(urn: string, id: string, properties: Json, inputs: Json = {}): Promise<{ id: string; properties: Json }> {
    const req = new providerPb.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setInputs(Struct.fromJavaScript(inputs));
    const res = await this.call<{ getId(): string; getProperties(): { toJavaScript(): Json } | undefined }>(
      "read",
      req,
    );
    return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
  }

  async update(urn: string, id: string, olds: Json, news: Json): Promise<{ properties: Json }> {
    const req = new providerPb.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const res = await this.call<{ getProperties(): { toJavaScript(): Json } }>("update", req);
    return { properties: res.getProperties().toJavaScript() };
  }

  async delete(urn: string, id: string, properties: Json): Promise<void> {
    const req = new providerPb.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    await this.call("delete", req);
  }
}

/** Unpacks ErrorResourceInitFailed from grpc-status-details-bin, as the engine does. */
function decorate(error: HostError): HostError {
  const metadata = (error as unknown as { metadata?: { get(key: string): Buffer[] } }).metadata;
  const raw = metadata?.get("grpc-status-details-bin")?.[0];
  if (raw) {
    const statusPb = require("@pulumi/pulumi/proto/status_pb.js");
    const status = statusPb.Status.deserializeBinary(new Uint8Array(raw));
    for (const detail of status.getDetailsList()) {
      if (detail.getTypeName() === "pulumirpc.ErrorResourceInitFailed") {
        const failed = providerPb.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        error.initFailed = {
          id: failed.getId(),
          properties: failed.getProperties()?.toJavaScript() ?? {},
          reasons: failed.getReasonsList(),
        };
      }
    }
  }
  return error;
}

/** The URN the engine would use for a resource of this face. */
export function urnOf(typeName: string, name: string): string {
  return `urn:pulumi:dev::myproj::pulumi-nodejs:dynamic/infisical-e2ee:${typeName}::${name}`;
}

/**
 * What the engine would write to the state file for these outputs: keys listed as secret outputs
 * (additionalSecretOutputs) or whose input was secret are wrapped in the secret signature (the
 * engine encrypts those); everything else is stored as plain JSON.
 */
export function wouldBeState(outputs: Json, secretKeys: string[]): Json {
  const state: Json = {};
  for (const [key, value] of Object.entries(outputs)) state[key] = secretKeys.includes(key) ? secret(value) : value;
  return state;
}

/** Every plaintext canary found in `state` outside secret-wrapped values. */
export function leakedCanaries(state: unknown, canaries: string[]): string[] {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) {
      if ((value as Json)[SIG_KEY] === SECRET_SIG) return "[secret]";
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  const text = JSON.stringify(strip(state));
  return canaries.filter((canary) => text.includes(canary));
}
