/**
 * Issue #18 acceptance for projects from before April 2023, end to end over real HTTP: a project
 * whose secrets lost their blind indexes in the embedded server's own database
 * (test/support/unindexed-project.ts). Writing a secret by name through the provider fails with
 * the remedy; `infisical-e2ee enable-blind-indices`, run as a real CLI process, refuses a
 * collision, then fixes the project and prints the count; afterwards by-name work succeeds and
 * the status is true. Also what a healthy project pays for the detection, and who may run the fix.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { mapApiError } from "../../src/provider/api/errors";
import { inviteMember } from "../../src/provider/bootstrap";
import { BlindIndicesMissingError, ProviderError } from "../../src/provider/errors";
import { projectMembership } from "../../src/provider/resources/project-membership";
import { secret } from "../../src/provider/resources/secret";
import { encryptSecret } from "../../src/provider/session/secret-codec";
import { dropBlindIndexes, indexState } from "../support/unindexed-project";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness } from "./harness";

const run = promisify(execFile);
type SecretState = Awaited<ReturnType<typeof secret.ops.create>>["outputs"];
const CLI = join(__dirname, "..", "..", "src", "cli.js");
const STATUS_ROUTE = "/api/v3/workspaces/:workspaceId/secrets/blind-index-status";
const VALUE = "canary-blind-value-93c1";
const MEMBER_EMAIL = "member-blind@example.com";
const MEMBER_PASSWORD = "member blind password 77";

async function cli(args: string[], password: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, INFISICAL_PASSWORD: password },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("blind indices: a project from before April 2023, through the provider and the CLI", () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "infisical-e2ee-blind-core-")), "data");
  let h: Harness;
  let projectId: string;
  const states = new Map<string, { id: string; outputs: SecretState }>();
  const location = () => ({ projectId, environment: "dev", path: "/" });
  const inputs = (key: string, value = VALUE) => secret.validated({ projectId, environment: "dev", key, value });
  const enableArgs = (email: string) => [
    "enable-blind-indices",
    "--host",
    h.server.url,
    "--email",
    email,
    "--project",
    projectId,
    "--allow-insecure-http",
  ];

  before(async () => {
    h = await startHarness({ dataDir, projectName: "pre-2023" });
    projectId = h.boot.projectId;
    const ctx = h.ctx(h.userSession());
    for (const key of ["DB_URL", "API_KEY", "OLD_TOKEN"]) {
      const created = await secret.ops.create(ctx, inputs(key));
      states.set(key, { id: created.id, outputs: created.outputs });
    }
    await h.closeSessions();
    assert.equal(dropBlindIndexes(dataDir, projectId), 3);
  });
  after(async () => {
    await h?.close();
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("a user session: reads still work (they list), writes by name fail with the remedy and write nothing", async () => {
    const ctx = h.ctx(h.userSession());
    const db = states.get("DB_URL")!;
    const read = await secret.ops.read(ctx, db.id, db.outputs);
    assert.equal(read?.value, VALUE, "the list serves un-indexed secrets");
    const remedy = new RegExp(
      `infisical-e2ee enable-blind-indices --host ${h.server.url.replace(/[.]/g, "\\.")} --email ${ADMIN_EMAIL} --password <password> --project ${projectId}`,
    );
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["update", () => secret.ops.update(ctx, db.id, db.outputs, inputs("DB_URL", "new value"))],
      ["rename", () => secret.ops.update(ctx, db.id, db.outputs, inputs("DB_URL_2"))],
      ["delete", () => secret.ops.delete(ctx, states.get("API_KEY")!.id, states.get("API_KEY")!.outputs)],
      ["create of a listed name", () => secret.ops.create(ctx, inputs("OLD_TOKEN"))],
      ["create of a new name", () => secret.ops.create(ctx, inputs("BRAND_NEW"))],
    ];
    for (const [what, attempt] of attempts) {
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof BlindIndicesMissingError, `${what}: ${String(error)}`);
        assert.equal(error.code, "ERR_BLIND_INDICES_MISSING");
        assert.match(error.message, remedy, what);
        assert.match(error.message, /enableBlindIndices\(/);
        assert.ok(!error.message.includes(VALUE) && !error.message.includes(ADMIN_PASSWORD), "no value or password");
        return true;
      });
    }
    // Concurrent deletes: one goes alone, the rest as a batch; neither may call the secrets "already gone".
    for (const session of [h.userSession(), h.tokenSession()]) {
      const mark = h.requests.length;
      const results = await Promise.allSettled(
        ["DB_URL", "API_KEY", "OLD_TOKEN"].map((key) => session.secrets.delete(location(), key)),
      );
      for (const result of results) {
        assert.ok(
          result.status === "rejected" && result.reason instanceof BlindIndicesMissingError,
          `${session.mode}: ${result.status === "rejected" ? String(result.reason) : "resolved"}`,
        );
      }
      assert.ok(h.count("DELETE", "/api/v3/secrets/batch", mark) >= 1, `${session.mode}: the batch path ran`);
    }
    const listed = await h.userSession().secrets.list(location(), { fresh: true });
    assert.deepEqual(listed.map((s) => s.key).sort(), ["API_KEY", "DB_URL", "OLD_TOKEN"], "no duplicate, nothing gone");
    assert.equal(indexState(dataDir, projectId).unindexed.length, 3);
  });

  it("a service-token session cannot ask the status: it concludes from the list and names the remedy", async () => {
    const ctx = h.ctx(h.tokenSession());
    const token = states.get("OLD_TOKEN")!;
    for (const attempt of [
      () => secret.ops.update(ctx, token.id, token.outputs, inputs("OLD_TOKEN", "x")),
      () => secret.ops.delete(ctx, token.id, token.outputs),
    ]) {
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof BlindIndicesMissingError, String(error));
        assert.match(error.message, /lists this secret, but the server finds no secret of that name/);
        assert.match(error.message, /--email <admin email>/);
        return true;
      });
    }
  });

  it("enable-blind-indices: a non-admin member is refused, and a collision is refused before anything is sent", async () => {
    await inviteMember({
      host: h.server.url,
      adminEmail: ADMIN_EMAIL,
      adminPassword: ADMIN_PASSWORD,
      email: MEMBER_EMAIL,
      password: MEMBER_PASSWORD,
      allowInsecureHttp: true,
    });
    const admin = h.userSession();
    await projectMembership.ops.create(
      h.ctx(admin),
      projectMembership.validated({ projectId, email: MEMBER_EMAIL, role: "member" }),
    );
    const refused = await cli(enableArgs(MEMBER_EMAIL), MEMBER_PASSWORD);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /only an admin of project .* "User must be admin"/);

    // A second DB_URL created by name (the server cannot see the old one by name, so it accepts it).
    const scope = { workspaceId: projectId, environment: "dev", secretPath: "/" };
    const projectKey = await admin.projectKey(projectId);
    await admin.api.secrets.create(scope, "DB_URL", encryptSecret(projectKey, "DB_URL", VALUE, ""));
    const mark = h.requests.length;
    const collision = await cli(enableArgs(ADMIN_EMAIL), ADMIN_PASSWORD);
    assert.equal(collision.code, 1, collision.stdout + collision.stderr);
    assert.match(collision.stderr, /environment "dev", path \/, name "DB_URL": secrets [0-9a-f-]{36}, [0-9a-f-]{36}/);
    assert.equal(h.count("POST", "/api/v3/workspaces/:workspaceId/secrets/names", mark), 0, "nothing submitted");
    assert.ok(!`${collision.stdout}${collision.stderr}`.includes(VALUE), "no value in the output");
    // The copy made by name can be deleted by name; the old one stays.
    await admin.api.secrets.delete(scope, "DB_URL");
    assert.equal(indexState(dataDir, projectId).unindexed.length, 3);
  });

  it("enable-blind-indices fixes the project and prints the count; then by-name work succeeds and the status is true", async () => {
    const mark = h.requests.length;
    const fixed = await cli(enableArgs(ADMIN_EMAIL), ADMIN_PASSWORD);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, new RegExp(`project ${projectId}: indexed 3 secrets`));
    assert.match(fixed.stdout, /blind-index status: enabled/);
    const output = `${fixed.stdout}${fixed.stderr}`;
    assert.ok(!output.includes(VALUE) && !output.includes(ADMIN_PASSWORD), "no value or password in the output");
    assert.equal(
      h.count("POST", "/api/v3/workspaces/:workspaceId/secrets/names", mark),
      1,
      "one all-or-nothing request",
    );
    assert.deepEqual(indexState(dataDir, projectId).unindexed, []);

    const ctx = h.ctx(h.userSession());
    assert.equal(await ctx.session.api.blindIndexes.status(projectId), true);
    const db = states.get("DB_URL")!;
    const current = (await secret.ops.read(ctx, db.id, db.outputs))!;
    const updated = await secret.ops.update(ctx, db.id, current, inputs("DB_URL", "after the fix"));
    assert.equal(updated.value, "after the fix");
    const scope = { workspaceId: projectId, environment: "dev", secretPath: "/" };
    assert.equal((await ctx.session.api.secrets.get(scope, "API_KEY")).secret.id, states.get("API_KEY")!.id);
    await secret.ops.delete(h.ctx(h.tokenSession()), states.get("OLD_TOKEN")!.id, states.get("OLD_TOKEN")!.outputs);
    const created = await secret.ops.create(ctx, inputs("BRAND_NEW"));
    assert.equal(created.outputs.key, "BRAND_NEW");

    const again = await cli(enableArgs(ADMIN_EMAIL), ADMIN_PASSWORD);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /every secret already has a blind index; nothing to do/);
  });

  it("a healthy project pays one status request per session, before its first create, and none for reads", async () => {
    const session = h.userSession();
    const ctx = h.ctx(session);
    const mark = h.requests.length;
    const made = await Promise.all(
      ["H1", "H2", "H3", "H4"].map((key) => secret.ops.create(ctx, inputs(`HEALTHY_${key}`))),
    );
    for (const m of made) await secret.ops.create(ctx, inputs(`${m.outputs.key}_MORE`));
    for (const m of made) {
      const read = (await secret.ops.read(ctx, m.id, { ...m.outputs }))!;
      await secret.ops.update(ctx, m.id, read, inputs(String(m.outputs.key), "v2"));
      await secret.ops.delete(ctx, m.id, read);
    }
    assert.equal(h.count("GET", STATUS_ROUTE, mark), 1, "one status request in this session");
    const readOnly = h.ctx(h.userSession());
    const readMark = h.requests.length;
    await secret.ops.read(readOnly, states.get("API_KEY")!.id, states.get("API_KEY")!.outputs);
    assert.equal(h.count("GET", STATUS_ROUTE, readMark), 0, "reads ask nothing");
  });

  it("enable-blind-indices without its options exits 2 and names each missing one", async () => {
    const missing = await cli(["enable-blind-indices", "--host", h.server.url], "");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --email, --password, --project/);
    const unknown = await cli(["enable-blind-indices", "--projekt", "x"], "");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option --projekt/);
  });

  it("the real server's answers map to typed errors: no salt row, and a non-admin", () => {
    const noSalt = mapApiError(400, { message: "Blind index not found", error: "CreateSecret" }, "create secret", "/r");
    assert.equal(noSalt.code, "ERR_BLIND_INDEX_SALT_MISSING");
    assert.match(noSalt.message, /no blind-index salt for this project/);
    const notAdmin = mapApiError(
      403,
      { statusCode: 403, message: "User must be admin", error: "UnauthorizedError" },
      "list all project secrets",
      "/r",
    );
    assert.equal(notAdmin.code, "ERR_API_PERMISSION_DENIED", "a permission, not stale credentials to log in again for");
    const named = mapApiError(400, { message: "Secret not found: blind index DB_URL" }, "update secret", "/r");
    assert.equal(named.code, "ERR_API_NOT_FOUND");
    assert.ok(ProviderError.is(named) && !named.message.includes("DB_URL"), "the name is scrubbed");
  });
});
