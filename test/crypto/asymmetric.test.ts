import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as infisicalNode from "infisical-node/lib/utils/crypto";
import {
  decryptAsymmetric,
  encryptAsymmetric,
  generateKeyPair,
  generateProjectKey,
  publicKeyFromPrivateKey,
} from "../../src/provider/crypto";
import { assertCryptoError } from "./assertions";
import { loadVectors, type NaclVectors } from "./vectors";

const vectors = loadVectors<NaclVectors>("nacl-box.json");

describe("NaCl box vectors", () => {
  assert.ok(vectors.cases.length >= 3);
  for (const vector of vectors.cases) {
    it(`receiver opens ${vector.name}`, () => {
      const plaintext = decryptAsymmetric(vector, vector.sender.publicKey, vector.receiver.privateKey);
      assert.equal(plaintext, vector.plaintext);
      assert.equal(Buffer.from(vector.ciphertext, "base64").length, Buffer.byteLength(vector.plaintext) + 16);
    });
    it(`sender also opens ${vector.name} (shared key is symmetric)`, () => {
      assert.equal(decryptAsymmetric(vector, vector.receiver.publicKey, vector.sender.privateKey), vector.plaintext);
    });
    it(`key pairs of ${vector.name} are consistent`, () => {
      assert.equal(publicKeyFromPrivateKey(vector.sender.privateKey), vector.sender.publicKey);
      assert.equal(publicKeyFromPrivateKey(vector.receiver.privateKey), vector.receiver.publicKey);
    });
  }

  it("rejects a copy opened with the wrong sender public key", () => {
    const vector = vectors.cases.find((c) => c.name === "project-key-copy");
    assert.ok(vector);
    const stranger = generateKeyPair();
    const error = assertCryptoError(
      () => decryptAsymmetric(vector, stranger.publicKey, vector.receiver.privateKey),
      "decrypt-asymmetric",
      [vector.plaintext, vector.receiver.privateKey],
    );
    assert.match(error.message, /authentication failed/);
  });
});

describe("NaCl box round trips and interop with infisical-node 1.5.1", () => {
  const alice = generateKeyPair();
  const bob = generateKeyPair();

  it("generates 32-byte base64 key pairs that match", () => {
    assert.equal(Buffer.from(alice.publicKey, "base64").length, 32);
    assert.equal(Buffer.from(alice.privateKey, "base64").length, 32);
    assert.equal(publicKeyFromPrivateKey(alice.privateKey), alice.publicKey);
    assert.notEqual(alice.privateKey, bob.privateKey);
  });

  it("round-trips a project key with a fresh 24-byte nonce", () => {
    const projectKey = generateProjectKey();
    const first = encryptAsymmetric(projectKey, bob.publicKey, alice.privateKey);
    const second = encryptAsymmetric(projectKey, bob.publicKey, alice.privateKey);
    assert.equal(Buffer.from(first.nonce, "base64").length, 24);
    assert.notEqual(first.nonce, second.nonce);
    assert.equal(decryptAsymmetric(first, alice.publicKey, bob.privateKey), projectKey);
  });

  it("infisical-node decrypts what we encrypt", () => {
    const projectKey = generateProjectKey();
    const sealed = encryptAsymmetric(projectKey, bob.publicKey, alice.privateKey);
    const opened = infisicalNode.decryptAsymmetric({
      ...sealed,
      publicKey: alice.publicKey,
      privateKey: bob.privateKey,
    });
    assert.equal(opened, projectKey);
  });

  it("we decrypt what infisical-node encrypts", () => {
    const projectKey = generateProjectKey();
    const sealed = infisicalNode.encryptAsymmetric({
      plaintext: projectKey,
      publicKey: bob.publicKey,
      privateKey: alice.privateKey,
    });
    assert.equal(decryptAsymmetric(sealed, alice.publicKey, bob.privateKey), projectKey);
  });
});

describe("NaCl box bad input", () => {
  const alice = generateKeyPair();
  const bob = generateKeyPair();
  const plaintext = "e90924c8e0c0766f8135499efc2d61e5";
  const sealed = encryptAsymmetric(plaintext, bob.publicKey, alice.privateKey);
  const secrets = [plaintext, alice.privateKey, bob.privateKey];

  it("rejects keys of the wrong length, naming the key and its length", () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    const error = assertCryptoError(
      () => encryptAsymmetric(plaintext, short, alice.privateKey),
      "encrypt-asymmetric",
      secrets,
    );
    assert.match(error.message, /receiverPublicKey must decode to 32 bytes \(got 16\)/);
    assertCryptoError(() => decryptAsymmetric(sealed, alice.publicKey, short), "decrypt-asymmetric", secrets);
  });

  it("rejects non-base64 keys, nonce and ciphertext", () => {
    assertCryptoError(() => decryptAsymmetric(sealed, "not*base64", bob.privateKey), "decrypt-asymmetric", secrets);
    assertCryptoError(
      () => decryptAsymmetric({ ...sealed, nonce: "%%%%" }, alice.publicKey, bob.privateKey),
      "decrypt-asymmetric",
      secrets,
    );
    assertCryptoError(
      () => decryptAsymmetric({ ...sealed, ciphertext: "abc" }, alice.publicKey, bob.privateKey),
      "decrypt-asymmetric",
      secrets,
    );
  });

  it("rejects a short nonce and a ciphertext shorter than the MAC", () => {
    const nonce = Buffer.alloc(12).toString("base64");
    const error = assertCryptoError(
      () => decryptAsymmetric({ ...sealed, nonce }, alice.publicKey, bob.privateKey),
      "decrypt-asymmetric",
      secrets,
    );
    assert.match(error.message, /nonce must decode to 24 bytes \(got 12\)/);
    const ciphertext = Buffer.alloc(8).toString("base64");
    assertCryptoError(
      () => decryptAsymmetric({ ...sealed, ciphertext }, alice.publicKey, bob.privateKey),
      "decrypt-asymmetric",
      secrets,
    );
  });

  it("rejects a tampered ciphertext", () => {
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[20] = (bytes[20] ?? 0) ^ 0x80;
    assertCryptoError(
      () => decryptAsymmetric({ ...sealed, ciphertext: bytes.toString("base64") }, alice.publicKey, bob.privateKey),
      "decrypt-asymmetric",
      secrets,
    );
  });
});
