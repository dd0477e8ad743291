/**
 * Strict decoders shared by the crypto modules. Node's Buffer.from(x, "base64") silently skips
 * junk, so a malformed field would decrypt into an authentication failure far from its cause;
 * these check the text first and report the field and its length, never its content.
 */
import { CryptoError, type CryptoStep } from "../errors";

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function describeType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

export function requireString(value: unknown, field: string, step: CryptoStep): string {
  if (typeof value !== "string") {
    throw new CryptoError(step, `${field} must be a string (got ${describeType(value)})`);
  }
  return value;
}

/** Decodes standard, padded base64 (RFC 4648), optionally insisting on an exact byte length. */
export function decodeBase64(value: unknown, field: string, step: CryptoStep, expectedBytes?: number): Buffer {
  const text = requireString(value, field, step);
  const bytes = Buffer.from(text, "base64");
  // Canonical base64 is exactly what re-encoding gives back; far cheaper than a regex on large values.
  if (bytes.toString("base64") !== text) {
    throw new CryptoError(step, `${field} must be standard padded base64 (got ${text.length} characters)`);
  }
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) {
    throw new CryptoError(step, `${field} must decode to ${expectedBytes} bytes (got ${bytes.length})`);
  }
  return bytes;
}

/** Decodes an even-length hex string, optionally insisting on an exact byte length. */
export function decodeHex(value: unknown, field: string, step: CryptoStep, expectedBytes?: number): Buffer {
  const text = requireString(value, field, step);
  if (!HEX.test(text)) {
    throw new CryptoError(step, `${field} must be hex with an even number of digits (got ${text.length} characters)`);
  }
  const bytes = Buffer.from(text, "hex");
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) {
    throw new CryptoError(step, `${field} must be ${expectedBytes} bytes of hex (got ${bytes.length})`);
  }
  return bytes;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes authenticated plaintext; invalid UTF-8 is an error rather than replacement characters. */
export function decodeUtf8(bytes: Uint8Array, field: string, step: CryptoStep): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new CryptoError(step, `${field} is not valid UTF-8 (${bytes.length} bytes)`, { cause });
  }
}
