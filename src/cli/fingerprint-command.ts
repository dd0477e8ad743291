/** `infisical-e2ee fingerprint --host URL --email E [--password P]`: one's own public-key fingerprint. */
import { publicKeyFingerprint } from "../provider/crypto/fingerprint";
import { ProviderError } from "../provider/errors";
import { openSession } from "../provider/session";
import { commandFlags } from "./args";
import { promptPassword } from "./password-prompt";

const USAGE = `Usage: infisical-e2ee fingerprint --host URL --email EMAIL [--password PASSWORD] [--allow-insecure-http]

Logs in and prints the fingerprint of your own public key (derived from your private key on this
machine) as the last line. Hand it, over a channel the server does not control, to whoever adds you
to a project: they set it as public_key_fingerprint on your membership (docs/security.md).
Host, email and password may also come from INFISICAL_HOST, INFISICAL_EMAIL and INFISICAL_PASSWORD;
without a password, it is asked for when the terminal is interactive.`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags("fingerprint", USAGE, argv, FLAGS);
  if (typeof flags === "number") return flags;
  const host = flags.host ?? process.env.INFISICAL_HOST;
  const email = flags.email ?? process.env.INFISICAL_EMAIL;
  let password = flags.password ?? process.env.INFISICAL_PASSWORD;
  if (!password && host && email && process.stdin.isTTY) password = await promptPassword(`Password for ${email}: `);
  const missing = [!host && "--host", !email && "--email", !password && "--password"].filter(Boolean);
  if (missing.length > 0) {
    console.error(`fingerprint: missing ${missing.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  const session = openSession(
    { host, email, password, allowInsecureHttp: flags["allow-insecure-http"] },
    { env: { INFISICAL_ORGANIZATION_ID: process.env.INFISICAL_ORGANIZATION_ID } },
  );
  try {
    const user = await session.user();
    console.log(`public key of ${user.email}:`);
    console.log(publicKeyFingerprint(user.publicKey));
    return 0;
  } catch (error) {
    console.error(`fingerprint failed: ${ProviderError.is(error) ? error.message : "unexpected error"}`);
    if (!ProviderError.is(error)) {
      if (process.env.INFISICAL_E2EE_DEBUG === "1") console.error(error);
      else console.error("(set INFISICAL_E2EE_DEBUG=1 to print its details)");
    }
    return 1;
  } finally {
    await session.close();
  }
}

const FLAGS = {
  host: "string",
  email: "string",
  password: "string",
  "allow-insecure-http": "boolean",
} as const;
