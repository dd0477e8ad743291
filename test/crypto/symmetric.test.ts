import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as infisicalNode from "infisical-node/lib/utils/crypto";
import {
  decryptSymmetric,
  decryptSymmetricWithKeyBytes,
  encryptSymmetric,
  encryptSymmetricWithKeyBytes,
  generateProjectKey,
  randomHex,
} from "../../src/provider/crypto";
import { assertCryptoError } from "./assertions";
import { loadVectors, type SymmetricVectors } from "./vectors";

const vectors = loadVectors<SymmetricVectors>("symmetric-aes256gcm.json");
const caseNamed = (name: string) => {
  const found = vectors.cases.find((c) => c.name === name);
  assert.ok(found, `vector case ${name}`);
  return found;
};
const flipFirstBit = (base64: string) => {
  const bytes = Buffer.from(base64, "base64");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString("base64");
};

describe("AES-256-GCM vectors (key text used as UTF-8 bytes)", () => {
  assert.ok(vectors.cases.length >= 6);
  for (const vector of vectors.cases) {
    it(`decrypts ${vector.name}`, () => {
      assert.equal(Buffer.from(vector.key, "utf8").toString("hex"), vector.keyBytesHex);
      assert.equal(Buffer.from(vector.iv, "base64").length, vector.ivLengthBytes);
      const plaintext = decryptSymmetric({ ciphertext: vector.ciphertext, iv: vector.iv, tag: vector.tag }, vector.key);
      assert.equal(plaintext, vector.plaintext);
    });
    it(`decrypts ${vector.name} with the raw-key variant`, () => {
      const key = Buffer.from(vector.keyBytesHex, "hex");
      const plaintext = decryptSymmetricWithKeyBytes(vector, key);
      assert.equal(plaintext, vector.plaintext);
    });
  }

  it("rejects the hex-decoded key (negative case hex-decoded-key-is-wrong)", () => {
    const negative = vectors.negative.find((n) => n.name === "hex-decoded-key-is-wrong");
    assert.ok(negative?.key);
    const vector = caseNamed("ascii-secret-name");
    const error = assertCryptoError(
      () => decryptSymmetricWithKeyBytes(vector, Buffer.from(negative.key ?? "", "hex")),
      "decrypt-symmetric",
      [negative.key ?? "", vector.plaintext],
    );
    assert.match(error.message, /32 bytes \(got 16\)/);
  });

  it("rejects a tag with one flipped bit (negative case tampered-tag)", () => {
    assert.ok(vectors.negative.some((n) => n.name === "tampered-tag"));
    const vector = caseNamed("ascii-secret-value");
    const error = assertCryptoError(
      () => decryptSymmetric({ ...vector, tag: flipFirstBit(vector.tag) }, vector.key),
      "decrypt-symmetric",
      [vector.key, vector.plaintext],
    );
    assert.match(error.message, /authentication failed/);
  });

  it("does not treat the SDK's base64-key API as the secrets scheme, yet decrypts its 12-byte IV", () => {
    const contrast = vectors.contrast_sdk_base64_key_api;
    assertCryptoError(() => decryptSymmetric(contrast, contrast.key), "decrypt-symmetric", [contrast.key]);
    assert.equal(Buffer.from(contrast.iv, "base64").length, 12);
    assert.equal(decryptSymmetricWithKeyBytes(contrast, Buffer.from(contrast.key, "base64")), contrast.plaintext);
  });
});

describe("AES-256-GCM round trips", () => {
  it("uses a fresh 16-byte IV and a 16-byte tag per call", () => {
    const key = generateProjectKey();
    const first = encryptSymmetric("same text", key);
    const second = encryptSymmetric("same text", key);
    assert.equal(Buffer.from(first.iv, "base64").length, 16);
    assert.equal(Buffer.from(first.tag, "base64").length, 16);
    assert.notEqual(first.iv, second.iv);
    assert.notEqual(first.ciphertext, second.ciphertext);
    assert.equal(decryptSymmetric(first, key), "same text");
    assert.equal(decryptSymmetric(second, key), "same text");
  });

  it("round-trips empty, multibyte and 64 KiB plaintexts", () => {
    const key = generateProjectKey();
    for (const text of ["", "pässwörd – 密码 – 🔑", "x".repeat(65536)]) {
      const sealed = encryptSymmetric(text, key);
      assert.equal(Buffer.from(sealed.ciphertext, "base64").length, Buffer.byteLength(text));
      assert.equal(decryptSymmetric(sealed, key), text);
    }
  });

  it("round-trips with raw 32-byte keys", () => {
    const key = Buffer.from(randomHex(32), "hex");
    assert.equal(decryptSymmetricWithKeyBytes(encryptSymmetricWithKeyBytes("inner", key), key), "inner");
  });

  it("generates 32 lowercase hex project keys", () => {
    const keys = new Set(Array.from({ length: 8 }, generateProjectKey));
    assert.equal(keys.size, 8);
    for (const key of keys) assert.match(key, /^[0-9a-f]{32}$/);
  });
});

