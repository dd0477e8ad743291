/**
 * Test helpers around the provider-host client of scripts/pulumi-engine/provider-host.ts (the same client the
 * local engine uses): protocol constants, URNs, and the would-be state and canary scans.
 */
import { isSecretWrapped, wrapSecret } from "../../scripts/pulumi-engine/engine-state";
import { PULUMI_UNKNOWN } from "../../src/pulumi/wire";

export { DIFF, type HostError, ProviderHost } from "../../scripts/pulumi-engine/provider-host";
export { SECRET_SIG, SIG_KEY } from "../../src/pulumi/wire";

export const UNKNOWN = PULUMI_UNKNOWN;

type Json = Record<string, unknown>;

/** A value marked secret as the engine sends it (`{<sig>: <secret sig>, value}`). */
export const secret = wrapSecret;

/** The URN the engine would use for a resource of this face. */
export function urnOf(typeName: string, name: string): string {
  return `urn:pulumi:dev::myproj::pulumi-nodejs:dynamic/infisical-e2ee:${typeName}::${name}`;
}

/**
 * What the engine would write to the state file for these outputs: keys listed as secret outputs
 * (additionalSecretOutputs) or whose input was secret are wrapped in the secret signature (the
 * engine encrypts those); everything else is stored as plain JSON.
 */
export function wouldBeState(outputs: Json, secretKeys: string[]): Json {
  const state: Json = {};
  for (const [key, value] of Object.entries(outputs)) state[key] = secretKeys.includes(key) ? secret(value) : value;
  return state;
}

/** Every plaintext canary found in `state` outside secret-wrapped values. */
export function leakedCanaries(state: unknown, canaries: string[]): string[] {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) {
      if (isSecretWrapped(value)) return "[secret]";
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  const text = JSON.stringify(strip(state));
  return canaries.filter((canary) => text.includes(canary));
}
