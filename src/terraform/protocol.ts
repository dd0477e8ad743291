/** Loads this project's .proto files (proto/ at the package root) into gRPC service definitions. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GrpcObject, ServiceClientConstructor } from "@grpc/grpc-js";
import type { Options, PackageDefinition } from "@grpc/proto-loader";
import { InternalError } from "../provider/errors";
import { EMBEDDED_PROTOCOL_ASSET } from "./embedded-protocol";

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

export const PROTO_FILES = ["tfplugin6.proto", "go-plugin.proto", "health.proto"];

const LOAD_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: false,
  oneofs: false,
};

/** The protocol from proto/ on disk: how the npm package loads it. */
export function loadProtoFiles(): PackageDefinition {
  const protoLoader = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");
  return protoLoader.loadSync(PROTO_FILES, { includeDirs: [protoDirectory()], ...LOAD_OPTIONS });
}

/** The protocol from the protobufjs JSON the single-file build embeds (scripts/package-provider). */
export function loadProtocolJson(json: string): PackageDefinition {
  const protoLoader = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");
  return protoLoader.fromJSON(JSON.parse(json), LOAD_OPTIONS);
}

/** The single-file provider has no proto/ beside it: its build embedded the parsed protocol. */
export function loadProtocolDefinition(): PackageDefinition {
  const sea = require("node:sea") as typeof import("node:sea");
  return sea.isSea() ? loadProtocolJson(sea.getAsset(EMBEDDED_PROTOCOL_ASSET, "utf8")) : loadProtoFiles();
}

export function loadPluginServices(): PluginServices {
  const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const root = grpc.loadPackageDefinition(loadProtocolDefinition());
  const pick = (path: string) => path.split(".").reduce<unknown>((node, part) => (node as GrpcObject)[part], root);
  return {
    provider: pick("tfplugin6.Provider") as ServiceClientConstructor,
    controller: pick("plugin.GRPCController") as ServiceClientConstructor,
    stdio: pick("plugin.GRPCStdio") as ServiceClientConstructor,
    health: pick("grpc.health.v1.Health") as ServiceClientConstructor,
  };
}
