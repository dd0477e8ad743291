/**
 * The server's answers and the client's reading of them share the wire types (src/server/rows.ts
 * builds each answer `satisfies Answer<WireX>`); where the two disagreed, null vs absent, the
 * client type now says both and the client reads both the same way.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { decryptSecret, encryptSecret } from "../../src/provider/session/secret-codec";

const projectKey = randomBytes(16).toString("hex");

test("a secret answered with null comment fields (the server's 'no comment') reads as an empty comment", () => {
  const sealed = encryptSecret(projectKey, "KEY", "value", "ignored");
  const answered = {
    ...sealed,
    id: "s1",
    secretCommentCiphertext: null,
    secretCommentIV: null,
    secretCommentTag: null,
  };
  const plain = decryptSecret(projectKey, answered);
  assert.equal(plain.key, "KEY");
  assert.equal(plain.value, "value");
  assert.equal(plain.comment, "");
});

test("absent comment fields (what a client sends without a comment) read the same way", () => {
  const { secretCommentCiphertext, secretCommentIV, secretCommentTag, ...rest } = encryptSecret(
    projectKey,
    "KEY",
    "value",
    "x",
  );
  assert.ok(secretCommentCiphertext && secretCommentIV && secretCommentTag);
  assert.equal(decryptSecret(projectKey, { ...rest, id: "s2" }).comment, "");
});
