/**
 * The single-file provider as users of a registry or mirror get it: `npm run package-provider`'s
 * build (once per run, into a temporary directory), installed from its zip into a filesystem
 * mirror, then real `terraform init` / `apply` / `destroy` of examples/terraform with NO `node`
 * on terraform's PATH (and a NODE_OPTIONS the binary must ignore), against the embedded server
 * running in its own process. init must check the zip against the release's SHA256SUMS (seeded
 * into the lock file as a `zh:` hash) and refuse a zip that does not match it. The same mirror
 * directory, served over HTTPS on loopback, works as a network mirror whose listed hashes init checks.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { packageProvider } from "../../scripts/package-provider";
import { writeZip } from "../../scripts/package-provider/zip-writer";
import { listedChecksum, sha256Hex } from "../../src/cli/provider-release/hashes";
import { executableName, releaseManifest } from "../../src/cli/provider-release/names";
import { listZip } from "../../src/cli/provider-release/zip-reader";
import { bootstrap } from "../../src/provider/bootstrap";
import { lookups } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { createPluginCertificate } from "../../src/terraform/certificate";

const terraformPath = spawnSync("sh", ["-c", "command -v terraform"], { encoding: "utf8" }).stdout.trim();
const skip = terraformPath === "" ? "terraform is not on PATH" : false;
if (skip) process.stdout.write(`# skipping the single-file provider test: ${skip}\n`);

const PACKAGE_ROOT = join(__dirname, "..", "..", "..");
const CLI = join(__dirname, "..", "..", "src", "cli.js");
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const SOURCE = "registry.terraform.io/infisical-e2ee/infisicale2ee";

type Built = Awaited<ReturnType<typeof packageProvider>>;

/** The embedded server in a process of its own, as a user would run it next to terraform. */
function startServerProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--quiet", "--data", dataDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /^listening on (\S+)\n/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
}

