/**
 * Builds a Pulumi resource class from a core resource schema. It registers exactly what
 * `pulumi.dynamic.Resource` registers (type `pulumi-nodejs:dynamic/<module>:<Type>` plus the
 * `__provider` input, so Pulumi runs it in its dynamic-provider host), but with our fixed provider
 * text instead of a closure serialization (see provider.ts). Sensitive inputs are wrapped with
 * pulumi.secret so they are encrypted in state inputs; sensitive outputs are listed in
 * additionalSecretOutputs so they are encrypted in state outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../provider/errors";
import { type AnyField, type FieldMap, isFieldOnFace, isInputField } from "../provider/schema/fields";
import type { Resource } from "../provider/schema/resource";
import { providerText } from "./provider";
import type { ArgsOf, OutputPropertiesOf } from "./types";
import { PROVIDER_KEY } from "./wire";

/** Type tokens read `pulumi-nodejs:dynamic/infisical-e2ee:<Type>`; changing them would orphan state. */
export const TYPE_MODULE = "infisical-e2ee";

export function typeToken(typeName: string): string {
  return `pulumi-nodejs:dynamic/${TYPE_MODULE}:${typeName}`;
}

export type ResourceClass<F extends FieldMap> = new (
  name: string,
  args: ArgsOf<F>,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource & OutputPropertiesOf<F>;

/** Field names on the Pulumi face, and which of them are secrets. */
export function pulumiFieldPlan(fields: FieldMap) {
  const entries = Object.entries(fields).filter(([, spec]) => isFieldOnFace(spec, "pulumi"));
  return {
    all: entries.map(([key]) => key),
    secretOutputs: entries.filter(([, spec]) => containsSensitive(spec)).map(([key]) => key),
    secretInputs: entries.filter(([, spec]) => isInputField(spec) && containsSensitive(spec)).map(([key]) => key),
  };
}

/** A field is secret when it, or any field nested inside it, is sensitive. */
export function containsSensitive(spec: AnyField): boolean {
  if (spec.sensitive) return true;
  if (spec.kind === "object" || spec.kind === "objectList")
    return Object.values(spec.fields as FieldMap).some(containsSensitive);
  return false;
}

/** The Pulumi class (and type token) name of a core resource: `projectMembership` → `ProjectMembership`. */
export function pulumiClassName(resourceName: string): string {
  return resourceName.charAt(0).toUpperCase() + resourceName.slice(1);
}

export function resourceClass<F extends FieldMap>(resource: Resource<F>): ResourceClass<F> {
  const typeName = pulumiClassName(resource.name);
  const provider = providerText(resource.name);
  const plan = pulumiFieldPlan(resource.fields);

  class InfisicalResource extends pulumi.CustomResource {
    constructor(name: string, args: ArgsOf<F>, opts: pulumi.CustomResourceOptions = {}) {
      // Every field is registered (undefined when unset) so Pulumi creates an output property for it;
      // unknown extra keys pass through so the provider's check can name them.
      const props: pulumi.Inputs = { ...(args as pulumi.Inputs) };
      for (const key of plan.all) {
        if (!(key in props)) props[key] = undefined;
      }
      for (const key of plan.secretInputs) {
        if (props[key] !== undefined) props[key] = pulumi.secret(props[key]);
      }
      if (props[PROVIDER_KEY] !== undefined)
        throw new ValidationError(`${typeName} ${name}`, [
          { path: PROVIDER_KEY, reason: "is reserved for the provider" },
        ]);
      props[PROVIDER_KEY] = provider;
      const additionalSecretOutputs = [...new Set([...(opts.additionalSecretOutputs ?? []), ...plan.secretOutputs])];
      super(typeToken(typeName), name, props, { ...opts, additionalSecretOutputs });
    }
  }
  Object.defineProperty(InfisicalResource, "name", { value: typeName });
  return InfisicalResource as unknown as ResourceClass<F>;
}
