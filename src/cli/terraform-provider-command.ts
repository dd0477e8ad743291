/**
 * `infisical-e2ee terraform-provider`: the process Terraform starts. Prints nothing on stdout
 * but the handshake line, logs to stderr, and exits when Terraform shuts it down.
 */
import type {
  PluginStartError as PluginStartErrorType,
  servePlugin as servePluginType,
} from "../terraform/plugin-server";

const HELP = `Usage: infisical-e2ee terraform-provider

The Terraform provider plugin "infisicale2ee". Terraform starts it; it is not meant to be run
by hand. Install it with: infisical-e2ee install-terraform-provider
`;

const FORCED_EXIT_MS = 1000;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stderr.write(HELP);
    return 0;
  }
  // Terraform starts this process several times per command: cache compiled code between starts.
  (require("node:module") as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const { servePlugin, PluginStartError } = require("../terraform/plugin-server") as {
    servePlugin: typeof servePluginType;
    PluginStartError: typeof PluginStartErrorType;
  };
  const { stderrLogger } = require("../terraform/stderr-logger") as typeof import("../terraform/stderr-logger");
  try {
    const plugin = await servePlugin({
      createProvider: () => {
        const { createDefaultProvider } =
          require("../terraform/default-provider") as typeof import("../terraform/default-provider");
        return createDefaultProvider(stderrLogger);
      },
      logError: (message) => stderrLogger.warn(message),
    });
    // Ctrl-C reaches the whole process group; Terraform itself tells us when to stop.
    process.on("SIGINT", () => stderrLogger.debug("interrupt received; waiting for Terraform"));
    process.on("SIGTERM", () => void plugin.stop());
    await plugin.finished;
    // Open sockets (e.g. HTTP keep-alive) must not keep a finished plugin alive.
    setTimeout(() => process.exit(0), FORCED_EXIT_MS).unref();
    return 0;
  } catch (error) {
    if (error instanceof PluginStartError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
