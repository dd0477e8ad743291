import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeBlindIndex, generateBlindIndexSalt } from "../../src/provider/crypto";
import { assertCryptoErrorAsync } from "./assertions";
import { type BlindIndexVectors, loadVectors } from "./vectors";

const vectors = loadVectors<BlindIndexVectors>("blind-index.json");

describe("blind index vectors", () => {
  assert.equal(vectors.cases.length, 4);
  for (const vector of vectors.cases) {
    it(`computes the index of ${vector.secretName}`, async () => {
      assert.equal(await computeBlindIndex(vector.secretName, vectors.saltBase64), vector.secretBlindIndex);
    });
  }
});

describe("blind index salts and bad input", () => {
  it("generates distinct 16-byte base64 salts", () => {
    const first = generateBlindIndexSalt();
    assert.equal(Buffer.from(first, "base64").length, 16);
    assert.notEqual(first, generateBlindIndexSalt());
  });

  it("rejects a salt that is not 16 bytes of base64", async () => {
    const short = Buffer.alloc(8).toString("base64");
    const error = await assertCryptoErrorAsync(() => computeBlindIndex("DB_PASSWORD", short), "derive-key");
    assert.match(error.message, /must decode to 16 bytes \(got 8\)/);
    await assertCryptoErrorAsync(() => computeBlindIndex("DB_PASSWORD", "not base64!"), "derive-key");
  });

  it("rejects an empty secret name", async () => {
    await assertCryptoErrorAsync(() => computeBlindIndex("", vectors.saltBase64), "derive-key");
  });
});
