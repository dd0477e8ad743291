/**
 * Acceptance of issue #18 (temporary access) with real terraform against the embedded server: a
 * membership granted `member` for a short window over a long-lived `viewer`; apply, an empty second
 * plan, then after the window has ended a plan that shows an in-place update (not an error), an
 * apply that grants a new window, and destroy. The server's own list is the witness.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { type RunningServer, startServer } from "../../src/server";
import { terraformHomeWithProvider } from "../support/terraform-home";
import { PROVIDER_LOGIN_HCL, runTerraform } from "../support/terraform-walk";
import { terraformMissing } from "../support/terraform-workspace";

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const MEMBER = { email: "temporary@example.com", password: "temporary horse battery staple" };
/** Long enough for an apply and a plan on a busy machine; the test waits it out once. */
const RANGE_MS = 45_000;
const RANGE = `${RANGE_MS / 1000}s`;

const CONFIG = `${PROVIDER_LOGIN_HCL}variable "member_email" { type = string }

resource "infisicale2ee_project_membership" "oncall" {
  project_id      = var.project_id
  email           = var.member_email
  role            = "member"
  is_temporary    = true
  temporary_range = "${RANGE}"
  base_role       = "viewer"
}
`;

describe("real terraform: temporary access expires as drift and is renewed", {
  skip: terraformMissing() ?? false,
}, () => {
  let server: RunningServer;
  let session: Session;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let vars: string[];
  let projectId: string;

  const terraform = (args: string[]) => runTerraform(join(work, "config"), env, args);

  /** The membership's attributes in the state file terraform wrote. */
  const stateOf = (): Record<string, unknown> => {
    const state = JSON.parse(readFileSync(join(work, "config", "terraform.tfstate"), "utf8"));
    const membership = state.resources.find((r: { type: string }) => r.type === "infisicale2ee_project_membership");
    return membership?.instances?.[0]?.attributes ?? {};
  };

  const serverRoles = async (membershipId: string) =>
    (await session.api.memberships.list(projectId)).memberships.find((m) => m.id === membershipId)?.roles;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "infisical-e2ee-tf-temporary-"));
    server = await startServer({ port: 0, log: () => {} });
    projectId = (await bootstrap({ host: server.url, ...ADMIN, projectName: "temporary-access" })).projectId;
    await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
    session = openSession({ host: server.url, ...ADMIN }, { env: {} });
    mkdirSync(join(work, "config"), { recursive: true });
    writeFileSync(join(work, "config", "main.tf"), CONFIG);
    env = terraformHomeWithProvider(work);
    vars = Object.entries({
      host: server.url,
      email: ADMIN.email,
      password: ADMIN.password,
      project_id: projectId,
      member_email: MEMBER.email,
    }).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    const init = await terraform(["init"]);
    assert.equal(init.code, 0, init.output);
  });

  after(async () => {
    await session?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("apply, empty plan, expiry shows as a planned update, apply renews, destroy", async () => {
    const applied = await terraform(["apply", "-auto-approve", ...vars]);
    assert.equal(applied.code, 0, applied.output);
    const first = stateOf();
    const firstEnd = Date.parse(String(first.temporary_access_end_time));
    assert.equal(firstEnd - Date.parse(String(first.temporary_access_start_time)), RANGE_MS);
    assert.deepEqual(
      (await serverRoles(String(first.membership_id)))?.map((r) => [r.role, r.isTemporary]),
      [
        ["viewer", false],
        ["member", true],
      ],
    );

    const planStarted = Date.now();
    const steady = await terraform(["plan", "-detailed-exitcode", ...vars]);
    // The empty plan is only meaningful inside the window; a machine too slow for that says so.
    assert.ok(planStarted < firstEnd, `the second plan started after the ${RANGE} window had ended`);
    assert.equal(steady.code, 0, `second plan is not empty:\n${steady.output}`);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstEnd - Date.now()) + 200));
    const expired = await terraform(["plan", "-detailed-exitcode", ...vars]);
    assert.equal(expired.code, 2, `after expiry the plan must show a change, not fail:\n${expired.output}`);
    assert.doesNotMatch(expired.output, /Error/);
    assert.match(expired.output, /infisicale2ee_project_membership\.oncall will be updated in-place/);
    assert.match(expired.output, /temporary_access_start_time\s+= "[^"]+" -> \(known after apply\)/);
    assert.match(expired.output, /Plan: 0 to add, 1 to change, 0 to destroy/);

    const renewed = await terraform(["apply", "-auto-approve", ...vars]);
    assert.equal(renewed.code, 0, renewed.output);
    assert.match(renewed.output, /0 added, 1 changed, 0 destroyed/);
    const second = stateOf();
    assert.equal(second.membership_id, first.membership_id, "renewed in place, not replaced");
    const secondEnd = Date.parse(String(second.temporary_access_end_time));
    assert.ok(secondEnd > firstEnd, "the new window ends later");
    const roles = await serverRoles(String(second.membership_id));
    assert.equal(roles?.length, 2, "the renewal replaced the roles");
    assert.equal(Date.parse(roles!.find((r) => r.isTemporary)!.temporaryAccessEndTime!), secondEnd);

    const destroyed = await terraform(["destroy", "-auto-approve", ...vars]);
    assert.equal(destroyed.code, 0, destroyed.output);
    assert.equal(await serverRoles(String(second.membership_id)), undefined, "the membership is gone");
  });
});
