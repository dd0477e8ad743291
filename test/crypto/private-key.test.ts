import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as infisicalNode from "infisical-node/lib/utils/crypto";
import {
  createSrpVerifier,
  generateKeyPair,
  legacyPasswordKey,
  protectPrivateKey,
  type RecoverPrivateKeyInput,
  recoverPrivateKey,
} from "../../src/provider/crypto";
import { assertCryptoError, assertCryptoErrorAsync } from "./assertions";
import { loadVectors, type UserPrivateKeyVectors } from "./vectors";

const vectors = loadVectors<UserPrivateKeyVectors>("user-private-key.json");
const login = vectors.loginResponseFields;
const vectorInput: RecoverPrivateKeyInput = {
  password: vectors.password,
  salt: vectors.srp.salt,
  protectedKey: login.protectedKey,
  protectedKeyIV: login.protectedKeyIV,
  protectedKeyTag: login.protectedKeyTag,
  encryptedPrivateKey: login.encryptedPrivateKey,
  encryptedPrivateKeyIV: login.iv,
  encryptedPrivateKeyTag: login.tag,
};
const leaks = [vectors.password, vectors.expectedPrivateKey, vectors.innerKeyHex, vectors.argon2id.derivedKeyHex];

describe("private key vectors", () => {
  it("recovers the encryptionVersion 2 private key and checks it against the public key", async () => {
    assert.equal(login.encryptionVersion, 2);
    const privateKey = await recoverPrivateKey({ ...vectorInput, publicKey: login.publicKey });
    assert.equal(privateKey, vectors.expectedPrivateKey);
    assert.equal(login.publicKey, vectors.expectedPublicKey);
  });

  it("the vector's inner key decrypts the private key with infisical-node (raw Buffer key)", () => {
    const plaintext = infisicalNode.decryptSymmetric128BitHexKeyUTF8({
      ciphertext: login.encryptedPrivateKey,
      iv: login.iv,
      tag: login.tag,
      key: Buffer.from(vectors.innerKeyHex, "hex") as unknown as string,
    });
    assert.equal(plaintext, vectors.expectedPrivateKey);
  });

  it("recovers the encryptionVersion 1 example with the zero-padded password", async () => {
    const legacy = vectors.encryptionVersion1Example;
    assert.equal(legacyPasswordKey(legacy.password), legacy.keyString);
    const privateKey = await recoverPrivateKey({
      encryptionVersion: 1,
      password: legacy.password,
      salt: vectors.srp.salt,
      encryptedPrivateKey: legacy.encryptedPrivateKey,
      encryptedPrivateKeyIV: legacy.iv,
      encryptedPrivateKeyTag: legacy.tag,
      publicKey: vectors.expectedPublicKey,
    });
    assert.equal(privateKey, legacy.expectedPrivateKey);
  });

  it("a wrong password fails at the protected key, naming the step", async () => {
    const error = await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, password: "wrong password" }),
      "recover-private-key",
      leaks,
    );
    assert.match(error.message, /^recover-private-key: protectedKey: /);
  });

  it("a public key that does not match fails verification", async () => {
    const stranger = generateKeyPair();
    await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, publicKey: stranger.publicKey }),
      "verify-private-key",
      leaks,
    );
  });
});

describe("protectPrivateKey", () => {
  it("round-trips through recoverPrivateKey with a fresh SRP salt", async () => {
    const { publicKey, privateKey } = generateKeyPair();
    const { salt } = createSrpVerifier("someone@example.com", "a long passphrase");
    const stored = await protectPrivateKey({ privateKey, password: "a long passphrase", salt });
    for (const field of [
      "protectedKeyIV",
      "encryptedPrivateKeyIV",
      "protectedKeyTag",
      "encryptedPrivateKeyTag",
    ] as const) {
      assert.equal(Buffer.from(stored[field], "base64").length, 16);
    }
    // The inner key travels as its 64-char hex text; the private key as its 44-char base64 text.
    assert.equal(Buffer.from(stored.protectedKey, "base64").length, 64);
    assert.equal(Buffer.from(stored.encryptedPrivateKey, "base64").length, 44);
    const recovered = await recoverPrivateKey({ ...stored, password: "a long passphrase", salt, publicKey });
    assert.equal(recovered, privateKey);
  });

  it("a tampered encrypted private key fails at that field", async () => {
    const tag = Buffer.from(login.tag, "base64");
    tag[0] = (tag[0] ?? 0) ^ 1;
    const error = await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, encryptedPrivateKeyTag: tag.toString("base64") }),
      "recover-private-key",
      leaks,
    );
    assert.match(error.message, /^recover-private-key: encryptedPrivateKey: /);
  });
});

describe("private key bad input", () => {
  const { privateKey } = generateKeyPair();
  const salt = vectors.srp.salt;

  it("rejects an empty password on both sides", async () => {
    const onProtect = await assertCryptoErrorAsync(
      () => protectPrivateKey({ privateKey, password: "", salt }),
      "input",
      [privateKey],
    );
    assert.match(onProtect.message, /password must not be empty/);
    await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, password: "" }),
      "recover-private-key",
      leaks,
    );
    assertCryptoError(() => legacyPasswordKey(""), "recover-private-key");
  });

  it("rejects a private key that is not 32 bytes of base64, and an empty salt", async () => {
    await assertCryptoErrorAsync(
      () => protectPrivateKey({ privateKey: "c2hvcnQ=", password: "pw-secret-1", salt }),
      "input",
      ["pw-secret-1"],
    );
    await assertCryptoErrorAsync(() => protectPrivateKey({ privateKey, password: "pw-secret-1", salt: "" }), "input", [
      "pw-secret-1",
      privateKey,
    ]);
  });

  it("rejects missing protected-key fields and non-base64 fields before deriving", async () => {
    await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, protectedKey: undefined }),
      "recover-private-key",
      leaks,
    );
    for (const field of ["protectedKeyIV", "encryptedPrivateKey", "encryptedPrivateKeyTag"] as const) {
      const error = await assertCryptoErrorAsync(
        () => recoverPrivateKey({ ...vectorInput, [field]: "***" }),
        "recover-private-key",
        leaks,
      );
      assert.match(error.message, new RegExp(`^recover-private-key: ${field} must be standard padded base64`));
    }
    await assertCryptoErrorAsync(
      () => recoverPrivateKey({ ...vectorInput, encryptionVersion: 3 as 2 }),
      "recover-private-key",
      leaks,
    );
  });
});
