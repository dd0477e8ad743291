/**
 * Upgrades lose nothing: Terraform state written by release 0.1.0 (fixtures/state-0.1.0, produced
 * by real terraform with the 0.1.0 code, with the server database it refers to) loads unchanged.
 * Two views: the provider's UpgradeResourceState keeps every stored attribute as it was, and real
 * terraform plans no change over that state, then destroys everything it names.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { startServer } from "../../src/server";
import { dv, type PluginConnection, startPlugin } from "./harness";
import { type Obj, TerraformDriver } from "./terraform-driver";

const REPO = join(__dirname, "..", "..", "..");
const FIXTURE = join(REPO, "test", "terraform", "fixtures", "state-0.1.0");
const CLI = join(__dirname, "..", "..", "src", "cli.js");
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const MEMBER_EMAIL = "member@example.com";
const WRITE_ONLY_VALUE = "fixture-wo-value";

interface StoredInstance {
  schema_version: number;
  attributes: Obj;
}
interface StoredResource {
  mode: string;
  type: string;
  name: string;
  instances: StoredInstance[];
}

const stored = JSON.parse(readFileSync(join(FIXTURE, "terraform.tfstate"), "utf8")) as { resources: StoredResource[] };
const managed = stored.resources.filter((r) => r.mode === "managed");

const terraformVersion = spawnSync("terraform", ["version"], {
  encoding: "utf8",
  env: { ...process.env, CHECKPOINT_DISABLE: "1" },
});
const noTerraform = terraformVersion.status === 0 ? false : "terraform is not on PATH";

describe("terraform state written by 0.1.0", () => {
  let work: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let session: Session;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-0.1.0-"));
    cpSync(join(FIXTURE, "server"), join(work, "server"), { recursive: true });
    chmodSync(join(work, "server"), 0o700);
    chmodSync(join(work, "server", "server-keys.json"), 0o600);
    server = await startServer({ port: 0, dataDir: join(work, "server") });
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
  });

  after(async () => {
    await session?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("the fixture holds one of every resource type and no write-only value", () => {
    const types = new Set(managed.map((r) => r.type));
    for (const type of [
      "infisicale2ee_project",
      "infisicale2ee_environment",
      "infisicale2ee_secret",
      "infisicale2ee_service_token",
      "infisicale2ee_project_membership",
    ]) {
      assert.ok(types.has(type), `${type} missing from the fixture`);
    }
    assert.doesNotMatch(readFileSync(join(FIXTURE, "terraform.tfstate"), "utf8"), new RegExp(WRITE_ONLY_VALUE));
  });

  test("the server database of 0.1.0 still holds what the state names", async () => {
    const secrets = managed.filter((r) => r.type === "infisicale2ee_secret").flatMap((r) => r.instances);
    for (const { attributes } of secrets) {
      const list = await session.secrets.list(
        {
          projectId: attributes.project_id as string,
          environment: attributes.environment as string,
          path: attributes.path as string,
        },
        { fresh: true },
      );
      const found = list.find((s) => s.key === attributes.key);
      assert.ok(found, `${attributes.key} not on the server`);
      assert.equal(found.value, attributes.value ?? WRITE_ONLY_VALUE);
    }
  });

  describe("UpgradeResourceState (the provider process)", () => {
    let plugin: PluginConnection;
    let tf: TerraformDriver;

    before(async () => {
      plugin = await startPlugin({
        script: CLI,
        args: ["terraform-provider"],
        removeEnv: ["INFISICAL_HOST", "INFISICAL_TOKEN", "INFISICAL_EMAIL", "INFISICAL_PASSWORD"],
      });
      tf = await TerraformDriver.connect(plugin);
      const settings: Obj = { host: server.url, email: ADMIN.email, password: ADMIN.password };
      const config = Object.fromEntries(
        tf.schema.provider.block.attributes.map((a) => [a.name, settings[a.name] ?? null]),
      );
      const configured = await plugin.call<{ diagnostics?: unknown[] }>("ConfigureProvider", {
        terraform_version: "1.11.4",
        config: dv(config),
        client_capabilities: { write_only_attributes_allowed: true },
      });
      assert.deepEqual(configured.diagnostics ?? [], []);
    });

    after(async () => {
      await plugin?.shutdown();
    });

    test("every stored attribute keeps its value; refresh finds each resource with the same attributes", async () => {
      for (const resource of managed) {
        for (const instance of resource.instances) {
          const where = `${resource.type}.${resource.name}`;
          const upgraded = await tf.upgrade(resource.type, instance.schema_version, instance.attributes);
          assert.deepEqual(upgraded.diagnostics, [], where);
          const state = upgraded.state as Obj;
          for (const [name, value] of Object.entries(instance.attributes)) {
            assert.deepEqual(state[name], value, `${where}.${name} changed on upgrade`);
          }
          // Refresh: the resource is found by its stored id and every argument reads back as stored
          // (outputs such as a project's environment list may have grown since).
          const refreshed = (await tf.read(resource.type, state)) as Obj;
          assert.equal(refreshed.id, instance.attributes.id, `${where} not found by its 0.1.0 id`);
          const argumentNames = new Set(
            tf
              .attributes(resource.type)
              .filter((a) => a.required || a.optional)
              .map((a) => a.name),
          );
          for (const [name, value] of Object.entries(instance.attributes)) {
            if (!argumentNames.has(name)) continue;
            assert.deepEqual(refreshed[name], value, `${where}.${name} changed on refresh`);
          }
        }
      }
    });
  });

  describe("real terraform", { skip: noTerraform }, () => {
    let env: NodeJS.ProcessEnv;
    const config = () => join(work, "config");
    const vars = () =>
      Object.entries({
        host: server.url,
        email: ADMIN.email,
        password: ADMIN.password,
        member_email: MEMBER_EMAIL,
        db_password: WRITE_ONLY_VALUE,
      }).flatMap(([k, v]) => ["-var", `${k}=${v}`]);

    function terraform(args: string[]): Promise<{ code: number | null; output: string }> {
      return new Promise((resolve) => {
        const child = spawn("terraform", [...args, "-no-color"], { cwd: config(), env });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString("utf8");
        });
        child.stderr.on("data", (chunk: Buffer) => {
          output += chunk.toString("utf8");
        });
        child.on("close", (code) => resolve({ code, output }));
      });
    }

    before(async () => {
      mkdirSync(config(), { recursive: true });
      copyFileSync(join(FIXTURE, "main.tf"), join(config(), "main.tf"));
      copyFileSync(join(FIXTURE, "terraform.tfstate"), join(config(), "terraform.tfstate"));
      const home = join(work, "home");
      writeFileSync(join(work, "terraformrc"), "# the implicit local mirror\n");
      env = {
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
      const init = await terraform(["init"]);
      assert.equal(init.code, 0, init.output);
    });

    test("plan over the 0.1.0 state is empty", async () => {
      const plan = await terraform(["plan", "-detailed-exitcode", ...vars()]);
      assert.equal(plan.code, 0, `plan over 0.1.0 state is not empty:\n${plan.output}`);
    });

    test("destroy removes everything the 0.1.0 state names", async () => {
      const destroy = await terraform(["destroy", "-auto-approve", ...vars()]);
      assert.equal(destroy.code, 0, destroy.output);
      assert.match(destroy.output, new RegExp(`Destroy complete! Resources: ${managed.length} destroyed`));
      const project = managed.find((r) => r.type === "infisicale2ee_project")!.instances[0]!.attributes;
      const { workspaces } = await session.api.projects.list();
      assert.equal(
        workspaces.some((p) => p.id === project.id),
        false,
        "the project is still on the server",
      );
    });
  });
});