describe("the single-file provider from a filesystem mirror, no node on PATH", { skip }, () => {
  let work: string;
  let built: Built;
  let server: { child: ChildProcess; url: string };
  let projectId: string;
  let session: ReturnType<typeof openSession>;
  let env: NodeJS.ProcessEnv;
  const config = () => join(work, "config");

  function terraform(args: string[], cwd = config()): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(terraformPath, [...args, "-no-color"], { cwd, env });
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

  async function ok(args: string[], cwd?: string): Promise<string> {
    const result = await terraform(args, cwd);
    assert.equal(result.code, 0, `terraform ${args.join(" ")} failed:\n${result.output}`);
    return result.output;
  }

  function installIntoMirror(zip: string, mirror: string) {
    const install = spawnSync(
      process.execPath,
      [CLI, "install-terraform-provider", "--from-zip", zip, "--mirror", mirror],
      {
        encoding: "utf8",
      },
    );
    assert.equal(install.status, 0, install.stderr);
    return install.stdout;
  }

  function cliConfig(mirror: string): string {
    const path = join(work, `terraformrc-${readdirSync(work).length}`);
    writeFileSync(
      path,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${SOURCE}"]\n  }\n}\n`,
    );
    return path;
  }

  function lockFile(dir: string, hashes: string[]): void {
    writeFileSync(
      join(dir, ".terraform.lock.hcl"),
      `provider "${SOURCE}" {\n  version = "${built.version}"\n  hashes = [\n${hashes.map((h) => `    "${h}",\n`).join("")}  ]\n}\n`,
    );
  }

  const vars = (v: Record<string, string>) => Object.entries(v).flatMap(([k, value]) => ["-var", `${k}=${value}`]);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-binary-"));
    built = await packageProvider({ outDir: join(work, "release") });
    server = await startServerProcess(join(work, "server-data"));
    const boot = await bootstrap({ host: server.url, ...ADMIN, projectName: "tf-binary" });
    projectId = boot.projectId;
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });

    // terraform's PATH: a directory holding terraform alone (no node, not even a shell).
    const bin = join(work, "bin");
    mkdirSync(bin);
    symlinkSync(terraformPath, join(bin, "terraform"));
    const home = join(work, "home");
    mkdirSync(home);
    env = {
      PATH: bin,
      HOME: home,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF_CLI_CONFIG_FILE: cliConfig(join(work, "mirror")),
      // Terraform passes its environment on to the provider: a Node binary honouring it would fail to start.
      NODE_OPTIONS: `--require ${join(work, "no-such-hook.js")}`,
    };
    mkdirSync(config());
    for (const name of readdirSync(join(PACKAGE_ROOT, "examples", "terraform")).filter((n) => n.endsWith(".tf"))) {
      copyFileSync(join(PACKAGE_ROOT, "examples", "terraform", name), join(config(), name));
    }
    writeFileSync(
      join(config(), "terraform.tfvars"),
      [
        `host = "${server.url}"`,
        `email = "${ADMIN.email}"`,
        `password = "${ADMIN.password}"`,
        `project_id = "${projectId}"`,
      ].join("\n"),
    );
  });

  after(async () => {
    await session?.close();
    server?.child.kill("SIGTERM");
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("the release: the zip holds exactly the executable; SHA256SUMS matches the zip and the manifest", () => {
    const zip = readFileSync(built.zip);
    const entries = listZip(zip);
    assert.deepEqual(
      entries.map((e) => e.name),
      [executableName(built.version, "linux_amd64")],
    );
    assert.equal((entries[0]!.mode ?? 0) & 0o777, 0o755);
    // Declared size only: the install in the next test inflates and CRC-checks it (no second 122 MiB inflate).
    assert.ok(entries[0]!.size > 10 * 1024 * 1024, "a whole Node runtime is inside");
    const sums = readFileSync(built.checksums, "utf8");
    assert.equal(sums.trim().split("\n").length, 2);
    assert.equal(
      listedChecksum(sums, `terraform-provider-infisicale2ee_${built.version}_linux_amd64.zip`),
      sha256Hex(zip),
    );
    const manifest = readFileSync(built.manifest);
    assert.equal(
      listedChecksum(sums, `terraform-provider-infisicale2ee_${built.version}_manifest.json`),
      sha256Hex(manifest),
    );
    assert.deepEqual(JSON.parse(manifest.toString("utf8")), releaseManifest());
    assert.deepEqual(releaseManifest().metadata.protocol_versions, ["6.0"]);
  });

  test("init installs from the mirror, checking the zip against SHA256SUMS; the lock gets zh: and h1:", async () => {
    process.stdout.write(
      `# single-file provider: executable ${(built.executableBytes / 2 ** 20).toFixed(1)} MiB, zip ${(built.zipBytes / 2 ** 20).toFixed(1)} MiB, built in ${(built.milliseconds / 1000).toFixed(1)} s\n`,
    );
    const installed = installIntoMirror(built.zip, join(work, "mirror"));
    assert.match(installed, /The zip matches .*_SHA256SUMS/);
    // The team's pin: the zh: hash is the SHA256SUMS line. init must verify the mirror's zip against it.
    const published = listedChecksum(
      readFileSync(built.checksums, "utf8"),
      `terraform-provider-infisicale2ee_${built.version}_linux_amd64.zip`,
    );
    lockFile(config(), [`zh:${published}`]);
    const output = await ok(["init"]);
    assert.match(output, new RegExp(`Installing infisical-e2ee/infisicale2ee v${built.version.replace(/\./g, "\\.")}`));
    const lock = readFileSync(join(config(), ".terraform.lock.hcl"), "utf8");
    // The h1: the installer computed (and lists for network mirrors) is the one Terraform computes itself.
    const h1 = /Lock-file hashes: (h1:\S+) /.exec(installed)?.[1];
    assert.ok(lock.includes(`"zh:${published}"`), lock);
    assert.ok(h1 && lock.includes(`"${h1}"`), `lock file lacks the installer's h1: ${h1}\n${lock}`);
  });

  test("apply and destroy through the binary, with no node on terraform's PATH", async () => {
    assert.ok(
      (env.PATH ?? "").split(delimiter).every((dir) => !existsSync(join(dir, "node"))),
      "node is reachable on terraform's PATH",
    );
    await ok(["apply", "-auto-approve", ...vars({ db_password: "binary-wo-value" })]);
    const secrets = await lookups.secrets.run(
      { session, log: silentLogger },
      { projectId, environment: "qa", path: "/" },
    );
    const byKey = new Map(((secrets.secrets ?? []) as { key: string; value: string }[]).map((s) => [s.key, s.value]));
    assert.equal(byKey.get("API_URL"), "https://api.example.com");
    assert.equal(byKey.get("SESSION_KEY")?.length, 48);
    const plan = await terraform(["plan", "-detailed-exitcode", ...vars({ db_password: "binary-wo-value" })]);
    assert.equal(plan.code, 0, `second plan not empty:\n${plan.output}`);
    await ok(["destroy", "-auto-approve", ...vars({ db_password: "x" })]);
    const state = JSON.parse(readFileSync(join(config(), "terraform.tfstate"), "utf8")) as { resources: unknown[] };
    assert.equal(state.resources.length, 0);
    const project = await lookups.project.run({ session, log: silentLogger }, { projectId });
    assert.ok(!((project.environments ?? []) as { slug: string }[]).some((e) => e.slug === "qa"));
  });

  test("init refuses a zip in the mirror that does not match the locked checksums", async () => {
    // The packed layout by hand (the installer would refuse it): a well-formed zip under the right names
    // holding another executable, so that nothing but the lock file's checksums can tell it apart.
    const mirror = join(work, "corrupt-mirror");
    mkdirSync(join(mirror, SOURCE), { recursive: true });
    const path = join(mirror, SOURCE, basename(built.zip));
    const impostor = {
      name: executableName(built.version, "linux_amd64"),
      content: Buffer.from("#!/bin/sh\nexit 1\n"),
    };
    writeFileSync(path, writeZip([{ ...impostor, mode: 0o755 }]));

    const dir = join(work, "corrupt-config");
    mkdirSync(dir);
    copyFileSync(join(config(), "main.tf"), join(dir, "main.tf"));
    copyFileSync(join(config(), ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
    const saved = env.TF_CLI_CONFIG_FILE;
    env.TF_CLI_CONFIG_FILE = cliConfig(mirror);
    try {
      const result = await terraform(["init"], dir);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, /doesn't\s+match\s+any\s+of\s+the\s+checksums\s+previously\s+recorded/);
      assert.ok(!existsSync(join(dir, ".terraform", "providers", SOURCE)), "nothing installed from a bad zip");
    } finally {
      env.TF_CLI_CONFIG_FILE = saved;
    }
  });

  test("the mirror directory served over HTTPS is a network mirror; init checks the hashes it lists", async () => {
    const mirror = join(work, "mirror");
    const { certificatePem, privateKeyPem } = createPluginCertificate();
    const caFile = join(work, "mirror-ca.pem");
    writeFileSync(caFile, certificatePem);
    let lieAboutHashes = false;
    const server = createServer({ cert: certificatePem, key: privateKeyPem }, (request, response) => {
      const path = normalize(join(mirror, decodeURIComponent(new URL(request.url ?? "/", "https://x").pathname)));
      if (!path.startsWith(`${mirror}/`) || !existsSync(path) || statSync(path).isDirectory()) {
        response.writeHead(404).end();
        return;
      }
      let body = readFileSync(path);
      if (lieAboutHashes && path.endsWith(`${built.version}.json`)) {
        body = Buffer.from(
          body
            .toString("utf8")
            .replace(/"h1:[^"]+"/, `"h1:${Buffer.alloc(32).toString("base64")}"`)
            .replace(/"zh:[0-9a-f]+"/, `"zh:${"0".repeat(64)}"`),
        );
      }
      response
        .writeHead(200, { "content-type": path.endsWith(".json") ? "application/json" : "application/zip" })
        .end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const rc = join(work, "terraformrc-network");
    writeFileSync(
      rc,
      `provider_installation {\n  network_mirror {\n    url     = "https://localhost:${port}/"\n    include = ["${SOURCE}"]\n  }\n}\n`,
    );
    const saved = { ...env };
    env.TF_CLI_CONFIG_FILE = rc;
    env.SSL_CERT_FILE = caFile; // Go's TLS trusts this file's certificate on Linux
    try {
      const honest = join(work, "network-config");
      mkdirSync(honest);
      copyFileSync(join(config(), "main.tf"), join(honest, "main.tf"));
      await ok(["init"], honest);
      const lock = readFileSync(join(honest, ".terraform.lock.hcl"), "utf8");
      const listed = JSON.parse(readFileSync(join(mirror, SOURCE, `${built.version}.json`), "utf8")).archives
        .linux_amd64.hashes as string[];
      // Terraform records the h1: it computes itself, which must be the one our index lists.
      const h1 = listed.find((hash) => hash.startsWith("h1:"));
      assert.ok(h1 && lock.includes(`"${h1}"`), `lock lacks the listed ${h1}:\n${lock}`);

      lieAboutHashes = true;
      const lied = join(work, "network-config-lied");
      mkdirSync(lied);
      copyFileSync(join(config(), "main.tf"), join(lied, "main.tf"));
      const refused = await terraform(["init"], lied);
      assert.notEqual(refused.code, 0, refused.output);
      assert.match(refused.output, /doesn't\s+match[\s\S]*expected\s+checksums/);
    } finally {
      env = saved;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
