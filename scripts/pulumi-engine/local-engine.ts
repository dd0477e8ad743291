/**
 * A small stand-in for the Pulumi engine, for machines without the Pulumi CLI (the demo, tests):
 * it runs a Pulumi program in this process (pulumi.runtime.setMocks captures its registrations),
 * and drives the SDK's own dynamic-provider host over gRPC the way the engine does, keeping the
 * stack's state in memory with secret values sealed as the engine stores them.
 *
 * - `up(program)`: per resource, Check → Diff against the previous state → Create, Update or
 *   replace (create, then delete the old object at the end unless the provider asks to delete
 *   first); resources the program no longer declares are deleted, in reverse order.
 * - `preview(program)`: Check and Diff only; reports what would change, changes nothing.
 * - `refresh()`: Read every resource; drift updates the state, resources gone outside drop out.
 * - `destroy()`: Delete every resource, in reverse order.
 *
 * Dependencies between resources (`environment: env.slug`) resolve as under the real engine: the
 * SDK registers a resource only once the outputs it uses are known, and this engine answers each
 * registration with the real outputs, so dependents see them. Every command starts a fresh
 * provider host, as every `pulumi` command does. Not loaded by `infisical-e2ee/pulumi`.
 */
import { isDeepStrictEqual } from "node:util";
import { ValidationError } from "../../src/provider/errors";
import { SECRET_CONFIG_KEYS } from "../../src/pulumi/connection";
import { PROVIDER_KEY } from "../../src/pulumi/wire";
import { type StateResource, StateSealer, type StateSnapshot, unwrapSecrets, wrapSecret } from "./engine-state";
import {
  type Program,
  type Registration,
  type RegistrationResult,
  runProgram,
  type StackOutput,
} from "./program-runner";
import { DIFF, type HostError, ProviderHost } from "./provider-host";

export type { StateResource, StateSnapshot } from "./engine-state";
export type { Program, StackOutput } from "./program-runner";

type Json = Record<string, unknown>;

export interface LocalEngineOptions {
  /** Stack config, `namespace:key` → value, e.g. `{ "infisical-e2ee:host": url, "infisical-e2ee:email": … }`. */
  config: Record<string, string>;
  /** Config keys holding secrets; default `infisical-e2ee:password` and `infisical-e2ee:token`. */
  secretConfigKeys?: string[];
  /** Pulumi project name (part of every URN); default `infisical-e2ee-local`. */
  project?: string;
  /** Stack name (part of every URN); default `dev`. */
  stack?: string;
  /** Environment of the provider host; default none but PATH, so credentials come from `config` only. */
  hostEnv?: NodeJS.ProcessEnv;
  /** Test only: a runtime module replacing the package's `infisical-e2ee/pulumi/runtime` in the host. */
  runtimeFile?: string;
}

export type StepOp = "create" | "update" | "replace" | "delete" | "same";

export interface Step {
  op: StepOp;
  urn: string;
  /** Short type name, e.g. `Secret`. */
  type: string;
  name: string;
  /** The object's id: the new one after a create or replace; empty when not created (preview). */
  id: string;
  /** Properties that differ: declared inputs against the state (up, preview), or outputs before and after (refresh). */
  diffs: string[];
  /** Properties forcing a replacement. */
  replaces: string[];
}

export interface CommandResult {
  /** One step per resource, in the order the engine took them. */
  steps: Step[];
  /** The steps whose op is not `same`. */
  changes: Step[];
}

export interface UpResult extends CommandResult {
  /** The program's return value, resolved. */
  outputs: Record<string, StackOutput>;
}

/** A resource of the state with its secrets opened; a copy, safe to keep. */
export interface ResourceView {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Json;
  outputs: Json;
  secretOutputs: string[];
}

interface Plan {
  op: "same" | "update" | "replace";
  diffs: string[];
  replaces: string[];
  deleteBeforeReplace: boolean;
}

const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic/";

