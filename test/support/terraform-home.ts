/**
 * A private Terraform home for a test: a CLI config with no provider_installation block (so the
 * implicit local mirror under HOME is used), the provider's launcher installed there, and the
 * environment every terraform child of the test runs with.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli.js");

/** Installs the provider under `work/home` and returns the environment for terraform. */
export function terraformHomeWithProvider(work: string): NodeJS.ProcessEnv {
  const home = join(work, "home");
  writeFileSync(join(work, "terraformrc"), "# no provider_installation: the implicit local mirror is used\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    TF_CLI_CONFIG_FILE: join(work, "terraformrc"),
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
  const install = spawnSync(
    process.execPath,
    [CLI, "install-terraform-provider", "--dir", join(home, ".terraform.d", "plugins")],
    { env, encoding: "utf8" },
  );
  assert.equal(install.status, 0, install.stderr);
  return env;
}
