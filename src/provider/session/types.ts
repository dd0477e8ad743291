/**
 * The connection a resource op works through. The concrete class lives in session/ (login once,
 * project-key ring in memory, request coalescing, read snapshots); ops only see this surface.
 */

// The full Session interface is declared by session/session.ts; this alias keeps the schema kit
// free of the API layer's types.
export type { Session } from "./session";
export type { ConnectionSettings } from "./settings";