export class LocalEngine {
  private resources: StateResource[] = [];
  private readonly sealer = new StateSealer();
  private logs = "";

  constructor(private readonly options: LocalEngineOptions) {}

  /** Deploys `program`: creates, updates, replaces and deletes until the stack matches it. */
  up(program: Program): Promise<UpResult> {
    return this.deploy(program, false);
  }

  /** What `up(program)` would do, without doing it. */
  async preview(program: Program): Promise<CommandResult> {
    const { steps, changes } = await this.deploy(program, true);
    return { steps, changes };
  }

  /** Reads every resource back: drift updates the state; resources deleted outside drop out. */
  refresh(): Promise<CommandResult> {
    return this.withHost(async (host) => {
      const read = await Promise.all(
        this.resources.map(async (entry) => {
          const outputs = this.sealer.unseal(entry.outputs);
          const found = await host.read(entry.urn, entry.id, outputs, this.sealer.unseal(entry.inputs));
          if (found.id === "") return { entry, step: stepOf("delete", entry, [], []), kept: undefined };
          const diffs = changedKeys(outputs, found.properties);
          const kept: StateResource = {
            ...entry,
            id: found.id,
            outputs: this.sealer.seal(found.properties, entry.secretOutputs),
          };
          return { entry, step: stepOf(diffs.length > 0 ? "update" : "same", kept, diffs, []), kept };
        }),
      );
      this.resources = read.flatMap(({ kept }) => (kept ? [kept] : []));
      return result(read.map(({ step }) => step));
    });
  }

  /** Deletes every resource, dependents before what they depend on. */
  destroy(): Promise<CommandResult> {
    return this.withHost(async (host) => {
      const steps: Step[] = [];
      for (const entry of [...this.resources].reverse()) {
        await host.delete(entry.urn, entry.id, this.sealer.unseal(entry.outputs));
        this.resources = this.resources.filter((r) => r !== entry);
        steps.push(stepOf("delete", entry, [], []));
      }
      return result(steps);
    });
  }

  /** The state as the engine would store it: secret inputs and outputs sealed. A copy. */
  state(): StateSnapshot {
    return structuredClone({ version: 3, resources: this.resources });
  }

  /** A live resource by its Pulumi name (or URN), secrets opened; undefined when not in the state. */
  resource(nameOrUrn: string): ResourceView | undefined {
    const entry = this.resources.find((r) => !r.pendingDelete && (r.name === nameOrUrn || r.urn === nameOrUrn));
    if (!entry) return undefined;
    return structuredClone({
      urn: entry.urn,
      type: entry.type,
      name: entry.name,
      id: entry.id,
      inputs: this.sealer.unseal(entry.inputs),
      outputs: this.sealer.unseal(entry.outputs),
      secretOutputs: entry.secretOutputs,
    });
  }

  /** Everything the provider hosts wrote to stderr so far (for leak checks and troubleshooting). */
  hostLogs(): string {
    return this.logs;
  }

