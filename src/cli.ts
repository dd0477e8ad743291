#!/usr/bin/env node
/**
 * The `infisical-e2ee` command. Subcommands load lazily so that `terraform-provider`
 * (started several times per Terraform run) pays only for what it uses.
 */
import { packageVersion } from "./version";

interface Command {
  summary: string;
  load: () => { run(argv: string[]): Promise<number | undefined> | number | undefined };
}

const commands: Record<string, Command> = {
  server: {
    summary:
      "Run the embedded Infisical-compatible E2EE server (--port, --host, --data, --rate-limit, --allow-remote, --allowed-hosts, --quiet).",
    load: () => require("./cli/server-command"),
  },
  bootstrap: {
    summary:
      "Create or log in the admin, create a project and a service token (--host, --email, --password, --project, --json, --allow-insecure-http).",
    load: () => require("./cli/bootstrap-command"),
  },
  fingerprint: {
    summary:
      "Log in and print your own public-key fingerprint, to pin on your memberships (--host, --email, --password, --allow-insecure-http).",
    load: () => require("./cli/fingerprint-command"),
  },
  "enable-blind-indices": {
    summary:
      "As a project admin, index the secret names of a project from before April 2023 (--host, --email, --password, --project, --allow-insecure-http).",
    load: () => require("./cli/enable-blind-indices-command"),
  },
  "terraform-provider": {
    summary: "The Terraform plugin entry point (started by Terraform, speaks go-plugin + tfplugin6).",
    load: () => require("./cli/terraform-provider-command"),
  },
  "install-terraform-provider": {
    summary:
      "Install the provider into a Terraform plugin mirror: a launcher (--dir DIR) or a release zip (--from-zip FILE --mirror DIR).",
    load: () => require("./cli/install-terraform-provider-command"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: infisical-e2ee <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  --help     Show this help (or a command's help: infisical-e2ee <command> --help)",
    "  --version  Print the package version",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(`${usage()}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands[first];
  if (!command) {
    process.stderr.write(`Unknown command "${first}".\n\n${usage()}\n`);
    return 2;
  }
  const code = await command.load().run(rest);
  return code ?? 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`infisical-e2ee: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
