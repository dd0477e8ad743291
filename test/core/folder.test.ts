/**
 * The folder resource against the embedded server over real HTTP: lifecycle, rename in place with
 * the secrets inside following, drift, import, the non-empty delete guard, and a secret whose path
 * changes moving without losing its value.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mapApiError } from "../../src/provider/api/errors";
import { foldersApi } from "../../src/provider/api/folders";
import type { ApiCall, Send } from "../../src/provider/api/send";
import {
  ApiValidationError,
  FolderNotEmptyError,
  NotFoundError,
  ProviderError,
  ValidationError,
} from "../../src/provider/errors";
import { folder } from "../../src/provider/resources/folder";
import { secret } from "../../src/provider/resources/secret";
import { secretTag } from "../../src/provider/resources/secret-tag";
import type { Outputs } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { type Json, startLyingProxy } from "../support/lying-proxy";
import { startFaultProxy } from "./fault-proxy";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness, uniqueName } from "./harness";

describe("folder resource", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("check names the field: the server's segment rule, canonical paths, no unknown fields", () => {
    const projectId = "p1";
    const failures = (inputs: Record<string, unknown>) =>
      folder.check({ projectId, environment: "dev", ...inputs }).failures.map((f) => f.path);
    assert.deepEqual(failures({ name: "db" }), []);
    assert.equal(folder.check({ projectId, environment: "dev", name: "db" }).inputs.path, "/");
    for (const name of ["my folder", "a.b", "x/y", "", "n".repeat(65), "é"])
      assert.deepEqual(failures({ name }), ["name"], name);
    for (const path of ["app", "/app/", "/a//b", "/a.b", "/a b"])
      assert.deepEqual(failures({ name: "db", path }), ["path"], path);
    assert.deepEqual(failures({ name: "db", fullPath: "/x" }), ["fullPath"]);
    assert.deepEqual(failures({ name: "db", forceDelete: "yes" }), ["forceDelete"]);
  });

  it("diff: rename in place; project, environment or parent path replace; fullPath planned from the inputs", () => {
    const olds = {
      projectId: "p",
      environment: "dev",
      path: "/app",
      name: "db",
      forceDelete: false,
      fullPath: "/app/db",
    };
    const renamed = folder.validated({ projectId: "p", environment: "dev", path: "/app", name: "database" });
    assert.deepEqual(folder.diff(olds, renamed), { changes: ["name"], replaces: [], deleteBeforeReplace: false });
    for (const [field, value] of [
      ["projectId", "q"],
      ["environment", "prod"],
    ] as const) {
      const news = folder.validated({ projectId: "p", environment: "dev", path: "/app", name: "db", [field]: value });
      assert.deepEqual(folder.diff(olds, news).replaces, [field]);
    }
    // A parent's rename changes `path` (it references the parent's full path): in place.
    const followed = folder.validated({ projectId: "p", environment: "dev", path: "/application", name: "db" });
    assert.deepEqual(folder.diff(olds, followed), { changes: ["path"], replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(folder.ops.plannedOutputs?.(renamed), { fullPath: "/app/database" });
    assert.deepEqual(folder.ops.plannedOutputs?.({ ...renamed, path: "/" }), { fullPath: "/database" });
  });

  it("create, read, rename in place (secrets follow), drift, import, guarded delete, delete twice", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const where = { projectId, environment: "dev" };
    const app = await folder.ops.create(ctx, folder.validated({ ...where, name: "app" }));
    assert.equal(app.outputs.fullPath, "/app");
    const inputs = folder.validated({ ...where, path: "/app", name: "db" });
    const db = await folder.ops.create(ctx, inputs);
    assert.equal(db.outputs.fullPath, "/app/db");
    assert.equal(db.outputs.folderId, db.id);
    const read = await folder.ops.read(ctx, db.id, db.outputs);
    assert.deepEqual(folder.diff(read as Outputs, inputs).changes, []);
    await assert.rejects(folder.ops.create(ctx, inputs), /already exists; import it/);
    const adopted = await folder.ops.create(ctx, folder.validated({ ...where, path: "/app", name: "db", adopt: true }));
    assert.equal(adopted.id, db.id, "adopt takes the existing folder over");

    const stored = await ctx.session.secrets.create(
      { projectId, environment: "dev", path: "/app/db" },
      { key: "DB_URL", value: "postgres://db", comment: "" },
    );
    const renamedInputs = folder.validated({ ...where, path: "/app", name: "database" });
    const renamed = await folder.ops.update(ctx, db.id, db.outputs, renamedInputs);
    assert.equal(renamed.fullPath, "/app/database");
    assert.equal(renamed.folderId, db.id);
    const moved = await ctx.session.secrets.list(
      { projectId, environment: "dev", path: "/app/database" },
      { fresh: true },
    );
    assert.deepEqual(
      moved.map((s) => [s.secretId, s.value]),
      [[stored.secretId, "postgres://db"]],
    );

    // A rename made outside is drift on `name`; the id stays.
    await ctx.session.api.folders.rename({ workspaceId: projectId, environment: "dev" }, db.id, "/app", "outside");
    const drifted = await folder.ops.read(ctx, db.id, renamed);
    assert.equal(drifted?.name, "outside");
    assert.equal(drifted?.fullPath, "/app/outside");
    // A parent renamed outside: the folder is found by id and reports where it now is.
    await ctx.session.api.folders.rename({ workspaceId: projectId, environment: "dev" }, app.id, "/", "application");
    const relocated = await folder.ops.read(ctx, db.id, drifted!);
    assert.equal(relocated?.path, "/application");
    assert.equal(relocated?.fullPath, "/application/outside");
    // The configuration follows the parent's new name: an in-place update with no write.
    const from = h.requests.length;
    const followed = await folder.ops.update(
      ctx,
      db.id,
      drifted!,
      folder.validated({ ...where, path: "/application", name: "outside" }),
    );
    assert.deepEqual(
      [followed.path, followed.fullPath, followed.folderId],
      ["/application", "/application/outside", db.id],
    );
    assert.equal(h.count("PATCH", /folders/, from), 0);
    // Any other parent change cannot be done by the server: refused naming `path`, nothing written.
    await assert.rejects(
      folder.ops.update(ctx, db.id, followed, folder.validated({ ...where, path: "/elsewhere", name: "outside" })),
      (e: unknown) => e instanceof ValidationError && e.failures[0]?.path === "path",
    );
    assert.equal(h.count("PATCH", /folders/, from) + h.count("POST", /folders/, from), 0);

    const imported = await folder.ops.import(ctx, `${projectId}:dev:/application/outside`);
    assert.equal(imported.id, db.id);
    assert.deepEqual(
      { path: imported.outputs.path, name: imported.outputs.name, forceDelete: imported.outputs.forceDelete },
      { path: "/application", name: "outside", forceDelete: false },
    );
    await assert.rejects(folder.ops.import(ctx, `${projectId}:dev:/application/none`), NotFoundError);
    await assert.rejects(folder.ops.import(ctx, `${projectId}:dev:/`), ValidationError);
    await assert.rejects(folder.ops.import(ctx, `${projectId}:dev`), ValidationError);

    // Not empty: refused, naming what it holds (a count of secrets, never their names or values).
    const sub = await folder.ops.create(
      ctx,
      folder.validated({ ...where, path: "/application/outside", name: "replica" }),
    );
    const state = imported.outputs;
    const refused = await folder.ops.delete(ctx, db.id, state).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof FolderNotEmptyError);
    assert.equal(refused.code, "ERR_FOLDER_NOT_EMPTY");
    assert.equal(refused.secretCount, 1);
    assert.deepEqual(refused.subfolders, ["replica"]);
    assert.doesNotMatch(refused.message, /DB_URL|postgres/);
    assert.match(refused.message, /1 secret and 1 subfolder \(replica\)/);
    assert.ok(await folder.ops.read(ctx, db.id, state), "nothing was deleted");

    await folder.ops.delete(ctx, db.id, { ...state, forceDelete: true });
    assert.equal(await folder.ops.read(ctx, db.id, state), undefined);
    assert.equal(await folder.ops.read(ctx, sub.id, sub.outputs), undefined);
    await folder.ops.delete(ctx, db.id, { ...state, forceDelete: true });
    await folder.ops.delete(ctx, app.id, { ...app.outputs, path: "/", name: "application" });
  });

  it("the real server's 500s for malformed ids and path segments arrive as typed errors", async () => {
    // The real server's answers, through the same mapping the HTTP layer applies.
    const answering500 = (dbOp: string) => (call: ApiCall) =>
      Promise.reject(
        mapApiError(500, { statusCode: 500, message: "Something went wrong", error: dbOp }, call.operation, call.route),
      );
    const scope = { workspaceId: "p", environment: "dev" };
    const byId = foldersApi(answering500("Find by id") as Send);
    await assert.rejects(byId.get("not-a-uuid"), NotFoundError);
    await assert.rejects(byId.rename(scope, "not-a-uuid", "/", "x"), NotFoundError);
    await assert.rejects(byId.delete(scope, "not-a-uuid", "/"), NotFoundError);
    const byPath = foldersApi(answering500("Find by secret path") as Send);
    await assert.rejects(
      byPath.list(scope, "/a.b"),
      (e: unknown) => e instanceof ApiValidationError && /path/.test(e.message),
    );
    await assert.rejects(byPath.create(scope, "/", "a.b"), ApiValidationError);
    // The embedded server answers 400 instead, mapped as a validation failure too; unknown UUIDs are 404s.
    const { api } = h.userSession();
    const real = { workspaceId: h.boot.projectId, environment: "dev" };
    await assert.rejects(api.folders.get("not-a-uuid"), ApiValidationError);
    await assert.rejects(api.folders.list(real, "/a.b"), ApiValidationError);
    await assert.rejects(api.folders.get("00000000-0000-4000-8000-000000000000"), NotFoundError);
    await assert.rejects(api.folders.rename(real, "00000000-0000-4000-8000-000000000000", "/", "x"), NotFoundError);
  });

  it("a lying server's answer without folders is a typed ERR_API, never a crash", async () => {
    let lie: (body: Json) => Json = (body) => body;
    const proxy = await startLyingProxy(h.server.url, (_method, path, body) =>
      path.startsWith("/api/v1/folders") ? lie(body) : undefined,
    );
    const session = openSession({ host: proxy.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { env: {} });
    try {
      const ctx = h.ctx(session);
      const inputs = folder.validated({ projectId: h.boot.projectId, environment: "dev", name: "lied-to" });
      for (const answer of [{ folders: "nope" }, { folders: [{ id: 7 }] }, {}, "text"]) {
        lie = () => answer;
        await assert.rejects(
          folder.ops.create(ctx, inputs),
          (e: unknown) => ProviderError.is(e) && e.code === "ERR_API",
          JSON.stringify(answer),
        );
      }
      assert.ok(proxy.lies.length >= 4);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("a secret whose path changes without a folder rename moves: written at the new path, removed from the old, value kept", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const inputs = secret.validated({
      projectId,
      environment: "dev",
      path: "/",
      key: "MOVER",
      generate: { length: 20 },
    });
    const created = await secret.ops.create(ctx, inputs);
    const value = created.outputs.value;
    const news = secret.validated({
      projectId,
      environment: "dev",
      path: "/target",
      key: "MOVER",
      generate: { length: 20 },
      createMissingFolders: true,
    });
    const diff = secret.diff(created.outputs, news);
    assert.deepEqual(diff.replaces, [], "a path change is an in-place update");
    const moved = await secret.ops.update(ctx, created.id, created.outputs, news);
    assert.equal(moved.path, "/target");
    assert.equal(moved.value, value, "the generated value is kept, not regenerated");
    const there = await ctx.session.secrets.list({ projectId, environment: "dev", path: "/target" }, { fresh: true });
    assert.deepEqual(
      there.map((s) => [s.key, s.value]),
      [["MOVER", value]],
    );
    const root = await ctx.session.secrets.list({ projectId, environment: "dev", path: "/" }, { fresh: true });
    assert.equal(
      root.some((s) => s.key === "MOVER"),
      false,
    );
    const reread = await secret.ops.read(ctx, created.id, moved);
    assert.equal(reread?.secretId, moved.secretId);
  });

  it("a moved secret keeps its tags: the configured set, and when tagIds is unset the ones it had", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const slug = uniqueName("mv").toLowerCase().replace(/_/g, "-");
    const tag = await secretTag.ops.create(ctx, secretTag.validated({ projectId, name: slug, slug }));
    const at = (path: string, extra: Record<string, unknown>) =>
      secret.validated({ projectId, environment: "dev", path, value: "v", createMissingFolders: true, ...extra });
    const tagsAt = async (path: string, key: string) =>
      (await ctx.session.secrets.list({ projectId, environment: "dev", path }, { fresh: true })).find(
        (s) => s.key === key,
      )?.tagIds;

    const configured = await secret.ops.create(ctx, at("/", { key: "TAGGED_MOVER", tagIds: [tag.id] }));
    const news = at("/tag-move", { key: "TAGGED_MOVER", tagIds: [tag.id] });
    const moved = await secret.ops.update(ctx, configured.id, configured.outputs, news);
    assert.deepEqual(
      await tagsAt("/tag-move", "TAGGED_MOVER"),
      [tag.id],
      "the configured tags are on the moved secret",
    );
    const reread = await secret.ops.read(ctx, configured.id, moved);
    assert.deepEqual(secret.diff(reread!, news).changes, [], "the next plan is empty");

    // Tags managed by others (tagIds unset) travel with the secret too.
    const unmanaged = await secret.ops.create(ctx, at("/", { key: "OTHERS_TAGS" }));
    await ctx.session.secrets.update(
      { projectId, environment: "dev", path: "/" },
      { key: "OTHERS_TAGS", value: "v", comment: "", tagIds: [tag.id] },
    );
    const movedUnmanaged = await secret.ops.update(
      ctx,
      unmanaged.id,
      (await secret.ops.read(ctx, unmanaged.id, unmanaged.outputs))!,
      at("/tag-move", { key: "OTHERS_TAGS" }),
    );
    assert.deepEqual(await tagsAt("/tag-move", "OTHERS_TAGS"), [tag.id], "tags set by others are not dropped");
    assert.deepEqual(movedUnmanaged.tagIds, [tag.id]);
  });

  it("a move whose delete at the old path fails converges on the next apply, without a duplicate or a lost value", async () => {
    const projectId = h.boot.projectId;
    const proxy = await startFaultProxy(h.server.url);
    const session = openSession(
      { host: proxy.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      { env: {}, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
    );
    try {
      const ctx = h.ctx(session);
      const at = (path: string) =>
        secret.validated({
          projectId,
          environment: "dev",
          path,
          key: "HALF_MOVED",
          generate: { length: 24 },
          comment: "kept",
          createMissingFolders: true,
        });
      const created = await secret.ops.create(ctx, at("/"));
      proxy.addRule({ method: "DELETE", path: /secrets/, fault: "503", times: 2 });
      await assert.rejects(secret.ops.update(ctx, created.id, created.outputs, at("/half")));
      // State is unchanged (the update failed): the next plan still moves it, and the apply must finish it.
      const state = (await secret.ops.read(ctx, created.id, created.outputs))!;
      assert.deepEqual(secret.diff(state, at("/half")).changes, ["path"]);
      const finished = await secret.ops.update(ctx, created.id, state, at("/half"));
      const list = (path: string) =>
        session.secrets
          .list({ projectId, environment: "dev", path }, { fresh: true })
          .then((all) => all.filter((s) => s.key === "HALF_MOVED"));
      const there = await list("/half");
      assert.deepEqual(
        there.map((s) => [s.value, s.comment, s.secretId]),
        [[created.outputs.value, "kept", finished.secretId]],
      );
      assert.deepEqual(await list("/"), [], "the old copy is gone");
      assert.equal(finished.value, created.outputs.value);
      const reread = await secret.ops.read(ctx, created.id, finished);
      assert.deepEqual(secret.diff(reread!, at("/half")).changes, []);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("after a move the secret is still followed by its server id: a rename outside is drift, not a vanished secret", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const at = (path: string) =>
      secret.validated({
        projectId,
        environment: "dev",
        path,
        key: "FOLLOWED",
        value: "v",
        createMissingFolders: true,
      });
    const created = await secret.ops.create(ctx, at("/"));
    const moved = await secret.ops.update(ctx, created.id, created.outputs, at("/followed"));
    assert.notEqual(moved.secretId, created.id, "the move wrote a new secret");
    await ctx.session.secrets.update(
      { projectId, environment: "dev", path: "/followed" },
      { key: "FOLLOWED", newKey: "RENAMED_OUTSIDE", value: "v", comment: "" },
    );
    // Both faces keep the id the resource was created with; state's secretId is the current one.
    const read = await secret.ops.read(ctx, created.id, moved);
    assert.equal(read?.key, "RENAMED_OUTSIDE", "the rename shows as drift");
    assert.deepEqual(secret.diff(read!, at("/followed")).changes, ["key"]);
    const renamedBack = await secret.ops.update(ctx, created.id, read!, at("/followed"));
    assert.equal(renamedBack.secretId, moved.secretId, "renamed back in place");
    await secret.ops.delete(ctx, created.id, renamedBack);
    const left = await ctx.session.secrets.list({ projectId, environment: "dev", path: "/followed" }, { fresh: true });
    assert.deepEqual(
      left.map((s) => s.key),
      [],
    );
  });

  it("a move onto a path where another secret holds the key fails naming path and the remedy, without the key, leaving both", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const at = (path: string, value: string) =>
      secret.validated({ projectId, environment: "dev", path, key: "CLASHING", value, createMissingFolders: true });
    const theirs = await secret.ops.create(ctx, at("/clash", "theirs"));
    const mine = await secret.ops.create(ctx, at("/", "mine"));
    await assert.rejects(secret.ops.update(ctx, mine.id, mine.outputs, at("/clash", "mine")), (error: unknown) => {
      assert.ok(error instanceof ValidationError, String(error));
      assert.deepEqual(
        error.failures.map((f) => f.path),
        ["path"],
      );
      assert.match(error.message, /already holds a secret with this key/);
      assert.equal(error.message.includes("CLASHING"), false, "the key is a secret name");
      return true;
    });
    const values = async (path: string) =>
      (await ctx.session.secrets.list({ projectId, environment: "dev", path }, { fresh: true }))
        .filter((s) => s.key === "CLASHING")
        .map((s) => s.value);
    assert.deepEqual(await values("/clash"), ["theirs"]);
    assert.deepEqual(await values("/"), ["mine"]);
    await secret.ops.delete(ctx, mine.id, mine.outputs);
    await secret.ops.delete(ctx, theirs.id, theirs.outputs);
  });
});
