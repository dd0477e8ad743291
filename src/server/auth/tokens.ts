/**
 * Access tokens: compact JWTs (HS256) signed with the server's key. `accessToken` carries the
 * user and, after select-organization, the organization; `signupToken` only lets an invited
 * user complete their account.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { unauthorized } from "../http/errors";

export type TokenKind = "accessToken" | "signupToken";

export interface TokenClaims {
  authTokenType: TokenKind;
  userId: string;
  organizationId?: string;
  iat: number;
  exp: number;
}

/** The real server's org-scoped token lives 10 days (JWT_AUTH_LIFETIME). */
export const ACCESS_TOKEN_SECONDS = 10 * 24 * 3600;
export const SIGNUP_TOKEN_SECONDS = 24 * 3600;

const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

export function signToken(
  claims: { authTokenType: TokenKind; userId: string; organizationId?: string },
  key: Buffer,
  lifetimeSeconds: number,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const payload = base64url(JSON.stringify({ ...claims, iat, exp: iat + lifetimeSeconds }));
  return `${HEADER}.${payload}.${sign(`${HEADER}.${payload}`, key)}`;
}

/** Verifies signature, shape and expiry; throws a 403 naming what failed (never echoing the token). */
export function verifyToken(token: string, key: Buffer, now = Date.now()): TokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw unauthorized("jwt malformed");
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(`${header}.${payload}`, key));
  const given = Buffer.from(signature);
  if (header !== HEADER || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw unauthorized("invalid signature");
  }
  let claims: Partial<TokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<TokenClaims>;
  } catch {
    throw unauthorized("jwt malformed");
  }
  if (
    (claims.authTokenType !== "accessToken" && claims.authTokenType !== "signupToken") ||
    typeof claims.userId !== "string" ||
    typeof claims.exp !== "number" ||
    typeof claims.iat !== "number"
  ) {
    throw unauthorized("jwt malformed");
  }
  if (claims.exp * 1000 <= now) throw unauthorized("Token expired");
  return claims as TokenClaims;
}

function sign(input: string, key: Buffer): string {
  return createHmac("sha256", key).update(input).digest("base64url");
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
