import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  fingerprintProblem,
  generateKeyPair,
  normalizeFingerprint,
  publicKeyFingerprint,
} from "../../src/provider/crypto";
import { assertCryptoError } from "./assertions";

// Computed independently (Python: base64.b32encode(hashlib.sha256(raw_key).digest()[:20]), grouped by 4).
const VECTORS = [
  {
    publicKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    fingerprint: "nacl-sha256:MZUH-VLPY-MK6X-O3EP-YGFY-5H4O-EAEJ-OFEF",
  },
  {
    publicKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    fingerprint: "nacl-sha256:MMG4-2KLG-YQZW-NEIS-KREL-XMS3-J72B-FJE4",
  },
  {
    publicKey: "j0DFrbaPJWJK5bIU6nZ6bslNgp09e14a0bpvPiE4KF8=",
    fingerprint: "nacl-sha256:53OY-QPNA-VFCR-LE64-BI4O-LA73-O4H2-E7N3",
  },
  // The creator's key of nacl-box.json case self-copy-on-project-creation.
  {
    publicKey: "QNbjXaJgNjayBQuuZ+kz+EcwFx/K1GkZ5ZSR9AkDggc=",
    fingerprint: "nacl-sha256:IU26-P3R2-MVYS-6ZXB-KIJM-23LQ-3AQV-PPIK",
  },
];

describe("public-key fingerprints", () => {
  for (const vector of VECTORS) {
    it(`matches the independent vector for ${vector.publicKey.slice(0, 8)}…`, () => {
      assert.equal(publicKeyFingerprint(vector.publicKey), vector.fingerprint);
      assert.equal(fingerprintProblem(vector.fingerprint), undefined);
    });
  }

  it("differs for every other key and has the documented shape", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const fingerprint = publicKeyFingerprint(generateKeyPair().publicKey);
      assert.match(fingerprint, /^nacl-sha256:([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
      seen.add(fingerprint);
    }
    assert.equal(seen.size, 50);
  });

  it("rejects what is not a 32-byte key, naming the step", () => {
    for (const bad of ["", "not base64!", Buffer.alloc(31).toString("base64"), Buffer.alloc(33).toString("base64")]) {
      assertCryptoError(() => publicKeyFingerprint(bad), "fingerprint", []);
    }
  });

  it("input rules: exact spelling for pins; typed variants are recognised but not accepted as pins", () => {
    const canonical = VECTORS[0]!.fingerprint;
    const typed = ` ${canonical.toLowerCase().replaceAll("-", " ")} `;
    assert.equal(normalizeFingerprint(typed), canonical);
    assert.match(fingerprintProblem(typed) ?? "", /exactly as `infisical-e2ee fingerprint` prints it/);
    assert.equal(fingerprintProblem(canonical), undefined);
    for (const bad of [
      "",
      "MZUH-VLPY-MK6X-O3EP-YGFY-5H4O-EAEJ-OFEF",
      `${canonical}-AAAA`,
      canonical.replace("M", "1"),
    ]) {
      assert.equal(normalizeFingerprint(bad), undefined, bad);
      assert.match(fingerprintProblem(bad) ?? "", /nacl-sha256:XXXX/);
    }
  });
});
