/**
 * Zod building blocks shared by the routes. Stricter than the real server on charsets and
 * sizes (base64 where the wire format is base64, hex where it is hex); docs/server.md says so.
 */
import { z } from "zod";
import { unicodeNameProblem } from "../provider/api/names";

/** Ciphertexts are base64; 1 MiB bodies are the real server's (fastify's) limit anyway. */
export const MAX_CIPHERTEXT = 512 * 1024;

export const base64 = (max = 4096) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "Expected base64");

export const ciphertext = () => base64(MAX_CIPHERTEXT);

/**
 * An ISO 8601 date-time with an offset, as a UTC ISO string. zod's pattern alone lets through
 * offsets such as +99:99 that no clock has; those fail here, naming the field.
 */
export const dateTime = () =>
  z
    .string()
    .datetime({ offset: true })
    .refine((text) => Number.isFinite(Date.parse(text)), "Must be a valid date and time")
    .transform((text) => new Date(text).toISOString());

/** Largest `offset` a list route accepts (far past any real table; SQLite binds it as an integer). */
export const MAX_OFFSET = 1_000_000_000;

export const hex = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[0-9a-fA-F]+$/, "Expected hex");

export const email = () => z.string().trim().toLowerCase().max(320).email();

export const personName = () =>
  z
    .string()
    .trim()
    .max(64)
    .regex(/^[^\p{Cc}]*$/u, "Control characters are not allowed");

export const uuid = () => z.string().trim().uuid();

/** Environment and project slugs: slugify-valid (lower-case letters, digits, single dashes). */
export const slug = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Must be a valid slug (a-z, 0-9 and single dashes)");

export const displayName = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "Control characters are not allowed");

/** A folder name, as Infisical's folder rules of 2024 allow. */
export const FOLDER_NAME = /^[a-zA-Z0-9_-]+$/;

/** `/`, `/a`, `/a/b` (a trailing slash is tolerated and dropped). */
export const secretPath = () =>
  z
    .string()
    .trim()
    .max(1024)
    .default("/")
    .transform((path) => (path.length > 1 ? path.replace(/\/+$/, "") : path))
    .refine(
      (path) =>
        path === "/" ||
        (path.startsWith("/") &&
          path
            .slice(1)
            .split("/")
            .every((s) => FOLDER_NAME.test(s))),
      {
        message: "Must be an absolute folder path such as / or /app/db",
      },
    );

/**
 * A secret name from the URL path or a batch body: trimmed (as the real server does), no control
 * characters, and the client's Unicode rule (NFC only), so look-alike spellings cannot coexist.
 */
export const secretName = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, "Control characters are not allowed")
    .superRefine((name, ctx) => {
      const problem = unicodeNameProblem(name);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Secret name ${problem}` });
    });

export const secretType = () => z.enum(["shared", "personal"]).default("shared");

export const booleanString = () => z.enum(["true", "false"]).optional();

export const metadata = () => z.record(z.string().max(1024), z.string().max(4096)).optional();

/** The key-material fields of admin signup and complete-account (everything but `password`). */
export const accountKeyMaterial = {
  email: email(),
  firstName: personName(),
  lastName: personName().optional(),
  protectedKey: base64(),
  protectedKeyIV: base64(256),
  protectedKeyTag: base64(256),
  publicKey: base64(256),
  encryptedPrivateKey: base64(),
  encryptedPrivateKeyIV: base64(256),
  encryptedPrivateKeyTag: base64(256),
  salt: hex(1024),
  verifier: hex(2048),
};
