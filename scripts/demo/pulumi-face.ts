/**
 * The demo's Pulumi face: the same stack as examples/cdktn written as a Pulumi program over
 * `infisical-e2ee/pulumi`, run by the local engine (scripts/pulumi-engine/local-engine.ts) through the SDK's
 * own dynamic-provider host, so no Pulumi CLI and no terraform binary are needed. The state is the
 * engine's, with secret inputs and outputs sealed as the Pulumi engine stores them.
 */

import { isSecretWrapped } from "../../scripts/pulumi-engine/engine-state";
import {
  type CommandResult,
  LocalEngine,
  type Program,
  type ResourceView,
} from "../../scripts/pulumi-engine/local-engine";
import { randomHex } from "../../src/provider/crypto";
import type * as PulumiFace from "../../src/pulumi/index";
import { DB_HOST, type DemoContext, ENVIRONMENT, FIRST_ROTATION, READER_TOKEN_NAME } from "./context";
import { leakedValues } from "./inspect";
import { shorten } from "./report";
import type { DemoFace } from "./story";

interface StackSettings {
  projectId: string;
  memberEmail: string;
  apiKey: string;
  rotationTrigger: string;
}

/** The stack of examples/cdktn as a Pulumi program; the API key is a Pulumi secret instead of write-only. */
function demoProgram(settings: StackSettings): Program {
  return () => {
    // Loaded inside the program, once the engine has installed its mocks, as `pulumi up` loads index.ts.
    const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
    const infisical: typeof PulumiFace = require("../../src/pulumi/index");
    const { projectId } = settings;
    const qa = new infisical.Environment("qa", { projectId, name: "QA", slug: ENVIRONMENT });
    new infisical.Secret("db-host", {
      projectId,
      environment: qa.slug,
      key: "DB_HOST",
      value: DB_HOST,
      comment: "Primary database host",
    });
    new infisical.Secret("api-key", {
      projectId,
      environment: qa.slug,
      key: "API_KEY",
      value: pulumi.secret(settings.apiKey),
    });
    new infisical.Secret("db-password", {
      projectId,
      environment: qa.slug,
      path: "/db",
      key: "DB_PASSWORD",
      generate: { length: 32, symbols: true },
      rotationTrigger: settings.rotationTrigger,
      createMissingFolders: true,
    });
    new infisical.ProjectMembership("member", { projectId, email: settings.memberEmail, role: "member" });
    const reader = new infisical.ServiceToken("reader", {
      projectId,
      name: READER_TOKEN_NAME,
      scopes: [{ environment: qa.slug, secretPath: "/**" }],
      permissions: ["read"],
    });
    return { serviceToken: reader.token, environment: qa.slug };
  };
}

