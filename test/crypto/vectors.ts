/**
 * Loads the crypto vectors from test/fixtures/vectors (copies of the project's shared vectors,
 * see the README there): inside the repository, so a clone tests on its own.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../scripts/codegen/paths";

export const VECTORS_DIR = path.join("test", "fixtures", "vectors");

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(repoRoot(), VECTORS_DIR, file), "utf8")) as T;
}

export interface SymmetricCase {
  name: string;
  key: string;
  keyBytesHex: string;
  plaintext: string;
  iv: string;
  ivLengthBytes: number;
  ciphertext: string;
  tag: string;
}

export interface SymmetricVectors {
  cases: SymmetricCase[];
  negative: { name: string; key?: string; note: string; error: string }[];
  contrast_sdk_base64_key_api: { key: string; plaintext: string; ciphertext: string; iv: string; tag: string };
}

export interface NaclCase {
  name: string;
  sender: { publicKey: string; privateKey: string };
  receiver: { publicKey: string; privateKey: string };
  nonce: string;
  plaintext: string;
  ciphertext: string;
}

export interface NaclVectors {
  cases: NaclCase[];
}

export interface ServiceTokenVectors {
  token: string;
  parts: { prefix: string; serviceTokenDataId: string; secret: string; key: string };
  authorizationHeader: string;
  projectKey: string;
  serviceTokenDataSubset: { encryptedKey: string; iv: string; tag: string };
  encryptedSecretExample: Record<string, string> & {
    expected: { secretKey: string; secretValue: string; secretComment: string };
  };
}

export interface SrpVectors {
  email: string;
  password: string;
  salt: string;
  verifier: string;
  clientPrivate_a: string;
  serverPrivate_b: string;
  A_clientPublicKey: string;
  B_serverPublicKey: string;
  u: string;
  K_sharedKey: string;
  M1_clientProof: string;
  M2_serverProof: string;
}

export interface UserPrivateKeyVectors {
  email: string;
  password: string;
  srp: { salt: string; verifier: string };
  argon2id: {
    memoryCostKiB: number;
    timeCost: number;
    parallelism: number;
    hashLength: number;
    saltBytesHex: string;
    derivedKeyHex: string;
    wrongIfSaltHexDecoded_derivedKeyHex: string;
  };
  innerKeyHex: string;
  loginResponseFields: {
    encryptionVersion: number;
    publicKey: string;
    encryptedPrivateKey: string;
    iv: string;
    tag: string;
    protectedKey: string;
    protectedKeyIV: string;
    protectedKeyTag: string;
  };
  expectedPrivateKey: string;
  expectedPublicKey: string;
  encryptionVersion1Example: {
    password: string;
    keyString: string;
    encryptedPrivateKey: string;
    iv: string;
    tag: string;
    expectedPrivateKey: string;
  };
}

export interface BlindIndexVectors {
  params: { memoryCostKiB: number; timeCost: number; parallelism: number; hashLength: number };
  saltBase64: string;
  cases: { secretName: string; secretBlindIndex: string }[];
}