  private async deploy(program: Program, preview: boolean): Promise<UpResult> {
    return this.withHost(async (host) => {
      const previous = this.resources;
      const live = new Map(previous.filter((r) => !r.pendingDelete).map((r) => [r.urn, r]));
      const finished: StateResource[] = [];
      const superseded = new Set<StateResource>();
      const pendingDeletes = previous.filter((r) => r.pendingDelete);
      const declared = new Set<string>();
      const steps: Step[] = [];

      const register = async (reg: Registration): Promise<RegistrationResult> => {
        if (!reg.custom) return { id: "", state: reg.inputs };
        assertDynamic(reg);
        declared.add(reg.urn);
        const { plain: news, secretKeys: secretInputs } = unwrapSecrets(reg.inputs);
        const secretOutputs = [...new Set([...reg.additionalSecretOutputs, ...secretInputs])];
        const old = live.get(reg.urn);
        const checked = await host.check(reg.urn, old ? this.sealer.unseal(old.inputs) : {}, news);
        if (checked.failures.length > 0) {
          throw new ValidationError(
            `${shortType(reg.type)} ${reg.name}`,
            checked.failures.map((f) => ({ path: f.property, reason: f.reason })),
          );
        }
        const inputs = checked.inputs;
        const plan: Plan = old
          ? await planChange(
              host,
              reg.urn,
              old.id,
              this.sealer.unseal(old.inputs),
              this.sealer.unseal(old.outputs),
              inputs,
            )
          : { op: "update", diffs: [], replaces: [], deleteBeforeReplace: false };
        const op: StepOp = old ? plan.op : "create";
        const step: Step = {
          op,
          urn: reg.urn,
          type: shortType(reg.type),
          name: reg.name,
          id: old?.id ?? "",
          diffs: plan.diffs,
          replaces: plan.replaces,
        };
        steps.push(step);

        if (preview) {
          if (old && op === "same")
            return { id: old.id, state: withSecrets(this.sealer.unseal(old.outputs), secretOutputs) };
          // Outputs that are not inputs are left out: the program sees them as unknown, as in a real preview.
          return { id: op === "update" ? (old?.id ?? "") : "", state: withSecrets(inputs, secretOutputs) };
        }

        const record = (id: string, outputs: Json): RegistrationResult => {
          finished.push({
            urn: reg.urn,
            type: reg.type,
            name: reg.name,
            id,
            inputs: this.sealer.seal(inputs, secretInputs),
            outputs: this.sealer.seal(outputs, secretOutputs),
            secretOutputs,
            dependencies: reg.dependencies,
          });
          step.id = id;
          return { id, state: withSecrets(outputs, secretOutputs) };
        };
        const create = async () => {
          try {
            return await host.create(reg.urn, inputs);
          } catch (error) {
            // The object exists although its create failed: keep it in the state, as the engine does.
            const initFailed = (error as HostError).initFailed;
            if (initFailed?.id) record(initFailed.id, initFailed.properties);
            throw error;
          }
        };

        if (!old) {
          const created = await create();
          return record(created.id, created.properties);
        }
        const oldOutputs = this.sealer.unseal(old.outputs);
        if (op === "same") {
          superseded.add(old);
          return record(old.id, oldOutputs);
        }
        if (op === "update") {
          const updated = await host.update(reg.urn, old.id, oldOutputs, inputs);
          superseded.add(old);
          return record(old.id, updated.properties);
        }
        if (plan.deleteBeforeReplace) {
          await host.delete(reg.urn, old.id, oldOutputs);
          superseded.add(old);
        } else {
          superseded.add(old);
          pendingDeletes.push({ ...old, pendingDelete: true });
        }
        const created = await create();
        return record(created.id, created.properties);
      };

      let run: Awaited<ReturnType<typeof runProgram>> | undefined;
      let failure: { error: unknown } | undefined;
      try {
        run = await runProgram(
          program,
          {
            project: this.project,
            stack: this.stack,
            preview,
            config: this.options.config,
            secretConfigKeys: this.secretConfigKeys,
          },
          register,
        );
      } catch (error) {
        failure = { error };
      }

      // Resources the program no longer declares (only after a complete run: a failed one halts).
      const removed = failure ? [] : previous.filter((r) => !r.pendingDelete && !declared.has(r.urn));
      if (preview) {
        for (const entry of removed) steps.push(stepOf("delete", entry, [], []));
        if (failure) throw failure.error;
        return { ...result(steps), outputs: {} };
      }
      for (const entry of removed) {
        superseded.add(entry);
        pendingDeletes.push({ ...entry, pendingDelete: true });
      }
      const untouched = previous.filter((r) => !r.pendingDelete && !superseded.has(r));
      this.resources = [...finished, ...untouched, ...pendingDeletes];
      if (failure) throw failure.error;

      // Deletes last, dependents first: the reverse of the order they had in the state.
      const position = (entry: StateResource) => previous.findIndex((r) => r.urn === entry.urn && r.id === entry.id);
      for (const entry of [...pendingDeletes].sort((a, b) => position(b) - position(a))) {
        await host.delete(entry.urn, entry.id, this.sealer.unseal(entry.outputs));
        this.resources = this.resources.filter((r) => !(r.pendingDelete && r.urn === entry.urn && r.id === entry.id));
        if (removed.some((r) => r.urn === entry.urn)) steps.push(stepOf("delete", entry, [], []));
      }
      return { ...result(steps), outputs: run?.outputs ?? {} };
    });
  }

