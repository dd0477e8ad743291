/**
 * Maps Pulumi's dynamic-provider verbs onto a core resource: value translation, result shapes and
 * error shapes only. No business rule lives here; check, diff and the lifecycle are the core's.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PartialCreateError, ProviderError } from "../provider/errors";
import { isFieldOnFace, withoutWriteOnly } from "../provider/schema/fields";
import type { Inputs, Outputs, Resource, ResourceContext } from "../provider/schema/resource";
import { fromHost, SCHEMA_VERSION_KEY, schemaVersionOf, toHost } from "./wire";

type Json = Record<string, unknown>;

export interface PulumiAdapter {
  check(olds: Json, news: Json): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Json, news: Json): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Json): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Json): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Json, news: Json): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Json): Promise<void>;
}

/** `context` is called per operation so the caller decides how sessions are shared. */
export function adaptResource(resource: Resource, context: () => ResourceContext): PulumiAdapter {
  const hiddenFields = Object.keys(resource.fields).filter((key) => !isFieldOnFace(resource.fields[key], "pulumi"));

  /** State as the current schema knows it, upgraded when an older package version wrote it. */
  const currentState = (props: Json): Outputs => {
    const state = fromHost(props);
    const written = schemaVersionOf(props);
    return written < resource.version && resource.upgrade ? resource.upgrade(written, state) : state;
  };

  /**
   * What goes back into Pulumi state: the inputs echoed (never a write-only one: the schema's rule),
   * the core's outputs on top, and the schema version.
   */
  const toState = (inputs: Inputs, outputs: Outputs): Json =>
    toHost({ ...withoutWriteOnly(resource.fields, inputs), ...outputs, [SCHEMA_VERSION_KEY]: resource.version });

  return {
    async check(_olds, news) {
      const raw = fromHost(news);
      const result = resource.check(raw);
      const failures = result.failures.map((f) => ({ property: f.path, reason: f.reason }));
      for (const key of hiddenFields) {
        if (raw[key] !== undefined && raw[key] !== null) {
          failures.push({ property: key, reason: "is not available in Pulumi" });
        }
      }
      return { inputs: toHost(result.inputs), failures };
    },

    async diff(_id, olds, news) {
      const result = resource.diff(currentState(olds), fromHost(news));
      return {
        changes: result.changes.length > 0,
        replaces: result.replaces,
        deleteBeforeReplace: result.deleteBeforeReplace,
      };
    },

    async create(props) {
      const inputs = resource.validated(fromHost(props));
      try {
        const created = await resource.ops.create(context(), inputs);
        return { id: created.id, outs: toState(inputs, created.outputs) };
      } catch (error) {
        if (!isPartialCreate(error)) throw error;
        throw initFailed(error, toState(inputs, error.outputs));
      }
    },

    async read(id, props) {
      const found = await resource.ops.read(context(), id, currentState(props));
      if (found === undefined) return { id: "", props: {} };
      return { id, props: toHost({ ...found, [SCHEMA_VERSION_KEY]: resource.version }) };
    },

    async update(id, olds, news) {
      const inputs = resource.validated(fromHost(news));
      const outputs = await resource.ops.update(context(), id, currentState(olds), inputs);
      return { outs: toState(inputs, outputs) };
    },

    async delete(id, props) {
      await resource.ops.delete(context(), id, currentState(props));
    },
  };
}

/** By code, not instanceof: the error may come from another copy of the package. */
function isPartialCreate(error: unknown): error is PartialCreateError {
  return ProviderError.is(error) && error.code === "ERR_PARTIAL_CREATE";
}

/**
 * The host turns an error carrying `id` (+ `properties`, `reasons`) into ErrorResourceInitFailed,
 * which tells the engine the object exists and must be kept in state.
 */
function initFailed(error: PartialCreateError, properties: Json): Error {
  return Object.assign(new PartialCreateError(error.id, error.outputs, error.reasons, { cause: error }), {
    properties,
  });
}
