/**
 * `npm run demo`: the whole promise, end to end, on a throwaway embedded server.
 *
 * Starts the server with a temporary data directory, bootstraps an admin, an organization, a
 * project and a second user, installs our Terraform provider into a private Terraform home and
 * runs `cdktn deploy` (CDK Terrain) of examples/cdktn. Then, step by step: (1) Infisical's own legacy client
 * decrypts what was deployed; (2) the server holds only ciphertext and the state holds no
 * write-only value; (3) declarative rotation; (4) drift shows in the next plan; (5) destroy.
 *
 * Where `terraform` (or the cdktn CLI) is missing, it says so and tells the same
 * story through the Pulumi face in the SDK's provider host (scripts/demo/pulumi-face.ts).
 *
 * Flags: --json (human output on stderr, a JSON summary on stdout); DEMO_NONINTERACTIVE=1 turns
 * the spinner off; INFISICAL_E2EE_DEMO_FACE=pulumi|terraform forces a face. Exit code 0 only when
 * every check of every step passed.
 */
// First, for its side effect: a Node without node:sqlite stops here with a clear message.
import "./demo/node-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap, inviteMember } from "../src/provider/bootstrap";
import { randomHex } from "../src/provider/crypto";
import { openSession } from "../src/provider/session";
import type { Session } from "../src/provider/session/types";
import { type RunningServer, startServer } from "../src/server";
import { repoRoot } from "./codegen/paths";
import type { DemoContext } from "./demo/context";
import { chooseFace } from "./demo/face-choice";
import { type DemoSummary, Reporter, shorten } from "./demo/report";
import { runStory } from "./demo/story";
import { terraformFace } from "./demo/terraform-face";
import { createWorkspace, findCdktnCli, type Workspace, whichAll } from "./demo/workspace";

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const interactive = !json && process.env.DEMO_NONINTERACTIVE !== "1";
  const ui = new Reporter(json ? process.stderr : process.stdout, interactive);
  const packageRoot = repoRoot();
  const dataDir = mkdtempSync(join(tmpdir(), "infisical-e2ee-demo-data-"));
  let face: DemoSummary["face"] = "terraform";
  let note: string | undefined;
  let summary: DemoSummary;
  let server: RunningServer | undefined;
  let session: Session | undefined;
  let workspace: Workspace | undefined;
  try {
    const choice = chooseFace(process.env, {
      findTerraform: () => whichAll("terraform")[0],
      findCdktn: () => findCdktnCli(packageRoot),
    });
    face = choice.face;
    ui.line("infisical-e2ee demo: end-to-end encrypted secrets as infrastructure, on a throwaway local server.");
    if (choice.face === "pulumi") {
      note = `Pulumi face: ${choice.reason}`;
      ui.line(`Terraform is not used: ${choice.reason}. The same story runs through the Pulumi face instead.`);
    }
    ui.step("setup", "Setup: embedded server, admin, organization, project, a second user");
    server = await ui.progress("starting the embedded server", () => startServer({ port: 0, dataDir }));
    const admin = { email: "admin@demo.local", password: randomHex(16) };
    const boot = await ui.progress("bootstrapping the admin, organization and project (keys made here)", () =>
      bootstrap({ host: server!.url, email: admin.email, password: admin.password, projectName: "demo" }),
    );
    const member = await ui.progress("inviting and signing up a second user", () =>
      inviteMember({
        host: server!.url,
        adminEmail: admin.email,
        adminPassword: admin.password,
        email: "dev@demo.local",
        password: randomHex(16),
      }),
    );
    session = openSession({ host: server.url, email: admin.email, password: admin.password }, { env: {} });
    ui.table(
      ["what", "value"],
      [
        ["server", server.url],
        ["data dir", dataDir],
        ["admin", admin.email],
        ["project", boot.projectId],
        ["environments", boot.environments.map((e) => e.slug).join(", ")],
        ["second user", member.email],
        [
          "face",
          choice.face === "terraform"
            ? `Terraform (${choice.terraform}) via CDK Terrain (cdktn)`
            : "Pulumi (local engine)",
        ],
      ],
    );
    ui.check(
      "server answers and the project exists",
      boot.projectId.length > 0,
      `project ${shorten(boot.projectId, 12)}`,
    );
    const ctx: DemoContext = { ui, server, dataDir, admin, member, projectId: boot.projectId, session };

    if (choice.face === "terraform") {
      workspace = createWorkspace(packageRoot, "cdktn");
      await runStory(ctx, terraformFace(ctx, workspace, choice.cdktn, choice.terraform));
    } else {
      // Loaded only here: the Pulumi SDK is not needed by the Terraform story.
      const { pulumiFace } = require("./demo/pulumi-face") as typeof import("./demo/pulumi-face");
      await runStory(ctx, pulumiFace(ctx));
    }
    summary = ui.summary(face, note);
  } catch (error) {
    ui.line(`\n✗ the demo stopped: ${error instanceof Error ? error.message : String(error)}`);
    summary = ui.summary(face, note ? `${note}; stopped by an error` : "stopped by an error");
    summary.ok = false;
  } finally {
    await session?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (process.env.DEMO_KEEP !== "1") {
      rmSync(dataDir, { recursive: true, force: true });
      if (workspace) rmSync(workspace.root, { recursive: true, force: true });
    }
  }
  ui.line();
  const failedChecks = summary.steps.flatMap((s) => s.checks).filter((c) => !c.ok).length;
  ui.line(
    summary.ok
      ? `All steps passed in ${(summary.durationMs / 1000).toFixed(0)} s (${summary.face} face).`
      : failedChecks > 0
        ? `Some checks failed (${failedChecks}).`
        : "The demo did not finish.",
  );
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
