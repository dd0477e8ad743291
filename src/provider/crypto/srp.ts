/**
 * SRP-6a exactly as jsrp 0.2.4 does it (Infisical's login): RFC 5054 4096-bit group, g = 5,
 * SHA-256, x = H(salt || H(I ":" P)), k = H(PAD(N) || PAD(g)), u = H(PAD(A) || PAD(B)),
 * K = H(PAD(S)), M1 = H(PAD(A) || PAD(B) || K), M2 = H(PAD(A) || M1 || K).
 * Values travel as lowercase hex; A, B and v are padded to 512 bytes (1024 hex characters).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { CryptoError } from "../errors";
import { decodeHex, requireString } from "./encoding";
import { SRP_G, SRP_N, SRP_PAD_BYTES } from "./srp-group";

const EPHEMERAL_BYTES = 32;
const SALT_BYTES = 32;
const PROOF_BYTES = 32;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function pad(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(SRP_PAD_BYTES * 2, "0"), "hex");
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const K_MULTIPLIER = toBigInt(sha256(pad(SRP_N), pad(SRP_G)));

function nonEmpty(value: unknown, field: string): string {
  const text = requireString(value, field, "srp");
  if (text.length === 0) throw new CryptoError("srp", `${field} must not be empty`);
  return text;
}

/** A group element sent by the peer (A or B): hex, at most 512 bytes, not 0 mod N. */
function groupElement(hex: unknown, field: string): bigint {
  const bytes = decodeHex(hex, field, "srp");
  if (bytes.length === 0 || bytes.length > SRP_PAD_BYTES) {
    throw new CryptoError("srp", `${field} must be 1 to ${SRP_PAD_BYTES} bytes of hex (got ${bytes.length})`);
  }
  const value = toBigInt(bytes);
  if (value % SRP_N === 0n) throw new CryptoError("srp", `${field} is zero modulo N; aborting`);
  return value;
}

function secretExponent(hex: unknown, field: string): bigint {
  const bytes = decodeHex(hex, field, "srp");
  if (bytes.length === 0) throw new CryptoError("srp", `${field} must not be empty`);
  const value = toBigInt(bytes);
  if (value === 0n) throw new CryptoError("srp", `${field} must not be zero`);
  return value;
}

function privateX(email: string, password: string, salt: Uint8Array): bigint {
  const inner = sha256(Buffer.from(email, "utf8"), Buffer.from(":"), Buffer.from(password, "utf8"));
  return toBigInt(sha256(salt, inner));
}

function proofBytes(hex: unknown, field: string): Buffer {
  return decodeHex(hex, field, "srp", PROOF_BYTES);
}

/** The verifier for a given salt (hex): deterministic; signup uses createSrpVerifier. */
export function computeSrpVerifier(email: string, password: string, saltHex: string): string {
  const identity = nonEmpty(email, "email");
  const secret = nonEmpty(password, "password");
  const salt = decodeHex(saltHex, "salt", "srp");
  if (salt.length === 0) throw new CryptoError("srp", "salt must not be empty");
  return pad(modPow(SRP_G, privateX(identity, secret, salt), SRP_N)).toString("hex");
}

/** Signup: a fresh 32-byte salt and the matching verifier, both hex (verifier padded to 512 bytes). */
export function createSrpVerifier(email: string, password: string): { salt: string; verifier: string } {
  const salt = randomBytes(SALT_BYTES).toString("hex");
  return { salt, verifier: computeSrpVerifier(email, password, salt) };
}

export interface SrpClientOptions {
  /** Fixed client ephemeral `a` (hex). Only for reproducing test vectors; omit in real use. */
  privateEphemeral?: string;
}

/** The login side: send `publicKey` (A) in login1, `computeProof(salt, B)` (M1) in login2. */
export class SrpClient {
  /** A, hex, padded to 512 bytes. */
  readonly publicKey: string;
  readonly #email: string;
  readonly #password: string;
  readonly #a: bigint;
  readonly #A: Buffer;
  #M1: Buffer | undefined;
  #K: Buffer | undefined;

  constructor(email: string, password: string, options: SrpClientOptions = {}) {
    this.#email = nonEmpty(email, "email");
    this.#password = nonEmpty(password, "password");
    this.#a =
      options.privateEphemeral === undefined
        ? toBigInt(randomBytes(EPHEMERAL_BYTES))
        : secretExponent(options.privateEphemeral, "privateEphemeral");
    this.#A = pad(modPow(SRP_G, this.#a, SRP_N));
    this.publicKey = this.#A.toString("hex");
  }

