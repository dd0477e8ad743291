/**
 * The server's own keys: one signs access tokens (HMAC-SHA256), one encrypts data the server
 * must be able to read back (the per-project blind-index salts, AES-256-GCM). They live in
 * `<dataDir>/server-keys.json` (mode 0600) so tokens and blind indexes survive a restart;
 * an in-memory server draws fresh ones.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ServerDataError } from "../../provider/errors";

export interface ServerKeys {
  tokenSigningKey: Buffer;
  atRestKey: Buffer;
}

const KEY_BYTES = 32;

export function loadServerKeys(dataDir?: string): ServerKeys {
  if (!dataDir) return { tokenSigningKey: randomBytes(KEY_BYTES), atRestKey: randomBytes(KEY_BYTES) };
  const file = join(dataDir, "server-keys.json");
  if (existsSync(file)) {
    let parsed: { tokenSigningKey?: string; atRestKey?: string } = {};
    try {
      parsed = JSON.parse(readFileSync(file, "utf8")) as typeof parsed;
    } catch {
      // Reported below as damaged, without the parser's message (it would quote the file).
    }
    const keys = {
      tokenSigningKey: Buffer.from(parsed.tokenSigningKey ?? "", "base64"),
      atRestKey: Buffer.from(parsed.atRestKey ?? "", "base64"),
    };
    if (keys.tokenSigningKey.length !== KEY_BYTES || keys.atRestKey.length !== KEY_BYTES) {
      throw new ServerDataError(file, `is damaged: expected two ${KEY_BYTES}-byte base64 keys`);
    }
    return keys;
  }
  const keys = { tokenSigningKey: randomBytes(KEY_BYTES), atRestKey: randomBytes(KEY_BYTES) };
  const text = JSON.stringify({
    tokenSigningKey: keys.tokenSigningKey.toString("base64"),
    atRestKey: keys.atRestKey.toString("base64"),
  });
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
  return keys;
}

export interface SealedText {
  ciphertext: string;
  iv: string;
  tag: string;
}

/** AES-256-GCM under the at-rest key; 12-byte IV; base64 fields. */
export function sealAtRest(plaintext: string, key: Buffer): SealedText {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    ciphertext: ciphertext.toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

export function openAtRest(sealed: SealedText, key: Buffer): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8");
}
