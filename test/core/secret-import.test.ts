/**
 * Secret imports in the core: the precedence rule on its own (pure), then the resource's
 * lifecycle and the `secrets` lookup with `include_imports` against the embedded server over HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { lookups, resources } from "../../src/provider/registry";
import { type ImportedGroup, resolveEffectiveSecrets } from "../../src/provider/session/imported-secrets";
import type { PlainSecret } from "../../src/provider/session/session";
import { type Harness, startHarness } from "./harness";

/** Infisical's own legacy client (CommonJS, no typings for its default export). */
const InfisicalClient = require("infisical-node") as new (options: {
  token: string;
  siteURL: string;
  cacheTTL?: number;
}) => {
  getAllSecrets(options: {
    environment: string;
    path: string;
    includeImports: boolean;
    attachToProcessEnv: boolean;
  }): Promise<Array<{ secretName: string; secretValue: string }>>;
};

const plain = (key: string, value: string, type = "shared"): PlainSecret => ({
  secretId: `${key}-${value}`,
  key,
  value,
  comment: "",
  version: 1,
  type,
});

const group = (environment: string, path: string, ...secrets: PlainSecret[]): ImportedGroup => ({
  environment,
  path,
  secrets,
});

describe("precedence of imported secrets (resolveEffectiveSecrets)", () => {
  const here = { environment: "dev", path: "/" };
  const values = (own: PlainSecret[], imports: ImportedGroup[]) =>
    Object.fromEntries(
      resolveEffectiveSecrets(own, here, imports).map((s) => [s.key, `${s.value}@${s.environment}:${s.path}`]),
    );

  it("the folder's own shared secret wins over every import", () => {
    assert.deepEqual(values([plain("A", "own")], [group("prod", "/", plain("A", "prod"), plain("B", "prod"))]), {
      A: "own@dev:/",
      B: "prod@prod:/",
    });
  });

  it("among imports the highest position wins (the last in the server's list)", () => {
    const imports = [group("staging", "/", plain("K", "staging")), group("prod", "/", plain("K", "prod"))];
    assert.deepEqual(values([], imports), { K: "prod@prod:/" });
    assert.deepEqual(values([], [...imports].reverse()), { K: "staging@staging:/" });
  });

  it("within one import the source's own secret beats those the source imports (listed after it)", () => {
    const staging = group(
      "staging",
      "/",
      plain("SHARED", "staging"),
      plain("SHARED", "prod-deep"),
      plain("DEEP", "deep"),
    );
    assert.deepEqual(values([], [staging]), { SHARED: "staging@staging:/", DEEP: "deep@staging:/" });
  });

  it("personal overrides are left out on both sides, and names come out sorted", () => {
    const result = resolveEffectiveSecrets([plain("B", "mine", "personal"), plain("C", "own")], here, [
      group("prod", "/", plain("A", "override", "personal"), plain("B", "prod")),
    ]);
    assert.deepEqual(
      result.map((s) => [s.key, s.value]),
      [
        ["B", "prod"],
        ["C", "own"],
      ],
    );
    assert.deepEqual(resolveEffectiveSecrets([], here, []), []);
  });
});

