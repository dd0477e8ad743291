/**
 * The bottom contract: types every layer shares (api, session, schema, faces, server), so none of
 * them imports another layer for them. Imports nothing.
 */

/** Structured logging; fields never carry secret values, keys or tokens. */
export interface Logger {
  debug(message: string, fields?: Record<string, string | number | boolean>): void;
  info(message: string, fields?: Record<string, string | number | boolean>): void;
  warn(message: string, fields?: Record<string, string | number | boolean>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };
