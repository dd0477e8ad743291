/**
 * The verbs the stored provider text calls (see provider.ts), over any set of core resources.
 * runtime.ts instantiates it once per host process over the core registry.
 */
import type * as pulumi from "@pulumi/pulumi";
import { UnknownTypeError } from "../provider/errors";
import type { Resource, ResourceContext } from "../provider/schema/resource";
import type { ConnectionSettings } from "../provider/session/types";
import { adaptResource, type PulumiAdapter } from "./adapter";
import { CONFIG_NAMESPACE, settingsFromConfig, withPulumiSpelling } from "./connection";

type Json = Record<string, unknown>;

export interface HostRuntime {
  configure(req: pulumi.dynamic.ConfigureRequest): void;
  check(resourceName: string, olds: Json, news: Json): Promise<pulumi.dynamic.CheckResult>;
  diff(resourceName: string, id: string, olds: Json, news: Json): Promise<pulumi.dynamic.DiffResult>;
  create(resourceName: string, inputs: Json): Promise<pulumi.dynamic.CreateResult>;
  read(resourceName: string, id: string, props: Json): Promise<pulumi.dynamic.ReadResult>;
  update(resourceName: string, id: string, olds: Json, news: Json): Promise<pulumi.dynamic.UpdateResult>;
  delete(resourceName: string, id: string, props: Json): Promise<void>;
}

/** `contextFor` turns the configured settings into an op context (normally through a shared session). */
export function createHostRuntime(
  resources: Record<string, Resource>,
  contextFor: (settings: ConnectionSettings) => ResourceContext,
): HostRuntime {
  let settings: ConnectionSettings = {};
  const adapters = new Map<string, PulumiAdapter>();

  const adapterFor = (resourceName: string): PulumiAdapter => {
    let adapter = adapters.get(resourceName);
    if (!adapter) {
      const resource = Object.hasOwn(resources, resourceName) ? resources[resourceName] : undefined;
      if (!resource) {
        throw new UnknownTypeError(
          `Unknown infisical-e2ee resource type "${resourceName}": the state was written by another version of infisical-e2ee; install that version or a newer one.`,
        );
      }
      adapter = adaptResource(resource, () => contextFor(settings));
      adapters.set(resourceName, adapter);
    }
    return adapter;
  };

  return {
    // The host calls configure once per provider text (once per resource type), always with the
    // whole stack config; the last call wins, and every call carries the same values.
    configure(req) {
      settings = settingsFromConfig((key) => req.config.get(`${CONFIG_NAMESPACE}:${key}`));
    },
    // Settings problems found while an operation runs (no credentials, unknown organization) are
    // reported with the config keys Pulumi users write.
    check: (name, olds, news) => withPulumiSpelling(() => adapterFor(name).check(olds, news)),
    diff: (name, id, olds, news) => withPulumiSpelling(() => adapterFor(name).diff(id, olds, news)),
    create: (name, inputs) => withPulumiSpelling(() => adapterFor(name).create(inputs)),
    read: (name, id, props) => withPulumiSpelling(() => adapterFor(name).read(id, props)),
    update: (name, id, olds, news) => withPulumiSpelling(() => adapterFor(name).update(id, olds, news)),
    delete: (name, id, props) => withPulumiSpelling(() => adapterFor(name).delete(id, props)),
  };
}