  private get project(): string {
    return this.options.project ?? "infisical-e2ee-local";
  }

  private get stack(): string {
    return this.options.stack ?? "dev";
  }

  private get secretConfigKeys(): string[] {
    return this.options.secretConfigKeys ?? [...SECRET_CONFIG_KEYS];
  }

  /** A fresh provider host for one command, configured from the stack config, as `pulumi` does. */
  private async withHost<T>(command: (host: ProviderHost) => Promise<T>): Promise<T> {
    const host = await ProviderHost.start({
      runtimeFile: this.options.runtimeFile,
      env: this.options.hostEnv,
      project: this.project,
    });
    try {
      const secretKeys = this.secretConfigKeys;
      const config = Object.fromEntries(
        Object.entries(this.options.config).map(([key, value]) => [
          key,
          secretKeys.includes(key) ? wrapSecret(value) : value,
        ]),
      );
      await host.configure(config);
      return await command(host);
    } finally {
      await host.close();
      this.logs += host.stderr();
    }
  }
}

/** Diff against the state; DIFF_UNKNOWN falls back to comparing inputs, as the engine does. */
async function planChange(
  host: ProviderHost,
  urn: string,
  id: string,
  oldInputs: Json,
  oldOutputs: Json,
  inputs: Json,
): Promise<Plan> {
  const diff = await host.diff(urn, id, oldOutputs, inputs);
  const diffs = declaredChanges(oldInputs, oldOutputs, inputs);
  const base = { diffs, replaces: diff.replaces, deleteBeforeReplace: diff.deleteBeforeReplace };
  if (diff.replaces.length > 0) return { op: "replace", ...base };
  if (diff.changes === DIFF.SOME) return { op: "update", ...base };
  if (diff.changes === DIFF.NONE) return { op: "same", ...base };
  return { op: isDeepStrictEqual(oldInputs, inputs) ? "same" : "update", ...base };
}

/** Declared inputs whose value differs from the state (outputs echo inputs, and carry refreshed drift). */
function declaredChanges(oldInputs: Json, oldOutputs: Json, inputs: Json): string[] {
  const keys = new Set([...Object.keys(oldInputs), ...Object.keys(inputs)]);
  keys.delete(PROVIDER_KEY);
  return [...keys].filter((key) => !isDeepStrictEqual(inputs[key], oldOutputs[key])).sort();
}

function changedKeys(before: Json, after: Json): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !isDeepStrictEqual(before[key], after[key])).sort();
}

/** The outputs as the program receives them: secret ones wrapped, so their Outputs are secret. */
function withSecrets(outputs: Json, secretKeys: readonly string[]): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(outputs)) out[key] = secretKeys.includes(key) ? wrapSecret(value) : value;
  return out;
}

function assertDynamic(reg: Registration) {
  if (!reg.type.startsWith(DYNAMIC_TYPE_PREFIX) || typeof reg.inputs[PROVIDER_KEY] !== "string") {
    throw new ValidationError(`${reg.type} ${reg.name}`, [
      { path: "type", reason: "the local engine runs dynamic-provider resources only (such as infisical-e2ee's)" },
    ]);
  }
}

function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

function stepOf(op: StepOp, entry: StateResource, diffs: string[], replaces: string[]): Step {
  return { op, urn: entry.urn, type: shortType(entry.type), name: entry.name, id: entry.id, diffs, replaces };
}

function result(steps: Step[]): CommandResult {
  return { steps, changes: steps.filter((step) => step.op !== "same") };
}
