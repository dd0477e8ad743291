/**
 * The Terraform-side view of the core registry, shared by the CDKTF and docs generators:
 * which fields Terraform shows, under which snake_case names, with which flags.
 */
import type { AnyField, FieldKind, FieldMap } from "../../src/provider/schema/fields";
import type { Lookup } from "../../src/provider/schema/lookup";
import type { Resource } from "../../src/provider/schema/resource";
import { connectionFields } from "../../src/provider/session/settings";
import { pulumiClassName } from "../../src/pulumi/resource-class";
import { PROVIDER_TYPE, terraformTypeName, toCamelCase } from "../../src/terraform/names";
import {
  type AttributeModel,
  type BlockModel,
  ID_ATTRIBUTE,
  lookupModel,
  providerModel,
  resourceModel,
} from "../../src/terraform/schema-model";

export { PROVIDER_TYPE };
export const PROVIDER_SOURCE = "infisical-e2ee/infisicale2ee";

/** `projectMembership` → `ProjectMembership`: the Pulumi face's own derivation, also used for CDKTF classes. */
export const toPascalCase = pulumiClassName;

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
  /** A stringList that is an unordered set. */
  set?: boolean;
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
  /** Resources only: whether `terraform import` works (the resource's `importable` flag). */
  importable?: boolean;
  /** Resources only: the input that adopts an existing object, if any. */
  adoptField?: string;
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

/**
 * An attribute from the Terraform face's own schema model (src/terraform/schema-model.ts: the one
 * home of the required/optional/computed rules), completed with the core field's extras.
 */
function fromTerraform(tf: AttributeModel, spec: AnyField | undefined): AttributeView {
  const nestedSpecs = spec?.kind === "object" || spec?.kind === "objectList" ? (spec.fields as FieldMap) : {};
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
    oneOf: spec?.oneOf,
    minItems: spec?.kind === "objectList" ? spec.minItems : undefined,
    set: tf.set,
    doc: tf.description,
    nested: tf.nested?.map((n) => fromTerraform(n, n.field === undefined ? undefined : nestedSpecs[n.field])),
    faces: spec?.faces,
  };
}

function viewsOf(model: BlockModel, fields: FieldMap): AttributeView[] {
  return model.attributes.map((tf) => fromTerraform(tf, tf.field === undefined ? undefined : fields[tf.field]));
}

/** The provider block's settings, as the Terraform provider declares them. */
export function providerSettings(): AttributeView[] {
  return viewsOf(providerModel(), connectionFields);
}

export function resourceView(key: string, resource: Resource): SchemaView {
  return {
    kind: "resource",
    coreName: key,
    tfType: terraformTypeName(key),
    className: toPascalCase(key),
    pulumiName: toPascalCase(key),
    doc: resource.doc,
    importId: resource.importId,
    importable: resource.importable !== false,
    adoptField: resource.adoptField,
    allAttributes: viewsOf(resourceModel(resource, "all"), resource.fields).filter((a) => a.tfName !== ID_ATTRIBUTE),
    attributes: viewsOf(resourceModel(resource), resource.fields),
  };
}

export function lookupView(key: string, lookup: Lookup): SchemaView {
  const fields = { ...lookup.results, ...lookup.args };
  return {
    kind: "dataSource",
    coreName: key,
    tfType: terraformTypeName(key),
    className: `DataInfisicalE2ee${toPascalCase(key)}`,
    pulumiName: `get${toPascalCase(key)}`,
    doc: lookup.doc,
    allAttributes: viewsOf(lookupModel(lookup, "all"), fields),
    attributes: viewsOf(lookupModel(lookup), fields),
  };
}

export function registryViews(registry: Registry): SchemaView[] {
  return [
    ...Object.entries(registry.resources).map(([k, r]) => resourceView(k, r)),
    ...Object.entries(registry.lookups).map(([k, l]) => lookupView(k, l)),
  ];
}
