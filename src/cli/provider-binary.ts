/**
 * Entry point of the single-file provider (`npm run package-provider` bundles from here): the
 * binary is only the Terraform plugin, so Terraform's plain start (no arguments) serves it.
 */
import { run } from "./terraform-provider-command";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `terraform-provider-infisicale2ee: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