describe("AES-256-GCM interop with infisical-node 1.5.1", () => {
  it("infisical-node decrypts what we encrypt", () => {
    const key = generateProjectKey();
    for (const plaintext of ["DB_PASSWORD", "", "pässwörd – 密码 – 🔑"]) {
      const sealed = encryptSymmetric(plaintext, key);
      assert.equal(infisicalNode.decryptSymmetric128BitHexKeyUTF8({ ...sealed, key }), plaintext);
    }
  });

  it("we decrypt what infisical-node encrypts", () => {
    const key = generateProjectKey();
    for (const plaintext of ["DATABASE_URL", "postgres://user:pa55@db:5432/app", "多字节"]) {
      const sealed = infisicalNode.encryptSymmetric128BitHexKeyUTF8({ plaintext, key });
      assert.equal(Buffer.from(sealed.iv, "base64").length, 16);
      assert.equal(decryptSymmetric(sealed, key), plaintext);
    }
  });
});

describe("AES-256-GCM bad input", () => {
  const key = "e90924c8e0c0766f8135499efc2d61e5";
  const plaintext = "top-secret-plaintext";
  const sealed = encryptSymmetric(plaintext, key);
  const secrets = [key, plaintext];

  it("rejects keys that are not 32 bytes of text, naming the length", () => {
    for (const [badKey, length] of [
      ["e90924c8e0c0766f", 16],
      [`${key}00`, 34],
      ["", 0],
    ] as const) {
      const onEncrypt = assertCryptoError(() => encryptSymmetric(plaintext, badKey), "encrypt-symmetric", secrets);
      assert.match(onEncrypt.message, new RegExp(`got ${length}\\)`));
      assertCryptoError(() => decryptSymmetric(sealed, badKey), "decrypt-symmetric", secrets);
    }
    assertCryptoError(() => encryptSymmetricWithKeyBytes(plaintext, Buffer.alloc(16)), "encrypt-symmetric", secrets);
    assertCryptoError(() => encryptSymmetric(plaintext, 42 as unknown as string), "encrypt-symmetric", secrets);
  });

  it("rejects a wrong key without returning anything", () => {
    const error = assertCryptoError(() => decryptSymmetric(sealed, generateProjectKey()), "decrypt-symmetric", secrets);
    assert.match(error.message, /authentication failed/);
  });

  it("rejects non-base64 fields, naming the field", () => {
    for (const field of ["ciphertext", "iv", "tag"] as const) {
      for (const bad of ["not base64!", "abc", "YWJj\n", "YW=J"]) {
        const error = assertCryptoError(
          () => decryptSymmetric({ ...sealed, [field]: bad }, key),
          "decrypt-symmetric",
          secrets,
        );
        assert.match(error.message, new RegExp(`^decrypt-symmetric: ${field} `));
      }
    }
  });

  it("rejects a truncated tag and an empty IV", () => {
    const truncated = Buffer.from(sealed.tag, "base64").subarray(0, 12).toString("base64");
    const error = assertCryptoError(
      () => decryptSymmetric({ ...sealed, tag: truncated }, key),
      "decrypt-symmetric",
      secrets,
    );
    assert.match(error.message, /tag must decode to 16 bytes \(got 12\)/);
    assertCryptoError(() => decryptSymmetric({ ...sealed, iv: "" }, key), "decrypt-symmetric", secrets);
  });

  it("rejects altered ciphertext and IV", () => {
    assertCryptoError(
      () => decryptSymmetric({ ...sealed, ciphertext: flipFirstBit(sealed.ciphertext) }, key),
      "decrypt-symmetric",
      secrets,
    );
    assertCryptoError(
      () => decryptSymmetric({ ...sealed, iv: flipFirstBit(sealed.iv) }, key),
      "decrypt-symmetric",
      secrets,
    );
  });

  it("rejects a missing payload and non-string plaintext", () => {
    assertCryptoError(
      () => decryptSymmetric(null as unknown as { ciphertext: string; iv: string; tag: string }, key),
      "decrypt-symmetric",
    );
    assertCryptoError(() => encryptSymmetric(undefined as unknown as string, key), "encrypt-symmetric", [key]);
  });
});
