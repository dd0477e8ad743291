/**
 * Translation between the values the Pulumi dynamic-provider host hands us and the core's values.
 * The host passes plain JSON (secrets already unwrapped, since it declines secrets) in which a
 * value unknown during preview is a fixed sentinel string; the core uses its UNKNOWN symbol.
 */
import { isUnknown, UNKNOWN } from "../provider/schema/fields";

/** `rpc.unknownValue` of @pulumi/pulumi: the protocol's marker for "computed, not known yet". */
export const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Pulumi's special-object signature key and its secret marker (`rpc.specialSigKey`, `rpc.specialSecretSig`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The input under which Pulumi stores the serialized provider; never a resource field. */
export const PROVIDER_KEY = "__provider";

/** Output recording the core schema version the state was written with, for upgrades. */
export const SCHEMA_VERSION_KEY = "__schemaVersion";

type Json = Record<string, unknown>;

/** Host value → core value: sentinel strings become UNKNOWN, secrets are unwrapped, bookkeeping keys dropped. */
export function fromHost(props: Json | undefined): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (key === PROVIDER_KEY || key === SCHEMA_VERSION_KEY) continue;
    out[key] = unknownsToCore(value);
  }
  return out;
}

// The host declines secrets, so the engine normally sends plain values; a secret-wrapped value
// (an engine that sends them anyway) is unwrapped rather than rejected as a malformed field.
function unknownsToCore(value: unknown): unknown {
  if (value === PULUMI_UNKNOWN) return UNKNOWN;
  if (isSecretWrapped(value)) return unknownsToCore(value.value);
  if (Array.isArray(value)) return value.map(unknownsToCore);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownsToCore(v)]));
  }
  return value;
}

/** Core value → host value: UNKNOWN becomes the sentinel and undefined entries are dropped (Struct cannot hold them). */
export function toHost(props: Json): Json {
  return unknownsToHost(props) as Json;
}

function unknownsToHost(value: unknown): unknown {
  if (isUnknown(value)) return PULUMI_UNKNOWN;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : unknownsToHost(item)));
  if (isPlainObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = unknownsToHost(v);
    }
    return out;
  }
  return value;
}

/** `{<sig>: <secret sig>, …}`: how the provider protocol marks a secret value. */
export function isSecretWrapped(value: unknown): value is Json {
  return isPlainObject(value) && value[SIG_KEY] === SECRET_SIG;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The schema version recorded in a state, 1 for state written before versions were recorded. */
export function schemaVersionOf(props: Json | undefined): number {
  const recorded = props?.[SCHEMA_VERSION_KEY];
  return typeof recorded === "number" ? recorded : 1;
}
