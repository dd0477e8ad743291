import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeSrpVerifier,
  createSrpVerifier,
  SrpClient,
  srpServerChallenge,
  srpServerStart,
  srpServerVerify,
} from "../../src/provider/crypto";
import { SRP_PRIME_HEX } from "../../src/provider/crypto/srp-group";
import { assertCryptoError } from "./assertions";
import { loadVectors, type SrpVectors } from "./vectors";

// jsrp 0.2.4 ships no types; this is the part of its callback API the tests use.
interface JsrpClient {
  init(options: { username: string; password: string }, done: () => void): void;
  createVerifier(done: (err: unknown, result: { salt: string; verifier: string }) => void): void;
  getPublicKey(): string;
  setSalt(saltHex: string): void;
  setServerPublicKey(hexB: string): void;
  getProof(): string;
  checkServerProof(hexM2: string): boolean;
}
interface JsrpServer {
  init(options: { salt: string; verifier: string }, done: () => void): void;
  getPublicKey(): string;
  setClientPublicKey(hexA: string): void;
  checkClientProof(hexM1: string): boolean;
  getProof(): string;
}
const jsrp = require("jsrp") as { client: new () => JsrpClient; server: new () => JsrpServer };

const initJsrpClient = (email: string, password: string) =>
  new Promise<JsrpClient>((resolve) => {
    const client = new jsrp.client();
    client.init({ username: email, password }, () => resolve(client));
  });
const initJsrpServer = (salt: string, verifier: string) =>
  new Promise<JsrpServer>((resolve) => {
    const server = new jsrp.server();
    server.init({ salt, verifier }, () => resolve(server));
  });

const vectors = loadVectors<SrpVectors>("srp.json");
const email = "someone@example.com";
const password = "correct horse battery staple";

describe("SRP-6a vectors (jsrp 0.2.4 handshake)", () => {
  it("computes the verifier from email, password and salt", () => {
    assert.equal(computeSrpVerifier(vectors.email, vectors.password, vectors.salt), vectors.verifier);
  });

  it("replays the client side: A, K and M1, and accepts M2", () => {
    const client = new SrpClient(vectors.email, vectors.password, { privateEphemeral: vectors.clientPrivate_a });
    assert.equal(client.publicKey, vectors.A_clientPublicKey);
    assert.equal(client.computeProof(vectors.salt, vectors.B_serverPublicKey), vectors.M1_clientProof);
    assert.equal(client.sharedKey, vectors.K_sharedKey);
    assert.equal(client.verifyServerProof(vectors.M2_serverProof), true);
    assert.equal(client.verifyServerProof(vectors.M1_clientProof), false);
  });

  it("replays the server side: B, then accepts M1 and answers M2", () => {
    const session = srpServerStart(vectors.verifier, { serverSecret: vectors.serverPrivate_b });
    assert.equal(session.serverPublicKey, vectors.B_serverPublicKey);
    const result = srpServerVerify({
      verifier: vectors.verifier,
      serverSecret: session.serverSecret,
      clientPublicKey: vectors.A_clientPublicKey,
      clientProof: vectors.M1_clientProof,
    });
    assert.deepEqual(result, { ok: true, serverProof: vectors.M2_serverProof });
  });
});

describe("SRP-6a server challenge (all big-number work at login1)", () => {
  it("replays the vectors: B, the expected M1 and M2 from v, b and A", () => {
    assert.deepEqual(
      srpServerChallenge({
        verifier: vectors.verifier,
        clientPublicKey: vectors.A_clientPublicKey,
        serverSecret: vectors.serverPrivate_b,
      }),
      {
        serverPublicKey: vectors.B_serverPublicKey,
        expectedClientProof: vectors.M1_clientProof,
        serverProof: vectors.M2_serverProof,
      },
    );
  });

  it("a jsrp client's proof is the expected one; a wrong password's is not", async () => {
    const { salt, verifier } = createSrpVerifier(email, password);
    const client = await initJsrpClient(email, password);
    const challenge = srpServerChallenge({ verifier, clientPublicKey: client.getPublicKey() });
    client.setSalt(salt);
    client.setServerPublicKey(challenge.serverPublicKey);
    assert.equal(client.getProof(), challenge.expectedClientProof);
    assert.equal(client.checkServerProof(challenge.serverProof), true);
    const wrong = new SrpClient(email, "not the password");
    const other = srpServerChallenge({ verifier, clientPublicKey: wrong.publicKey });
    assert.notEqual(wrong.computeProof(salt, other.serverPublicKey), other.expectedClientProof);
  });
});

