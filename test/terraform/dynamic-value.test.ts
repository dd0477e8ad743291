/** Terraform wire values: unknowns of any extension code, numbers as strings, exact bytes out. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isUnknown, UNKNOWN } from "../../src/provider/schema/fields";
import { decodeDynamicValue, encodeDynamicValue } from "../../src/terraform/dynamic-value";
import { toCamelCase, toSnakeCase } from "../../src/terraform/names";

test("dynamic value: cty's plain unknown (d4 00 00) and a refined unknown (ext 12) both decode as UNKNOWN", () => {
  // fixmap{a: fixext1(0, 0x00), b: ext8(len 3, type 12, map{1: true})}
  const bytes = Buffer.from([0x82, 0xa1, 0x61, 0xd4, 0x00, 0x00, 0xa1, 0x62, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3]);
  const value = decodeDynamicValue({ msgpack: bytes }) as Record<string, unknown>;
  assert.ok(isUnknown(value.a));
  assert.ok(isUnknown(value.b));
});

test("dynamic value: UNKNOWN encodes as fixext1 type 0 and nil/empty means null", () => {
  assert.deepEqual([...encodeDynamicValue(UNKNOWN).msgpack], [0xd4, 0x00, 0x00]);
  assert.deepEqual([...encodeDynamicValue(null).msgpack], [0xc0]);
  assert.equal(decodeDynamicValue({ msgpack: Buffer.from([0xc0]) }), null);
  assert.equal(decodeDynamicValue({ msgpack: Buffer.alloc(0) }), null);
  assert.equal(decodeDynamicValue(undefined), null);
  assert.deepEqual(decodeDynamicValue({ json: Buffer.from('{"a":1}') }), { a: 1 });
});

test("names: one converter both ways", () => {
  for (const [camel, snake] of [
    ["projectId", "project_id"],
    ["valueWoVersion", "value_wo_version"],
    ["projectMembership", "project_membership"],
    ["secretPath", "secret_path"],
  ]) {
    assert.equal(toSnakeCase(camel as string), snake);
    assert.equal(toCamelCase(snake as string), camel);
  }
});
