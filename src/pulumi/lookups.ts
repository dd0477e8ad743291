/**
 * Lookup functions (`getSecrets`, `getProject`, `getAuditLogs`). Dynamic providers cannot serve
 * invokes, so lookups run in the Pulumi program's own process, with one session for the program,
 * configured from the same stack config as the resources. Prefer the `…Output` forms: they mark
 * results holding sensitive fields as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FieldMap } from "../provider/schema/fields";
import type { Lookup } from "../provider/schema/lookup";
import { CONFIG_NAMESPACE, SessionPool, settingsFromConfig, withPulumiSpelling } from "./connection";
import { containsSensitive } from "./resource-class";
import type { LookupArgsOf, LookupInputArgsOf, LookupResultOf } from "./types";

let programPool: SessionPool | undefined;

function programContext() {
  programPool ??= new SessionPool();
  const settings = settingsFromConfig((key) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`));
  return programPool.context(settings);
}

/** Closes the program's lookup session (sockets); optional, for programs that want a prompt exit. */
export async function closeLookupSession(): Promise<void> {
  const pool = programPool;
  programPool = undefined;
  await pool?.close();
}

export type LookupFunction<A extends FieldMap, R extends FieldMap> = (
  args: LookupArgsOf<A>,
) => Promise<LookupResultOf<R>>;
export type LookupOutputFunction<A extends FieldMap, R extends FieldMap> = (
  args: LookupInputArgsOf<A>,
) => pulumi.Output<LookupResultOf<R>>;

export function lookupFunction<A extends FieldMap, R extends FieldMap>(lookup: Lookup<A, R>): LookupFunction<A, R> {
  return (args) =>
    withPulumiSpelling(
      async () => (await lookup.run(programContext(), args as Record<string, unknown>)) as LookupResultOf<R>,
    );
}

export function lookupOutputFunction<A extends FieldMap, R extends FieldMap>(
  lookup: Lookup<A, R>,
): LookupOutputFunction<A, R> {
  const plain = lookupFunction(lookup);
  const secret = Object.values(lookup.results).some(containsSensitive);
  return (args) => {
    const result = pulumi
      .output(args as pulumi.Input<Record<string, unknown>>)
      .apply((resolved) => plain(resolved as LookupArgsOf<A>)) as pulumi.Output<LookupResultOf<R>>;
    return (secret ? pulumi.secret(result) : result) as pulumi.Output<LookupResultOf<R>>;
  };
}
