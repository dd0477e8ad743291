import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Argon2Backend,
  availableArgon2Backends,
  defaultArgon2Backend,
  deriveArgon2id,
  INFISICAL_ARGON2ID,
} from "../../src/provider/crypto";
import { assertCryptoErrorAsync } from "./assertions";
import { type BlindIndexVectors, loadVectors, type UserPrivateKeyVectors } from "./vectors";

const user = loadVectors<UserPrivateKeyVectors>("user-private-key.json");
const blind = loadVectors<BlindIndexVectors>("blind-index.json");
const NO_NODE_ARGON2 = `node:crypto has no argon2 on Node ${process.versions.node} (it came in 24.7)`;
const hasNodeArgon2 = (() => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 24 || (major === 24 && minor >= 7);
})();

describe("Argon2id backends", () => {
  it("offers node:crypto on Node >= 24.7 and the argon2 package everywhere", () => {
    const backends = availableArgon2Backends();
    assert.ok(backends.includes("argon2"));
    assert.equal(backends.includes("node:crypto"), hasNodeArgon2);
    assert.equal(defaultArgon2Backend(), hasNodeArgon2 ? "node:crypto" : "argon2");
  });

  it("uses the parameters in the vectors by default", () => {
    assert.deepEqual(
      { ...INFISICAL_ARGON2ID },
      {
        memoryKiB: user.argon2id.memoryCostKiB,
        passes: user.argon2id.timeCost,
        parallelism: user.argon2id.parallelism,
        hashLength: user.argon2id.hashLength,
      },
    );
    assert.equal(blind.params.memoryCostKiB, INFISICAL_ARGON2ID.memoryKiB);
    assert.equal(blind.params.timeCost, INFISICAL_ARGON2ID.passes);
  });

  for (const backend of ["node:crypto", "argon2"] as Argon2Backend[]) {
    it(`${backend}: derives the private-key vector from the UTF-8 bytes of the hex salt`, {
      skip: backend === "node:crypto" && !hasNodeArgon2 ? NO_NODE_ARGON2 : false,
    }, async () => {
      const salt = Buffer.from(user.srp.salt, "utf8");
      assert.equal(salt.toString("hex"), user.argon2id.saltBytesHex);
      const key = await deriveArgon2id(user.password, salt, { backend });
      assert.equal(key.toString("hex"), user.argon2id.derivedKeyHex);
    });

    it(`${backend}: the hex-decoded salt gives the documented wrong key`, {
      skip: backend === "node:crypto" && !hasNodeArgon2 ? NO_NODE_ARGON2 : false,
    }, async () => {
      const key = await deriveArgon2id(user.password, Buffer.from(user.srp.salt, "hex"), { backend });
      assert.equal(key.toString("hex"), user.argon2id.wrongIfSaltHexDecoded_derivedKeyHex);
    });

    it(`${backend}: derives a blind-index vector (bytes password, raw salt)`, {
      skip: backend === "node:crypto" && !hasNodeArgon2 ? NO_NODE_ARGON2 : false,
    }, async () => {
      const vector = blind.cases[0];
      assert.ok(vector);
      const key = await deriveArgon2id(
        Buffer.from(vector.secretName, "utf8"),
        Buffer.from(blind.saltBase64, "base64"),
        {
          backend,
        },
      );
      assert.equal(key.toString("base64"), vector.secretBlindIndex);
    });
  }

  it("both backends agree on non-default parameters", { skip: hasNodeArgon2 ? false : NO_NODE_ARGON2 }, async () => {
    const params = { memoryKiB: 1024, passes: 2, parallelism: 2, hashLength: 48 };
    const salt = Buffer.from("0123456789abcdef");
    const fromNode = await deriveArgon2id("pässwörd", salt, { ...params, backend: "node:crypto" });
    const fromPackage = await deriveArgon2id("pässwörd", salt, { ...params, backend: "argon2" });
    assert.equal(fromNode.length, 48);
    assert.equal(fromNode.toString("hex"), fromPackage.toString("hex"));
  });
});

describe("Argon2id bad input", () => {
  const password = "hunter2-password";
  it("rejects a salt shorter than 8 bytes, naming its length", async () => {
    const error = await assertCryptoErrorAsync(() => deriveArgon2id(password, Buffer.alloc(4)), "derive-key", [
      password,
    ]);
    assert.match(error.message, /salt must be at least 8 bytes \(got 4\)/);
  });

  it("rejects a non-byte salt and a non-string password", async () => {
    await assertCryptoErrorAsync(() => deriveArgon2id(password, "saltsalt" as unknown as Uint8Array), "derive-key", [
      password,
    ]);
    await assertCryptoErrorAsync(() => deriveArgon2id(42 as unknown as string, Buffer.alloc(16)), "derive-key");
  });

  it("rejects impossible parameters and unknown backends", async () => {
    const salt = Buffer.alloc(16);
    await assertCryptoErrorAsync(() => deriveArgon2id(password, salt, { passes: 0 }), "derive-key", [password]);
    await assertCryptoErrorAsync(() => deriveArgon2id(password, salt, { hashLength: 2 }), "derive-key", [password]);
    await assertCryptoErrorAsync(() => deriveArgon2id(password, salt, { memoryKiB: 4 }), "derive-key", [password]);
    await assertCryptoErrorAsync(
      () => deriveArgon2id(password, salt, { memoryKiB: 64, backend: "scrypt" as Argon2Backend }),
      "derive-key",
      [password],
    );
  });
});
