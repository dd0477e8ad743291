/**
 * A real `terraform` workspace of many secrets against a server: one HCL configuration whose size
 * is set by variables (`environments` × `per_environment`), the provider installed once into the
 * workspace's implicit local mirror, `init` once; each run is a child process, so a server in the
 * calling process keeps answering. Shared by the request-count tests and bench/terraform-batching.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli.js");

/** Why real Terraform cannot run here, or undefined when it can. */
export function terraformMissing(): string | undefined {
  const version = spawnSync("terraform", ["version"], { env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  return version.status === 0 ? undefined : "terraform is not on PATH";
}

const CONFIG = `
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
variable "environments" { type = list(string) }
variable "per_environment" { type = number }
variable "value_prefix" {
  type    = string
  default = "v"
}

provider "infisicale2ee" {
  host     = var.host
  email    = var.email
  password = var.password
}

locals {
  secrets = {
    for pair in setproduct(var.environments, range(var.per_environment)) :
    "\${pair[0]}/\${pair[1]}" => { environment = pair[0], index = pair[1] }
  }
}

resource "infisicale2ee_secret" "s" {
  for_each    = local.secrets
  project_id  = var.project_id
  environment = each.value.environment
  key         = format("S_%03d", each.value.index)
  value       = "\${var.value_prefix}-\${each.key}"
}
`;

/** The value the configuration gives the secret at `index` of `environment`. */
export function expectedValue(environment: string, index: number, prefix = "v"): string {
  return `${prefix}-${environment}/${index}`;
}

export function secretKey(index: number): string {
  return `S_${String(index).padStart(3, "0")}`;
}

export interface WorkspaceTarget {
  host: string;
  email: string;
  password: string;
  projectId: string;
}

export interface RunResult {
  code: number | null;
  output: string;
  ms: number;
}

export interface Shape {
  environments: string[];
  perEnvironment: number;
  valuePrefix?: string;
}

export class TerraformWorkspace {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A fresh directory with the configuration and the provider installed; `init` done. */
  static async create(): Promise<TerraformWorkspace> {
    const dir = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-batch-"));
    const home = join(dir, "home");
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(join(dir, "config", "main.tf"), CONFIG);
    writeFileSync(join(dir, "terraformrc"), "# no provider_installation: the implicit local mirror is used\n");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      TF_CLI_CONFIG_FILE: join(dir, "terraformrc"),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    };
    const install = spawnSync(
      process.execPath,
      [CLI, "install-terraform-provider", "--dir", join(home, ".terraform.d", "plugins")],
      { env, encoding: "utf8" },
    );
    if (install.status !== 0) throw new TypeError(`install-terraform-provider failed: ${install.stderr}`);
    const workspace = new TerraformWorkspace(dir, env);
    const init = await workspace.run(["init"]);
    if (init.code !== 0) throw new TypeError(`terraform init failed:\n${init.output}`);
    return workspace;
  }

  /** Runs terraform with `-no-color`; `extraEnv` reaches the provider process too. */
  run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const started = performance.now();
    return new Promise((resolve) => {
      const child = spawn("terraform", [...args, "-no-color"], {
        cwd: join(this.dir, "config"),
        env: { ...this.env, ...extraEnv },
      });
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

  /** `-var` arguments for a target and a shape. */
  static vars(target: WorkspaceTarget, shape: Shape): string[] {
    const values: Record<string, string> = {
      host: target.host,
      email: target.email,
      password: target.password,
      project_id: target.projectId,
      environments: JSON.stringify(shape.environments),
      per_environment: String(shape.perEnvironment),
      value_prefix: shape.valuePrefix ?? "v",
    };
    return Object.entries(values).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
  }

  apply(target: WorkspaceTarget, shape: Shape, options: { parallelism?: number; env?: NodeJS.ProcessEnv } = {}) {
    return this.run(
      ["apply", "-auto-approve", ...parallelism(options.parallelism), ...TerraformWorkspace.vars(target, shape)],
      options.env,
    );
  }

  destroy(target: WorkspaceTarget, shape: Shape, options: { parallelism?: number; env?: NodeJS.ProcessEnv } = {}) {
    return this.run(
      ["destroy", "-auto-approve", ...parallelism(options.parallelism), ...TerraformWorkspace.vars(target, shape)],
      options.env,
    );
  }

  /** `plan -detailed-exitcode`: code 0 means no changes. */
  plan(target: WorkspaceTarget, shape: Shape, options: { env?: NodeJS.ProcessEnv } = {}) {
    return this.run(["plan", "-detailed-exitcode", ...TerraformWorkspace.vars(target, shape)], options.env);
  }

  /** Forget the state (its server is gone): the next apply starts empty. */
  resetState(): void {
    for (const name of ["terraform.tfstate", "terraform.tfstate.backup"]) {
      rmSync(join(this.dir, "config", name), { force: true });
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function parallelism(n: number | undefined): string[] {
  return n === undefined ? [] : [`-parallelism=${n}`];
}
