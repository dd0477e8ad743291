/**
 * Pulumi's real dynamic-provider host running the package runtime against the embedded server:
 * check, create, read, update, delete and failed create/update/check with canary values. The
 * host's stderr (it prints every error's stack) and every error detail hold no canary, and every
 * returned property holding a plaintext is one the resource class marks secret.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { resources } from "../../src/provider/registry";
import { providerText } from "../../src/pulumi/provider";
import { pulumiFieldPlan } from "../../src/pulumi/resource-class";
import { type RunningServer, startServer } from "../../src/server";
import { leakedCanaries, ProviderHost, secret, urnOf, wouldBeState } from "../pulumi/host";
import { canary, errorText, foundIn } from "./canaries";

const EMAIL = "pulumi-security@example.com";
const canaries: Record<string, string> = {
  password: canary("password"),
  value: canary("value"),
  comment: canary("comment"),
  updated: canary("updated"),
  rejected: canary("rejected"),
};
const PROVIDER = providerText("secret");
const SECRET_OUTPUTS = pulumiFieldPlan(resources.secret.fields).secretOutputs;

let server: RunningServer;
let host: ProviderHost;
let projectId: string;

before(async () => {
  server = await startServer({ port: 0 });
  const boot = await bootstrap({ host: server.url, email: EMAIL, password: canaries.password!, projectName: "pu-sec" });
  projectId = boot.projectId;
  canaries.tokenKey = boot.serviceToken.split(".")[3]!;
  host = await ProviderHost.start({ env: {} });
  await host.configure({
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": EMAIL,
    "infisical-e2ee:password": secret(canaries.password),
  });
});

after(async () => {
  await host?.close();
  await server?.close();
});

test("pulumi host: lifecycle and failures leak nothing to stderr, errors or non-secret properties", async () => {
  assert.deepEqual([...SECRET_OUTPUTS].sort(), ["comment", "value"]);
  const urn = urnOf("Secret", "db");
  const base = { projectId, environment: "dev", key: `PU_SEC_${process.pid}`, __provider: PROVIDER };
  const returned: Record<string, unknown>[] = [];
  const failures: string[] = [];

  const checked = await host.check(urn, {}, { ...base, value: canaries.value, comment: canaries.comment });
  assert.deepEqual(checked.failures, []);
  const created = await host.create(urn, checked.inputs);
  returned.push(created.properties);
  const read = await host.read(urn, created.id, created.properties);
  returned.push(read.properties);
  const news = (await host.check(urn, checked.inputs, { ...base, value: canaries.updated, comment: canaries.comment }))
    .inputs;
  const updated = await host.update(urn, created.id, created.properties, news);
  returned.push(updated.properties);

  const badCheck = await host.check(
    urn,
    {},
    { ...base, key: `bad/${canaries.rejected}`, value: canaries.rejected!.repeat(3000), stray: canaries.rejected },
  );
  assert.ok(badCheck.failures.length >= 3, JSON.stringify(badCheck.failures));
  failures.push(JSON.stringify(badCheck.failures));

  const duplicate = await host.check(urn, {}, { ...base, value: canaries.rejected });
  const attempts: [string, () => Promise<unknown>][] = [
    ["duplicate create", () => host.create(urnOf("Secret", "dup"), duplicate.inputs)],
    [
      "update in a missing environment",
      () =>
        host.update(
          urn,
          created.id,
          { ...updated.properties, environment: "nowhere" },
          { ...news, environment: "nowhere", value: canaries.rejected },
        ),
    ],
    ["read in a missing project", () => host.read(urn, created.id, { ...created.properties, projectId: "nope" })],
    [
      "delete with another project",
      () => host.delete(urn, created.id, { ...updated.properties, projectId: "00000000-0000-4000-8000-000000000000" }),
    ],
  ];
  for (const [label, attempt] of attempts) {
    try {
      await attempt();
      failures.push(`${label}: no error`);
    } catch (error) {
      failures.push(`${label}: ${errorText(error)}`);
    }
  }
  await host.delete(urn, created.id, updated.properties);

  const failureText = failures.join("\n");
  assert.ok(!/: no error$/m.test(failureText), failureText);
  assert.deepEqual(foundIn(failureText, canaries), [], `errors leak:\n${failureText}`);
  const stderr = host.stderr();
  assert.ok(stderr.length > 0, "the host printed the failed calls' errors");
  assert.deepEqual(foundIn(stderr, canaries), [], `host stderr leaks:\n${stderr}`);
  for (const properties of returned) {
    assert.deepEqual(leakedCanaries(wouldBeState(properties, SECRET_OUTPUTS), Object.values(canaries)), []);
  }
  assert.ok(JSON.stringify(returned).includes(canaries.updated!), "the value is an output (marked secret)");
});

test("pulumi host: Folder, SecretTag, a tagged Secret moved into the folder, SecretImport, ProjectRole and the failures around them leak nothing", async () => {
  const moved = canary("moved");
  const all = { ...canaries, moved };
  const stderrFrom = host.stderr().length;
  const returned: [string, Record<string, unknown>][] = [];
  const failures: string[] = [];
  const make = async (type: string, name: string, inputs: Record<string, unknown>) => {
    const urn = urnOf(type, name);
    const checked = await host.check(
      urn,
      {},
      { ...inputs, __provider: providerText(type.replace(/^./, (c) => c.toLowerCase())) },
    );
    assert.deepEqual(checked.failures, [], `${type} check`);
    const created = await host.create(urn, checked.inputs);
    returned.push([type, created.properties]);
    return { urn, inputs: checked.inputs, ...created };
  };
  const folder = await make("Folder", "app", { projectId, environment: "dev", name: "app" });
  const tag = await make("SecretTag", "t", { projectId, name: "Leak", slug: "leak" });
  const key = `PU_SEC_MOVED_${process.pid}`;
  const inRoot = await make("Secret", "m", {
    projectId,
    environment: "dev",
    key,
    value: moved,
    comment: canaries.comment,
    tagIds: [tag.id],
  });
  const intoFolder = (await host.check(inRoot.urn, inRoot.inputs, { ...inRoot.inputs, path: "/app" })).inputs;
  const movedSecret = await host.update(inRoot.urn, inRoot.id, inRoot.properties, intoFolder);
  returned.push(["Secret", movedSecret.properties]);
  returned.push(["Secret", (await host.read(inRoot.urn, inRoot.id, movedSecret.properties)).properties]);
  const imported = await make("SecretImport", "i", {
    projectId,
    environment: "prod",
    importEnvironment: "dev",
    importPath: "/app",
  });
  const role = await make("ProjectRole", "r", {
    projectId,
    slug: "leak-reader",
    name: "Leak reader",
    permissions: [{ action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" }],
  });

  const attempts: [string, () => Promise<unknown>][] = [
    ["non-empty folder delete", () => host.delete(folder.urn, folder.id, folder.properties)],
    [
      "unknown tag id",
      async () => {
        const urn = urnOf("Secret", "bad-tag");
        const checked = await host.check(
          urn,
          {},
          {
            ...inRoot.inputs,
            key: `${key}_BAD`,
            value: canaries.rejected,
            tagIds: ["00000000-0000-4000-8000-000000000000"],
          },
        );
        return host.create(urn, checked.inputs);
      },
    ],
    [
      "move to a missing folder",
      async () => {
        const nowhere = (
          await host.check(inRoot.urn, intoFolder, { ...intoFolder, path: "/nowhere", value: canaries.rejected })
        ).inputs;
        return host.update(inRoot.urn, inRoot.id, movedSecret.properties, nowhere);
      },
    ],
  ];
  for (const [label, attempt] of attempts) {
    try {
      await attempt();
      failures.push(`${label}: no error`);
    } catch (error) {
      // A partial create hands the engine the state it saves: checked as state, with the class's secret marks.
      const partial = error as { initFailed?: { properties: Record<string, unknown> } };
      if (partial.initFailed) {
        returned.push(["Secret", partial.initFailed.properties]);
        delete partial.initFailed;
      }
      failures.push(`${label}: ${errorText(error)}`);
    }
  }
  await host.delete(role.urn, role.id, role.properties);
  await host.delete(imported.urn, imported.id, imported.properties);
  await host.delete(inRoot.urn, inRoot.id, movedSecret.properties);
  await host.delete(tag.urn, tag.id, tag.properties);
  await host.delete(folder.urn, folder.id, folder.properties);

  const failureText = failures.join("\n");
  assert.ok(!/: no error$/m.test(failureText), failureText);
  assert.deepEqual(foundIn(failureText, all), [], `errors leak:\n${failureText}`);
  assert.equal(failureText.includes(key), false, `a secret name reached an error:\n${failureText}`);
  const stderr = host.stderr().slice(stderrFrom);
  assert.ok(stderr.length > 0, "the host printed the failed calls' errors");
  assert.deepEqual(foundIn(stderr, all), [], `host stderr leaks:\n${stderr}`);
  assert.equal(stderr.includes(key), false, "a secret name reached the host's stderr");
  for (const [type, properties] of returned) {
    const secretOutputs = pulumiFieldPlan(
      resources[type.replace(/^./, (c) => c.toLowerCase()) as keyof typeof resources].fields,
    ).secretOutputs;
    assert.deepEqual(leakedCanaries(wouldBeState(properties, secretOutputs), Object.values(all)), [], type);
  }
  assert.ok(JSON.stringify(returned).includes(moved), "the moved value is an output (marked secret)");
});
