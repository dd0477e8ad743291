/**
 * What the real-terraform walks share: the HCL that declares the provider and logs in with the
 * `host`, `email`, `password` and `project_id` variables, and one way to run terraform as a child
 * process (asynchronous, so a server in the calling process keeps answering).
 */
import { spawn } from "node:child_process";

export const PROVIDER_LOGIN_HCL = `
terraform {
  required_providers {
    infisicale2ee = { source = "infisical-e2ee/infisicale2ee" }
  }
}
variable "host" { type = string }
variable "email" { type = string }
variable "password" {
  type      = string
  sensitive = true
}
variable "project_id" { type = string }

provider "infisicale2ee" {
  host     = var.host
  email    = var.email
  password = var.password
}
`;

export interface TerraformRun {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  ms: number;
}

/** Runs `terraform <args> -no-color` in `cwd`. */
export function runTerraform(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<TerraformRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.on("close", (code) => resolve({ code, output, ms: performance.now() - started }));
  });
}
