/**
 * The tfplugin6 Provider service over the core: each RPC takes and returns plain protobuf-shaped
 * objects, so it can be driven by gRPC or called directly. Expected failures become diagnostics.
 */
import { NotConfiguredError, PartialCreateError, UnknownTypeError, ValidationError } from "../provider/errors";
import { isUnknown } from "../provider/schema/fields";
import type { Lookup } from "../provider/schema/lookup";
import type { Logger, Resource, ResourceContext } from "../provider/schema/resource";
import { checkSettings } from "../provider/session/settings";
import type { ConnectionSettings } from "../provider/session/types";
import {
  type Diagnostic,
  describeThrown,
  errorDiagnostic,
  errorDiagnostics,
  failureDiagnostics,
  SEVERITY_WARNING,
} from "./diagnostics";
import { type DynamicValueMessage, decodeDynamicValue, encodeDynamicValue, parseJsonValue } from "./dynamic-value";
import { terraformTypeName, toCamelCase } from "./names";
import { appliedState, planChange, refreshedState } from "./planning";
import { type BlockModel, ID_ATTRIBUTE, lookupModel, protoSchema, providerModel, resourceModel } from "./schema-model";
import { conformToSchema, isTerraformObject, type TerraformObject, toCore, toTerraform } from "./values";

type Session = ResourceContext["session"];

export interface ProviderCatalog {
  resources: Record<string, Resource>;
  lookups: Record<string, Lookup>;
}

/** Opens the core session from the provider block (the core falls back to environment variables). */
export type SessionFactory = (settings: ConnectionSettings, log: Logger) => Session;

interface ClientCapabilities {
  write_only_attributes_allowed?: boolean;
}

interface TypedRequest {
  type_name: string;
  config?: DynamicValueMessage;
  client_capabilities?: ClientCapabilities;
}

interface ResourceEntry {
  typeName: string;
  resource: Resource;
  model: BlockModel;
}

interface LookupEntry {
  typeName: string;
  lookup: Lookup;
  model: BlockModel;
}

const SERVER_CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false };

function asObject(value: unknown): TerraformObject | null {
  return isTerraformObject(value) ? value : null;
}

function bytes(value: Uint8Array | undefined): Buffer {
  return value ? Buffer.from(value) : Buffer.alloc(0);
}

export class TerraformProvider {
  private readonly resources = new Map<string, ResourceEntry>();
  private readonly lookups = new Map<string, LookupEntry>();
  private readonly provider = providerModel();
  /** The GetProviderSchema answer, derived once per process: the schemas never change while it runs. */
  private schemaResponse: ReturnType<TerraformProvider["buildProviderSchema"]> | undefined;
  private session: Session | undefined;
  private readonly stopping = new AbortController();

  constructor(
    catalog: ProviderCatalog,
    private readonly openSession: SessionFactory,
    private readonly log: Logger,
  ) {
    for (const resource of Object.values(catalog.resources)) {
      const typeName = terraformTypeName(resource.name);
      this.resources.set(typeName, { typeName, resource, model: resourceModel(resource) });
    }
    for (const lookup of Object.values(catalog.lookups)) {
      const typeName = terraformTypeName(lookup.name);
      this.lookups.set(typeName, { typeName, lookup, model: lookupModel(lookup) });
    }
  }

  getMetadata() {
    return {
      server_capabilities: SERVER_CAPABILITIES,
      diagnostics: [],
      resources: [...this.resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...this.lookups.keys()].map((type_name) => ({ type_name })),
    };
  }

  getProviderSchema() {
    this.schemaResponse ??= this.buildProviderSchema();
    return this.schemaResponse;
  }

  private buildProviderSchema() {
    return {
      provider: protoSchema(this.provider),
      resource_schemas: Object.fromEntries([...this.resources].map(([name, e]) => [name, protoSchema(e.model)])),
      data_source_schemas: Object.fromEntries([...this.lookups].map(([name, e]) => [name, protoSchema(e.model)])),
      diagnostics: [],
      server_capabilities: SERVER_CAPABILITIES,
    };
  }

