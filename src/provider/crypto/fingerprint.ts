/**
 * Public-key fingerprints: a short form of a member's NaCl public key that people can read to each
 * other and compare out of band. `nacl-sha256:` + the first 160 bits of SHA-256 over the raw 32 key
 * bytes, in RFC 4648 base32 (no padding), as 8 groups of 4. One home for the CLI, the members lookup,
 * the membership resource and the session's key-sender check (docs/design/0025).
 */
import { createHash } from "node:crypto";
import { CryptoError } from "../errors";
import { decodeBase64 } from "./encoding";

export const FINGERPRINT_PREFIX = "nacl-sha256:";
const FINGERPRINT_BYTES = 20;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const FINGERPRINT_SHAPE = /^nacl-sha256:[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/;

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The fingerprint of a base64 NaCl public key (32 bytes); CryptoError when it is not one. */
export function publicKeyFingerprint(publicKey: string): string {
  let raw: Buffer;
  try {
    raw = decodeBase64(publicKey, "publicKey", "fingerprint", 32);
  } catch (cause) {
    throw new CryptoError("fingerprint", "the public key is not 32 bytes of base64", { cause });
  }
  const digest = createHash("sha256").update(raw).digest().subarray(0, FINGERPRINT_BYTES);
  const groups = base32(digest).match(/.{4}/g) ?? [];
  return FINGERPRINT_PREFIX + groups.join("-");
}

/**
 * The canonical spelling of a fingerprint someone typed (case and surrounding blanks forgiven,
 * spaces allowed instead of dashes), or undefined when it is not a fingerprint at all.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const compact = text.trim().replace(/\s+/g, "-");
  const lower = compact.toLowerCase();
  if (!lower.startsWith(FINGERPRINT_PREFIX)) return undefined;
  const candidate = FINGERPRINT_PREFIX + compact.slice(FINGERPRINT_PREFIX.length).toUpperCase();
  return FINGERPRINT_SHAPE.test(candidate) ? candidate : undefined;
}

/**
 * A schema validator's reason, naming the expected shape without echoing the value. Exact spelling
 * only, so what the user wrote is what state holds (Terraform insists on that).
 */
export function fingerprintProblem(text: string): string | undefined {
  const canonical = normalizeFingerprint(text);
  if (canonical === text) return undefined;
  return canonical !== undefined
    ? "must be written exactly as `infisical-e2ee fingerprint` prints it (upper case, groups joined by dashes, no blanks)"
    : `is not a public-key fingerprint; expected ${FINGERPRINT_PREFIX}XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX as printed by \`infisical-e2ee fingerprint\``;
}
