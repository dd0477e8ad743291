/**
 * The plugin's AutoMTLS certificate: a fresh self-signed ECDSA P-256 certificate for DNS name
 * `localhost` (what go-plugin's client pins as its root and checks the server name against),
 * usable for both server and client auth, valid from a few minutes ago for one day.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  unsignedInteger,
  utcTime,
  utf8String,
} from "./der";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** keyUsage bits digitalSignature (0) and keyCertSign (5): 1000 0100, two unused trailing bits. */
const KEY_USAGE_DIGITAL_SIGNATURE_AND_CERT_SIGN = bitString(Buffer.from([0x84]), 2);
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface PluginCertificate {
  /** PEM, for the TLS server. */
  certificatePem: string;
  privateKeyPem: string;
  /** DER bytes, printed base64 (unpadded) in the handshake line. */
  certificateDer: Buffer;
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

export function createPluginCertificate(now = new Date()): PluginCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String("infisical-e2ee"))),
    set(sequence(objectIdentifier(OID.commonName), utf8String("localhost"))),
  );
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.keyUsage, true, KEY_USAGE_DIGITAL_SIGNATURE_AND_CERT_SIGN),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth), objectIdentifier(OID.clientAuth))),
    extension(
      OID.subjectAltName,
      false,
      sequence(
        implicitPrimitive(2, Buffer.from("localhost", "ascii")),
        implicitPrimitive(7, Buffer.from([127, 0, 0, 1])),
      ),
    ),
  );
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    signatureAlgorithm,
    name,
    sequence(utcTime(new Date(now.getTime() - CLOCK_SKEW_MS)), utcTime(new Date(now.getTime() + LIFETIME_MS))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificateDer = sequence(tbs, signatureAlgorithm, bitString(signature));
  const base64Lines = certificateDer.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    certificateDer,
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64Lines.join("\n")}\n-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
