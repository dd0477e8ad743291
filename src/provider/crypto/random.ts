/** Random key material. Project and service-token keys are 16 random bytes as 32 lowercase hex characters. */
import { randomBytes } from "node:crypto";
import { CryptoError } from "../errors";

export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new CryptoError("input", `randomHex needs a positive whole number of bytes (got ${bytes})`);
  }
  return randomBytes(bytes).toString("hex");
}

/** A new project key: the 32 hex characters themselves are the AES key (see symmetric.ts). */
export function generateProjectKey(): string {
  return randomHex(16);
}
