/** Encrypting and decrypting secret triples with a project key (key, value and comment separately). */
import type { SecretCiphertexts, WireSecret } from "../api/wire";
import { decryptSymmetric, encryptSymmetric } from "../crypto";
import { CryptoError } from "../errors";
import type { PlainSecret } from "./session";

export function encryptSecret(projectKey: string, key: string, value: string, comment: string): SecretCiphertexts {
  const k = encryptSymmetric(key, projectKey);
  const v = encryptSymmetric(value, projectKey);
  const c = encryptSymmetric(comment, projectKey);
  return {
    secretKeyCiphertext: k.ciphertext,
    secretKeyIV: k.iv,
    secretKeyTag: k.tag,
    secretValueCiphertext: v.ciphertext,
    secretValueIV: v.iv,
    secretValueTag: v.tag,
    secretCommentCiphertext: c.ciphertext,
    secretCommentIV: c.iv,
    secretCommentTag: c.tag,
  };
}

/** Decrypt one secret; a failure names the secret's ID and the field, never data. */
export function decryptSecret(projectKey: string, wire: WireSecret): PlainSecret {
  const secretId = wire.id ?? wire._id ?? "";
  const open = (
    field: string,
    ciphertext: string | null | undefined,
    iv: string | null | undefined,
    tag: string | null | undefined,
  ) => {
    if (ciphertext === null || ciphertext === undefined || !iv || !tag) return "";
    try {
      return decryptSymmetric({ ciphertext, iv, tag }, projectKey);
    } catch (cause) {
      throw new CryptoError("decrypt-secret", `secret ${secretId}: ${field} did not decrypt with the project key`, {
        cause,
      });
    }
  };
  return {
    secretId,
    key: open("key", wire.secretKeyCiphertext, wire.secretKeyIV, wire.secretKeyTag),
    value: open("value", wire.secretValueCiphertext, wire.secretValueIV, wire.secretValueTag),
    comment: open("comment", wire.secretCommentCiphertext, wire.secretCommentIV, wire.secretCommentTag),
    version: wire.version ?? 1,
    type: wire.type ?? "shared",
    ...(Array.isArray(wire.tags) ? { tagIds: tagIdsOf(wire.tags) } : {}),
  };
}

/** The ids of a list answer's `tags`, sorted; entries without a string id (a broken answer) are skipped. */
function tagIdsOf(tags: unknown[]): string[] {
  const ids = tags.map((t) => (typeof t === "object" && t !== null ? (t as { id?: unknown }).id : undefined));
  return ids.filter((id): id is string => typeof id === "string").sort();
}
