/**
 * Secret imports on the embedded server (`infisical-e2ee server` as its own process, real HTTP),
 * tried the way a holder of a weaker credential would: a token scoped to one environment must get
 * nothing from other environments through imports (the real server of 2024 leaks them), a viewer
 * cannot create, other projects stay out, malformed and oversized input is a 4xx naming the field
 * with nothing half-written, and an import of a missing folder does not shift the next one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import {
  addMember,
  createProject,
  createServiceToken,
  encryptSecret,
  inviteUser,
  type Json,
  login,
  type Session,
  signupAdmin,
  type TestProject,
} from "./helpers";
import { type ServerProcess, startServerProcess } from "./process";

let server: ServerProcess;
let admin: Session;
let project: TestProject;
const statuses: number[] = [];

async function call(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, token: string, payload?: Json) {
  const reply =
    method === "GET"
      ? await server.client.get(path, token, payload)
      : await server.client.request(method, path, { token, body: payload });
  statuses.push(reply.status);
  return reply;
}

const at = (environment: string, path = "/") => ({ workspaceId: project.id, environment, path });

async function putSecret(environment: string, secretPath: string, name: string, value: string) {
  if (secretPath !== "/") {
    const folder = await call("POST", "/api/v1/folders", admin.token, {
      workspaceId: project.id,
      environment,
      path: "/",
      name: secretPath.slice(1),
    });
    assert.equal(folder.status, 200);
  }
  const reply = await call("POST", `/api/v3/secrets/${name}`, admin.token, {
    workspaceId: project.id,
    environment,
    secretPath,
    ...encryptSecret(project.projectKey, name, value),
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

async function addImport(environment: string, path: string, source: { environment: string; path: string }) {
  const reply = await call("POST", "/api/v1/secret-imports", admin.token, { ...at(environment, path), import: source });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.secretImport as Json;
}

async function importsAt(environment: string, path = "/") {
  const reply = await call("GET", "/api/v1/secret-imports", admin.token, at(environment, path));
  assert.equal(reply.status, 200);
  return (reply.body.secretImports as Json[]).map((i) => ({
    id: i.id as string,
    from: `${i.importEnv.slug}:${i.importPath}`,
    position: i.position as number,
  }));
}

/** Decrypted names per import entry of the v3 list with include_imports. */
async function importedNames(token: string, environment: string, secretPath = "/") {
  const reply = await call("GET", "/api/v3/secrets", token, {
    workspaceId: project.id,
    environment,
    secretPath,
    include_imports: "true",
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return (reply.body.imports as Json[]).map((entry) => ({
    from: `${entry.environment}:${entry.secretPath}`,
    names: (entry.secrets as Json[]).map((s) =>
      decryptSymmetric(
        { ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag },
        project.projectKey,
      ),
    ),
  }));
}

before(async () => {
  server = await startServerProcess(["--quiet"]);
  await signupAdmin(server.client, "admin@example.com", "admin-password-1");
  admin = await login(server.client, "admin@example.com", "admin-password-1");
  project = await createProject(server.client, admin);
  await putSecret("prod", "/shared", "DB_PASSWORD", "prod-db-password");
  await putSecret("prod", "/deep", "DEEP_KEY", "deep");
  await putSecret("staging", "/", "STG_KEY", "staging");
  await putSecret("dev", "/", "DEV_KEY", "dev");
  await addImport("dev", "/", { environment: "prod", path: "/shared" });
  await addImport("dev", "/", { environment: "staging", path: "/" });
  await addImport("staging", "/", { environment: "prod", path: "/deep" });
});

after(async () => {
  await server.stop();
  // No request of this file, hostile or not, was answered with a 5xx.
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
});

describe("scope: imports never widen what a caller reads", () => {
  it("a read-only token scoped to dev gets nothing from other environments through imports", async () => {
    const { token } = await createServiceToken(server.client, admin, project, {
      permissions: ["read"],
      scopes: [{ environment: "dev", secretPath: "/" }],
    });
    // The admin sees both imports, the nested prod:/deep secret inside staging's entry.
    assert.deepEqual(await importedNames(admin.token, "dev"), [
      { from: "prod:/shared", names: ["DB_PASSWORD"] },
      { from: "staging:/", names: ["STG_KEY", "DEEP_KEY"] },
    ]);
    // The token reads its own folder, but no import entry: not in the list ...
    const own = await call("GET", "/api/v3/secrets", token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
      include_imports: "true",
    });
    assert.equal(own.status, 200);
    assert.equal(own.body.secrets.length, 1);
    assert.deepEqual(own.body.imports, []);
    // ... nor by name (the real server's fallback to imports) ...
    const byName = await call("GET", "/api/v3/secrets/DB_PASSWORD", token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
      include_imports: "true",
    });
    assert.equal(byName.status, 400);
    assert.equal(byName.body.message, "Secret not found");
    // ... nor through the imports' own secrets route.
    const viaImports = await call("GET", "/api/v1/secret-imports/secrets", token, at("dev"));
    assert.equal(viaImports.status, 200);
    assert.deepEqual(viaImports.body.secrets, []);
    // A direct read of prod is refused, as before.
    assert.equal(
      (
        await call("GET", "/api/v3/secrets", token, {
          workspaceId: project.id,
          environment: "prod",
          secretPath: "/shared",
        })
      ).status,
      401,
    );
  });

  it("a token that may read staging but not prod gets staging's secrets without the prod ones staging imports", async () => {
    const { token } = await createServiceToken(server.client, admin, project, {
      permissions: ["read"],
      scopes: [
        { environment: "dev", secretPath: "/" },
        { environment: "staging", secretPath: "/" },
      ],
    });
    assert.deepEqual(await importedNames(token, "dev"), [{ from: "staging:/", names: ["STG_KEY"] }]);
    const deep = await call("GET", "/api/v3/secrets/DEEP_KEY", token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
      include_imports: "true",
    });
    assert.equal(deep.status, 400);
  });

  it("the single-name lookup with include_imports falls back to the last import that has the name", async () => {
    const found = await call("GET", "/api/v3/secrets/STG_KEY", admin.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
      include_imports: "true",
    });
    assert.equal(found.status, 200);
    assert.equal(found.body.secret.environment, "staging");
    assert.equal(found.body.secret.workspace, project.id);
    const value = found.body.secret;
    assert.equal(
      decryptSymmetric(
        { ciphertext: value.secretValueCiphertext, iv: value.secretValueIV, tag: value.secretValueTag },
        project.projectKey,
      ),
      "staging",
    );
    const without = await call("GET", "/api/v3/secrets/STG_KEY", admin.token, {
      workspaceId: project.id,
      environment: "dev",
      secretPath: "/",
    });
    assert.equal(without.status, 400);
  });

  it("a viewer reads imports but cannot create, move or delete one; nothing changes", async () => {
    const viewer = await inviteUser(server.client, admin, "viewer@example.com", "viewer-password-1");
    const membershipId = await addMember(server.client, admin, project, viewer);
    await call("PATCH", `/api/v1/workspace/${project.id}/memberships/${membershipId}`, admin.token, {
      roles: [{ role: "viewer" }],
    });
    const before = await importsAt("dev");
    assert.equal((await call("GET", "/api/v1/secret-imports", viewer.token, at("dev"))).status, 200);
    const create = await call("POST", "/api/v1/secret-imports", viewer.token, {
      ...at("dev"),
      import: { environment: "prod", path: "/deep" },
    });
    assert.equal(create.status, 401);
    assert.equal(create.body.message, "You are not allowed to create on secrets");
    const move = await call("PATCH", `/api/v1/secret-imports/${before[0]!.id}`, viewer.token, {
      ...at("dev"),
      import: { position: 2 },
    });
    assert.equal(move.status, 401);
    assert.equal(
      (await call("DELETE", `/api/v1/secret-imports/${before[0]!.id}`, viewer.token, at("dev"))).status,
      401,
    );
    assert.deepEqual(await importsAt("dev"), before);
  });

  it("a write token scoped to dev cannot create an import from prod (create is needed on the source)", async () => {
    const { token } = await createServiceToken(server.client, admin, project, {
      scopes: [{ environment: "dev", secretPath: "/**" }],
    });
    const before = await importsAt("dev");
    const create = await call("POST", "/api/v1/secret-imports", token, {
      ...at("dev"),
      import: { environment: "prod", path: "/" },
    });
    assert.equal(create.status, 401);
    // Nor repoint an existing import at prod:/ (the real server does not check the new source).
    const repoint = await call("PATCH", `/api/v1/secret-imports/${before[1]!.id}`, token, {
      ...at("dev"),
      import: { environment: "prod", path: "/" },
    });
    assert.equal(repoint.status, 401);
    assert.deepEqual(await importsAt("dev"), before);
  });

  it("another project's members, tokens, environments and imports stay out", async () => {
    const member = await inviteUser(server.client, admin, "other@example.com", "other-password-1");
    const other = await createProject(server.client, member, "Other Team");
    const otherToken = (await createServiceToken(server.client, member, other)).token;
    const before = await importsAt("dev");
    // A member of another project and its token cannot see or add imports here.
    assert.equal((await call("GET", "/api/v1/secret-imports", member.token, at("dev"))).status, 403);
    assert.equal((await call("GET", "/api/v1/secret-imports", otherToken, at("dev"))).status, 403);
    const foreign = await call("POST", "/api/v1/secret-imports", otherToken, {
      ...at("dev"),
      import: { environment: "dev", path: "/" },
    });
    assert.equal(foreign.status, 403);
    // An import in the other project, addressed through this project's folder, is not found.
    const theirs = await call("POST", "/api/v1/secret-imports", member.token, {
      workspaceId: other.id,
      environment: "dev",
      path: "/",
      import: { environment: "prod", path: "/" },
    });
    assert.equal(theirs.status, 200);
    const id = theirs.body.secretImport.id as string;
    const patch = await call("PATCH", `/api/v1/secret-imports/${id}`, admin.token, {
      ...at("dev"),
      import: { position: 1 },
    });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.message, "Secret import not found");
    const del = await call("DELETE", `/api/v1/secret-imports/${id}`, admin.token, at("dev"));
    assert.equal(del.status, 400);
    assert.equal(del.body.message, "Secret import doc not found");
    // An environment slug is resolved in this project only.
    const unknownEnv = await call("POST", "/api/v1/secret-imports", admin.token, {
      ...at("dev"),
      import: { environment: "nope", path: "/" },
    });
    assert.equal(unknownEnv.status, 400);
    assert.deepEqual(await importsAt("dev"), before);
  });
});

