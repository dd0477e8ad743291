/**
 * Interop with Infisical's own legacy client, infisical-node 1.5.1: it reads, creates and
 * updates secrets on our server with a 4-part service token our helpers created, and it
 * decrypts what our crypto wrote (and we decrypt what it wrote).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decryptSymmetric } from "../../src/provider/crypto";
import { createServiceToken, encryptSecret, setupWorld, type World } from "./helpers";

// infisical-node is CommonJS without an `exports` map for its default export under node16 typing.
const InfisicalClient = require("infisical-node") as new (options: {
  token: string;
  siteURL: string;
  cacheTTL?: number;
}) => {
  getSecret(
    name: string,
    options: { environment: string; path?: string; type?: string },
  ): Promise<{ secretValue?: string; version?: number; secretName?: string }>;
  getAllSecrets(options: {
    environment: string;
    path?: string;
    attachToProcessEnv?: boolean;
    includeImports?: boolean;
  }): Promise<Array<{ secretName: string; secretValue?: string }>>;
  createSecret(
    name: string,
    value: string,
    options: { environment: string; path?: string; type?: string },
  ): Promise<{ secretValue?: string; version?: number }>;
  updateSecret(
    name: string,
    value: string,
    options: { environment: string; path?: string; type?: string },
  ): Promise<{ secretValue?: string; version?: number }>;
};

describe("server: interop with infisical-node 1.5.1", () => {
  let world: World;
  let token: string;

  before(async () => {
    world = await setupWorld();
    token = (
      await createServiceToken(world.client, world.admin, world.project, {
        scopes: [{ environment: "dev", secretPath: "/" }],
      })
    ).token;
    const where = { workspaceId: world.project.id, environment: "dev", secretPath: "/", type: "shared" };
    const res = await world.client.post(
      "/api/v3/secrets/WRITTEN_BY_US",
      { ...where, ...encryptSecret(world.project.projectKey, "WRITTEN_BY_US", "our-value") },
      world.admin.token,
    );
    assert.equal(res.status, 200);
  });
  after(() => world.server.close());

  it("reads a secret our crypto wrote", async () => {
    const client = new InfisicalClient({ token, siteURL: world.server.url, cacheTTL: 0 });
    const secret = await client.getSecret("WRITTEN_BY_US", { environment: "dev", path: "/", type: "shared" });
    assert.equal(secret.secretValue, "our-value");
    const all = await client.getAllSecrets({
      environment: "dev",
      path: "/",
      attachToProcessEnv: false,
      includeImports: false,
    });
    assert.deepEqual(
      all.map((s) => [s.secretName, s.secretValue]),
      [["WRITTEN_BY_US", "our-value"]],
    );
  });

  it("creates and updates a secret that we then read and decrypt", async () => {
    const client = new InfisicalClient({ token, siteURL: world.server.url, cacheTTL: 0 });
    const created = await client.createSecret("WRITTEN_BY_NODE_SDK", "sdk-value", {
      environment: "dev",
      path: "/",
      type: "shared",
    });
    assert.equal(created.secretValue, "sdk-value");
    const updated = await client.updateSecret("WRITTEN_BY_NODE_SDK", "sdk-value-2", {
      environment: "dev",
      path: "/",
      type: "shared",
    });
    assert.equal(updated.secretValue, "sdk-value-2");
    const res = await world.client.get("/api/v3/secrets/WRITTEN_BY_NODE_SDK", world.admin.token, {
      workspaceId: world.project.id,
      environment: "dev",
      secretPath: "/",
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.secret.version, 2);
    const s = res.body.secret;
    assert.equal(
      decryptSymmetric(
        { ciphertext: s.secretValueCiphertext, iv: s.secretValueIV, tag: s.secretValueTag },
        world.project.projectKey,
      ),
      "sdk-value-2",
    );
    assert.equal(
      decryptSymmetric(
        { ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag },
        world.project.projectKey,
      ),
      "WRITTEN_BY_NODE_SDK",
    );
  });
});