describe("SRP-6a round trips", () => {
  it("our client logs in to our server and checks its proof", () => {
    const { salt, verifier } = createSrpVerifier(email, password);
    assert.match(salt, /^[0-9a-f]{64}$/);
    assert.match(verifier, /^[0-9a-f]{1024}$/);
    const client = new SrpClient(email, password);
    assert.match(client.publicKey, /^[0-9a-f]{1024}$/);
    const session = srpServerStart(verifier);
    const clientProof = client.computeProof(salt, session.serverPublicKey);
    const result = srpServerVerify({ verifier, ...session, clientPublicKey: client.publicKey, clientProof });
    assert.equal(result.ok, true);
    assert.equal(client.verifyServerProof(result.serverProof ?? ""), true);
  });

  it("our server refuses a wrong password", () => {
    const { salt, verifier } = createSrpVerifier(email, password);
    const client = new SrpClient(email, "not the password");
    const session = srpServerStart(verifier);
    const clientProof = client.computeProof(salt, session.serverPublicKey);
    assert.deepEqual(srpServerVerify({ verifier, ...session, clientPublicKey: client.publicKey, clientProof }), {
      ok: false,
    });
  });

  it("our client logs in to a jsrp server", async () => {
    const { salt, verifier } = createSrpVerifier(email, password);
    const server = await initJsrpServer(salt, verifier);
    const client = new SrpClient(email, password);
    server.setClientPublicKey(client.publicKey);
    const clientProof = client.computeProof(salt, server.getPublicKey());
    assert.equal(server.checkClientProof(clientProof), true);
    assert.equal(client.verifyServerProof(server.getProof()), true);
  });

  it("a jsrp client (verifier and login) logs in to our server", async () => {
    const signup = await initJsrpClient(email, password);
    const { salt, verifier } = await new Promise<{ salt: string; verifier: string }>((resolve, reject) =>
      signup.createVerifier((err, result) => (err ? reject(err) : resolve(result))),
    );
    assert.equal(computeSrpVerifier(email, password, salt), verifier);
    const client = await initJsrpClient(email, password);
    const session = srpServerStart(verifier);
    client.setSalt(salt);
    client.setServerPublicKey(session.serverPublicKey);
    const clientProof = client.getProof();
    const result = srpServerVerify({ verifier, ...session, clientPublicKey: client.getPublicKey(), clientProof });
    assert.equal(result.ok, true);
    assert.equal(client.checkServerProof(result.serverProof ?? ""), true);
  });

  it("a jsrp server refuses our client with a wrong password", async () => {
    const { salt, verifier } = createSrpVerifier(email, password);
    const server = await initJsrpServer(salt, verifier);
    const client = new SrpClient(email, "not the password");
    server.setClientPublicKey(client.publicKey);
    assert.equal(server.checkClientProof(client.computeProof(salt, server.getPublicKey())), false);
  });
});

describe("SRP-6a bad input", () => {
  const { salt, verifier } = createSrpVerifier(email, password);
  const secrets = [password];

  it("rejects an empty email or password", () => {
    assertCryptoError(() => new SrpClient(email, ""), "srp", secrets);
    assertCryptoError(() => new SrpClient("", password), "srp", secrets);
    assertCryptoError(() => createSrpVerifier(email, ""), "srp", secrets);
  });

  it("aborts when B or A is zero modulo N", () => {
    const client = new SrpClient(email, password);
    const zero = "00".repeat(512);
    const error = assertCryptoError(() => client.computeProof(salt, zero), "srp", secrets);
    assert.match(error.message, /serverPublicKey is zero modulo N/);
    const session = srpServerStart(verifier);
    assertCryptoError(
      () => srpServerVerify({ verifier, ...session, clientPublicKey: SRP_PRIME_HEX, clientProof: "00".repeat(32) }),
      "srp",
      secrets,
    );
  });

  it("rejects non-hex and oversized values, naming the field and length", () => {
    const client = new SrpClient(email, password);
    const error = assertCryptoError(() => client.computeProof("zz", "05"), "srp", secrets);
    assert.match(error.message, /^srp: salt must be hex/);
    const oversized = assertCryptoError(() => client.computeProof(salt, "01".repeat(513)), "srp", secrets);
    assert.match(oversized.message, /got 513/);
    const session = srpServerStart(verifier);
    assertCryptoError(
      () => srpServerVerify({ verifier, ...session, clientPublicKey: client.publicKey, clientProof: "abc" }),
      "srp",
      secrets,
    );
    assertCryptoError(() => srpServerStart("not hex"), "srp");
  });

  it("needs computeProof before verifyServerProof, and treats a malformed M2 as a mismatch", () => {
    const client = new SrpClient(email, password);
    assertCryptoError(() => client.verifyServerProof("00".repeat(32)), "srp", secrets);
    client.computeProof(salt, srpServerStart(verifier).serverPublicKey);
    assert.equal(client.verifyServerProof("not hex"), false);
  });
});
