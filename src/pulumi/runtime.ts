/**
 * Loaded inside Pulumi's dynamic-provider host as `infisical-e2ee/pulumi/runtime`. The stored
 * provider text calls these functions by resource name, so their names and arguments are a
 * compatibility contract across package versions (see provider.ts). One session per host process.
 */
import { resources } from "../provider/registry";
import type { Resource } from "../provider/schema/resource";
import { SessionPool } from "./connection";
import { createHostRuntime } from "./host-runtime";

const pool = new SessionPool();
const runtime = createHostRuntime(resources as unknown as Record<string, Resource>, (settings) =>
  pool.context(settings),
);

export const { configure, check, diff, create, read, update } = runtime;
// `delete` is a keyword, so it cannot be destructured into a const of that name.
const deleteResource = runtime.delete;

export { deleteResource as delete };
