/** Loads this project's .proto files (proto/ at the package root) into gRPC service definitions. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GrpcObject, ServiceClientConstructor } from "@grpc/grpc-js";
import { InternalError } from "../provider/errors";

/** proto/ sits at the package root: ../../proto from src/terraform, ../../../proto from dist/src/terraform. */
export function protoDirectory(): string {
  for (const candidate of [join(__dirname, "..", "..", "proto"), join(__dirname, "..", "..", "..", "proto")]) {
    if (existsSync(join(candidate, "tfplugin6.proto"))) return candidate;
  }
  throw new InternalError(
    `proto files not found near ${__dirname}: the package is incomplete; reinstall infisical-e2ee`,
  );
}

export interface PluginServices {
  provider: ServiceClientConstructor;
  controller: ServiceClientConstructor;
  stdio: ServiceClientConstructor;
  health: ServiceClientConstructor;
}

export function loadPluginServices(): PluginServices {
  const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const protoLoader = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");
  const directory = protoDirectory();
  const definition = protoLoader.loadSync(["tfplugin6.proto", "go-plugin.proto", "health.proto"], {
    includeDirs: [directory],
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: false,
    oneofs: false,
  });
  const root = grpc.loadPackageDefinition(definition);
  const pick = (path: string) => path.split(".").reduce<unknown>((node, part) => (node as GrpcObject)[part], root);
  return {
    provider: pick("tfplugin6.Provider") as ServiceClientConstructor,
    controller: pick("plugin.GRPCController") as ServiceClientConstructor,
    stdio: pick("plugin.GRPCStdio") as ServiceClientConstructor,
    health: pick("grpc.health.v1.Health") as ServiceClientConstructor,
  };
}