describe("input: malformed, oversized and cyclic requests are 4xx and write nothing", () => {
  it("non-UUID ids are 400 naming the field; unknown ids are the real server's 400s", async () => {
    const before = await importsAt("dev");
    for (const id of ["not-a-uuid", "1", "%27%20OR%201%3D1"]) {
      const patch = await call("PATCH", `/api/v1/secret-imports/${id}`, admin.token, {
        ...at("dev"),
        import: { position: 1 },
      });
      assert.equal(patch.status, 400, id);
      assert.equal(patch.body.message, "secretImportId must be a UUID");
      const del = await call("DELETE", `/api/v1/secret-imports/${id}`, admin.token, at("dev"));
      assert.equal(del.status, 400, id);
    }
    const unknown = "0b7e9a9e-6c1e-4d7b-9a55-3c4f6d1e2a10";
    assert.equal(
      (await call("PATCH", `/api/v1/secret-imports/${unknown}`, admin.token, { ...at("dev"), import: { position: 1 } }))
        .body.message,
      "Secret import not found",
    );
    const empty = await call("PATCH", `/api/v1/secret-imports/${before[0]!.id}`, admin.token, {
      ...at("dev"),
      import: {},
    });
    assert.equal(empty.status, 400);
    assert.deepEqual(await importsAt("dev"), before);
  });

  it("bad and oversized fields answer 403 ValidationFailure naming the field", async () => {
    const before = await importsAt("dev");
    const cases: Array<[Json, string]> = [
      [{ ...at("dev"), import: { environment: "prod" } }, "import.path"],
      [{ ...at("dev"), import: { environment: "prod", path: "/a b" } }, "import.path"],
      [{ ...at("dev"), import: { environment: "prod", path: `/${"a".repeat(5000)}` } }, "import.path"],
      [{ ...at("dev"), path: "/../x", import: { environment: "prod", path: "/" } }, "path"],
      [{ ...at("dev"), import: { environment: "x".repeat(65), path: "/" } }, "import.environment"],
      [{ ...at("dev"), import: "prod:/" }, "import"],
    ];
    for (const [payload, field] of cases) {
      const reply = await call("POST", "/api/v1/secret-imports", admin.token, payload);
      assert.equal(reply.status, 403, field);
      assert.equal(reply.body.error, "ValidationFailure");
      assert.ok(
        (reply.body.message as Json[]).some((issue) => issue.path.join(".") === field),
        `${field}: ${JSON.stringify(reply.body.message)}`,
      );
    }
    for (const position of [0, -1, 1.5, 1001]) {
      const reply = await call("PATCH", `/api/v1/secret-imports/${before[0]!.id}`, admin.token, {
        ...at("dev"),
        import: { position },
      });
      assert.equal(reply.status, 403, String(position));
    }
    const longId = await call("DELETE", `/api/v1/secret-imports/${"a".repeat(200)}`, admin.token, at("dev"));
    // The router matches no route for a path parameter over 100 characters.
    assert.equal(longId.status, 404);
    const huge = await server.client.request("POST", "/api/v1/secret-imports", {
      token: admin.token,
      rawBody: JSON.stringify({
        ...at("dev"),
        import: { environment: "prod", path: "/" },
        pad: "x".repeat(2 * 1024 * 1024),
      }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(huge.status, 413);
    assert.deepEqual(await importsAt("dev"), before);
  });

  it("the real server's refusals: direct cycles, replication without a licence, unknown folders", async () => {
    const before = await importsAt("staging");
    // staging:/ already imports prod:/deep, so prod:/deep may not import staging:/.
    const cycle = await call("POST", "/api/v1/secret-imports", admin.token, {
      ...at("prod", "/deep"),
      import: { environment: "staging", path: "/" },
    });
    assert.equal(cycle.status, 400);
    assert.equal(cycle.body.message, "Cyclic import not allowed");
    const replication = await call("POST", "/api/v1/secret-imports", admin.token, {
      ...at("staging"),
      import: { environment: "dev", path: "/" },
      isReplication: true,
    });
    assert.equal(replication.status, 400);
    const noFolder = await call("POST", "/api/v1/secret-imports", admin.token, {
      ...at("staging", "/missing"),
      import: { environment: "dev", path: "/" },
    });
    assert.equal(noFolder.status, 400);
    assert.equal(noFolder.body.message, "Folder not found");
    assert.equal((await call("GET", "/api/v1/secret-imports", admin.token, at("staging", "/missing"))).status, 400);
    assert.deepEqual(await importsAt("staging"), before);
    assert.deepEqual(await importsAt("prod", "/deep"), []);
  });

  it("a folder holds at most 100 imports; the 101st is a 400 and is not stored", async () => {
    await putSecret("staging", "/many", "MANY", "m");
    for (let i = 0; i < 100; i++) await addImport("staging", "/many", { environment: "dev", path: "/" });
    const over = await call("POST", "/api/v1/secret-imports", admin.token, {
      ...at("staging", "/many"),
      import: { environment: "dev", path: "/" },
    });
    assert.equal(over.status, 400);
    assert.equal((await importsAt("staging", "/many")).length, 100);
  });
});

describe("order: positions and missing sources", () => {
  it("an import of a missing folder is an empty entry and does not shift the next import", async () => {
    await putSecret("prod", "/", "PROD_ROOT", "root");
    await putSecret("dev", "/order", "ORDER_OWN", "own");
    await addImport("dev", "/order", { environment: "prod", path: "/nope" });
    await addImport("dev", "/order", { environment: "prod", path: "/deep" });
    await addImport("dev", "/order", { environment: "prod", path: "/" });
    assert.deepEqual(await importedNames(admin.token, "dev", "/order"), [
      { from: "prod:/nope", names: [] },
      { from: "prod:/deep", names: ["DEEP_KEY"] },
      { from: "prod:/", names: ["PROD_ROOT"] },
    ]);
    const viaImports = await call("GET", "/api/v1/secret-imports/secrets", admin.token, at("dev", "/order"));
    assert.deepEqual(
      (viaImports.body.secrets as Json[]).map((e) => [
        `${e.environment}:${e.secretPath}`,
        e.secrets.length,
        "folderId" in e,
      ]),
      [
        ["prod:/nope", 0, false],
        ["prod:/deep", 1, true],
        ["prod:/", 1, true],
      ],
    );
  });

  it("moves shift the imports in between, deletes close the gap, a far position is stored as given", async () => {
    const order = async () => (await importsAt("dev", "/order")).map((i) => `${i.position}:${i.from}`);
    assert.deepEqual(await order(), ["1:prod:/nope", "2:prod:/deep", "3:prod:/"]);
    const [nope, deep] = await importsAt("dev", "/order");
    const moved = await call("PATCH", `/api/v1/secret-imports/${nope!.id}`, admin.token, {
      ...at("dev", "/order"),
      import: { position: 3 },
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.secretImport.position, 3);
    assert.deepEqual(await order(), ["1:prod:/deep", "2:prod:/", "3:prod:/nope"]);
    await call("PATCH", `/api/v1/secret-imports/${nope!.id}`, admin.token, {
      ...at("dev", "/order"),
      import: { position: 1 },
    });
    assert.deepEqual(await order(), ["1:prod:/nope", "2:prod:/deep", "3:prod:/"]);
    const removed = await call("DELETE", `/api/v1/secret-imports/${deep!.id}`, admin.token, at("dev", "/order"));
    assert.equal(removed.status, 200);
    assert.deepEqual(await order(), ["1:prod:/nope", "2:prod:/"]);
    await call("PATCH", `/api/v1/secret-imports/${nope!.id}`, admin.token, {
      ...at("dev", "/order"),
      import: { position: 9 },
    });
    assert.deepEqual(await order(), ["1:prod:/", "9:prod:/nope"]);
    const next = await addImport("dev", "/order", { environment: "staging", path: "/" });
    assert.equal(next.position, 10);
  });
});
