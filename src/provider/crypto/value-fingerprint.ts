/**
 * Keyed fingerprints of secret values, kept in state so a refresh can tell whether the server's
 * value is still the one this provider wrote without the value itself being stored.
 *
 * fingerprint = "hmac-sha256:" + base64url(HMAC-SHA256(K, len(secretId) ‖ secretId ‖ value)),
 * K = HKDF-SHA256(ikm = project key, salt = none, info = VALUE_FINGERPRINT_LABEL, 32 bytes).
 * Without the project key the fingerprint reveals nothing and a guess cannot be tested against it;
 * the label keeps K apart from every other use of the project key, and binding the secret's ID
 * keeps two secrets with the same value from sharing a fingerprint.
 */
import { createHmac, hkdfSync } from "node:crypto";
import { requireString } from "./encoding";

export const VALUE_FINGERPRINT_LABEL = "infisical-e2ee/secret-value-fingerprint/v1";
export const VALUE_FINGERPRINT_PREFIX = "hmac-sha256:";

export function valueFingerprint(projectKey: string, secretId: string, value: string): string {
  const key = Buffer.from(
    hkdfSync(
      "sha256",
      Buffer.from(requireString(projectKey, "projectKey", "derive-key"), "utf8"),
      Buffer.alloc(0),
      VALUE_FINGERPRINT_LABEL,
      32,
    ),
  );
  const id = Buffer.from(requireString(secretId, "secretId", "derive-key"), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(id.length);
  const mac = createHmac("sha256", key)
    .update(length)
    .update(id)
    .update(Buffer.from(requireString(value, "value", "derive-key"), "utf8"))
    .digest();
  key.fill(0);
  return VALUE_FINGERPRINT_PREFIX + mac.toString("base64url");
}
