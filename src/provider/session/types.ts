/**
 * The connection a resource op works through. The concrete class lives in session/ (login once,
 * project-key ring in memory, request coalescing, read snapshots); ops only see this surface.
 */
import type { InputsOf } from "../schema/fields";
import type { connectionFields } from "./settings";

/**
 * Explicit settings; anything unset falls back to environment variables, then defaults. Derived
 * from `connectionFields` (session/settings.ts), which documents each one and its variable.
 */
export type ConnectionSettings = InputsOf<typeof connectionFields>;

// The full Session interface is declared by session/session.ts; this alias keeps the schema kit
// free of the API layer's types.
export type { Session } from "./session";
