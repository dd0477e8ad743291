import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConflictError } from "../../src/provider/errors";
import { secret } from "../../src/provider/resources/secret";
import type { Outputs } from "../../src/provider/schema/resource";
import { type Harness, startHarness, uniqueName } from "./harness";

describe("secret resource against the embedded server", () => {
  let h: Harness;
  let projectId: string;
  before(async () => {
    h = await startHarness();
    projectId = h.boot.projectId;
  });
  after(() => h.close());

  const inputsFor = (extra: Record<string, unknown>) => secret.validated({ projectId, environment: "dev", ...extra });

  it("create → read → no-op diff; the server stores only ciphertext", async () => {
    const session = h.userSession();
    const key = uniqueName("DB_PASSWORD");
    const inputs = inputsFor({ key, value: "s3cr3t-value", comment: "the db password" });
    const created = await secret.ops.create(h.ctx(session), inputs);
    assert.equal(created.outputs.value, "s3cr3t-value");
    assert.equal(created.outputs.comment, "the db password");
    assert.ok(created.outputs.version! >= 1);
    assert.equal(created.id, created.outputs.secretId);

    const read = await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs);
    assert.equal(read?.value, "s3cr3t-value");
    assert.equal(read?.key, key);
    assert.deepEqual(secret.diff(read as Outputs, inputs).changes, []);

    const wire = await session.api.secrets.get({ workspaceId: projectId, environment: "dev", secretPath: "/" }, key);
    const raw = JSON.stringify(wire);
    assert.ok(!raw.includes("s3cr3t-value") && !raw.includes("the db password"), "plaintext reached the server");
  });

  it("in-place value and comment update bumps the version; key rename keeps the ID", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("API_KEY");
    const created = await secret.ops.create(ctx, inputsFor({ key, value: "v1" }));
    const changed = inputsFor({ key, value: "v2", comment: "now commented" });
    const diff = secret.diff(created.outputs, changed);
    assert.deepEqual(diff.changes.sort(), ["comment", "value"]);
    assert.deepEqual(diff.replaces, []);
    const updated = await secret.ops.update(ctx, created.id, created.outputs, changed);
    assert.equal(updated.value, "v2");
    assert.ok(updated.version! > created.outputs.version!);

    const renamedKey = `${key}_RENAMED`;
    const renamed = inputsFor({ key: renamedKey, value: "v2", comment: "now commented" });
    assert.deepEqual(secret.diff(updated, renamed), { changes: ["key"], replaces: [], deleteBeforeReplace: false });
    const afterRename = await secret.ops.update(ctx, created.id, updated, renamed);
    assert.equal(afterRename.key, renamedKey);
    assert.equal(afterRename.secretId, created.id);
    const fresh = h.userSession();
    assert.equal(await fresh.secrets.get({ projectId, environment: "dev", path: "/" }, key), undefined);
    assert.equal((await fresh.secrets.get({ projectId, environment: "dev", path: "/" }, renamedKey))?.value, "v2");
  });

  it("changing project or environment is a replace; a path change moves in place (a folder rename moves secrets)", () => {
    const outputs = { ...inputsFor({ key: "K", value: "v" }), secretId: "x", version: 1 };
    for (const [field, value] of [
      ["environment", "prod"],
      ["projectId", "another-project"],
    ] as const) {
      const diff = secret.diff(outputs, inputsFor({ key: "K", value: "v", [field]: value }));
      assert.deepEqual(diff.replaces, [field], field);
    }
    const moved = secret.diff(outputs, inputsFor({ key: "K", value: "v", path: "/other" }));
    assert.deepEqual([moved.changes, moved.replaces], [["path"], []]);
  });

  it("import by <projectId>:<environment>:<path>:<key>", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("IMPORTED");
    const created = await secret.ops.create(ctx, inputsFor({ key, value: "imp", comment: "c" }));
    const imported = await secret.ops.import(h.ctx(h.userSession()), `${projectId}:dev:/:${key}`);
    assert.equal(imported.id, created.id);
    // The configuration may manage the value write-only, so an import never puts it in state.
    assert.equal(imported.outputs.value, undefined);
    assert.ok(!JSON.stringify(imported.outputs).includes('imp"'), "no plaintext value in imported state");
    assert.equal(imported.outputs.valueFingerprint, created.outputs.valueFingerprint);
    assert.equal(imported.outputs.comment, "c");
    // A configured `value` fills it in with the next update; nothing else differs.
    assert.deepEqual(secret.diff(imported.outputs, inputsFor({ key, value: "imp", comment: "c" })).changes, ["value"]);
    assert.deepEqual(secret.diff(imported.outputs, inputsFor({ key, valueWo: "imp", comment: "c" })).changes, []);
    // That update only brings the value into state: the server already holds it, so nothing is sent.
    const updateImported = (value: string) =>
      secret.ops.update(ctx, imported.id, imported.outputs, inputsFor({ key, value, comment: "c" }));
    const before = h.requests.length;
    const filled = await updateImported("imp");
    assert.equal(h.requests.length - before, 0, "no request to fill in a value the server holds");
    assert.equal(filled.value, "imp");
    assert.equal(filled.version, imported.outputs.version);
    assert.equal(filled.valueFingerprint, imported.outputs.valueFingerprint);
    assert.equal(filled.sentValueFingerprint, imported.outputs.valueFingerprint);
    assert.deepEqual(secret.diff(filled, inputsFor({ key, value: "imp", comment: "c" })).changes, []);
    // Another configured value (or comment) is a real update and is sent.
    const sentBefore = h.requests.length;
    const changed = await updateImported("imp2");
    assert.ok(h.count("PATCH", /secrets/, sentBefore) >= 1, "a different value is sent");
    assert.equal(changed.value, "imp2");
    assert.notEqual(changed.valueFingerprint, imported.outputs.valueFingerprint);
    await assert.rejects(secret.ops.import(ctx, `${projectId}:dev:/:NO_SUCH_${key}`), {
      code: "ERR_API_NOT_FOUND",
      message: 'import secret failed: no secret with this key at environment "dev", path "/"',
    });
    await assert.rejects(secret.ops.import(ctx, `${projectId}:dev:/no/such/folder:${key}`), {
      code: "ERR_API_NOT_FOUND",
      message: 'import secret failed: no secret with this key at environment "dev", path "/no/such/folder"',
    });
    await assert.rejects(secret.ops.import(ctx, `${projectId}:no-such-env:/:${key}`), {
      code: "ERR_API_NOT_FOUND",
      message: 'import secret failed: the project has no environment "no-such-env"',
    });
    await assert.rejects(secret.ops.import(ctx, "only:two"), { code: "ERR_VALIDATION" });
  });

  it("drift: changed outside is reported; deleted outside reads as gone; delete of a gone secret is done", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("DRIFTY");
    const inputs = inputsFor({ key, value: "original" });
    const created = await secret.ops.create(ctx, inputs);
    const outside = h.tokenSession();
    await outside.secrets.update(
      { projectId, environment: "dev", path: "/" },
      { key, value: "changed outside", comment: "" },
    );
    const drifted = await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs);
    assert.equal(drifted?.value, "changed outside");
    assert.deepEqual(secret.diff(drifted as Outputs, inputs).changes, ["value"]);

    assert.equal(await outside.secrets.delete({ projectId, environment: "dev", path: "/" }, key), true);
    assert.equal(await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs), undefined);
    await secret.ops.delete(ctx, created.id, created.outputs);
  });

  it("delete removes it; deleting again is not an error", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("SHORT_LIVED");
    const created = await secret.ops.create(ctx, inputsFor({ key, value: "x" }));
    await secret.ops.delete(ctx, created.id, created.outputs);
    assert.equal(await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs), undefined);
    await secret.ops.delete(h.ctx(h.userSession()), created.id, created.outputs);
  });

  it("generate makes a value of the requested shape; a new rotationTrigger makes a new one in place", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("GENERATED");
    const generate = { length: 40, symbols: false, uppercase: false };
    const inputs = inputsFor({ key, generate, rotationTrigger: "2024-01" });
    const created = await secret.ops.create(ctx, inputs);
    const first = created.outputs.value!;
    assert.match(first, /^[a-z0-9]{40}$/);
    assert.deepEqual(secret.diff(created.outputs, inputs).changes, []);

    const rotated = inputsFor({ key, generate, rotationTrigger: "2024-02" });
    const diff = secret.diff(created.outputs, rotated);
    assert.deepEqual(diff.changes.sort(), ["rotationTrigger", "value"]);
    assert.deepEqual(diff.replaces, []);
    assert.deepEqual(secret.ops.computedChanges!(created.outputs, rotated, diff).sort(), [
      "sentValueFingerprint",
      "value",
      "valueFingerprint",
      "version",
    ]);
    const updated = await secret.ops.update(ctx, created.id, created.outputs, rotated);
    assert.match(updated.value!, /^[a-z0-9]{40}$/);
    assert.notEqual(updated.value, first);
    assert.equal(
      (await h.userSession().secrets.get({ projectId, environment: "dev", path: "/" }, key))?.value,
      updated.value,
    );
  });

  it("createMissingFolders creates nested folders once; without it a missing folder fails", async () => {
    const ctx = h.ctx(h.userSession());
    const path = `/${uniqueName("app")}/db`;
    await assert.rejects(secret.ops.create(ctx, inputsFor({ key: "NO_FOLDER", value: "x", path })), {
      code: "ERR_VALIDATION",
      failures: [{ path: "path", reason: "no such folder in this environment; create it or set createMissingFolders" }],
    });
    const from = h.requests.length;
    const made = await Promise.all(
      ["A", "B", "C"].map((k) =>
        secret.ops.create(ctx, inputsFor({ key: k, value: k, path, createMissingFolders: true })),
      ),
    );
    assert.equal(made.length, 3);
    assert.equal(h.count("POST", "/api/v1/folders", from), 2, "each folder created exactly once");
    const listed = await h.userSession().secrets.list({ projectId, environment: "dev", path });
    assert.deepEqual(listed.map((s) => s.key).sort(), ["A", "B", "C"]);
  });

  it("an unknown environment fails naming the environment field; nothing is written", async () => {
    const ctx = h.ctx(h.userSession());
    const from = h.requests.length;
    for (const createMissingFolders of [false, true]) {
      await assert.rejects(
        secret.ops.create(
          ctx,
          secret.validated({ projectId, environment: "no-such-env", key: "K", value: "v", createMissingFolders }),
        ),
        {
          code: "ERR_VALIDATION",
          failures: [{ path: "environment", reason: 'the project has no environment "no-such-env"' }],
        },
      );
    }
    const writes = h.requests.slice(from).filter((r) => r.method !== "GET" && r.status < 400);
    assert.deepEqual(writes, [], "no write succeeded");
  });

  it("a duplicate create is a conflict unless adopt is set", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("EXISTING");
    await secret.ops.create(ctx, inputsFor({ key, value: "first" }));
    await assert.rejects(secret.ops.create(ctx, inputsFor({ key, value: "second" })), ConflictError);
    const adopted = await secret.ops.create(ctx, inputsFor({ key, value: "adopted", adopt: true }));
    assert.equal(adopted.outputs.value, "adopted");
  });

  it("valueWo is sent but never kept in state, also not by a refresh", async () => {
    const ctx = h.ctx(h.userSession());
    const key = uniqueName("WRITE_ONLY");
    const created = await secret.ops.create(ctx, inputsFor({ key, valueWo: "wo-secret", valueWoVersion: 1 }));
    assert.equal(created.outputs.value, undefined);
    assert.ok(!JSON.stringify(created.outputs).includes("wo-secret"));
    const read = await secret.ops.read(h.ctx(h.userSession()), created.id, created.outputs);
    assert.ok(read && !JSON.stringify(read).includes("wo-secret"));
    assert.equal(
      (await h.userSession().secrets.get({ projectId, environment: "dev", path: "/" }, key))?.value,
      "wo-secret",
    );
    const bumped = inputsFor({ key, valueWo: "wo-secret-2", valueWoVersion: 2 });
    assert.deepEqual(secret.diff(created.outputs, bumped).changes, ["valueWoVersion"]);
    const updated = await secret.ops.update(ctx, created.id, created.outputs, bumped);
    assert.equal(updated.value, undefined);
    assert.equal(
      (await h.userSession().secrets.get({ projectId, environment: "dev", path: "/" }, key))?.value,
      "wo-secret-2",
    );
  });

  it("a service-token session reads what a user session wrote (same project key)", async () => {
    const key = uniqueName("SHARED");
    await secret.ops.create(h.ctx(h.userSession()), inputsFor({ key, value: "via-user" }));
    const viaToken = await h.tokenSession().secrets.get({ projectId, environment: "dev", path: "/" }, key);
    assert.equal(viaToken?.value, "via-user");
  });
});
