/**
 * The Terraform view of a core schema, derived once per resource/lookup from its field specs:
 * snake_case names, required/optional/computed flags, nesting. Both the GetProviderSchema answer
 * and the value conversions walk this model, so the two can never disagree.
 */

import { InternalError } from "../provider/errors";
import { type AnyField, type FieldMap, isFieldOnFace } from "../provider/schema/fields";
import type { Lookup } from "../provider/schema/lookup";
import type { Resource } from "../provider/schema/resource";
import { connectionFields } from "../provider/session/settings";
import { toSnakeCase } from "./names";

export type AttributeKind = "string" | "number" | "bool" | "stringList" | "stringMap" | "object" | "objectList";

export interface AttributeModel {
  /** Terraform (snake_case) name. */
  name: string;
  /** Core (camelCase) field name; undefined for the synthetic `id`. */
  field?: string;
  kind: AttributeKind;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  writeOnly: boolean;
  replaceOnChange: boolean;
  /** A stringList that is a set (Terraform `set(string)`). */
  set?: boolean;
  description: string;
  /** The core default, planned when the configuration leaves the attribute null. */
  defaultValue?: unknown;
  nested?: AttributeModel[];
}

export interface BlockModel {
  version: number;
  description: string;
  attributes: AttributeModel[];
}

/** Every managed resource carries `id`: the core id that read/update/delete need. */
export const ID_ATTRIBUTE = "id";

const KIND_OF: Record<AnyField["kind"], AttributeKind> = {
  string: "string",
  number: "number",
  boolean: "bool",
  stringList: "stringList",
  stringMap: "stringMap",
  object: "object",
  objectList: "objectList",
};

/** Which fields a model holds: those the Terraform face shows, or every core field (the docs' view). */
export type FieldScope = "terraform" | "all";

function attributeFrom(field: string, spec: AnyField, insideComputed: boolean, scope: FieldScope): AttributeModel {
  const hasDefault = spec.default !== undefined && !insideComputed;
  // Everything inside a computed-only value is set by the provider too.
  const computedOnly = insideComputed || (spec.computed === true && spec.optional !== true && spec.required !== true);
  const required = spec.required === true && !hasDefault && !computedOnly;
  // A defaulted field is optional+computed so the plan may fill in the default the core applies.
  const computed = computedOnly || (!spec.writeOnly && (spec.computed === true || hasDefault));
  const model: AttributeModel = {
    name: toSnakeCase(field),
    field,
    kind: KIND_OF[spec.kind],
    required,
    optional: !required && !computedOnly,
    computed,
    sensitive: spec.sensitive === true,
    writeOnly: spec.writeOnly === true,
    replaceOnChange: spec.replaceOnChange === true,
    ...(spec.set ? { set: true } : {}),
    description: spec.doc,
    defaultValue: spec.default,
  };
  if (spec.kind === "object" || spec.kind === "objectList")
    model.nested = attributesFrom(spec.fields, computedOnly, scope);
  return model;
}

function attributesFrom(fields: FieldMap, insideComputed = false, scope: FieldScope = "terraform"): AttributeModel[] {
  return Object.entries(fields)
    .filter(([, spec]) => scope === "all" || isFieldOnFace(spec, "terraform"))
    .map(([field, spec]) => attributeFrom(field, spec, insideComputed, scope));
}

export function resourceModel(resource: Resource, scope: FieldScope = "terraform"): BlockModel {
  const id: AttributeModel = {
    name: ID_ATTRIBUTE,
    kind: "string",
    required: false,
    optional: false,
    computed: true,
    sensitive: false,
    writeOnly: false,
    replaceOnChange: false,
    description: `Identifier the provider tracks this ${resource.name} by. Import ID format: ${resource.importId}`,
  };
  const attributes = [id, ...attributesFrom(resource.fields, false, scope)];
  return { version: resource.version, description: resource.doc, attributes };
}

/** Arguments first; a result with the same name as an argument makes that argument optional+computed. */
export function lookupModel(lookup: Lookup, scope: FieldScope = "terraform"): BlockModel {
  const args = attributesFrom(lookup.args, false, scope);
  const argNames = new Set(args.map((a) => a.name));
  const results = attributesFrom(lookup.results, true, scope);
  for (const arg of args) {
    if (!arg.required && results.some((r) => r.name === arg.name)) arg.computed = true;
  }
  return {
    version: 0,
    description: lookup.doc,
    attributes: [...args, ...results.filter((r) => !argNames.has(r.name))],
  };
}

/** The provider block: the core's connection settings that the Terraform face exposes. */
/** True for a core connection setting the provider block has (the rest come from the environment). */
export function isProviderSetting(setting: string): boolean {
  return (
    Object.hasOwn(connectionFields, setting) &&
    isFieldOnFace(connectionFields[setting as keyof typeof connectionFields], "terraform")
  );
}

export function providerModel(): BlockModel {
  return {
    version: 0,
    description: "Infisical with client-side end-to-end encryption.",
    attributes: attributesFrom(connectionFields),
  };
}

/** cty type JSON, e.g. "string" or ["list","string"]. */
function ctyType(attribute: AttributeModel): unknown {
  switch (attribute.kind) {
    case "stringList":
      return [attribute.set ? "set" : "list", "string"];
    case "stringMap":
      return ["map", "string"];
    case "object":
    case "objectList":
      throw new InternalError("nested attributes use nested_type, not a cty type");
    default:
      return attribute.kind;
  }
}

export interface ProtoAttribute {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: ProtoAttribute[]; nesting: number };
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  write_only: boolean;
  description_kind: number;
}

const NESTING_SINGLE = 1;
const NESTING_LIST = 2;
const MARKDOWN = 1;

function protoAttribute(attribute: AttributeModel): ProtoAttribute {
  const out: ProtoAttribute = {
    name: attribute.name,
    description: attribute.description,
    description_kind: MARKDOWN,
    required: attribute.required,
    optional: attribute.optional,
    computed: attribute.computed,
    sensitive: attribute.sensitive,
    write_only: attribute.writeOnly,
  };
  if (attribute.nested) {
    out.nested_type = {
      attributes: attribute.nested.map(protoAttribute),
      nesting: attribute.kind === "object" ? NESTING_SINGLE : NESTING_LIST,
    };
  } else {
    out.type = Buffer.from(JSON.stringify(ctyType(attribute)));
  }
  return out;
}

export function protoSchema(model: BlockModel) {
  return {
    version: model.version,
    block: {
      version: model.version,
      attributes: model.attributes.map(protoAttribute),
      description: model.description,
      description_kind: MARKDOWN,
    },
  };
}
