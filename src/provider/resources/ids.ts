/** Import ID parsing: colon-separated parts, each checked with the field's own rule. */
import { ValidationError } from "../errors";

export function splitImportId(resource: string, importId: string, names: string[]): string[] {
  const parts: string[] = [];
  let rest = importId;
  for (let i = 0; i < names.length - 1; i++) {
    const at = rest.indexOf(":");
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  if (parts.length !== names.length || parts.some((p) => p.length === 0)) {
    throw new ValidationError(resource, [
      { path: "importId", reason: `expected ${names.map((n) => `<${n}>`).join(":")}` },
    ]);
  }
  return parts;
}
