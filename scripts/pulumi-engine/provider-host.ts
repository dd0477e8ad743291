/**
 * A client for @pulumi/pulumi's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`),
 * spoken to over gRPC with the SDK's generated stubs, as the Pulumi engine does; no Pulumi CLI
 * needed. The host runs in a temporary project directory whose node_modules/infisical-e2ee makes
 * the stored provider text's `require("infisical-e2ee/pulumi/runtime")` resolve.
 *
 * Test and demo machinery, not shipped: only the local engine (local-engine.ts) and tests use it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// The stubs must use the grpc-js and google-protobuf instances the SDK itself resolves.
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
const providerPb = require("@pulumi/pulumi/proto/provider_pb.js");

/** The package root: dist*\/scripts/pulumi-engine → three levels up. */
export const packageRoot = path.resolve(__dirname, "..", "..", "..");

/** DiffResponse.DiffChanges of the provider protocol. */
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

/** How long one provider call may take before the client gives up. */
const CALL_DEADLINE_MS = 120_000;
/** How long the host may take to print its port. */
const START_TIMEOUT_MS = 30_000;

type Json = Record<string, unknown>;

export interface HostError extends Error {
  code: number;
  details: string;
  /** ErrorResourceInitFailed packed in grpc-status-details-bin, when the host sent one. */
  initFailed?: { id: string; properties: Json; reasons: string[] };
}

export interface ProviderHostOptions {
  /** Replaces the package runtime (test-only resources); default: the package's own. */
  runtimeFile?: string;
  /** Environment of the host process (PATH is always passed). */
  env?: NodeJS.ProcessEnv;
  /** Pulumi project name the host reports (PULUMI_NODEJS_PROJECT). */
  project?: string;
}

/**
 * Where `infisical-e2ee` resolves from in the host's project directory: the package root itself
 * when this module runs from the package's dist/ (so its `exports` map is exercised), else a
 * stand-in package whose runtime export forwards to `runtimeFile` (development builds into
 * dist-<area>/, and test-only runtimes).
 */
function linkPackage(projectDir: string, runtimeFile: string | undefined) {
  const modules = path.join(projectDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  const link = path.join(modules, "infisical-e2ee");
  const builtIntoPackageDist = path.resolve(__dirname, "..", "..") === path.join(packageRoot, "dist");
  if (!runtimeFile && builtIntoPackageDist) {
    symlinkSync(packageRoot, link, "dir");
    return;
  }
  const target = runtimeFile ?? path.join(__dirname, "..", "..", "src", "pulumi", "runtime.js");
  mkdirSync(link);
  writeFileSync(
    path.join(link, "package.json"),
    JSON.stringify({ name: "infisical-e2ee", exports: { "./pulumi/runtime": "./runtime.js" } }),
  );
  writeFileSync(path.join(link, "runtime.js"), `module.exports = require(${JSON.stringify(target)});\n`);
}

type Callback = (error: unknown, response: unknown) => void;
type GrpcClient = { close(): void } & Record<string, (req: unknown, md: unknown, opts: unknown, cb: Callback) => void>;

export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: GrpcClient,
    private readonly projectDir: string,
    /** Everything the host wrote to stderr so far. */
    readonly stderr: () => string,
  ) {}

  static async start(options: ProviderHostOptions = {}): Promise<ProviderHost> {
    const projectDir = mkdtempSync(path.join(os.tmpdir(), "infisical-pulumi-host-"));
    try {
      linkPackage(projectDir, options.runtimeFile);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        PULUMI_NODEJS_PROJECT: options.project ?? "myproj",
        ...options.env,
      };
      const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
      // The engine address is never dialled by the dynamic-provider host; any address will do.
      const child = spawn(process.execPath, [entry, "127.0.0.1:1"], { cwd: projectDir, env, stdio: "pipe" });
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      const port = await readPort(child, () => stderr);
      const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      return new ProviderHost(child, client, projectDir, () => stderr);
    } catch (error) {
      rmSync(projectDir, { recursive: true, force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill();
      await exited;
    }
    rmSync(this.projectDir, { recursive: true, force: true });
  }

  /** `urn` names the resource in the error message, so a failure says which resource and verb it was. */
  private call<T>(method: string, request: unknown, urn = ""): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + CALL_DEADLINE_MS);
      this.client[method](request, new grpc.Metadata(), { deadline }, (error, response) => {
        if (error) reject(decorate(error as HostError, method, urn));
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
    }>("check", req, urn);
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
    }>("diff", req, urn);
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
    const res = await this.call<{ getId(): string; getProperties(): { toJavaScript(): Json } }>("create", req, urn);
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
      urn,
    );
    return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
  }

  async update(urn: string, id: string, olds: Json, news: Json): Promise<{ properties: Json }> {
    const req = new providerPb.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const res = await this.call<{ getProperties(): { toJavaScript(): Json } }>("update", req, urn);
    return { properties: res.getProperties().toJavaScript() };
  }

  async delete(urn: string, id: string, properties: Json): Promise<void> {
    const req = new providerPb.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    await this.call("delete", req, urn);
  }
}

/** The host prints its gRPC port as the first line on stdout. */
function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the Pulumi provider host printed no port; stderr: ${stderr()}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(Number.parseInt(stdout.slice(0, newline), 10));
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the Pulumi provider host exited (${code}); stderr: ${stderr()}`));
    });
  });
}

/**
 * Names the verb and resource in the message, and unpacks ErrorResourceInitFailed from
 * grpc-status-details-bin, as the engine does. The details are the provider's own message, which
 * never holds values.
 */
function decorate(error: HostError, method: string, urn: string): HostError {
  if (typeof error.details === "string" && error.details !== "") {
    error.message = `${method}${urn ? ` ${urn}` : ""}: ${error.details}`;
  }
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
