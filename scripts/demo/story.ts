/**
 * The demo's five steps, told once for every face. A face (Terraform through cdktn, or Pulumi) supplies
 * only what differs between tools: how to deploy, rotate and destroy, what its state holds, and
 * how it reports drift. Reading back, inspecting the server and checking the project is common.
 */
import { DB_HOST, type DemoContext, ENVIRONMENT, READER_TOKEN_NAME, SECOND_ROTATION } from "./context";
import {
  changeBehindTheBack,
  databaseFiles,
  decryptStoredValue,
  readWithInfisicalNode,
  scanFiles,
  storedSecret,
  versionHistory,
  whatIsLeft,
} from "./inspect";
import { mask, type Reporter, shorten } from "./report";

/** What the deploy produced that the rest of the story needs. */
export interface Deployed {
  /** The new read-only service token (4-part E2EE token). */
  serviceToken: string;
}

/** The plaintext values the story knows after step 1, for leak checks. */
export interface KnownValues {
  apiKey: string;
  dbPassword: string;
  serviceToken: string;
}

export interface DemoFace {
  readonly id: "terraform" | "pulumi";
  /** "Terraform" or "Pulumi": whose state and plan the titles talk about. */
  readonly tool: string;
  /** How the API key reaches the provider, as the tables and checks name it ("write-only", "Pulumi secret"). */
  readonly apiKeyKind: string;
  /** The API key the face deploys (a variable of the run, never fixed). */
  readonly apiKey: string;
  readonly deployTitle: string;
  readonly destroyCommand: string;
  /** Deploys the environment, secrets, membership and service token, reporting progress. */
  deploy(ui: Reporter): Promise<Deployed>;
  /** Step 2, the face's half: a table of what its state holds, and checks that it holds no plaintext it should not. */
  showState(ui: Reporter, known: KnownValues): void;
  /** Step 3: deploys again with a new rotation trigger. */
  rotate(ui: Reporter, trigger: string): Promise<void>;
  /** Step 4, after DB_HOST changed behind the tool's back: the tool's own report of the drift, with checks. */
  showDrift(ui: Reporter): Promise<void>;
  destroy(ui: Reporter): Promise<void>;
  /** Resources left in the face's state. */
  stateResourceCount(): number;
}