  /** The provider block checked by the core's connection schema; diagnostics point at the attribute. */
  validateProviderConfig(request: { config?: DynamicValueMessage }) {
    const config = asObject(decodeDynamicValue(request.config));
    const { failures } = checkSettings(toCore(this.provider.attributes, config, "inputs"));
    return { diagnostics: failureDiagnostics(failures, "provider") };
  }

  configureProvider(request: { config?: DynamicValueMessage }) {
    const config = asObject(decodeDynamicValue(request.config)) ?? {};
    const settings: Record<string, unknown> = {};
    const diagnostics: Diagnostic[] = [];
    for (const attribute of this.provider.attributes) {
      const value = config[attribute.name];
      if (isUnknown(value)) {
        diagnostics.push({
          severity: SEVERITY_WARNING,
          summary: "Provider Setting Not Known Yet",
          detail: `${attribute.name} depends on a value known only after apply; the environment fallback is used instead.`,
          attribute: { steps: [{ attribute_name: attribute.name }] },
        });
      } else if (value !== null && value !== undefined && attribute.field !== undefined) {
        // The core checks kinds and rules (and treats "" as unset) when the session opens.
        settings[attribute.field] = value;
      }
    }
    try {
      this.closeSessionInBackground();
      this.session = this.openSession(settings as ConnectionSettings, this.log);
    } catch (error) {
      diagnostics.push(...errorDiagnostics(error, "configure the provider"));
    }
    return { diagnostics };
  }

  /** A reconfigure replaces the session; closing the old one must not fail the new configuration. */
  private closeSessionInBackground(): void {
    const previous = this.session;
    this.session = undefined;
    if (!previous?.close) return;
    Promise.resolve()
      .then(() => previous.close())
      .catch((error: unknown) => {
        this.log.warn("closing the previous session failed", { error: describeThrown(error) });
      });
  }

  validateResourceConfig(request: TypedRequest) {
    return this.guard("validate", request.type_name, (entry) => {
      const config = asObject(decodeDynamicValue(request.config));
      const diagnostics = this.writeOnlyGate(entry, config, request.client_capabilities);
      const checked = entry.resource.check(toCore(entry.model.attributes, config, "inputs"));
      diagnostics.push(...failureDiagnostics(checked.failures, entry.typeName));
      return { diagnostics };
    });
  }

  validateDataResourceConfig(request: TypedRequest) {
    return this.guardLookup("validate", request.type_name, (entry) => {
      const config = asObject(decodeDynamicValue(request.config));
      const checked = entry.lookup.checkArgs(toCore(entry.model.attributes, config, "inputs"));
      return { diagnostics: failureDiagnostics(checked.failures, entry.typeName) };
    });
  }

  upgradeResourceState(request: { type_name: string; version?: number; raw_state?: { json?: Uint8Array } }) {
    return this.guard("upgrade the state of", request.type_name, (entry) => {
      const version = Number(request.version ?? 0);
      const json = bytes(request.raw_state?.json);
      if (json.length === 0) {
        return {
          diagnostics: [
            errorDiagnostic(
              "State Not Upgradable",
              "Only JSON state can be upgraded; flatmap state is from Terraform 0.11 and older.",
            ),
          ],
        };
      }
      const raw = parseJsonValue(json) as TerraformObject;
      if (version > entry.resource.version) {
        return {
          diagnostics: [
            errorDiagnostic(
              "State From a Newer Provider",
              `${entry.typeName} state has schema version ${version}, newer than this provider's ${entry.resource.version}. Upgrade the provider.`,
            ),
          ],
        };
      }
      let state = conformToSchema(entry.model.attributes, raw);
      if (version < entry.resource.version && entry.resource.upgrade) {
        const camel = deepCamelCase(raw) as Record<string, unknown>;
        const upgraded = entry.resource.upgrade(version, camel);
        const id = typeof raw[ID_ATTRIBUTE] === "string" ? (raw[ID_ATTRIBUTE] as string) : null;
        state = toTerraform(entry.model.attributes, upgraded, id);
      }
      return { upgraded_state: encodeDynamicValue(state), diagnostics: [] };
    });
  }

