/**
 * The plugin protocol (proto/*.proto) parsed at build time into protobufjs JSON, which keeps
 * every construct (maps included; a protobuf descriptor set does not round-trip maps through
 * protobufjs). Parsed by the protobufjs that proto-loader itself depends on, with its options.
 */
import { dirname, join } from "node:path";
import { PROTO_FILES, protoDirectory } from "../../src/terraform/protocol";

interface ProtobufRoot {
  loadSync(files: string[], options: { keepCase: boolean }): ProtobufRoot;
  resolveAll(): ProtobufRoot;
  toJSON(): object;
}

export function compileProtocolJson(): string {
  const loaderDir = dirname(require.resolve("@grpc/proto-loader"));
  const protobuf = require(require.resolve("protobufjs", { paths: [loaderDir] })) as {
    Root: new () => ProtobufRoot;
  };
  const directory = protoDirectory();
  const root = new protobuf.Root().loadSync(
    PROTO_FILES.map((file) => join(directory, file)),
    { keepCase: true },
  );
  return JSON.stringify(root.resolveAll().toJSON());
}
