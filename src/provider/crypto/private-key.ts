/**
 * Protection of a user's NaCl private key, encryptionVersion 2 (signup, login, password change):
 * derivedKey = Argon2id(password, UTF-8 bytes of the hex SRP salt); a random 32-byte inner key
 * encrypts the private key's base64 *text*; the derived key encrypts the inner key's hex text.
 * encryptionVersion 1 (legacy accounts, read only) uses the zero-padded password as the AES key.
 */
import { randomBytes } from "node:crypto";
import { CryptoError, type CryptoStep } from "../errors";
import { deriveArgon2id } from "./argon2";
import { publicKeyFromPrivateKey } from "./asymmetric";
import { decodeBase64, decodeHex, requireString } from "./encoding";
import { decryptSymmetric, decryptSymmetricWithKeyBytes, encryptSymmetricWithKeyBytes } from "./symmetric";

export interface ProtectedPrivateKey {
  protectedKey: string;
  protectedKeyIV: string;
  protectedKeyTag: string;
  encryptedPrivateKey: string;
  encryptedPrivateKeyIV: string;
  encryptedPrivateKeyTag: string;
}

export interface ProtectPrivateKeyInput {
  /** base64 NaCl secret key. */
  privateKey: string;
  password: string;
  /** The SRP salt as hex text; its UTF-8 bytes (not its decoded bytes) salt Argon2id. */
  salt: string;
}

export interface RecoverPrivateKeyInput extends Partial<ProtectedPrivateKey> {
  password: string;
  /** The SRP salt hex text from login1. Unused for encryptionVersion 1. */
  salt: string;
  encryptedPrivateKey: string;
  encryptedPrivateKeyIV: string;
  encryptedPrivateKeyTag: string;
  /** From the login response; 2 (the default) needs the protectedKey fields. */
  encryptionVersion?: 1 | 2;
  /** When given, the recovered key must belong to it. */
  publicKey?: string;
}

const INNER_KEY_BYTES = 32;
const ENCRYPTED_FIELDS = [
  "protectedKey",
  "protectedKeyIV",
  "protectedKeyTag",
  "encryptedPrivateKey",
  "encryptedPrivateKeyIV",
  "encryptedPrivateKeyTag",
] as const;
const LEGACY_KEY_BYTES = 32;

function requirePassword(password: unknown, step: CryptoStep): string {
  const text = requireString(password, "password", step);
  if (text.length === 0) throw new CryptoError(step, "password must not be empty");
  return text;
}

function requireSalt(salt: unknown, step: CryptoStep): string {
  const text = requireString(salt, "salt", step);
  if (text.length === 0) throw new CryptoError(step, "salt must not be empty");
  return text;
}

/** The key every legacy client derives from the password and SRP salt; derive it once per login. */
export function derivePasswordKey(password: string, salt: string): Promise<Buffer> {
  return deriveArgon2id(password, Buffer.from(salt, "utf8"));
}

export async function protectPrivateKey(input: ProtectPrivateKeyInput): Promise<ProtectedPrivateKey> {
  const password = requirePassword(input?.password, "input");
  const salt = requireSalt(input.salt, "input");
  // Checks the key's shape before spending an Argon2 call on it.
  decodeBase64(input.privateKey, "privateKey", "input", 32);
  const derivedKey = await derivePasswordKey(password, salt);
  const innerKey = randomBytes(INNER_KEY_BYTES);
  const encryptedPrivate = encryptSymmetricWithKeyBytes(input.privateKey, innerKey);
  const protectedInner = encryptSymmetricWithKeyBytes(innerKey.toString("hex"), derivedKey);
  return {
    protectedKey: protectedInner.ciphertext,
    protectedKeyIV: protectedInner.iv,
    protectedKeyTag: protectedInner.tag,
    encryptedPrivateKey: encryptedPrivate.ciphertext,
    encryptedPrivateKeyIV: encryptedPrivate.iv,
    encryptedPrivateKeyTag: encryptedPrivate.tag,
  };
}

/** The encryptionVersion 1 key: the first 32 characters of the password, left-padded with "0" to 32 bytes. */
export function legacyPasswordKey(password: string): string {
  let key = requirePassword(password, "recover-private-key").slice(0, LEGACY_KEY_BYTES);
  while (Buffer.byteLength(key, "utf8") < LEGACY_KEY_BYTES) key = `0${key}`;
  if (Buffer.byteLength(key, "utf8") !== LEGACY_KEY_BYTES) {
    throw new CryptoError(
      "recover-private-key",
      "encryptionVersion 1 needs a password whose first 32 characters fit in 32 UTF-8 bytes",
    );
  }
  return key;
}

/** Re-labels a decryption failure with the recovery step; the cause's message holds lengths only. */
function rethrowAsRecovery(field: string, cause: unknown): never {
  const detail = cause instanceof CryptoError ? cause.message : "decryption failed";
  const hint = field === "protectedKey" ? " (wrong password, or altered protectedKey fields)" : "";
  throw new CryptoError("recover-private-key", `${field}: ${detail}${hint}`, { cause });
}

export async function recoverPrivateKey(input: RecoverPrivateKeyInput): Promise<string> {
  const step = "recover-private-key";
  const password = requirePassword(input?.password, step);
  // Shape checks first, so malformed fields fail before an Argon2 call is spent on them.
  for (const field of ENCRYPTED_FIELDS) {
    if (input[field] !== undefined || !field.startsWith("protected")) decodeBase64(input[field], field, step);
  }
  const encrypted = {
    ciphertext: input.encryptedPrivateKey,
    iv: input.encryptedPrivateKeyIV,
    tag: input.encryptedPrivateKeyTag,
  };
  let privateKey: string;
  if ((input.encryptionVersion ?? 2) === 1) {
    try {
      privateKey = decryptSymmetric(encrypted, legacyPasswordKey(password));
    } catch (cause) {
      rethrowAsRecovery("encryptedPrivateKey", cause);
    }
  } else {
    if (input.encryptionVersion !== undefined && input.encryptionVersion !== 2) {
      throw new CryptoError(step, "encryptionVersion must be 1 or 2");
    }
    const salt = requireSalt(input.salt, step);
    for (const field of ["protectedKey", "protectedKeyIV", "protectedKeyTag"] as const) {
      requireString(input[field], field, step);
    }
    const derivedKey = await derivePasswordKey(password, salt);
    let innerKey: Buffer;
    try {
      const innerHex = decryptSymmetricWithKeyBytes(
        { ciphertext: input.protectedKey ?? "", iv: input.protectedKeyIV ?? "", tag: input.protectedKeyTag ?? "" },
        derivedKey,
      );
      innerKey = decodeHex(innerHex, "inner key", step, INNER_KEY_BYTES);
    } catch (cause) {
      rethrowAsRecovery("protectedKey", cause);
    }
    try {
      privateKey = decryptSymmetricWithKeyBytes(encrypted, innerKey);
    } catch (cause) {
      rethrowAsRecovery("encryptedPrivateKey", cause);
    }
  }
  decodeBase64(privateKey, "recovered private key", step, 32);
  if (input.publicKey !== undefined) {
    const expected = decodeBase64(input.publicKey, "publicKey", "verify-private-key", 32).toString("base64");
    if (publicKeyFromPrivateKey(privateKey, "verify-private-key") !== expected) {
      throw new CryptoError("verify-private-key", "the recovered private key does not belong to the given public key");
    }
  }
  return privateKey;
}