  async readResource(request: { type_name: string; current_state?: DynamicValueMessage; private?: Uint8Array }) {
    return this.guardAsync("read", request.type_name, async (entry) => {
      const prior = asObject(decodeDynamicValue(request.current_state));
      if (prior === null)
        return { new_state: encodeDynamicValue(null), diagnostics: [], private: bytes(request.private) };
      const id = String(prior[ID_ATTRIBUTE] ?? "");
      const outputs = await entry.resource.ops.read(this.context(), id, toCore(entry.model.attributes, prior, "all"));
      const state = outputs === undefined ? null : refreshedState(entry.model, prior, outputs, id);
      return { new_state: encodeDynamicValue(state), diagnostics: [], private: bytes(request.private) };
    });
  }

  planResourceChange(
    request: TypedRequest & {
      prior_state?: DynamicValueMessage;
      proposed_new_state?: DynamicValueMessage;
      prior_private?: Uint8Array;
    },
  ) {
    return this.guard("plan", request.type_name, (entry) => {
      const config = asObject(decodeDynamicValue(request.config));
      const diagnostics = this.writeOnlyGate(entry, config, request.client_capabilities);
      if (diagnostics.length > 0) return { diagnostics };
      const plan = planChange({
        resource: entry.resource,
        model: entry.model,
        prior: asObject(decodeDynamicValue(request.prior_state)),
        proposed: asObject(decodeDynamicValue(request.proposed_new_state)),
        config,
      });
      if (plan.failures.length > 0) return { diagnostics: failureDiagnostics(plan.failures, entry.typeName) };
      return {
        planned_state: encodeDynamicValue(plan.planned),
        requires_replace: plan.requiresReplace.map((name) => ({ steps: [{ attribute_name: name }] })),
        planned_private: bytes(request.prior_private),
        diagnostics: [],
      };
    });
  }

  async applyResourceChange(
    request: TypedRequest & {
      prior_state?: DynamicValueMessage;
      planned_state?: DynamicValueMessage;
      planned_private?: Uint8Array;
    },
  ) {
    const prior = asObject(decodeDynamicValue(request.prior_state));
    const planned = asObject(decodeDynamicValue(request.planned_state));
    const verb = planned === null ? "delete" : prior === null ? "create" : "update";
    return this.guardAsync(verb, request.type_name, async (entry) => {
      const ctx = this.context();
      const privateBytes = bytes(request.planned_private);
      const { resource, model } = entry;
      if (planned === null) {
        if (prior !== null) {
          await resource.ops.delete(ctx, String(prior[ID_ATTRIBUTE] ?? ""), toCore(model.attributes, prior, "all"));
        }
        return { new_state: encodeDynamicValue(null), private: privateBytes, diagnostics: [] };
      }
      const config = asObject(decodeDynamicValue(request.config));
      const news = resource.validated(toCore(model.attributes, config, "inputs"));
      if (prior === null) {
        try {
          const created = await resource.ops.create(ctx, news);
          const state = appliedState(model, planned, created.outputs, created.id);
          return { new_state: encodeDynamicValue(state), private: privateBytes, diagnostics: [] };
        } catch (error) {
          if (!(error instanceof PartialCreateError)) throw error;
          // Keep what exists in state (Terraform marks it tainted) so it is not orphaned.
          const state = appliedState(model, planned, error.outputs, error.id);
          return {
            new_state: encodeDynamicValue(state),
            private: privateBytes,
            diagnostics: errorDiagnostics(error, `create ${entry.typeName}`),
          };
        }
      }
      const id = String(prior[ID_ATTRIBUTE] ?? "");
      const outputs = await resource.ops.update(ctx, id, toCore(model.attributes, prior, "all"), news);
      const state = appliedState(model, planned, outputs, id);
      return { new_state: encodeDynamicValue(state), private: privateBytes, diagnostics: [] };
    });
  }

  async importResourceState(request: { type_name: string; id: string }) {
    return this.guardAsync("import", request.type_name, async (entry) => {
      const imported = await entry.resource.ops.import(this.context(), request.id);
      const state = toTerraform(entry.model.attributes, imported.outputs, imported.id);
      return {
        imported_resources: [{ type_name: entry.typeName, state: encodeDynamicValue(state), private: Buffer.alloc(0) }],
        diagnostics: [],
      };
    });
  }