describe("secretImport resource and the secrets lookup with include_imports", () => {
  let h: Harness;
  const { secretImport } = resources;
  before(async () => {
    h = await startHarness({ projectName: "import-project" });
  });
  after(() => h.close());

  it("create, drift on a user-set position only, in-place source change, replace on destination, import, delete", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const store = ctx.session.secrets;
    await store.ensureFolders({ projectId, environment: "prod", path: "/shared" });
    await store.create(
      { projectId, environment: "prod", path: "/shared" },
      { key: "DB", value: "prod-db", comment: "" },
    );
    await store.create(
      { projectId, environment: "staging", path: "/" },
      { key: "DB", value: "staging-db", comment: "" },
    );

    const first = secretImport.validated({
      projectId,
      environment: "dev",
      importEnvironment: "prod",
      importPath: "/shared",
    });
    const a = await secretImport.ops.create(ctx, first);
    assert.equal(a.outputs.position, 1);
    assert.equal(a.outputs.path, "/");
    const second = secretImport.validated({
      projectId,
      environment: "dev",
      importEnvironment: "staging",
      importPath: "/",
    });
    const b = await secretImport.ops.create(ctx, second);
    assert.equal(b.outputs.position, 2);

    // Moved outside: an unset position follows quietly, a set one shows as a change.
    const scope = { workspaceId: projectId, environment: "dev", path: "/" };
    await ctx.session.api.secretImports.update(scope, b.id, { position: 1 });
    const readA = await secretImport.ops.read(ctx, a.id, a.outputs);
    assert.equal(readA?.position, 2);
    assert.deepEqual(secretImport.diff(readA!, first).changes, []);
    const pinned = secretImport.validated({ ...first, position: 1 });
    assert.deepEqual(secretImport.diff(readA!, pinned), {
      changes: ["position"],
      replaces: [],
      deleteBeforeReplace: false,
    });
    const moved = await secretImport.ops.update(ctx, a.id, readA!, pinned);
    assert.equal(moved.position, 1);

    // A new source changes in place; a new destination replaces.
    const repointed = secretImport.validated({ ...pinned, importPath: "/" });
    assert.deepEqual(secretImport.diff(moved, repointed).replaces, []);
    const updated = await secretImport.ops.update(ctx, a.id, moved, repointed);
    assert.equal(updated.importPath, "/");
    assert.equal(updated.position, 1);
    assert.deepEqual(
      secretImport.diff(updated, secretImport.validated({ ...repointed, environment: "staging" })).replaces,
      ["environment"],
    );

    // Import by <project>:<environment>:<path>:<id>; malformed ids are refused before any request.
    const imported = await secretImport.ops.import(ctx, `${projectId}:dev:/:${b.id}`);
    assert.equal(imported.outputs.importEnvironment, "staging");
    assert.equal(imported.outputs.secretImportId, b.id);
    const before = h.requests.length;
    await assert.rejects(secretImport.ops.import(ctx, `${projectId}:dev:/:not-a-uuid`), { code: "ERR_VALIDATION" });
    await assert.rejects(ctx.session.api.secretImports.delete(scope, "not-a-uuid"), { code: "ERR_VALIDATION" });
    assert.equal(h.requests.length, before);
    await assert.rejects(secretImport.ops.import(ctx, `${projectId}:dev:/:0b7e9a9e-6c1e-4d7b-9a55-3c4f6d1e2a10`), {
      code: "ERR_API_NOT_FOUND",
    });

    // Deleted outside: read reports it gone; delete of a gone import is done.
    await ctx.session.api.secretImports.delete(scope, b.id);
    assert.equal(await secretImport.ops.read(ctx, b.id, b.outputs), undefined);
    await secretImport.ops.delete(ctx, b.id, b.outputs);
    // A missing importing folder reads as gone too.
    assert.equal(await secretImport.ops.read(ctx, a.id, { ...a.outputs, path: "/nowhere" }), undefined);
    await secretImport.ops.delete(ctx, a.id, updated);
    assert.deepEqual((await ctx.session.api.secretImports.list(scope)).secretImports, []);
  });

  it("a path change moves in place: after a folder rename it is found there; to another folder it is recreated there, once", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const { folder } = resources;
    const made = await folder.ops.create(ctx, folder.validated({ projectId, environment: "dev", name: "importer-a" }));
    await folder.ops.create(ctx, folder.validated({ projectId, environment: "dev", name: "importer-c" }));
    const at = (path: string) =>
      secretImport.validated({ projectId, environment: "dev", path, importEnvironment: "prod", importPath: "/" });
    const created = await secretImport.ops.create(ctx, at("/importer-a"));
    const renamed = folder.validated({ projectId, environment: "dev", name: "importer-b" });
    await folder.ops.update(ctx, made.id, made.outputs, renamed);
    const listAt = async (path: string) =>
      (await ctx.session.api.secretImports.list({ workspaceId: projectId, environment: "dev", path })).secretImports;

    const diff = secretImport.diff(created.outputs, at("/importer-b"));
    assert.deepEqual([diff.changes, diff.replaces], [["path"], []], "a new path is an in-place change");
    const followed = await secretImport.ops.update(ctx, created.id, created.outputs, at("/importer-b"));
    assert.equal(followed.secretImportId, created.id, "the import moved along with its folder");
    assert.deepEqual(
      (await listAt("/importer-b")).map((i) => i.id),
      [created.id],
    );
    assert.deepEqual(
      secretImport.diff((await secretImport.ops.read(ctx, created.id, followed))!, at("/importer-b")).changes,
      [],
    );

    const moved = await secretImport.ops.update(ctx, created.id, followed, at("/importer-c"));
    assert.deepEqual(await listAt("/importer-b"), [], "removed from the old folder");
    assert.deepEqual(
      (await listAt("/importer-c")).map((i) => [i.id, i.importEnv.slug, i.importPath]),
      [[moved.secretImportId, "prod", "/"]],
    );
    // The faces keep the first id: read and delete follow state's secretImportId.
    const reread = await secretImport.ops.read(ctx, created.id, moved);
    assert.deepEqual(secretImport.diff(reread!, at("/importer-c")).changes, []);
    await secretImport.ops.delete(ctx, created.id, reread!);
    assert.deepEqual(await listAt("/importer-c"), []);
  });

  it("create with a position moves the new import there (the server appends it first)", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const make = (importEnvironment: string, position?: number) =>
      secretImport.ops.create(
        ctx,
        secretImport.validated({ projectId, environment: "prod", importEnvironment, importPath: "/", position }),
      );
    const last = await make("dev");
    const first = await make("staging", 1);
    assert.equal(first.outputs.position, 1);
    assert.equal((await secretImport.ops.read(ctx, last.id, last.outputs))?.position, 2);
    for (const made of [first, last]) await secretImport.ops.delete(ctx, made.id, made.outputs);
  });

  it("a direct cycle is a validation error naming the cause", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const there = await resources.secretImport.ops.create(
      ctx,
      resources.secretImport.validated({
        projectId,
        environment: "staging",
        importEnvironment: "prod",
        importPath: "/",
      }),
    );
    await assert.rejects(
      resources.secretImport.ops.create(
        ctx,
        resources.secretImport.validated({
          projectId,
          environment: "prod",
          importEnvironment: "staging",
          importPath: "/",
        }),
      ),
      (error: { code?: string; message?: string }) =>
        error.code === "ERR_API_VALIDATION" && /cyclic import/.test(error.message ?? ""),
    );
    await resources.secretImport.ops.delete(ctx, there.id, there.outputs);
  });

  it("include_imports: effective values in one request, decrypted here, local secrets winning, the last import winning", async () => {
    const ctx = h.ctx(h.userSession());
    const projectId = h.boot.projectId;
    const store = ctx.session.secrets;
    const loc = (environment: string, path = "/") => ({ projectId, environment, path });
    await store.ensureFolders(loc("dev", "/app"));
    await store.create(loc("dev", "/app"), { key: "LOCAL", value: "local", comment: "" });
    await store.create(loc("dev", "/app"), { key: "DB", value: "dev-override", comment: "" });
    await store.create(loc("prod", "/shared"), { key: "API", value: "prod-api", comment: "" });
    await store.create(loc("staging"), { key: "API", value: "staging-api", comment: "" });
    for (const [environment, path] of [
      ["staging", "/"],
      ["prod", "/shared"],
    ] as const) {
      await resources.secretImport.ops.create(
        ctx,
        resources.secretImport.validated({
          projectId,
          environment: "dev",
          path: "/app",
          importEnvironment: environment,
          importPath: path,
        }),
      );
    }
    const from = h.requests.length;
    const effective = await lookups.secrets.run(ctx, { ...loc("dev", "/app"), includeImports: true });
    assert.equal(h.count("GET", "/api/v3/secrets", from), 1);
    assert.deepEqual(effective.values, {
      API: "prod-api",
      DB: "dev-override",
      LOCAL: "local",
    });
    assert.deepEqual(
      effective.secrets?.map((s) => `${s.key}@${s.environment}:${s.path}`),
      ["API@prod:/shared", "DB@dev:/app", "LOCAL@dev:/app"],
    );
    const plainList = await lookups.secrets.run(ctx, loc("dev", "/app"));
    assert.deepEqual(Object.keys(plainList.values ?? {}), ["DB", "LOCAL"]);

    // Infisical's own legacy client resolves the same answer to the same effective values.
    const legacy = new InfisicalClient({ token: h.boot.serviceToken, siteURL: h.server.url, cacheTTL: 0 });
    const bundles = await legacy.getAllSecrets({
      environment: "dev",
      path: "/app",
      includeImports: true,
      attachToProcessEnv: false,
    });
    assert.deepEqual(Object.fromEntries(bundles.map((b) => [b.secretName, b.secretValue])), effective.values);
  });
});
