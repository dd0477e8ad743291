/**
 * Key pinning through Pulumi's own dynamic-provider host over gRPC: a ProjectMembership registered
 * by the real class with `publicKeyFingerprint`, against a server that lies about the member's key
 * (a rewriting proxy, then a direct edit of the embedded server's SQLite database). The host must
 * fail the step naming the member and both fingerprints; the server's log shows no key-copy write.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import {
  encryptAsymmetric,
  generateKeyPair,
  generateProjectKey,
  publicKeyFingerprint,
} from "../../src/provider/crypto";
import { openSession } from "../../src/provider/session";
import type * as Face from "../../src/pulumi/index";
import { providerText } from "../../src/pulumi/provider";
import { type RunningServer, startServer } from "../../src/server";
import { parseLogLine } from "../core/harness";
import { type Json, startLyingProxy } from "../support/lying-proxy";
import { DIFF, type HostError, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "canary-admin-password-pin-1" };
const MEMBER = { email: "member@example.com", password: "canary-member-password-pin-2" };
const KEY_COPY_WRITE = /^POST \/api\/v1\/workspace\/[^/]+\/(memberships|key)$/;
const attacker = generateKeyPair();
const attackerFingerprint = publicKeyFingerprint(attacker.publicKey);

let server: RunningServer;
let dataDir: string;
let projectId: string;
let memberPublicKey: string;
let memberFingerprint: string;
let registration: Registration;
const serverLog: string[] = [];

const keyCopyWrites = (from: number) =>
  serverLog
    .slice(from)
    .map(parseLogLine)
    .filter((r) => r && KEY_COPY_WRITE.test(`${r.method} ${r.route}`)).length;

async function hostFor(url: string): Promise<ProviderHost> {
  const host = await ProviderHost.start();
  await host.configure({
    "infisical-e2ee:host": url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  });
  return host;
}

function assertNamesTheLie(error: HostError): void {
  const text = `${error.message} ${error.details}`;
  for (const part of [MEMBER.email, memberFingerprint, attackerFingerprint]) {
    assert.ok(text.includes(part), `the host's error does not name ${part}: ${text}`);
  }
  assert.ok(!text.includes(ADMIN.password) && !text.includes(MEMBER.password));
}

const URN = urnOf("ProjectMembership", "pinned");

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "pulumi-pinning-"));
  server = await startServer({ port: 0, dataDir, log: (line) => serverLog.push(line) });
  projectId = (await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-pinning" })).projectId;
  await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
  const member = openSession({ host: server.url, ...MEMBER }, { env: {} });
  memberPublicKey = (await member.user()).publicKey;
  memberFingerprint = publicKeyFingerprint(memberPublicKey);
  await member.close();
  const registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return [
      new infisical.ProjectMembership("pinned", {
        projectId,
        email: MEMBER.email,
        role: "viewer",
        publicKeyFingerprint: memberFingerprint,
      }),
    ];
  });
  registration = registered.get("pinned")!;
  assert.equal(registration.inputs.publicKeyFingerprint, memberFingerprint, "the class registers the pin");
});

after(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("pulumi host, proxy swapping user.publicKey: create fails naming the member; no key copy written", async () => {
  const proxy = await startLyingProxy(server.url, (method, path, body) => {
    if (method !== "GET" || !/\/memberships$/.test(path)) return;
    for (const row of [...(body.users ?? []), ...(body.memberships ?? [])] as Json[]) {
      if (row.user?.email === MEMBER.email) row.user.publicKey = attacker.publicKey;
    }
  });
  const host = await hostFor(proxy.url);
  try {
    const checked = await host.check(URN, {}, registration.inputs);
    assert.deepEqual(checked.failures, []);
    const from = serverLog.length;
    const error = await host.create(URN, checked.inputs).then(
      () => assert.fail("a pinned create through a lying server must fail"),
      (e: HostError) => e,
    );
    assertNamesTheLie(error);
    assert.equal(error.initFailed, undefined, "nothing was created, so nothing is kept in state");
    assert.ok(proxy.lies.length > 0);
    assert.equal(keyCopyWrites(from), 0, "the server got no key-copy write");
  } finally {
    await host.close();
    await proxy.close();
  }
});

test("pulumi host, database edit: create pinned honestly, then refresh and update refuse; nothing is wrapped", async () => {
  const host = await hostFor(server.url);
  try {
    const checked = await host.check(URN, {}, registration.inputs);
    const from = serverLog.length;
    const created = await host.create(URN, checked.inputs);
    assert.equal(created.properties.publicKeyFingerprint, memberFingerprint);
    assert.equal(keyCopyWrites(from), 1, "the witness counts the one key-copy write of a real create");
    const again = await host.check(URN, checked.inputs, registration.inputs);
    assert.equal((await host.diff(URN, created.id, created.properties, again.inputs)).changes, DIFF.NONE);

    const db = new DatabaseSync(join(dataDir, "infisical-e2ee.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000;");
    db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(attacker.publicKey, MEMBER.email);
    try {
      const lied = serverLog.length;
      const refresh = await host.read(URN, created.id, created.properties, checked.inputs).then(
        () => assert.fail("refresh must refuse a changed key"),
        (e: HostError) => e,
      );
      assertNamesTheLie(refresh);
      const promoted = await host.check(URN, checked.inputs, { ...registration.inputs, role: "admin" });
      const update = await host.update(URN, created.id, created.properties, promoted.inputs).then(
        () => assert.fail("update must refuse a changed key"),
        (e: HostError) => e,
      );
      assertNamesTheLie(update);
      assert.equal(keyCopyWrites(lied), 0, "the server got no key-copy write");
    } finally {
      db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(memberPublicKey, MEMBER.email);
      db.close();
    }
    await host.delete(URN, created.id, created.properties);
  } finally {
    await host.close();
  }
});

test("pulumi host, proxy swapping sender.publicKey of our key copy: a secret create fails; nothing is written", async () => {
  const admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  const adminPublicKey = (await admin.user()).publicKey;
  await admin.close();
  const forged = encryptAsymmetric(generateProjectKey(), adminPublicKey, attacker.privateKey);
  const proxy = await startLyingProxy(server.url, (method, path, body) => {
    if (method === "GET" && path.endsWith("/encrypted-key")) {
      Object.assign(body, {
        encryptedKey: forged.ciphertext,
        nonce: forged.nonce,
        sender: { publicKey: attacker.publicKey },
      });
    }
  });
  const host = await hostFor(proxy.url);
  try {
    const urn = urnOf("Secret", "forged");
    const inputs = {
      projectId,
      environment: "dev",
      key: "FORGED",
      value: secret("canary-value-forged-key-9d1e"),
      __provider: providerText("secret"),
    };
    const checked = await host.check(urn, {}, inputs);
    assert.deepEqual(checked.failures, []);
    const from = serverLog.length;
    const error = await host.create(urn, checked.inputs).then(
      () => assert.fail("a secret must not be encrypted under a key from an unvouched sender"),
      (e: HostError) => e,
    );
    const text = `${error.message} ${error.details}`;
    assert.ok(text.includes(attackerFingerprint), text);
    assert.match(text, /neither this user's key nor a trusted one/);
    const writes = serverLog
      .slice(from)
      .map(parseLogLine)
      .filter((r) => r && r.method !== "GET" && /secrets/.test(r.route));
    assert.deepEqual(writes, [], "no secret write reached the server");
  } finally {
    await host.close();
    await proxy.close();
  }
});
