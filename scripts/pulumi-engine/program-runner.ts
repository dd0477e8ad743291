/**
 * Runs a Pulumi program in this process against the SDK's mock monitor (`pulumi.runtime.setMocks`),
 * handing every resource registration, as the engine would receive it, to a callback that decides
 * the resource's id and outputs. The SDK registers a resource only once the outputs it depends on
 * have resolved, so a callback that performs the real operation sees registrations in dependency
 * order, with the dependencies' real outputs substituted, exactly as under `pulumi up`.
 *
 * Not loaded by `infisical-e2ee/pulumi`: only the local engine (local-engine.ts) and tests use it.
 */
import * as pulumi from "@pulumi/pulumi";
import { PULUMI_UNKNOWN } from "../../src/pulumi/wire";

type Json = Record<string, unknown>;

export interface Registration {
  /** Type token, e.g. `pulumi-nodejs:dynamic/infisical-e2ee:Secret`. */
  type: string;
  name: string;
  urn: string;
  /** False for component resources. */
  custom: boolean;
  /** Inputs as the engine receives them: secrets wrapped in the secret signature, preview unknowns as the protocol's sentinel. */
  inputs: Json;
  additionalSecretOutputs: string[];
  /** URNs of the resources this one depends on. */
  dependencies: string[];
}

export interface RegistrationResult {
  id: string;
  /** Outputs for the program: secret-wrapped values become secret Outputs; the unknown sentinel is unknown in a preview. */
  state: Json;
}

/** A program declares resources; what it returns (if anything) are its stack outputs. */
export type Program = () => undefined | Record<string, unknown> | Promise<undefined | Record<string, unknown>>;

export interface RunOptions {
  project: string;
  stack: string;
  /** True for `pulumi preview`: outputs the callback leaves out are unknown to the program. */
  preview: boolean;
  /** Stack config for the program's own `pulumi.Config` and lookups (`namespace:key` → value). */
  config?: Record<string, string>;
  secretConfigKeys?: string[];
}

export interface StackOutput {
  value: unknown;
  secret: boolean;
}

export interface RunResult {
  /** Every registration, in the order its callback finished (a dependency always before its dependents). */
  registrations: Registration[];
  /** Resolved stack outputs; empty in a preview, where they may be unknown. */
  outputs: Record<string, StackOutput>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getAdditionalsecretoutputsList(): string[];
  getDependenciesList(): string[];
}

interface MockMonitorInternals {
  registerResource(req: RegisterRequest, callback: unknown): unknown;
  newUrn(parent: string, type: string, name: string): string;
}

/**
 * Runs `program` and waits until every registration it started has finished. When `register`
 * throws, later registrations are not passed to it (the engine halts too) and runProgram rejects
 * with the first error once the program has settled.
 */
export async function runProgram(
  program: Program,
  options: RunOptions,
  register: (registration: Registration) => Promise<RegistrationResult>,
): Promise<RunResult> {
  const requests = new Map<string, { urn: string; additionalSecretOutputs: string[]; dependencies: string[] }>();
  const finished: Registration[] = [];
  let failure: { error: unknown } | undefined;

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const request = requests.get(requestKey(args.type, args.name));
        const registration: Registration = {
          type: args.type,
          name: args.name,
          urn: request?.urn ?? `urn:pulumi:${options.stack}::${options.project}::${args.type}::${args.name}`,
          custom: args.custom !== false,
          inputs: unknownsToSentinel(args.inputs) as Json,
          additionalSecretOutputs: request?.additionalSecretOutputs ?? [],
          dependencies: request?.dependencies ?? [],
        };
        if (failure) return { id: "", state: {} };
        try {
          const result = await register(registration);
          finished.push(registration);
          return result;
        } catch (error) {
          failure ??= { error };
          // Resolving (not rejecting) keeps the SDK from raising unhandled rejections in the program.
          return { id: "", state: {} };
        }
      },
      call: () => ({}),
    },
    options.project,
    options.stack,
    options.preview,
  );
  if (options.config) pulumi.runtime.setAllConfig(options.config, options.secretConfigKeys);

  // The mocks API drops additionalSecretOutputs, dependencies and the parent; read them from the
  // RegisterResource request itself, which the monitor receives just before calling newResource.
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorInternals;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    requests.set(requestKey(req.getType(), req.getName()), {
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      dependencies: req.getDependenciesList(),
    });
    return registerResource(req, callback);
  };

  let declared: Record<string, unknown> | undefined;
  let programError: { error: unknown } | undefined;
  try {
    declared = (await program()) ?? undefined;
  } catch (error) {
    programError = { error };
  }
  await waitForRegistrations();
  if (failure) throw failure.error;
  if (programError) throw programError.error;
  const outputs: Record<string, StackOutput> = {};
  if (!options.preview) {
    for (const [key, value] of Object.entries(declared ?? {})) outputs[key] = await resolveOutput(value);
  }
  return { registrations: finished, outputs };
}

function requestKey(type: string, name: string): string {
  return `${type}::${name}`;
}

/**
 * The SDK counts every registration it has started (including those still waiting for their
 * dependencies) and exposes the wait as `runtime.waitForRPCs`, which `pulumi.runtime` exports
 * without typing it.
 */
async function waitForRegistrations(): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof wait !== "function") throw new Error("this @pulumi/pulumi version lacks runtime.waitForRPCs");
  await wait();
}

async function resolveOutput(value: unknown): Promise<StackOutput> {
  const output = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
  // Boolean(): the SDK's flag is `value && isSecretSignature`, so a plain 0 or "" comes back as itself.
  const secret = Boolean(await pulumi.isSecret(output));
  const resolved = await new Promise((resolve) => {
    output.apply((plain: unknown) => {
      resolve(plain);
      return plain;
    });
  });
  return { value: resolved, secret };
}

/** The mock monitor hands preview unknowns over as `pulumi.unknown`; the provider protocol spells them as a sentinel string. */
function unknownsToSentinel(value: unknown): unknown {
  if (pulumi.isUnknown(value)) return PULUMI_UNKNOWN;
  if (Array.isArray(value)) return value.map(unknownsToSentinel);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownsToSentinel(v)]));
  }
  return value;
}
