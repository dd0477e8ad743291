/**
 * `infisical-e2ee/crypto`: Infisical's legacy end-to-end encryption, byte-compatible with its
 * 2023-2024 clients. Every failure throws CryptoError naming the step; messages give lengths only.
 */
export {
  type Argon2Backend,
  type Argon2idParams,
  availableArgon2Backends,
  type DeriveArgon2idOptions,
  defaultArgon2Backend,
  deriveArgon2id,
  INFISICAL_ARGON2ID,
} from "./argon2";
export {
  type AsymmetricCiphertext,
  decryptAsymmetric,
  encryptAsymmetric,
  generateKeyPair,
  type KeyPair,
  publicKeyFromPrivateKey,
} from "./asymmetric";
export { computeBlindIndex, generateBlindIndexSalt } from "./blind-index";
export {
  FINGERPRINT_PREFIX,
  fingerprintProblem,
  normalizeFingerprint,
  publicKeyFingerprint,
} from "./fingerprint";
export {
  derivePasswordKey,
  legacyPasswordKey,
  type ProtectedPrivateKey,
  type ProtectPrivateKeyInput,
  protectPrivateKey,
  type RecoverPrivateKeyInput,
  recoverPrivateKey,
} from "./private-key";
export { generateProjectKey, randomHex } from "./random";
export { formatServiceToken, parseServiceToken, type ServiceTokenParts } from "./service-token";
export {
  computeSrpVerifier,
  createSrpVerifier,
  SrpClient,
  type SrpClientOptions,
  type SrpServerChallenge,
  type SrpServerSession,
  type SrpServerVerifyInput,
  srpServerChallenge,
  srpServerStart,
  srpServerVerify,
} from "./srp";
export {
  decryptSymmetric,
  decryptSymmetricWithKeyBytes,
  encryptSymmetric,
  encryptSymmetricWithKeyBytes,
  type SymmetricCiphertext,
} from "./symmetric";
