/**
 * AES-256-GCM in Infisical's legacy E2EE format: separate base64 ciphertext, iv and tag, a fresh
 * 16-byte IV per encryption (any IV length accepted on decrypt), 16-byte tag, no AAD.
 * The text-key variants use the 32-character hex project key *as its UTF-8 bytes* (never hex-decoded).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CryptoError, type CryptoStep } from "../errors";
import { decodeBase64, decodeUtf8, describeType, requireString } from "./encoding";

export interface SymmetricCiphertext {
  /** base64; as long as the plaintext's UTF-8 bytes (GCM is a stream mode). */
  ciphertext: string;
  /** base64; 16 bytes when we encrypt, any non-empty length accepted when decrypting. */
  iv: string;
  /** base64; 16 bytes. */
  tag: string;
}

const ALGORITHM = "aes-256-gcm";
const KEY_BYTES = 32;
const IV_BYTES = 16;
const TAG_BYTES = 16;

function textKeyBytes(key: unknown, step: CryptoStep): Buffer {
  const text = requireString(key, "key", step);
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length !== KEY_BYTES) {
    throw new CryptoError(
      step,
      `key must be ${KEY_BYTES} bytes as UTF-8 text, e.g. a 32-character hex project key (got ${bytes.length})`,
    );
  }
  return bytes;
}

function rawKeyBytes(key: unknown, step: CryptoStep): Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new CryptoError(step, `key must be a Buffer or Uint8Array of ${KEY_BYTES} bytes (got ${describeType(key)})`);
  }
  if (key.length !== KEY_BYTES) {
    throw new CryptoError(step, `key must be ${KEY_BYTES} bytes (got ${key.length})`);
  }
  return key;
}

function encryptWith(plaintext: unknown, key: Uint8Array): SymmetricCiphertext {
  const text = requireString(plaintext, "plaintext", "encrypt-symmetric");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return {
    ciphertext: ciphertext.toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

function decryptWith(payload: unknown, key: Uint8Array): string {
  const step: CryptoStep = "decrypt-symmetric";
  if (typeof payload !== "object" || payload === null) {
    throw new CryptoError(step, `expected {ciphertext, iv, tag} (got ${describeType(payload)})`);
  }
  const fields = payload as Record<string, unknown>;
  const ciphertext = decodeBase64(fields.ciphertext, "ciphertext", step);
  const iv = decodeBase64(fields.iv, "iv", step);
  const tag = decodeBase64(fields.tag, "tag", step, TAG_BYTES);
  if (iv.length === 0) {
    throw new CryptoError(step, "iv must not be empty");
  }
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new CryptoError(
      step,
      `authentication failed: wrong key, or the ciphertext (${ciphertext.length} bytes), iv (${iv.length} bytes) or tag was altered`,
      { cause },
    );
  }
  return decodeUtf8(plaintext, "plaintext", step);
}

/** Encrypts with a 32-character text key (the project key or a service-token key) used as UTF-8 bytes. */
export function encryptSymmetric(plaintext: string, key: string): SymmetricCiphertext {
  return encryptWith(plaintext, textKeyBytes(key, "encrypt-symmetric"));
}

/** Decrypts with a 32-character text key; a wrong key or altered field throws CryptoError, never garbage. */
export function decryptSymmetric(payload: SymmetricCiphertext, key: string): string {
  return decryptWith(payload, textKeyBytes(key, "decrypt-symmetric"));
}

/** Encrypts with a raw 32-byte key (Argon2 output, inner key). */
export function encryptSymmetricWithKeyBytes(plaintext: string, key: Uint8Array): SymmetricCiphertext {
  return encryptWith(plaintext, rawKeyBytes(key, "encrypt-symmetric"));
}

/** Decrypts with a raw 32-byte key (Argon2 output, inner key). */
export function decryptSymmetricWithKeyBytes(payload: SymmetricCiphertext, key: Uint8Array): string {
  return decryptWith(payload, rawKeyBytes(key, "decrypt-symmetric"));
}
