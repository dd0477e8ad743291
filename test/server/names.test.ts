/**
 * One Unicode rule for secret names (NFC only), on both sides of real HTTP: "CAFÉ" spelled
 * composed (U+00C9) and decomposed (E + U+0301) can never become two look-alike secrets.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { unicodeNameProblem } from "../../src/provider/api/names";
import { ProviderError, ValidationError } from "../../src/provider/errors";
import { secret } from "../../src/provider/resources/secret";
import { type Harness, startHarness } from "../core/harness";
import { encryptSecret, setupWorld, type World } from "./helpers";

const NFC = "CAF\u00c9_KEY";
const NFD = "CAFE\u0301_KEY";

describe("names: the shared rule", () => {
  it("NFC passes; NFD and lone surrogates do not; the reason never echoes the name", () => {
    assert.notEqual(NFC, NFD);
    assert.equal(NFC, NFD.normalize("NFC"));
    assert.equal(unicodeNameProblem(NFC), undefined);
    assert.equal(unicodeNameProblem("PLAIN_ASCII"), undefined);
    assert.match(unicodeNameProblem(NFD) ?? "", /normalization form NFC/);
    assert.match(unicodeNameProblem("A\ud800B") ?? "", /lone surrogates/);
    assert.ok(!(unicodeNameProblem(NFD) ?? "").includes("CAF"));
  });
});

describe("names over HTTP: the server refuses non-NFC names", () => {
  let world: World;
  let where: { workspaceId: string; environment: string; secretPath: string };
  before(async () => {
    world = await setupWorld();
    where = { workspaceId: world.project.id, environment: "dev", secretPath: "/" };
  });
  after(() => world.server.close());

  it("create NFC → 200; the NFD look-alike on create, get, update, delete and batch → 403 naming secretName", async () => {
    const { client, admin, project } = world;
    const created = await client.post(
      `/api/v3/secrets/${encodeURIComponent(NFC)}`,
      { ...where, ...encryptSecret(project.projectKey, NFC, "one") },
      admin.token,
    );
    assert.equal(created.status, 200);
    const path = `/api/v3/secrets/${encodeURIComponent(NFD)}`;
    const refusals = [
      await client.post(path, { ...where, ...encryptSecret(project.projectKey, NFD, "two") }, admin.token),
      await client.get(path, admin.token, where),
      await client.patch(path, { ...where, ...encryptSecret(project.projectKey, NFD, "two") }, admin.token),
      await client.delete(path, { ...where, type: "shared" }, admin.token),
      await client.post(
        "/api/v3/secrets/batch",
        { ...where, secrets: [{ secretName: NFD, ...encryptSecret(project.projectKey, NFD, "two") }] },
        admin.token,
      ),
      await client.patch(
        `/api/v3/secrets/${encodeURIComponent(NFC)}`,
        { ...where, secretName: NFD, ...encryptSecret(project.projectKey, NFD, "one") },
        admin.token,
      ),
    ];
    for (const res of refusals) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.error, "ValidationFailure");
      assert.ok(
        res.body.message.some(
          (issue: { path: unknown[]; message: string }) =>
            issue.path.includes("secretName") && /NFC/.test(issue.message),
        ),
        JSON.stringify(res.body.message),
      );
    }
    // Nothing was written: one secret, still the NFC one, still version 1.
    const list = await client.get("/api/v3/secrets", admin.token, where);
    assert.equal(list.body.secrets.length, 1);
    const got = await client.get(`/api/v3/secrets/${encodeURIComponent(NFC)}`, admin.token, where);
    assert.equal(got.body.secret.version, 1);
  });
});

describe("names over HTTP: the client refuses non-NFC names before any request", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("the secret resource refuses an NFD key with a validation error naming `key`; an NFC key is created", async () => {
    const base = { projectId: h.boot.projectId, environment: "dev", value: "v" };
    assert.throws(
      () => secret.validated({ ...base, key: NFD }),
      (error: unknown) =>
        error instanceof ValidationError && error.failures.some((f) => f.path === "key" && /NFC/.test(f.reason)),
    );
    const session = h.userSession();
    const created = await secret.ops.create(h.ctx(session), secret.validated({ ...base, key: NFC }));
    assert.equal(created.outputs.key, NFC);
  });

  it("the API client sending an NFD name gets the server's typed validation error, and nothing is stored", async () => {
    const session = h.userSession();
    const where = { projectId: h.boot.projectId, environment: "dev", path: "/" };
    const before = h.count("POST", "/api/v3/secrets/:secretName");
    await assert.rejects(session.secrets.create(where, { key: NFD, value: "x", comment: "" }), (error: unknown) => {
      assert.ok(ProviderError.is(error));
      assert.equal(error.code, "ERR_API_VALIDATION");
      assert.ok(!error.message.includes("CAF"), "the name is not echoed");
      return true;
    });
    assert.ok(h.count("POST", "/api/v3/secrets/:secretName", before) >= 1, "the request did reach the server");
    assert.equal(await session.secrets.get(where, NFC.replace("_KEY", "_OTHER")), undefined);
  });
});
