/**
 * The single-file provider loads the plugin protocol from the JSON its build embeds, not from
 * proto/: both must give the same services and the same bytes on the wire, maps and enums included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MethodDefinition, PackageDefinition, ServiceDefinition } from "@grpc/proto-loader";
import { compileProtocolJson } from "../../scripts/package-provider/protocol-json";
import { loadProtocolJson, loadProtoFiles } from "../../src/terraform/protocol";

type Method = MethodDefinition<object, object>;

function services(definition: PackageDefinition): Map<string, Method> {
  const methods = new Map<string, Method>();
  for (const [name, entry] of Object.entries(definition)) {
    if ("format" in entry) continue; // a message or enum type, not a service
    for (const [methodName, method] of Object.entries(entry as ServiceDefinition)) {
      methods.set(`${name}.${methodName}`, method as Method);
    }
  }
  return methods;
}

const fromFiles = loadProtoFiles();
const fromJson = loadProtocolJson(compileProtocolJson());

test("the embedded protocol has the same services, methods and paths as proto/", () => {
  const a = services(fromFiles);
  const b = services(fromJson);
  assert.ok(a.has("tfplugin6.Provider.GetProviderSchema") && a.has("plugin.GRPCController.Shutdown"));
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [name, method] of a) {
    const other = b.get(name)!;
    assert.equal(other.path, method.path, name);
    assert.equal(other.requestStream, method.requestStream, name);
    assert.equal(other.responseStream, method.responseStream, name);
  }
  assert.deepEqual(Object.keys(fromJson).sort(), Object.keys(fromFiles).sort());
});

test("the embedded protocol serializes a map-bearing schema response to the same bytes", () => {
  const response = {
    provider: { version: 0, block: { attributes: [{ name: "host", type: Buffer.from('"string"'), optional: true }] } },
    resource_schemas: {
      infisicale2ee_secret: {
        version: 1,
        block: { attributes: [{ name: "key", type: Buffer.from('"string"'), required: true, description_kind: 1 }] },
      },
    },
    data_source_schemas: { infisicale2ee_secrets: { version: 0, block: { attributes: [] } } },
    diagnostics: [{ severity: 1, summary: "s", detail: "d" }],
    server_capabilities: { plan_destroy: true },
  };
  const method = (definition: PackageDefinition) => services(definition).get("tfplugin6.Provider.GetProviderSchema")!;
  const bytes = method(fromFiles).responseSerialize(response);
  assert.ok(bytes.length > 50);
  assert.deepEqual(method(fromJson).responseSerialize(response), bytes);
  assert.deepEqual(method(fromJson).responseDeserialize(bytes), method(fromFiles).responseDeserialize(bytes));
});
