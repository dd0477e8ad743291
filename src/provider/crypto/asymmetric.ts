/**
 * NaCl box (Curve25519 + XSalsa20 + Poly1305) via tweetnacl, as used for project-key copies:
 * base64 keys (32 bytes), base64 24-byte nonce sent separately, ciphertext = tag || encrypted bytes.
 */
import { randomBytes } from "node:crypto";
import nacl from "tweetnacl";
import { CryptoError, type CryptoStep } from "../errors";
import { decodeBase64, decodeUtf8, describeType, requireString } from "./encoding";

export interface AsymmetricCiphertext {
  /** base64; plaintext length + 16. */
  ciphertext: string;
  /** base64; 24 bytes. */
  nonce: string;
}

export interface KeyPair {
  /** base64 of the 32-byte Curve25519 public key. */
  publicKey: string;
  /** base64 of the 32-byte Curve25519 secret key. */
  privateKey: string;
}

const KEY_BYTES = nacl.box.publicKeyLength;
const NONCE_BYTES = nacl.box.nonceLength;

function keyBytes(value: unknown, field: string, step: CryptoStep): Uint8Array {
  return new Uint8Array(decodeBase64(value, field, step, KEY_BYTES));
}

export function generateKeyPair(): KeyPair {
  const pair = nacl.box.keyPair();
  return {
    publicKey: Buffer.from(pair.publicKey).toString("base64"),
    privateKey: Buffer.from(pair.secretKey).toString("base64"),
  };
}

/** The public key that belongs to a private key (both base64). */
export function publicKeyFromPrivateKey(privateKey: string, step: CryptoStep = "verify-private-key"): string {
  const secret = keyBytes(privateKey, "privateKey", step);
  return Buffer.from(nacl.box.keyPair.fromSecretKey(secret).publicKey).toString("base64");
}

export function encryptAsymmetric(
  plaintext: string,
  receiverPublicKey: string,
  senderPrivateKey: string,
): AsymmetricCiphertext {
  const step: CryptoStep = "encrypt-asymmetric";
  const text = requireString(plaintext, "plaintext", step);
  const receiver = keyBytes(receiverPublicKey, "receiverPublicKey", step);
  const sender = keyBytes(senderPrivateKey, "senderPrivateKey", step);
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const sealed = nacl.box(new Uint8Array(Buffer.from(text, "utf8")), nonce, receiver, sender);
  return {
    ciphertext: Buffer.from(sealed).toString("base64"),
    nonce: Buffer.from(nonce).toString("base64"),
  };
}

export function decryptAsymmetric(
  payload: AsymmetricCiphertext,
  senderPublicKey: string,
  receiverPrivateKey: string,
): string {
  const step: CryptoStep = "decrypt-asymmetric";
  if (typeof payload !== "object" || payload === null) {
    throw new CryptoError(step, `expected {ciphertext, nonce} (got ${describeType(payload)})`);
  }
  const ciphertext = decodeBase64(payload.ciphertext, "ciphertext", step);
  const nonce = decodeBase64(payload.nonce, "nonce", step, NONCE_BYTES);
  if (ciphertext.length < nacl.box.overheadLength) {
    throw new CryptoError(
      step,
      `ciphertext must be at least ${nacl.box.overheadLength} bytes (got ${ciphertext.length})`,
    );
  }
  const sender = keyBytes(senderPublicKey, "senderPublicKey", step);
  const receiver = keyBytes(receiverPrivateKey, "receiverPrivateKey", step);
  const opened = nacl.box.open(new Uint8Array(ciphertext), new Uint8Array(nonce), sender, receiver);
  if (opened === null) {
    throw new CryptoError(
      step,
      `authentication failed: wrong keys, or the ciphertext (${ciphertext.length} bytes) or nonce was altered`,
    );
  }
  return decodeUtf8(opened, "plaintext", step);
}
