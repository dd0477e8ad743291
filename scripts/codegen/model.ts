/**
 * The Terraform-side view of the core registry, shared by the CDKTF and docs generators:
 * which fields Terraform shows, under which snake_case names, with which flags.
 */
import { type AnyField, type FieldKind, type FieldMap, isInputField } from "../../src/provider/schema/fields";
import type { Lookup } from "../../src/provider/schema/lookup";
import type { Resource } from "../../src/provider/schema/resource";
import { PROVIDER_TYPE, terraformTypeName, toCamelCase, toSnakeCase } from "../../src/terraform/names";
import {
  type AttributeModel,
  type BlockModel,
  lookupModel,
  providerModel,
  resourceModel,
} from "../../src/terraform/schema-model";

export { PROVIDER_TYPE };
export const PROVIDER_SOURCE = "infisical-e2ee/infisicale2ee";

/** `projectMembership` → `ProjectMembership`. */
export function toPascalCase(camel: string): string {
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

export interface AttributeView {
  /** camelCase core name (also the CDKTF and Pulumi property name). */
  name: string;
  /** snake_case Terraform attribute name. */
  tfName: string;
  kind: FieldKind;
  /** The user may set it. */
  input: boolean;
  /** The user must set it (required and without a default). */
  required: boolean;
  /** The provider sets it (alone, or when the user leaves it unset). */
  computed: boolean;
  sensitive: boolean;
  writeOnly: boolean;
  replaceOnChange: boolean;
  default?: unknown;
  oneOf?: readonly string[];
  minItems?: number;
  doc: string;
  /** For object and objectList fields. */
  nested?: AttributeView[];
  /** Faces that show the field, when restricted. */
  faces?: readonly string[];
}

export interface SchemaView {
  kind: "resource" | "dataSource";
  /** camelCase registry key, e.g. `projectMembership`. */
  coreName: string;
  /** `infisicale2ee_project_membership`. */
  tfType: string;
  /** CDKTF class: `ProjectMembership`, `DataInfisicalE2eeSecrets`. */
  className: string;
  /** Pulumi class or function: `ProjectMembership`, `getSecrets`. */
  pulumiName: string;
  doc: string;
  /** Resources only: the import ID format, or why the resource cannot be imported. */
  importId?: string;
  /** Every core field, including those hidden from Terraform (the docs show them per face). */
  allAttributes: AttributeView[];
  /**
   * Exactly the attributes the Terraform provider declares (its schema model, including the
   * synthetic `id`), in its flags: CDKTF must match what Terraform will validate.
   */
  attributes: AttributeView[];
}

export interface Registry {
  resources: Record<string, Resource>;
  lookups: Record<string, Lookup>;
}

export function attributeView(name: string, spec: AnyField, forceComputed = false): AttributeView {
  const input = !forceComputed && isInputField(spec);
  // Everything inside a computed-only value is set by the provider too.
  const nestedComputed = forceComputed || !input;
  const nested =
    spec.kind === "object" || spec.kind === "objectList"
      ? Object.entries(spec.fields as FieldMap).map(([n, s]) => attributeView(n, s, nestedComputed))
      : undefined;
  return {
    name,
    tfName: toSnakeCase(name),
    kind: spec.kind,
    input,
    required: input && spec.required === true && spec.default === undefined,
    computed: forceComputed || spec.computed === true,
    sensitive: spec.sensitive === true,
    writeOnly: spec.writeOnly === true,
    replaceOnChange: spec.replaceOnChange === true,
    default: spec.default,
    oneOf: spec.oneOf,
    minItems: spec.kind === "objectList" ? spec.minItems : undefined,
    doc: spec.doc,
    nested,
    faces: spec.faces,
  };
}

/** A Terraform attribute from the provider's schema model, completed with the core field's extras. */
function fromTerraform(tf: AttributeModel, core: AttributeView | undefined): AttributeView {
  return {
    name: tf.field ?? toCamelCase(tf.name),
    tfName: tf.name,
    kind: tf.kind === "bool" ? "boolean" : tf.kind,
    input: tf.required || tf.optional,
    required: tf.required,
    computed: tf.computed,
    sensitive: tf.sensitive,
    writeOnly: tf.writeOnly,
    replaceOnChange: tf.replaceOnChange,
    default: tf.defaultValue,
    oneOf: core?.oneOf,
    minItems: core?.minItems,
    doc: tf.description,
    nested: tf.nested?.map((n) =>
      fromTerraform(
        n,
        core?.nested?.find((c) => c.name === n.field),
      ),
    ),
    faces: core?.faces,
  };
}

function terraformAttributes(model: BlockModel, all: AttributeView[]): AttributeView[] {
  return model.attributes.map((tf) =>
    fromTerraform(
      tf,
      all.find((a) => a.name === tf.field),
    ),
  );
}

/** The provider block's settings, as the Terraform provider declares them. */
export function providerSettings(): AttributeView[] {
  return terraformAttributes(providerModel(), []);
}

export function resourceView(key: string, resource: Resource): SchemaView {
  const all = Object.entries(resource.fields).map(([n, s]) => attributeView(n, s));
  return {
    kind: "resource",
    coreName: key,
    tfType: terraformTypeName(key),
    className: toPascalCase(key),
    pulumiName: toPascalCase(key),
    doc: resource.doc,
    importId: resource.importId,
    allAttributes: all,
    attributes: terraformAttributes(resourceModel(resource), all),
  };
}

export function lookupView(key: string, lookup: Lookup): SchemaView {
  // A result named like an argument (e.g. `slug` of the project lookup) is one attribute:
  // optional and computed, filled in by the read when the caller leaves it unset.
  const args = Object.entries(lookup.args).map(([n, s]) => {
    const view = attributeView(n, s);
    return n in lookup.results ? { ...view, computed: true } : view;
  });
  const results = Object.entries(lookup.results)
    .filter(([n]) => !(n in lookup.args))
    .map(([n, s]) => attributeView(n, s, true));
  const all = [...args, ...results];
  return {
    kind: "dataSource",
    coreName: key,
    tfType: terraformTypeName(key),
    className: `DataInfisicalE2ee${toPascalCase(key)}`,
    pulumiName: `get${toPascalCase(key)}`,
    doc: lookup.doc,
    allAttributes: all,
    attributes: terraformAttributes(lookupModel(lookup), all),
  };
}

export function registryViews(registry: Registry): SchemaView[] {
  return [
    ...Object.entries(registry.resources).map(([k, r]) => resourceView(k, r)),
    ...Object.entries(registry.lookups).map(([k, l]) => lookupView(k, l)),
  ];
}
