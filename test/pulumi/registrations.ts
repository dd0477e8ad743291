/** Captures what Pulumi resources register, through the SDK's mock monitor (no engine needed). */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
  type: string;
  name: string;
  /** Inputs as the engine receives them: secrets wrapped in the secret signature object. */
  inputs: Record<string, unknown>;
  additionalSecretOutputs: string[];
}

/** The repository (package) root: dist*\/test/pulumi → three levels up. */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretWrapped(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

interface RegisterRequest {
  getName(): string;
  getAdditionalsecretoutputsList(): string[];
}

/** Runs `declare` under mocks and returns every registration by resource name once all have resolved. */
export async function captureRegistrations(
  declare: () => Promise<pulumi.CustomResource[]>,
): Promise<Map<string, Registration>> {
  const registrations = new Map<string, Registration>();
  const secretOutputs = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registrations.set(args.name, {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          additionalSecretOutputs: secretOutputs.get(args.name) ?? [],
        });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "myproj",
    "dev",
    false,
  );
  // The mocks API drops additionalSecretOutputs; read it from the RegisterResource request itself.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    secretOutputs.set(req.getName(), req.getAdditionalsecretoutputsList());
    return register(req, callback);
  };
  const resources = await declare();
  await Promise.all(resources.map((resource) => new Promise((resolve) => resource.id.apply(resolve))));
  return registrations;
}
