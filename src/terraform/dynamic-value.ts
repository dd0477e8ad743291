/**
 * Terraform values on the wire (DynamicValue): msgpack, null as nil, unknown as any msgpack
 * extension (we read every extension code as unknown and write plain unknown as ext 0, the way
 * cty does). JSON is accepted on input for completeness; we always answer in msgpack.
 */
import { decode, Encoder, ExtData, ExtensionCodec } from "@msgpack/msgpack";
import { ValidationError } from "../provider/errors";
import { isUnknown, UNKNOWN } from "../provider/schema/fields";

export interface DynamicValueMessage {
  msgpack?: Uint8Array | Buffer;
  json?: Uint8Array | Buffer;
}

const PLAIN_UNKNOWN_EXTENSION = 0;

const codec = new ExtensionCodec();
codec.register({
  type: PLAIN_UNKNOWN_EXTENSION,
  encode: (input: unknown) => (isUnknown(input) ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});

const encoder = new Encoder({ extensionCodec: codec });

/** Decode a DynamicValue; absent or empty means null. Unknowns become the core's UNKNOWN. */
export function decodeDynamicValue(message: DynamicValueMessage | null | undefined): unknown {
  if (message?.msgpack && message.msgpack.length > 0) {
    return replaceExtensions(decode(message.msgpack, { extensionCodec: codec }));
  }
  if (message?.json && message.json.length > 0) return parseJsonValue(Buffer.from(message.json));
  return null;
}

/**
 * JSON from Terraform (a DynamicValue or a stored state). JSON.parse's own message quotes the input,
 * which may hold a sensitive state value, so a failure reports only the size.
 */
export function parseJsonValue(json: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(json).toString("utf8"));
  } catch {
    throw new ValidationError("state", [{ path: "(state)", reason: `is not valid JSON (${json.length} bytes)` }]);
  }
}

export function encodeDynamicValue(value: unknown): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encoder.encode(value)) };
}

/** Extensions other than 0 (e.g. refined unknowns, ext 12) decode as ExtData: all mean "unknown". */
function replaceExtensions(value: unknown): unknown {
  if (value instanceof ExtData) return UNKNOWN;
  if (Array.isArray(value)) return value.map(replaceExtensions);
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = replaceExtensions(item);
  return out;
}