export function pulumiFace(ctx: DemoContext): DemoFace {
  const { server, admin, member, projectId } = ctx;
  const settings: StackSettings = {
    projectId,
    memberEmail: member.email,
    apiKey: `ak_${randomHex(16)}`,
    rotationTrigger: FIRST_ROTATION,
  };
  const engine = new LocalEngine({
    config: {
      "infisical-e2ee:host": server.url,
      "infisical-e2ee:email": admin.email,
      "infisical-e2ee:password": admin.password,
    },
    project: "infisical-e2ee-demo",
    stack: "demo",
  });
  const resource = (name: string): ResourceView => {
    const found = engine.resource(name);
    if (!found) throw new Error(`the Pulumi state has no resource named ${name}`);
    return found;
  };

  return {
    id: "pulumi",
    tool: "Pulumi",
    apiKeyKind: "Pulumi secret",
    apiKey: settings.apiKey,
    deployTitle: "Deploy: a Pulumi program over infisical-e2ee/pulumi, in the SDK's dynamic-provider host",
    destroyCommand: "destroy",

    async deploy(ui) {
      ui.line("  No terraform or Pulumi CLI needed: a local engine drives the SDK's own provider host over gRPC.");
      const result = await ui.progress("up (environment, 3 secrets, membership, service token)", () =>
        engine.up(demoProgram(settings)),
      );
      ui.table(["resource", "up did"], stepRows(result));
      ui.check(
        "every resource was created",
        result.steps.length === 6 && result.steps.every((s) => s.op === "create"),
        `${result.changes.length} of ${result.steps.length} created`,
      );
      const output = result.outputs.serviceToken;
      ui.check("the service token is a secret stack output", output?.secret === true);
      return { serviceToken: String(output?.value ?? "") };
    },

    showState(ui, known) {
      const state = engine.state();
      const byName = (name: string) => state.resources.find((r) => r.name === name);
      const rows: [string, unknown][] = [
        ["api-key input value (pulumi.secret)", byName("api-key")?.inputs.value],
        ["api-key output value", byName("api-key")?.outputs.value],
        ["db-password output value (generated)", byName("db-password")?.outputs.value],
        ["reader output token", byName("reader")?.outputs.token],
      ];
      ui.table(
        ["in the Pulumi state", "holds"],
        rows.map(([what, value]) => [what, describeStateValue(value)]),
      );
      const secrets = [known.apiKey, known.dbPassword, known.serviceToken];
      const leaks = leakedValues(JSON.stringify(state), secrets);
      ui.check(
        "the Pulumi state holds secret values only in encrypted form",
        rows.every(([, value]) => isSealed(value)) && leaks.length === 0,
        leaks.join(", ") || undefined,
      );
      const logLeaks = leakedValues(engine.hostLogs(), secrets);
      ui.check(
        "the provider host's logs hold no secret value",
        logLeaks.length === 0,
        logLeaks.join(", ") || undefined,
      );
    },

    async rotate(ui, trigger) {
      settings.rotationTrigger = trigger;
      const result = await ui.progress(`up with rotationTrigger=${trigger}`, () => engine.up(demoProgram(settings)));
      const changed = result.changes.map((s) => `${s.name} ${s.op} (${s.diffs.join(", ")})`);
      ui.check(
        "up updated DB_PASSWORD in place and nothing else",
        changed.length === 1 && changed[0] === "db-password update (rotationTrigger)",
        changed.join("; "),
      );
      ui.line(`  db-password is now version ${String(resource("db-password").outputs.version)} in the state.`);
    },

    async showDrift(ui) {
      const refreshed = await ui.progress("refresh (reads every resource back)", () => engine.refresh());
      const preview = await ui.progress("preview of the unchanged program", () =>
        engine.preview(demoProgram(settings)),
      );
      ui.table(
        ["resource", "command", "says"],
        [
          ...refreshed.changes.map((s) => [s.name, "refresh", `drifted: ${s.diffs.join(", ")}`]),
          ...preview.changes.map((s) => [s.name, "preview", `${s.op} (${s.diffs.join(", ")})`]),
          ["", "preview", `${preview.changes.length} to change, ${preview.steps.length - preview.changes.length} same`],
        ],
      );
      const drifted = refreshed.changes.find((s) => s.name === "db-host");
      ui.check(
        "refresh finds DB_HOST changed out of band",
        drifted?.op === "update" && drifted.diffs.includes("value") && refreshed.changes.length === 1,
      );
      ui.check(
        "the preview updates DB_HOST in place",
        preview.changes.some((s) => s.name === "db-host" && s.op === "update" && s.diffs.includes("value")),
      );
      ui.check("nothing else changes", preview.changes.length === 1);
    },

    async destroy(ui) {
      const result = await ui.progress("destroy", () => engine.destroy());
      ui.check(
        "destroy deleted every resource, the environment last",
        result.steps.length === 6 && result.steps.every((s) => s.op === "delete") && result.steps.at(-1)?.name === "qa",
      );
    },

    stateResourceCount() {
      return engine.state().resources.length;
    },
  };
}

function stepRows(result: CommandResult): string[][] {
  return result.steps.map((s) => [`${s.type} ${s.name}`, s.op]);
}

function isSealed(value: unknown): boolean {
  return isSecretWrapped(value) && typeof value.ciphertext === "string" && !("value" in value);
}

function describeStateValue(value: unknown): string {
  if (isSealed(value)) return `sealed: ${shorten(String((value as { ciphertext: string }).ciphertext), 24)}`;
  return value === undefined ? "absent" : "PLAINTEXT";
}
