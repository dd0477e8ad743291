/** A tiny, strict flag parser shared by the subcommands: `--name value`, `--name=value`, `--flag`. */
import { UsageError } from "../provider/errors";
export interface FlagSpec {
  [name: string]: "string" | "boolean";
}

export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]?: S[K] extends "boolean" ? boolean : string;
};

export { UsageError };

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S): ParsedFlags<S> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = spec[rawName];
    if (!kind) throw new UsageError(`unknown option --${rawName}`);
    if (kind === "boolean") {
      out[rawName] = inline === undefined ? true : inline !== "false";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${rawName} needs a value`);
    out[rawName] = value;
  }
  return out as ParsedFlags<S>;
}

/**
 * A subcommand's flags, or the exit code when it cannot go on: 0 after printing `usage` for
 * `--help`, 2 after printing the problem and `usage` for a usage error.
 */
export function commandFlags<S extends FlagSpec>(
  command: string,
  usage: string,
  argv: string[],
  spec: S,
): ParsedFlags<S> | number {
  if (argv.includes("--help")) {
    console.log(usage);
    return 0;
  }
  try {
    return parseFlags(argv, spec);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${command}: ${error.message}\n\n${usage}`);
    return 2;
  }
}
