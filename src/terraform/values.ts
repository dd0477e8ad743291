/**
 * Conversions between Terraform objects (snake_case, every schema attribute present, null for
 * absent) and core objects (camelCase, absent keys). Unknown stays the core's UNKNOWN both ways.
 */
import { isUnknown, UNKNOWN } from "../provider/schema/fields";
import type { AttributeModel } from "./schema-model";

export type TerraformObject = Record<string, unknown>;
export type CoreObject = Record<string, unknown>;

export function isTerraformObject(value: unknown): value is TerraformObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/**
 * Terraform object → core object. `inputs` keeps only what a user may set (check() rejects
 * computed fields); `all` keeps computed ones too (state for read/update/delete).
 */
export function toCore(attributes: AttributeModel[], tf: unknown, which: "inputs" | "all"): CoreObject {
  const out: CoreObject = {};
  if (!isTerraformObject(tf)) return out;
  for (const attribute of attributes) {
    if (attribute.field === undefined) continue;
    if (which === "inputs" && !attribute.optional && !attribute.required) continue;
    const value = toCoreValue(attribute, tf[attribute.name], which);
    if (value !== undefined) out[attribute.field] = value;
  }
  return out;
}

function toCoreValue(attribute: AttributeModel, value: unknown, which: "inputs" | "all"): unknown {
  if (value === null || value === undefined) return undefined;
  if (isUnknown(value)) return UNKNOWN;
  switch (attribute.kind) {
    case "number":
      // cty may send large or fractional numbers as decimal strings.
      return typeof value === "string" ? Number(value) : value;
    case "stringList":
      return Array.isArray(value) ? value.map((item) => (item === null ? undefined : item)) : value;
    case "object":
      return toCore(attribute.nested ?? [], value, which);
    case "objectList":
      return Array.isArray(value)
        ? value.map((item) => (isUnknown(item) ? UNKNOWN : toCore(attribute.nested ?? [], item, which)))
        : value;
    default:
      return value;
  }
}

/** Core object → Terraform object with exactly the schema's attributes; write-only ones are null. */
export function toTerraform(attributes: AttributeModel[], core: CoreObject, id?: string | null): TerraformObject {
  const out: TerraformObject = {};
  for (const attribute of attributes) {
    out[attribute.name] =
      attribute.field === undefined ? (id ?? null) : toTerraformValue(attribute, core[attribute.field]);
  }
  return out;
}

export function toTerraformValue(attribute: AttributeModel, value: unknown): unknown {
  if (attribute.writeOnly || value === null || value === undefined) return null;
  if (isUnknown(value)) return UNKNOWN;
  switch (attribute.kind) {
    case "number":
      return typeof value === "string" ? Number(value) : value;
    case "string":
      return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
    case "stringList":
      return Array.isArray(value) ? value.map((item) => (item === undefined ? null : item)) : value;
    case "object":
      return toTerraform(attribute.nested ?? [], value as CoreObject);
    case "objectList":
      return Array.isArray(value)
        ? value.map((item) => (isUnknown(item) ? UNKNOWN : toTerraform(attribute.nested ?? [], item as CoreObject)))
        : value;
    default:
      return value;
  }
}

/** Keep exactly the schema's attributes of a same-version raw state (drops strays, fills nulls). */
export function conformToSchema(attributes: AttributeModel[], raw: unknown): TerraformObject {
  const source = isTerraformObject(raw) ? raw : {};
  const id = typeof source.id === "string" ? source.id : null;
  return toTerraform(attributes, toCore(attributes, source, "all"), id);
}

export function containsUnknownValue(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknownValue);
  if (isTerraformObject(value)) return Object.values(value).some(containsUnknownValue);
  return false;
}

/** "", [] and {} read back from the server for an attribute that was null count as null. */
export function isEmptyValue(value: unknown): boolean {
  if (value === "" || (Array.isArray(value) && value.length === 0)) return true;
  return isTerraformObject(value) && Object.values(value).every((v) => v === null);
}
