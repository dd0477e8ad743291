/**
 * The library as users get it: `npm pack` of this repository, unpacked into a temporary app's
 * node_modules (dependencies linked from ours; no network), `require("infisical-e2ee")` resolved by
 * package name through the `exports` map. The package holds only what users run, and the rotation
 * example of docs/library.md runs as printed against the embedded server.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../../scripts/codegen/paths";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

const root = repoRoot();
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function exampleScript(): string {
  const page = readFileSync(join(root, "docs", "library.md"), "utf8");
  const match = /<!-- example: rotate-secret\.js[^>]*-->\n```js\n([\s\S]*?)```/.exec(page);
  assert.ok(match, "docs/library.md lost its rotate-secret.js example");
  return match[1]!;
}

describe("the packed package, required by name", () => {
  let work: string;
  let app: string;
  let files: string[];
  let h: Harness;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-pack-"));
    const packed = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(packed.status, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    app = join(work, "app");
    mkdirSync(join(app, "node_modules"), { recursive: true });
    const untar = spawnSync("tar", ["-xzf", join(work, info!.filename), "-C", work], { encoding: "utf8" });
    assert.equal(untar.status, 0, untar.stderr);
    renameSync(join(work, "package"), join(app, "node_modules", "infisical-e2ee"));
    for (const dependency of Object.keys(packageJson.dependencies)) {
      const link = join(app, "node_modules", dependency);
      mkdirSync(join(link, ".."), { recursive: true });
      symlinkSync(join(root, "node_modules", dependency), link, "dir");
    }
    h = await startHarness({ projectName: "library" });
  });

  after(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // Asynchronous: the embedded server runs in this process and must keep answering the script.
  function run(
    script: string,
    args: string[] = [],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const file = join(app, `script-${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, script);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [file, ...args], { cwd: app, env: { PATH: process.env.PATH, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  }

  test("the package holds what users run: compiled src, types, proto; no engine stand-in, tests or maps", () => {
    assert.ok(files.includes("dist/src/index.js"));
    assert.ok(files.includes("dist/src/index.d.ts"));
    assert.ok(files.some((f) => f.startsWith("proto/")));
    const stray = files.filter(
      (f) =>
        f.endsWith(".map") ||
        f.startsWith("dist/test/") ||
        f.startsWith("dist/scripts/") ||
        f.startsWith("dist/bench/") ||
        /local-engine|engine-state|program-runner|provider-host/.test(f),
    );
    assert.deepEqual(stray, []);
  });

  test("require('infisical-e2ee') gives sessions, resources, lookups, bootstrap and the error registry", async () => {
    const probe = await run(`
      const lib = require("infisical-e2ee");
      console.log(JSON.stringify({
        openSession: typeof lib.openSession,
        bootstrap: typeof lib.bootstrap,
        inviteMember: typeof lib.inviteMember,
        generateValue: typeof lib.generateValue,
        resources: Object.keys(lib.resources).sort(),
        lookups: Object.keys(lib.lookups).sort(),
        secretOps: Object.keys(lib.resources.secret.ops).sort(),
        isError: lib.ProviderError.is(new lib.ValidationError("x", [])),
        codes: Object.keys(lib.ERROR_CODES).length,
        resolved: require.resolve("infisical-e2ee"),
      }));
      try { require("infisical-e2ee/dist/src/provider/session"); console.log("deep import allowed"); }
      catch (e) { console.log(e.code); }
    `);
    assert.equal(probe.status, 0, probe.stderr);
    const [line, deep] = probe.stdout.trim().split("\n");
    const seen = JSON.parse(line!);
    assert.deepEqual(
      { ...seen, resolved: undefined },
      {
        openSession: "function",
        bootstrap: "function",
        inviteMember: "function",
        generateValue: "function",
        resources: [
          "environment",
          "folder",
          "project",
          "projectMembership",
          "projectRole",
          "secret",
          "secretImport",
          "secretTag",
          "serviceToken",
        ],
        lookups: ["auditLogs", "project", "projectMembers", "secrets"],
        secretOps: seen.secretOps,
        isError: true,
        codes: seen.codes,
        resolved: undefined,
      },
    );
    assert.ok(seen.secretOps.includes("create") && seen.secretOps.includes("update"));
    assert.ok(seen.codes >= 13);
    assert.equal(seen.resolved, join(app, "node_modules", "infisical-e2ee", "dist", "src", "index.js"));
    assert.equal(deep, "ERR_PACKAGE_PATH_NOT_EXPORTED", "only the exports map is public");
  });

  test("the rotation example of docs/library.md rotates a secret, printing no value", async () => {
    const location = { projectId: h.boot.projectId, environment: "dev", path: "/" };
    const admin = h.userSession();
    await admin.secrets.create(location, { key: "ROTATE_ME", value: "old-value-canary", comment: "rotated by script" });
    const result = await run(exampleScript(), [h.boot.projectId, "dev", "ROTATE_ME"], {
      INFISICAL_HOST: h.server.url,
      INFISICAL_EMAIL: ADMIN_EMAIL,
      INFISICAL_PASSWORD: ADMIN_PASSWORD,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ROTATE_ME rotated to version \d+\n$/);
    const after = (await admin.secrets.list(location, { fresh: true })).find((s) => s.key === "ROTATE_ME");
    assert.ok(after);
    assert.notEqual(after.value, "old-value-canary");
    assert.equal(after.value.length, 40);
    assert.equal(after.comment, "rotated by script");
    assert.ok(!result.stdout.includes(after.value) && !result.stderr.includes(after.value));

    const missing = await run(exampleScript(), [h.boot.projectId, "dev", "NO_SUCH_KEY"], {
      INFISICAL_HOST: h.server.url,
      INFISICAL_EMAIL: ADMIN_EMAIL,
      INFISICAL_PASSWORD: ADMIN_PASSWORD,
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /NO_SUCH_KEY does not exist in dev/);
  });
});
