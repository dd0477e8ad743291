/** Random secret values, drawn on this machine with a CSPRNG; at least one character of each enabled class. */
import { randomInt } from "node:crypto";
import { ValidationError } from "../errors";

export interface GenerateSpec {
  length?: number;
  lowercase?: boolean;
  uppercase?: boolean;
  digits?: boolean;
  symbols?: boolean;
}

const CLASSES = {
  lowercase: "abcdefghijklmnopqrstuvwxyz",
  uppercase: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digits: "0123456789",
  symbols: "!#$%&*+-=?@^_~",
} as const;

export function generateValue(spec: GenerateSpec): string {
  const length = spec.length ?? 32;
  const enabled = (Object.keys(CLASSES) as (keyof typeof CLASSES)[]).filter((c) => spec[c] ?? c !== "symbols");
  // The secret schema refuses this first; a direct caller gets the same failure.
  if (enabled.length === 0)
    throw new ValidationError("generate", [{ path: "generate", reason: "must enable at least one character class" }]);
  const alphabet = enabled.map((c) => CLASSES[c]).join("");
  const chars = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]!);
  // Guarantee each enabled class appears (length ≥ 8 ≥ number of classes), at distinct random positions.
  const positions = new Set<number>();
  while (positions.size < Math.min(enabled.length, length)) positions.add(randomInt(length));
  [...positions].forEach((position, i) => {
    const pool = CLASSES[enabled[i]!];
    chars[position] = pool[randomInt(pool.length)]!;
  });
  return chars.join("");
}
