import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as infisicalNode from "infisical-node/lib/utils/crypto";
import {
  decryptSymmetric,
  encryptSymmetric,
  formatServiceToken,
  generateProjectKey,
  parseServiceToken,
  randomHex,
} from "../../src/provider/crypto";
import { assertCryptoError } from "./assertions";
import { loadVectors, type ServiceTokenVectors } from "./vectors";

const vectors = loadVectors<ServiceTokenVectors>("service-token.json");

describe("service token vectors", () => {
  it("parses the token into id, secret, key and bearer", () => {
    const parts = parseServiceToken(vectors.token);
    assert.equal(vectors.parts.prefix, "st");
    assert.equal(parts.id, vectors.parts.serviceTokenDataId);
    assert.equal(parts.secret, vectors.parts.secret);
    assert.equal(parts.key, vectors.parts.key);
    assert.equal(`Bearer ${parts.bearer}`, vectors.authorizationHeader);
  });

  it("formats the token back from the server's st.<id>.<secret> and the key", () => {
    const parts = parseServiceToken(vectors.token);
    assert.equal(formatServiceToken({ serviceToken: parts.bearer, key: parts.key }), vectors.token);
  });

  it("the token key decrypts the project-key copy, which decrypts the secret", () => {
    const { key } = parseServiceToken(vectors.token);
    const copy = vectors.serviceTokenDataSubset;
    const projectKey = decryptSymmetric({ ciphertext: copy.encryptedKey, iv: copy.iv, tag: copy.tag }, key);
    assert.equal(projectKey, vectors.projectKey);
    const secret = vectors.encryptedSecretExample;
    for (const [field, expected] of [
      ["secretKey", secret.expected.secretKey],
      ["secretValue", secret.expected.secretValue],
      ["secretComment", secret.expected.secretComment],
    ] as const) {
      const plaintext = decryptSymmetric(
        {
          ciphertext: secret[`${field}Ciphertext`] ?? "",
          iv: secret[`${field}IV`] ?? "",
          tag: secret[`${field}Tag`] ?? "",
        },
        projectKey,
      );
      assert.equal(plaintext, expected);
    }
  });

  it("a project-key copy we make for a new token opens with infisical-node", () => {
    const projectKey = generateProjectKey();
    const tokenKey = generateProjectKey();
    const copy = encryptSymmetric(projectKey, tokenKey);
    const token = formatServiceToken({ serviceToken: `st.${randomHex(12)}.${randomHex(16)}`, key: tokenKey });
    const { key } = parseServiceToken(token);
    assert.equal(infisicalNode.decryptSymmetric128BitHexKeyUTF8({ ...copy, key }), projectKey);
  });
});

describe("service token bad input", () => {
  const { parts } = vectors;
  const secrets = [parts.secret, parts.key, vectors.token];

  const malformed: [string, string, RegExp][] = [
    ["three parts", `st.${parts.serviceTokenDataId}.${parts.secret}`, /3 dot-separated parts/],
    ["five parts", `${vectors.token}.extra`, /5 dot-separated parts/],
    ["wrong prefix", `sk.${parts.serviceTokenDataId}.${parts.secret}.${parts.key}`, /must start with "st\."/],
    ["empty id", `st..${parts.secret}.${parts.key}`, /<id> is empty/],
    ["empty secret", `st.${parts.serviceTokenDataId}..${parts.key}`, /<secret> is empty/],
    ["short key", `st.${parts.serviceTokenDataId}.${parts.secret}.${parts.key.slice(0, 30)}`, /got 30 characters/],
    ["non-hex key", `st.${parts.serviceTokenDataId}.${parts.secret}.${"z".repeat(32)}`, /32 hex characters/],
    ["whitespace", ` ${vectors.token}`, /must start with/],
    ["empty", "", /1 dot-separated parts/],
  ];
  for (const [name, token, reason] of malformed) {
    it(`rejects ${name} without echoing the token`, () => {
      const error = assertCryptoError(() => parseServiceToken(token), "parse-service-token", secrets);
      assert.match(error.message, reason);
    });
  }

  it("rejects non-strings and bad format inputs", () => {
    assertCryptoError(() => parseServiceToken(undefined as unknown as string), "parse-service-token");
    assertCryptoError(
      () => formatServiceToken({ serviceToken: vectors.token, key: parts.key }),
      "parse-service-token",
      secrets,
    );
    assertCryptoError(
      () => formatServiceToken({ serviceToken: `st.${parts.serviceTokenDataId}.${parts.secret}`, key: "short" }),
      "parse-service-token",
      secrets,
    );
  });
});