  /** M1 (hex) for the salt and server public key B from login1. */
  computeProof(saltHex: string, serverPublicKeyHex: string): string {
    const salt = decodeHex(saltHex, "salt", "srp");
    if (salt.length === 0) throw new CryptoError("srp", "salt must not be empty");
    const B = groupElement(serverPublicKeyHex, "serverPublicKey");
    const paddedB = pad(B);
    const u = toBigInt(sha256(this.#A, paddedB));
    const x = privateX(this.#email, this.#password, salt);
    const base = (((B - K_MULTIPLIER * modPow(SRP_G, x, SRP_N)) % SRP_N) + SRP_N) % SRP_N;
    const S = modPow(base, this.#a + u * x, SRP_N);
    this.#K = sha256(pad(S));
    this.#M1 = sha256(this.#A, paddedB, this.#K);
    return this.#M1.toString("hex");
  }

  /** Checks the server's M2 (hex); false for any mismatch or malformed value. */
  verifyServerProof(serverProofHex: string): boolean {
    if (this.#M1 === undefined || this.#K === undefined) {
      throw new CryptoError("srp", "computeProof must be called before verifyServerProof");
    }
    let received: Buffer;
    try {
      received = proofBytes(serverProofHex, "serverProof");
    } catch {
      return false;
    }
    return timingSafeEqual(received, sha256(this.#A, this.#M1, this.#K));
  }

  /** K = H(PAD(S)), hex; available after computeProof. */
  get sharedKey(): string | undefined {
    return this.#K?.toString("hex");
  }
}

export interface SrpServerSession {
  /** b, hex: keep it server-side until login2. */
  serverSecret: string;
  /** B, hex padded to 512 bytes: send it to the client with the salt. */
  serverPublicKey: string;
}

function serverPublicKey(v: bigint, b: bigint): bigint {
  return (K_MULTIPLIER * v + modPow(SRP_G, b, SRP_N)) % SRP_N;
}

/** login1 on the server: a fresh ephemeral b and B = k·v + g^b for the stored verifier. */
export function srpServerStart(verifierHex: string, options: { serverSecret?: string } = {}): SrpServerSession {
  const v = groupElement(verifierHex, "verifier");
  const b =
    options.serverSecret === undefined
      ? toBigInt(randomBytes(EPHEMERAL_BYTES))
      : secretExponent(options.serverSecret, "serverSecret");
  return {
    serverSecret: b.toString(16).padStart(EPHEMERAL_BYTES * 2, "0"),
    serverPublicKey: pad(serverPublicKey(v, b)).toString("hex"),
  };
}

export interface SrpServerVerifyInput {
  verifier: string;
  serverSecret: string;
  clientPublicKey: string;
  clientProof: string;
}

/** What only the honest client can send (M1) and what the server answers with (M2), for one (v, b, A). */
function expectedProofs(v: bigint, b: bigint, A: bigint): { clientProof: Buffer; serverProof: Buffer } {
  const paddedA = pad(A);
  const paddedB = pad(serverPublicKey(v, b));
  const u = toBigInt(sha256(paddedA, paddedB));
  const S = modPow((A * modPow(v, u, SRP_N)) % SRP_N, b, SRP_N);
  const K = sha256(pad(S));
  const clientProof = sha256(paddedA, paddedB, K);
  return { clientProof, serverProof: sha256(paddedA, clientProof, K) };
}

/**
 * login2 on the server: checks M1. Returns `{ok: false}` for a wrong proof (wrong password);
 * throws CryptoError for malformed input (non-hex, A ≡ 0 mod N).
 */
export function srpServerVerify(input: SrpServerVerifyInput): { ok: boolean; serverProof?: string } {
  const v = groupElement(input?.verifier, "verifier");
  const b = secretExponent(input.serverSecret, "serverSecret");
  const A = groupElement(input.clientPublicKey, "clientPublicKey");
  const clientProof = proofBytes(input.clientProof, "clientProof");
  const expected = expectedProofs(v, b, A);
  if (!timingSafeEqual(expected.clientProof, clientProof)) return { ok: false };
  return { ok: true, serverProof: expected.serverProof.toString("hex") };
}

export interface SrpServerChallenge {
  /** B, hex padded to 512 bytes: send it to the client with the salt. */
  serverPublicKey: string;
  /** M1 (hex) the client must send in login2 if it knows the password. */
  expectedClientProof: string;
  /** M2 (hex). */
  serverProof: string;
}

/**
 * login1 on the server with all the big-number work done up front: A is known at login1, so
 * the proof login2 must carry can be computed now and login2 is a constant-time comparison.
 * Since login2 names no attempt, the server keys its pending attempts by this expected proof.
 */
export function srpServerChallenge(input: {
  verifier: string;
  clientPublicKey: string;
  serverSecret?: string;
}): SrpServerChallenge {
  const v = groupElement(input?.verifier, "verifier");
  const A = groupElement(input.clientPublicKey, "clientPublicKey");
  const b =
    input.serverSecret === undefined
      ? toBigInt(randomBytes(EPHEMERAL_BYTES))
      : secretExponent(input.serverSecret, "serverSecret");
  const expected = expectedProofs(v, b, A);
  return {
    serverPublicKey: pad(serverPublicKey(v, b)).toString("hex"),
    expectedClientProof: expected.clientProof.toString("hex"),
    serverProof: expected.serverProof.toString("hex"),
  };
}
