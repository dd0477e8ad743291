/** Captures what Pulumi resources register, through the local engine's program runner (the SDK's mock monitor). */
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { type Registration, runProgram } from "../../scripts/pulumi-engine/program-runner";

export { isSecretWrapped } from "../../scripts/pulumi-engine/engine-state";
export type { Registration } from "../../scripts/pulumi-engine/program-runner";

/** The repository (package) root: dist*\/test/pulumi → three levels up. */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** Runs `declare` under mocks and returns every registration by resource name once all have resolved. */
export async function captureRegistrations(
  declare: () => Promise<pulumi.CustomResource[]>,
): Promise<Map<string, Registration>> {
  const registrations = new Map<string, Registration>();
  await runProgram(
    async () => {
      await declare();
      return undefined;
    },
    { project: "myproj", stack: "dev", preview: false },
    async (registration) => {
      registrations.set(registration.name, registration);
      return { id: `${registration.name}-id`, state: registration.inputs };
    },
  );
  return registrations;
}
