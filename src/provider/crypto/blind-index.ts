/**
 * Server-side secret blind index: base64(Argon2id(secret name UTF-8, salt = the project's
 * base64-decoded 16-byte salt, m=65536 KiB, t=3, p=1, 32 bytes)). Clients never compute it.
 */
import { randomBytes } from "node:crypto";
import { CryptoError } from "../errors";
import { deriveArgon2id } from "./argon2";
import { decodeBase64, requireString } from "./encoding";

const SALT_BYTES = 16;

export async function computeBlindIndex(secretName: string, saltBase64: string): Promise<string> {
  const name = requireString(secretName, "secretName", "derive-key");
  if (name.length === 0) throw new CryptoError("derive-key", "secretName must not be empty");
  const salt = decodeBase64(saltBase64, "blind-index salt", "derive-key", SALT_BYTES);
  const index = await deriveArgon2id(name, salt);
  return index.toString("base64");
}

/** A new per-project blind-index salt (16 random bytes, base64), as the server creates with a project. */
export function generateBlindIndexSalt(): string {
  return randomBytes(SALT_BYTES).toString("base64");
}
