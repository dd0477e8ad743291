/**
 * The single-file provider has no proto/ directory beside it: its build stores the plugin
 * protocol, parsed from the same proto/ files, as protobufjs JSON in a SEA asset, which
 * proto-loader turns into the same definitions `loadSync` gives (see protocol.ts).
 */
export const EMBEDDED_PROTOCOL_ASSET = "plugin-protocol.json";