  async readDataSource(request: TypedRequest) {
    return this.guardLookupAsync("read", request.type_name, async (entry) => {
      const config = asObject(decodeDynamicValue(request.config));
      // Checked once: the lookup reads with the checked arguments, which the state reports (defaults applied).
      const ctx = this.context();
      const { args, failures } = entry.lookup.checkArgs(toCore(entry.model.attributes, config, "inputs"));
      if (failures.length > 0) throw new ValidationError(entry.lookup.name, failures);
      const results = await entry.lookup.read(ctx, args);
      const state = toTerraform(entry.model.attributes, {
        ...args,
        ...definedOnly(results as Record<string, unknown>),
      });
      return { state: encodeDynamicValue(state), diagnostics: [] };
    });
  }

  stopProvider() {
    this.stopping.abort();
    return { Error: "" };
  }

  async close(): Promise<void> {
    await this.session?.close?.();
    this.session = undefined;
  }

  private context(): ResourceContext {
    if (!this.session) {
      throw new NotConfiguredError("the provider was not configured (ConfigureProvider must be called first)");
    }
    return { session: this.session, log: this.log, signal: this.stopping.signal };
  }

  /** Write-only attributes need Terraform ≥ 1.11; older clients would store them as ordinary values. */
  private writeOnlyGate(entry: ResourceEntry, config: TerraformObject | null, capabilities?: ClientCapabilities) {
    const diagnostics: Diagnostic[] = [];
    if (capabilities?.write_only_attributes_allowed) return diagnostics;
    for (const attribute of entry.model.attributes) {
      const value = config?.[attribute.name];
      if (attribute.writeOnly && value !== null && value !== undefined) {
        diagnostics.push(
          errorDiagnostic(
            "Write-Only Attribute Not Supported",
            `${entry.typeName}.${attribute.name} is write-only, which needs Terraform 1.11 or later. Upgrade Terraform, or set the non-write-only attribute instead.`,
            attribute.field,
          ),
        );
      }
    }
    return diagnostics;
  }

  private resourceEntry(typeName: string): ResourceEntry {
    const entry = this.resources.get(typeName);
    if (!entry) throw new UnknownTypeError(`unknown resource type ${typeName}`);
    return entry;
  }

  private lookupEntry(typeName: string): LookupEntry {
    const entry = this.lookups.get(typeName);
    if (!entry) throw new UnknownTypeError(`unknown data source ${typeName}`);
    return entry;
  }

  private guard<T>(
    verb: string,
    typeName: string,
    body: (entry: ResourceEntry) => T,
  ): T | { diagnostics: Diagnostic[] } {
    try {
      return body(this.resourceEntry(typeName));
    } catch (error) {
      return { diagnostics: errorDiagnostics(error, `${verb} ${typeName}`) };
    }
  }

  private async guardAsync<T>(
    verb: string,
    typeName: string,
    body: (entry: ResourceEntry) => Promise<T>,
  ): Promise<T | { diagnostics: Diagnostic[] }> {
    try {
      return await body(this.resourceEntry(typeName));
    } catch (error) {
      this.log.warn("operation failed", { operation: verb, type: typeName });
      return { diagnostics: errorDiagnostics(error, `${verb} ${typeName}`) };
    }
  }

  private guardLookup<T>(verb: string, typeName: string, body: (entry: LookupEntry) => T) {
    try {
      return body(this.lookupEntry(typeName));
    } catch (error) {
      return { diagnostics: errorDiagnostics(error, `${verb} ${typeName}`) };
    }
  }

  private async guardLookupAsync<T>(verb: string, typeName: string, body: (entry: LookupEntry) => Promise<T>) {
    try {
      return await body(this.lookupEntry(typeName));
    } catch (error) {
      return { diagnostics: errorDiagnostics(error, `${verb} ${typeName}`) };
    }
  }
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function deepCamelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCamelCase);
  if (!isTerraformObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toCamelCase(k), deepCamelCase(v)]));
}
