/** `infisical-e2ee bootstrap --host URL --email E --password P [--project NAME] [--json]` */
import { bootstrap } from "../provider/bootstrap";
import { ProviderError } from "../provider/errors";
import { commandFlags } from "./args";

const USAGE = `Usage: infisical-e2ee bootstrap --host URL --email EMAIL --password PASSWORD [--project NAME] [--json] [--allow-insecure-http]

Creates the admin account on an uninitialized server (with key material made on this machine) or
logs in, then creates a project and a read/write service token for all its environments.
Host, email and password may also come from INFISICAL_HOST, INFISICAL_EMAIL and INFISICAL_PASSWORD;
prefer the variable for the password: other local users can see command-line arguments.`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags("bootstrap", USAGE, argv, FLAGS);
  if (typeof flags === "number") return flags;
  const host = flags.host ?? process.env.INFISICAL_HOST;
  const email = flags.email ?? process.env.INFISICAL_EMAIL;
  const password = flags.password ?? process.env.INFISICAL_PASSWORD;
  const missing = [!host && "--host", !email && "--email", !password && "--password"].filter(Boolean);
  if (missing.length > 0) {
    console.error(`bootstrap: missing ${missing.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  try {
    if (!flags.json) console.error("bootstrapping (signup or login, project, service token)…");
    const result = await bootstrap({
      host: host!,
      email: email!,
      password: password!,
      projectName: flags.project,
      allowInsecureHttp: flags["allow-insecure-http"],
    });
    const { createdAdmin, ...output } = result;
    if (flags.json) {
      console.log(JSON.stringify(output, null, 2));
    } else {
      console.log(`${createdAdmin ? "created admin" : "logged in"}; organization ${output.organizationId}`);
      console.log(`project ${output.projectId} (environments: ${output.environments.map((e) => e.slug).join(", ")})`);
      console.log(`service token (read/write, all environments): ${output.serviceToken}`);
    }
    return 0;
  } catch (error) {
    console.error(`bootstrap failed: ${ProviderError.is(error) ? error.message : "unexpected error"}`);
    // An unexpected error's details may quote what it was handling: only on request.
    if (!ProviderError.is(error)) {
      if (process.env.INFISICAL_E2EE_DEBUG === "1") console.error(error);
      else console.error("(set INFISICAL_E2EE_DEBUG=1 to print its details)");
    }
    return 1;
  }
}

const FLAGS = {
  host: "string",
  email: "string",
  password: "string",
  project: "string",
  json: "boolean",
  "allow-insecure-http": "boolean",
} as const;
