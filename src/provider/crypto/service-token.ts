/**
 * Legacy service tokens (v2): `st.<id>.<secret>.<key>`. The first three parts are the bearer
 * credential; `<key>` (32 hex characters, used as UTF-8 bytes) decrypts the project-key copy.
 * Errors describe the shape only; they never echo any part of the token.
 */
import { CryptoError } from "../errors";
import { requireString } from "./encoding";

export interface ServiceTokenParts {
  id: string;
  secret: string;
  /** 32 hex characters: the AES key (as text) for the token's project-key copy. */
  key: string;
  /** `st.<id>.<secret>`: send as `Authorization: Bearer <bearer>`. */
  bearer: string;
}

const PREFIX = "st";
const KEY = /^[0-9a-fA-F]{32}$/;
const PART = /^[^\s.]+$/;
const EXPECTED = "expected st.<id>.<secret>.<key>";

export function parseServiceToken(token: string): ServiceTokenParts {
  const text = requireString(token, "service token", "parse-service-token");
  const parts = text.split(".");
  if (parts.length !== 4) {
    throw new CryptoError("parse-service-token", `service token has ${parts.length} dot-separated parts; ${EXPECTED}`);
  }
  const [prefix, id, secret, key] = parts as [string, string, string, string];
  if (prefix !== PREFIX) {
    throw new CryptoError("parse-service-token", `service token must start with "st."; ${EXPECTED}`);
  }
  if (!PART.test(id)) {
    throw new CryptoError(
      "parse-service-token",
      `service token <id> is empty or has whitespace (${id.length} characters)`,
    );
  }
  if (!PART.test(secret)) {
    throw new CryptoError(
      "parse-service-token",
      `service token <secret> is empty or has whitespace (${secret.length} characters)`,
    );
  }
  if (!KEY.test(key)) {
    throw new CryptoError(
      "parse-service-token",
      `service token <key> must be 32 hex characters (got ${key.length} characters)`,
    );
  }
  return { id, secret, key, bearer: `${PREFIX}.${id}.${secret}` };
}

/** Joins the server's `st.<id>.<secret>` with the client-made key into the full token. */
export function formatServiceToken(input: { serviceToken: string; key: string }): string {
  const bearer = requireString(input?.serviceToken, "serviceToken", "parse-service-token");
  const key = requireString(input.key, "key", "parse-service-token");
  const parts = bearer.split(".");
  if (parts.length !== 3) {
    throw new CryptoError(
      "parse-service-token",
      `serviceToken has ${parts.length} dot-separated parts; expected st.<id>.<secret>`,
    );
  }
  const token = `${bearer}.${key}`;
  // Round-trips through the parser so format and parse accept exactly the same tokens.
  parseServiceToken(token);
  return token;
}