export async function runStory(ctx: DemoContext, face: DemoFace): Promise<void> {
  const { ui, server, admin, projectId } = ctx;

  ui.step("deploy", face.deployTitle);
  const { serviceToken: token } = await face.deploy(ui);
  ui.check("the service token is a 4-part E2EE token", /^st\.[^.]+\.[^.]+\.[^.]+$/.test(token ?? ""));

  // (1) Interoperability: Infisical's own legacy client decrypts what we deployed.
  ui.step("read-back", "Step 1/5: Infisical's own client (infisical-node 1.5.1) decrypts with the new token");
  const first = await ui.progress("reading the secrets with infisical-node", () =>
    readWithInfisicalNode(server.url, token),
  );
  ui.table(
    ["secret", "path", "decrypted by infisical-node"],
    [
      ["DB_HOST", "/", first.DB_HOST ?? "(missing)"],
      [`API_KEY (${face.apiKeyKind})`, "/", first.API_KEY ? mask(first.API_KEY) : "(missing)"],
      ["DB_PASSWORD (generated)", "/db", first.DB_PASSWORD ? mask(first.DB_PASSWORD) : "(missing)"],
    ],
  );
  ui.check("explicit value round-trips", first.DB_HOST === DB_HOST);
  ui.check(`${face.apiKeyKind} value round-trips`, first.API_KEY === face.apiKey);
  ui.check("generated value has 32 characters", first.DB_PASSWORD?.length === 32);

  // (2) What the server and the state hold.
  ui.step("at-rest", `Step 2/5: what the server stored, and what ${face.tool}'s state holds`);
  const stored = await storedSecret(server.url, token, projectId, "/db", "DB_PASSWORD");
  ui.table(
    ["field the server stored for DB_PASSWORD", "value"],
    [
      ["secretKeyCiphertext", shorten(stored.secretKeyCiphertext ?? "", 28)],
      ["secretValueCiphertext", shorten(stored.secretValueCiphertext ?? "", 28)],
      ["secretValueIV", stored.secretValueIV ?? ""],
      ["secretValueTag", stored.secretValueTag ?? ""],
    ],
  );
  const plaintexts = [face.apiKey, first.DB_PASSWORD ?? face.apiKey, DB_HOST];
  const leaks = scanFiles(databaseFiles(ctx.dataDir), plaintexts);
  ui.check("the server's database files contain no plaintext value", leaks.length === 0, leaks.join(", ") || undefined);
  ui.check(
    "the API returns ciphertext with a 16-byte IV",
    Buffer.from(stored.secretValueIV ?? "", "base64").length === 16 && !!stored.secretValueCiphertext,
  );
  face.showState(ui, { apiKey: face.apiKey, dbPassword: first.DB_PASSWORD ?? "", serviceToken: token });

  // (3) Declarative rotation.
  ui.step("rotation", "Step 3/5: rotation: change the trigger, deploy again");
  await face.rotate(ui, SECOND_ROTATION);
  const second = await ui.progress("reading DB_PASSWORD again with infisical-node", () =>
    readWithInfisicalNode(server.url, token),
  );
  const history = await versionHistory(ctx, stored.id ?? stored._id ?? "");
  ui.table(
    ["version", "DB_PASSWORD (decrypted here from the server's history)"],
    history.map((h) => [String(h.version), mask(h.value)]),
  );
  ui.check("the new value differs from the old one", !!second.DB_PASSWORD && second.DB_PASSWORD !== first.DB_PASSWORD);
  ui.check(
    "the old value is in the version history",
    history.slice(0, -1).some((h) => h.value === first.DB_PASSWORD) && history.at(-1)?.value === second.DB_PASSWORD,
    `${history.length} versions`,
  );
  // Any client can ask the API for the previous version by number: the one before the newest.
  const previousVersion = history.at(-2)?.version;
  const previous =
    previousVersion === undefined
      ? undefined
      : await storedSecret(server.url, token, projectId, "/db", "DB_PASSWORD", previousVersion);
  ui.check(
    "the API serves the old value as the previous version",
    previous !== undefined && (await decryptStoredValue(ctx, previous)) === first.DB_PASSWORD,
    `version ${previousVersion}`,
  );
  ui.check("the other secrets did not change", second.DB_HOST === DB_HOST && second.API_KEY === face.apiKey);

  // (4) Drift.
  ui.step("drift", `Step 4/5: drift: a value changed behind ${face.tool}'s back shows in the next plan`);
  await ui.progress("changing DB_HOST with infisical-node and a read/write token", () =>
    changeBehindTheBack(ctx, "DB_HOST", "db.changed-by-hand.example"),
  );
  await face.showDrift(ui);

  // (5) Destroy.
  ui.step("destroy", `Step 5/5: ${face.destroyCommand} leaves the project empty`);
  await face.destroy(ui);
  const left = await whatIsLeft(ctx);
  ui.table(
    ["after destroy", "left on the server"],
    [
      ["environments", left.environments.join(", ")],
      ["secrets (all environments)", String(left.secrets)],
      ["members", left.members.join(", ")],
      ["service tokens", left.tokens.join(", ") || "none"],
    ],
  );
  ui.check(`the ${ENVIRONMENT} environment is gone`, !left.environments.includes(ENVIRONMENT));
  ui.check("no secrets are left", left.secrets === 0);
  ui.check("only the admin is a member", left.members.length === 1 && left.members[0] === admin.email);
  ui.check("the demo's service token is gone", !left.tokens.includes(READER_TOKEN_NAME));
  const remaining = face.stateResourceCount();
  ui.check(`the ${face.tool} state is empty`, remaining === 0, `${remaining} resources`);
}
