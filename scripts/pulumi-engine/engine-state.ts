/**
 * The local engine's state: resources as a Pulumi checkpoint records them, with every secret
 * input and output sealed the way the engine stores secrets (`{<sig>: <secret sig>, ciphertext}`),
 * under a key that lives only in this process's memory. Plain values leave only through unseal.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { isSecretWrapped, SECRET_SIG, SIG_KEY } from "../../src/pulumi/wire";

export { isSecretWrapped };

type Json = Record<string, unknown>;

export interface StateResource {
  urn: string;
  /** Type token, e.g. `pulumi-nodejs:dynamic/infisical-e2ee:Secret`. */
  type: string;
  name: string;
  id: string;
  /** Checked inputs; secret ones sealed. */
  inputs: Json;
  /** Outputs; secret ones sealed. */
  outputs: Json;
  /** Output keys stored sealed: additionalSecretOutputs plus outputs of secret inputs. */
  secretOutputs: string[];
  dependencies: string[];
  /** A replaced or removed object whose delete has not happened yet. */
  pendingDelete?: true;
}

export interface StateSnapshot {
  version: 3;
  resources: StateResource[];
}

const CIPHER = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHERTEXT_PREFIX = "v1:";

/** `{<sig>: <secret sig>, value}`: how the provider protocol and the mock monitor mark a secret. */
export function wrapSecret(value: unknown): Json {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Top-level keys whose values are secret-wrapped, and the values with the wrapping removed (at any depth). */
export function unwrapSecrets(props: Json): { plain: Json; secretKeys: string[] } {
  const secretKeys: string[] = [];
  const plain: Json = {};
  for (const [key, value] of Object.entries(props)) {
    const [unwrapped, secret] = unwrapDeep(value);
    plain[key] = unwrapped;
    if (secret) secretKeys.push(key);
  }
  return { plain, secretKeys };
}

function unwrapDeep(value: unknown): [unknown, boolean] {
  if (isSecretWrapped(value)) return [unwrapDeep(value.value)[0], true];
  if (Array.isArray(value)) {
    const items = value.map(unwrapDeep);
    return [items.map(([v]) => v), items.some(([, s]) => s)];
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, unwrapDeep(v)] as const);
    return [Object.fromEntries(entries.map(([k, [v]]) => [k, v])), entries.some(([, [, s]]) => s)];
  }
  return [value, false];
}

export class StateSealer {
  private readonly key = randomBytes(32);

  /** A copy of `props` with the values under `secretKeys` sealed. */
  seal(props: Json, secretKeys: readonly string[]): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(props)) {
      out[key] = secretKeys.includes(key) && value !== undefined ? this.sealValue(value) : value;
    }
    return out;
  }

  /** A copy of `props` with every sealed value opened. */
  unseal(props: Json): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(props)) out[key] = this.isSealed(value) ? this.openValue(value) : value;
    return out;
  }

  private isSealed(value: unknown): value is Json {
    return isSecretWrapped(value) && typeof value.ciphertext === "string";
  }

  private sealValue(value: unknown): Json {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
    return { [SIG_KEY]: SECRET_SIG, ciphertext: `${CIPHERTEXT_PREFIX}${sealed}` };
  }

  private openValue(sealed: Json): unknown {
    const raw = Buffer.from((sealed.ciphertext as string).slice(CIPHERTEXT_PREFIX.length), "base64");
    const decipher = createDecipheriv(CIPHER, this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
    return JSON.parse(text);
  }
}
