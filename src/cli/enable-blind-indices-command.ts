/** `infisical-e2ee enable-blind-indices --host URL --email E [--password P] --project ID` */
import { enableBlindIndices } from "../provider/blind-indices";
import { ProviderError } from "../provider/errors";
import { commandFlags } from "./args";
import { promptPassword } from "./password-prompt";

const USAGE = `Usage: infisical-e2ee enable-blind-indices --host URL --email EMAIL [--password PASSWORD] --project ID [--allow-insecure-http]

For a project created before April 2023, whose secrets the server cannot find by name: logs in
as an admin of the project, lists its encrypted secrets, decrypts their names (never their values)
on this machine, and submits the names so the server indexes them; then prints how many it
indexed and checks the project's status again. Refuses, submitting nothing, when two secrets
decrypt to the same name in one environment and folder, and says which. A project whose secrets
all have indices already is left alone.
Host, email and password may also come from INFISICAL_HOST, INFISICAL_EMAIL and INFISICAL_PASSWORD;
without a password, it is asked for when the terminal is interactive.`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags("enable-blind-indices", USAGE, argv, FLAGS);
  if (typeof flags === "number") return flags;
  const host = flags.host ?? process.env.INFISICAL_HOST;
  const email = flags.email ?? process.env.INFISICAL_EMAIL;
  const projectId = flags.project;
  let password = flags.password ?? process.env.INFISICAL_PASSWORD;
  if (!password && host && email && projectId && process.stdin.isTTY) {
    password = await promptPassword(`Password for ${email}: `);
  }
  const missing = [!host && "--host", !email && "--email", !password && "--password", !projectId && "--project"].filter(
    Boolean,
  );
  if (missing.length > 0) {
    console.error(`enable-blind-indices: missing ${missing.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = await enableBlindIndices({
      host: host!,
      email: email!,
      password: password!,
      projectId: projectId!,
      allowInsecureHttp: flags["allow-insecure-http"],
      organizationId: process.env.INFISICAL_ORGANIZATION_ID,
    });
    if (result.alreadyEnabled) {
      console.log(`project ${result.projectId}: every secret already has a blind index; nothing to do`);
      return 0;
    }
    console.log(`project ${result.projectId}: indexed ${result.indexed} secrets`);
    if (!result.enabled) {
      console.error("the server still reports secrets without blind indices (created meanwhile?); run this again");
      return 1;
    }
    console.log("blind-index status: enabled (secrets can be read and written by name)");
    return 0;
  } catch (error) {
    console.error(`enable-blind-indices failed: ${ProviderError.is(error) ? error.message : "unexpected error"}`);
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
  "allow-insecure-http": "boolean",
} as const;
