/**
 * Argon2id (version 0x13) behind one interface with two interchangeable backends:
 * Node's built-in `crypto.argon2` (Node >= 24.7) and the `argon2` npm package (the reference C
 * implementation the Infisical backend used). Tests prove both give the same bytes on the vectors.
 */
import * as nodeCrypto from "node:crypto";
import { CryptoError } from "../errors";
import { describeType } from "./encoding";

export interface Argon2idParams {
  /** Memory cost in KiB. */
  memoryKiB: number;
  /** Number of passes (Argon2 "time cost"). */
  passes: number;
  parallelism: number;
  /** Output length in bytes. */
  hashLength: number;
}

export type Argon2Backend = "node:crypto" | "argon2";

export interface DeriveArgon2idOptions extends Partial<Argon2idParams> {
  /** Force a backend; by default `node:crypto` where present, else `argon2`. */
  backend?: Argon2Backend;
}

/** The parameters every legacy Infisical client and the backend use (m=64 MiB, t=3, p=1, 32 bytes). */
export const INFISICAL_ARGON2ID: Readonly<Argon2idParams> = Object.freeze({
  memoryKiB: 65536,
  passes: 3,
  parallelism: 1,
  hashLength: 32,
});

const MIN_SALT_BYTES = 8;

type NodeArgon2 = (
  algorithm: "argon2id",
  parameters: {
    message: Uint8Array;
    nonce: Uint8Array;
    parallelism: number;
    tagLength: number;
    memory: number;
    passes: number;
  },
  callback: (err: Error | null, derivedKey: Buffer) => void,
) => void;

// Looked up dynamically: the package supports Node 22, whose node:crypto has no argon2.
const nodeArgon2 = (nodeCrypto as unknown as { argon2?: NodeArgon2 }).argon2;

export function availableArgon2Backends(): Argon2Backend[] {
  const backends: Argon2Backend[] = [];
  if (typeof nodeArgon2 === "function") backends.push("node:crypto");
  if (loadArgon2Package() !== undefined) backends.push("argon2");
  return backends;
}

export function defaultArgon2Backend(): Argon2Backend {
  return typeof nodeArgon2 === "function" ? "node:crypto" : "argon2";
}

type Argon2Package = typeof import("argon2");
let argon2Package: Argon2Package | null | undefined;

// Loaded lazily: it is a native addon and most processes on Node 24 never need it.
function loadArgon2Package(): Argon2Package | undefined {
  if (argon2Package === undefined) {
    try {
      argon2Package = require("argon2") as Argon2Package;
    } catch {
      argon2Package = null;
    }
  }
  return argon2Package ?? undefined;
}

function checkParams(options: DeriveArgon2idOptions): Argon2idParams {
  const params: Argon2idParams = {
    memoryKiB: options.memoryKiB ?? INFISICAL_ARGON2ID.memoryKiB,
    passes: options.passes ?? INFISICAL_ARGON2ID.passes,
    parallelism: options.parallelism ?? INFISICAL_ARGON2ID.parallelism,
    hashLength: options.hashLength ?? INFISICAL_ARGON2ID.hashLength,
  };
  for (const [name, value] of Object.entries(params)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new CryptoError("derive-key", `Argon2id ${name} must be a positive whole number (got ${value})`);
    }
  }
  if (params.memoryKiB < 8 * params.parallelism) {
    throw new CryptoError(
      "derive-key",
      `Argon2id memoryKiB must be at least 8 x parallelism (got ${params.memoryKiB})`,
    );
  }
  if (params.hashLength < 4) {
    throw new CryptoError("derive-key", `Argon2id hashLength must be at least 4 (got ${params.hashLength})`);
  }
  return params;
}

function toBytes(value: unknown, field: string): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new CryptoError("derive-key", `${field} must be a string or bytes (got ${describeType(value)})`);
}

function deriveWithNode(password: Buffer, salt: Buffer, params: Argon2idParams): Promise<Buffer> {
  const argon2 = nodeArgon2;
  if (typeof argon2 !== "function") {
    return Promise.reject(
      new CryptoError("derive-key", `this Node.js (${process.version}) has no crypto.argon2; it needs 24.7 or later`),
    );
  }
  return new Promise((resolve, reject) => {
    argon2(
      "argon2id",
      {
        message: password,
        nonce: salt,
        parallelism: params.parallelism,
        tagLength: params.hashLength,
        memory: params.memoryKiB,
        passes: params.passes,
      },
      (err, derivedKey) => {
        if (err) reject(new CryptoError("derive-key", "Argon2id (node:crypto) failed", { cause: err }));
        else resolve(derivedKey);
      },
    );
  });
}

async function deriveWithPackage(password: Buffer, salt: Buffer, params: Argon2idParams): Promise<Buffer> {
  const argon2 = loadArgon2Package();
  if (argon2 === undefined) {
    throw new CryptoError("derive-key", "the argon2 package is not installed or failed to load");
  }
  try {
    return await argon2.hash(password, {
      type: argon2.argon2id,
      version: 0x13,
      raw: true,
      salt,
      memoryCost: params.memoryKiB,
      timeCost: params.passes,
      parallelism: params.parallelism,
      hashLength: params.hashLength,
    });
  } catch (cause) {
    throw new CryptoError("derive-key", "Argon2id (argon2 package) failed", { cause });
  }
}

/**
 * Argon2id over `password` (strings are UTF-8 encoded) with the given salt bytes.
 * Defaults to Infisical's parameters; resolves to the raw derived key.
 */
export async function deriveArgon2id(
  password: string | Uint8Array,
  salt: Uint8Array,
  params: DeriveArgon2idOptions = {},
): Promise<Buffer> {
  const message = toBytes(password, "password");
  if (!(salt instanceof Uint8Array)) {
    throw new CryptoError("derive-key", `salt must be bytes (got ${describeType(salt)})`);
  }
  const nonce = toBytes(salt, "salt");
  if (nonce.length < MIN_SALT_BYTES) {
    throw new CryptoError("derive-key", `salt must be at least ${MIN_SALT_BYTES} bytes (got ${nonce.length})`);
  }
  const checked = checkParams(params);
  const backend = params.backend ?? defaultArgon2Backend();
  if (backend === "node:crypto") return deriveWithNode(message, nonce, checked);
  if (backend === "argon2") return deriveWithPackage(message, nonce, checked);
  throw new CryptoError("derive-key", `unknown Argon2 backend (expected "node:crypto" or "argon2")`);
}
