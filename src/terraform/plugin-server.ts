/**
 * go-plugin server side, as Terraform's client expects it: magic-cookie check, AutoMTLS (our own
 * self-signed certificate, the client's certificate required and verified), gRPC on 127.0.0.1,
 * then the handshake line `1|6|tcp|ADDR|grpc|CERT` as the first and only stdout output.
 * Logs go to stderr. The provider implementation loads lazily on the first RPC.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import { UsageError } from "../provider/errors";
import { createPluginCertificate } from "./certificate";
import { describeThrown } from "./diagnostics";
import { loadPluginServices } from "./protocol";
import type { TerraformProvider } from "./provider";

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 6;

/** The plugin was started outside Terraform, or by a Terraform speaking another protocol. */
export class PluginStartError extends UsageError {}

export interface ServeOptions {
  env?: NodeJS.ProcessEnv;
  /** Builds the provider on first use (keeps start-up to the handshake only). */
  createProvider: () => TerraformProvider;
  /** Where the handshake line goes (stdout). */
  writeHandshake?: (line: string) => void;
  logError?: (message: string) => void;
}

export interface RunningPlugin {
  address: string;
  /** Resolves when Terraform asks the plugin to shut down (GRPCController.Shutdown) or stop() is called. */
  finished: Promise<void>;
  stop(): Promise<void>;
}

function checkEnvironment(env: NodeJS.ProcessEnv): void {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new PluginStartError(
      "This binary is a plugin. These are not meant to be executed directly. Please execute the program that consumes these plugins, which will load any plugins automatically.",
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(",").map((v) => v.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    throw new PluginStartError(
      `This provider speaks plugin protocol ${APP_PROTOCOL_VERSION}; the client offered ${offered.join(", ")}. Use Terraform 1.0 or later.`,
    );
  }
}

export async function servePlugin(options: ServeOptions): Promise<RunningPlugin> {
  const env = options.env ?? process.env;
  checkEnvironment(env);
  const useTls = !env.TF_DISABLE_PLUGIN_TLS && Boolean(env.PLUGIN_CLIENT_CERT);
  const certificate = useTls ? createPluginCertificate() : undefined;

  const grpc = require("@grpc/grpc-js") as typeof grpcTypes;
  const services = loadPluginServices();
  const server = new grpc.Server();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  let provider: TerraformProvider | undefined;
  const getProvider = () => {
    provider ??= options.createProvider();
    return provider;
  };
  const openStreams = new Set<grpcTypes.ServerWritableStream<unknown, unknown>>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return finished;
    stopped = true;
    for (const stream of openStreams) stream.end();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await provider?.close();
    finish();
  };

  server.addService(services.provider.service, providerHandlers(grpc, getProvider, options.logError));
  server.addService(services.controller.service, {
    Shutdown: (_call: unknown, callback: grpcTypes.sendUnaryData<object>) => {
      callback(null, {});
      setImmediate(() => void stop());
    },
  });
  server.addService(services.stdio.service, {
    // Kept open until shutdown; our output goes to stderr, which Terraform reads directly.
    StreamStdio: (stream: grpcTypes.ServerWritableStream<unknown, unknown>) => {
      openStreams.add(stream);
      stream.on("cancelled", () => openStreams.delete(stream));
    },
  });
  server.addService(services.health.service, {
    Check: (_call: unknown, callback: grpcTypes.sendUnaryData<object>) => callback(null, { status: 1 }),
  });

  const credentials = certificate
    ? grpc.ServerCredentials.createSsl(
        Buffer.from(env.PLUGIN_CLIENT_CERT as string),
        [{ private_key: Buffer.from(certificate.privateKeyPem), cert_chain: Buffer.from(certificate.certificatePem) }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
  );
  const address = `127.0.0.1:${port}`;
  const certificateField = certificate ? certificate.certificateDer.toString("base64").replace(/=+$/, "") : "";
  const line = `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|${address}|grpc|${certificateField}\n`;
  (options.writeHandshake ?? ((text) => process.stdout.write(text)))(line);
  return { address, finished, stop };
}

// biome-ignore lint/suspicious/noExplicitAny: requests are protobuf-shaped plain objects
type Handler = grpcTypes.handleUnaryCall<any, unknown>;

/** Each RPC → the provider method; an unexpected throw becomes an INTERNAL error (a provider bug). */
function providerHandlers(
  grpc: typeof grpcTypes,
  getProvider: () => TerraformProvider,
  logError?: (message: string) => void,
): Record<string, Handler> {
  const methods: Record<string, (p: TerraformProvider, request: never) => unknown> = {
    GetMetadata: (p) => p.getMetadata(),
    GetProviderSchema: (p) => p.getProviderSchema(),
    ValidateProviderConfig: (p, r) => p.validateProviderConfig(r),
    ValidateResourceConfig: (p, r) => p.validateResourceConfig(r),
    ValidateDataResourceConfig: (p, r) => p.validateDataResourceConfig(r),
    UpgradeResourceState: (p, r) => p.upgradeResourceState(r),
    ConfigureProvider: (p, r) => p.configureProvider(r),
    ReadResource: (p, r) => p.readResource(r),
    PlanResourceChange: (p, r) => p.planResourceChange(r),
    ApplyResourceChange: (p, r) => p.applyResourceChange(r),
    ImportResourceState: (p, r) => p.importResourceState(r),
    ReadDataSource: (p, r) => p.readDataSource(r),
    StopProvider: (p) => p.stopProvider(),
  };
  const handlers: Record<string, Handler> = {};
  for (const [name, method] of Object.entries(methods)) {
    handlers[name] = (call, callback) => {
      Promise.resolve()
        .then(() => method(getProvider(), call.request as never))
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            const message = describeThrown(error);
            logError?.(`${name} failed: ${message}`);
            callback({ code: grpc.status.INTERNAL, details: `${name}: ${message}` }, null);
          },
        );
    };
  }
  return handlers;
}
