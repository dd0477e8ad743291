/**
 * A lying server against key pinning (issue #16): a proxy that rewrites `user.publicKey` and
 * `sender.publicKey` in answers, and a direct edit of the embedded server's SQLite database. The
 * provider must refuse, name the member, write no key copy, and leave the attacker's key able to
 * open nothing. The real server's request log and its database are the witnesses.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { inviteMember } from "../../src/provider/bootstrap";
import {
  decryptAsymmetric,
  encryptAsymmetric,
  generateKeyPair,
  generateProjectKey,
  publicKeyFingerprint,
} from "../../src/provider/crypto";
import { KeyPinMismatchError, ProviderError, UntrustedKeySenderError } from "../../src/provider/errors";
import { projectMembers } from "../../src/provider/resources/lookups/project-members";
import { project } from "../../src/provider/resources/project";
import { projectMembership } from "../../src/provider/resources/project-membership";
import type { Logger, Outputs } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/session";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness, startHarness, uniqueName } from "../core/harness";
import { type Json, type Rewrite, startLyingProxy } from "../support/lying-proxy";

const MEMBER_EMAIL = "pinned-member@example.com";
const MEMBER_PASSWORD = "pinned member password 1";
const attacker = generateKeyPair();
const attackerFingerprint = publicKeyFingerprint(attacker.publicKey);

/** Requests that write a key copy: adding members (with their copies) and uploading a copy. */
const KEY_COPY_WRITE = /^\/api\/v1\/workspace\/[^/]+\/(memberships|key)$/;

interface Warning {
  message: string;
  fields?: Record<string, string | number | boolean>;
}

function recordingLog(): Logger & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return { warnings, debug() {}, info() {}, warn: (message, fields) => warnings.push({ message, fields }) };
}

/** Swaps the member's public key for the attacker's wherever an answer carries the member's user. */
function swapMemberKey(): Rewrite {
  return (method, path, body) => {
    if (method !== "GET" || !/\/memberships$/.test(path)) return;
    for (const row of [...(body.users ?? []), ...(body.memberships ?? [])] as Json[]) {
      if (row.user?.email === MEMBER_EMAIL) row.user.publicKey = attacker.publicKey;
    }
  };
}

describe("key pinning against a lying server", () => {
  let h: Harness;
  let dataDir: string;
  let db: DatabaseSync;
  let memberFingerprint: string;
  let memberPublicKey: string;
  let adminFingerprint: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pinning-"));
    h = await startHarness({ dataDir });
    db = new DatabaseSync(join(dataDir, "infisical-e2ee.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000;");
    await inviteMember({
      host: h.server.url,
      adminEmail: ADMIN_EMAIL,
      adminPassword: ADMIN_PASSWORD,
      email: MEMBER_EMAIL,
      password: MEMBER_PASSWORD,
    });
    // What the member computes on their own machine and tells the admin out of band.
    const member = openSession({ host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }, { env: {} });
    memberPublicKey = (await member.user()).publicKey;
    memberFingerprint = publicKeyFingerprint(memberPublicKey);
    await member.close();
    adminFingerprint = publicKeyFingerprint((await h.userSession().user()).publicKey);
  });
  after(async () => {
    db.close();
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function adminVia(url: string, log: Logger = recordingLog(), extra: Record<string, unknown> = {}): Session {
    return openSession({ host: url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD, ...extra }, { env: {}, log });
  }

  async function freshProject(session: Session): Promise<string> {
    const created = await project.ops.create(
      { session, log: recordingLog() },
      project.validated({ name: uniqueName("pin") }),
    );
    return created.id;
  }

  /** No key copy in the whole database opens with the attacker's private key. */
  function assertAttackerOpensNothing(): void {
    const rows = db
      .prepare(
        "SELECT k.encrypted_key AS ciphertext, k.nonce AS nonce, s.public_key AS sender FROM project_keys k JOIN users s ON s.id = k.sender_id",
      )
      .all() as { ciphertext: string; nonce: string; sender: string }[];
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.throws(() =>
        decryptAsymmetric({ ciphertext: row.ciphertext, nonce: row.nonce }, row.sender, attacker.privateKey),
      );
    }
  }

  function memberKeyCopies(projectId: string): number {
    const row = db
      .prepare(
        "SELECT COUNT(*) AS n FROM project_keys k JOIN users u ON u.id = k.receiver_id WHERE k.project_id = ? AND u.email = ?",
      )
      .get(projectId, MEMBER_EMAIL) as { n: number };
    return Number(row.n);
  }

  const isMismatch = (expected: string) => (error: unknown) => {
    assert.ok(error instanceof KeyPinMismatchError, String(error));
    assert.equal(error.code, "ERR_KEY_PIN_MISMATCH");
    assert.equal(error.member, MEMBER_EMAIL);
    assert.equal(error.expected, expected);
    assert.equal(error.actual, attackerFingerprint);
    for (const part of [MEMBER_EMAIL, expected, attackerFingerprint]) assert.ok(error.message.includes(part));
    return true;
  };

  it("fingerprints agree between the member's own view, the members lookup and the membership state", async () => {
    const session = h.userSession();
    const projectId = await freshProject(session);
    const ctx = h.ctx(session);
    const created = await projectMembership.ops.create(
      ctx,
      projectMembership.validated({ projectId, email: MEMBER_EMAIL, publicKeyFingerprint: memberFingerprint }),
    );
    assert.equal(created.outputs.publicKeyFingerprint, memberFingerprint);
    const { members } = await projectMembers.run(ctx, { projectId });
    const listed = members?.find((m) => m.email === MEMBER_EMAIL);
    assert.equal(listed?.publicKeyFingerprint, memberFingerprint);
    assert.equal(members?.find((m) => m.email === ADMIN_EMAIL)?.publicKeyFingerprint, adminFingerprint);
    // Until the member trusts the admin, the copy is refused with the fingerprint to check and the
    // setting spelled for each face.
    const untrusting = openSession({ host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }, { env: {} });
    await assert.rejects(untrusting.projectKey(projectId), (error: unknown) => {
      assert.ok(error instanceof UntrustedKeySenderError, String(error));
      assert.equal(error.senderFingerprint, adminFingerprint);
      for (const part of [
        adminFingerprint,
        "trusted_key_fingerprints (Terraform)",
        "infisical-e2ee:trustedKeyFingerprints (Pulumi)",
        "INFISICAL_TRUSTED_KEY_FINGERPRINTS",
      ]) {
        assert.ok(error.message.includes(part), part);
      }
      return true;
    });
    await untrusting.close();
    // The member trusts the admin (checked out of band) and opens the copy the admin wrapped.
    const member = openSession(
      { host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD, trustedKeyFingerprints: adminFingerprint },
      { env: {} },
    );
    assert.equal(await member.projectKey(projectId), await session.projectKey(projectId));
    await member.close();
  });

  it("proxy swaps user.publicKey: a pinned create refuses, names the member, writes no key copy", async () => {
    const projectId = await freshProject(h.userSession());
    const proxy = await startLyingProxy(h.server.url, swapMemberKey());
    const session = adminVia(proxy.url);
    try {
      const from = h.requests.length;
      await assert.rejects(
        projectMembership.ops.create(
          { session, log: recordingLog() },
          projectMembership.validated({ projectId, email: MEMBER_EMAIL, publicKeyFingerprint: memberFingerprint }),
        ),
        isMismatch(memberFingerprint),
      );
      assert.ok(proxy.lies.length > 0, "the proxy did lie");
      assert.equal(h.count("POST", KEY_COPY_WRITE, from), 0, "no key copy was written");
      assert.equal(memberKeyCopies(projectId), 0);
      assertAttackerOpensNothing();

      // Without a pin the lie is not detectable at creation: the swapped key is pinned, and the
      // state shows a fingerprint that differs from what the member prints (docs/security.md).
      const unpinned = await projectMembership.ops.create(
        { session, log: recordingLog() },
        projectMembership.validated({ projectId, email: MEMBER_EMAIL }),
      );
      assert.equal(unpinned.outputs.publicKeyFingerprint, attackerFingerprint);
      assert.notEqual(unpinned.outputs.publicKeyFingerprint, memberFingerprint);
      // Once pinned (to the real key), every later read through the liar refuses.
      const honest = h.ctx(h.userSession());
      await assert.rejects(
        projectMembership.ops.read({ session, log: recordingLog() }, unpinned.id, {
          ...unpinned.outputs,
          publicKeyFingerprint: memberFingerprint,
        }),
        isMismatch(memberFingerprint),
      );
      await projectMembership.ops.delete(honest, unpinned.id, unpinned.outputs);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("database edit of the member's key: create, refresh, update and re-wrap refuse; nothing is wrapped", async () => {
    const session = h.userSession();
    const ctx = h.ctx(session);
    const projectId = await freshProject(session);
    const pinnedInputs = projectMembership.validated({
      projectId,
      email: MEMBER_EMAIL,
      role: "member",
      publicKeyFingerprint: memberFingerprint,
    });
    const created = await projectMembership.ops.create(ctx, pinnedInputs);
    const secondProject = await freshProject(session);
    const copiesBefore = memberKeyCopies(projectId);

    db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(attacker.publicKey, MEMBER_EMAIL);
    try {
      const from = h.requests.length;
      // Refresh.
      await assert.rejects(projectMembership.ops.read(ctx, created.id, created.outputs), isMismatch(memberFingerprint));
      // Update (a role change) and an explicit re-wrap to the same pin.
      const promoted = projectMembership.validated({ ...pinnedInputs, role: "admin" });
      await assert.rejects(
        projectMembership.ops.update(ctx, created.id, created.outputs, promoted),
        isMismatch(memberFingerprint),
      );
      await assert.rejects(
        projectMembership.ops.update(
          ctx,
          created.id,
          { ...created.outputs, publicKeyFingerprint: undefined },
          promoted,
        ),
        isMismatch(memberFingerprint),
      );
      // A new membership elsewhere, pinned.
      await assert.rejects(
        projectMembership.ops.create(ctx, { ...pinnedInputs, projectId: secondProject }),
        isMismatch(memberFingerprint),
      );
      assert.equal(h.count("POST", KEY_COPY_WRITE, from), 0, "no key copy was written");
      assert.equal(h.count("PATCH", /\/memberships\//, from), 0, "no role was changed");
      assert.equal(memberKeyCopies(projectId), copiesBefore);
      assert.equal(memberKeyCopies(secondProject), 0);
      assertAttackerOpensNothing();
    } finally {
      db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(memberPublicKey, MEMBER_EMAIL);
    }
    // The real key is back: everything passes again, and nothing was re-pinned silently.
    const read = await projectMembership.ops.read(ctx, created.id, created.outputs);
    assert.equal(read?.publicKeyFingerprint, memberFingerprint);
    assert.deepEqual(projectMembership.diff(read as Outputs, pinnedInputs).changes, []);
    await projectMembership.ops.delete(ctx, created.id, created.outputs);
  });

  it("re-pinning is an explicit input change: it re-wraps in place for the verified key", async () => {
    const session = h.userSession();
    const ctx = h.ctx(session);
    const projectId = await freshProject(session);
    // Created without a pin through a liar: pinned to the attacker's key, and wrapped for it.
    const proxy = await startLyingProxy(h.server.url, swapMemberKey());
    const fooled = adminVia(proxy.url);
    const created = await projectMembership.ops.create(
      { session: fooled, log: recordingLog() },
      projectMembership.validated({ projectId, email: MEMBER_EMAIL }),
    );
    await fooled.close();
    await proxy.close();
    assert.equal(created.outputs.publicKeyFingerprint, attackerFingerprint);
    // Through the honest server the key is not the pinned one: refused, not silently re-pinned.
    await assert.rejects(projectMembership.ops.read(ctx, created.id, created.outputs), (error: unknown) => {
      assert.ok(error instanceof KeyPinMismatchError);
      return error.expected === attackerFingerprint && error.actual === memberFingerprint;
    });
    // The operator checks with the member and sets the real fingerprint: diff says update, in place.
    const repinned = projectMembership.validated({
      projectId,
      email: MEMBER_EMAIL,
      publicKeyFingerprint: memberFingerprint,
    });
    const diff = projectMembership.diff(created.outputs, repinned);
    assert.deepEqual(diff.changes, ["publicKeyFingerprint"]);
    assert.deepEqual(diff.replaces, []);
    const from = h.requests.length;
    const updated = await projectMembership.ops.update(ctx, created.id, created.outputs, repinned);
    assert.equal(updated.publicKeyFingerprint, memberFingerprint);
    assert.equal(h.count("POST", /^\/api\/v1\/workspace\/[^/]+\/key$/, from), 1, "one re-wrapped copy");
    const member = openSession(
      { host: h.server.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD, trustedKeyFingerprints: adminFingerprint },
      { env: {} },
    );
    assert.equal(await member.projectKey(projectId), await session.projectKey(projectId));
    await member.close();
    await projectMembership.ops.delete(ctx, created.id, updated);
  });

  it("a login answer that omits or swaps our public key: our own key is derived locally, never taken from it", async () => {
    const omit = await startLyingProxy(h.server.url, (method, path, body) => {
      if (method === "POST" && path.endsWith("/auth/login2")) delete body.publicKey;
    });
    const member = openSession({ host: omit.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }, { env: {} });
    try {
      assert.equal((await member.user()).publicKey, memberPublicKey);
    } finally {
      await member.close();
      await omit.close();
    }
    const swap = await startLyingProxy(h.server.url, (method, path, body) => {
      if (method === "POST" && path.endsWith("/auth/login2")) body.publicKey = attacker.publicKey;
    });
    const swapped = openSession({ host: swap.url, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }, { env: {} });
    try {
      await assert.rejects(swapped.user(), (error: unknown) => ProviderError.is(error) && error.code === "ERR_CRYPTO");
    } finally {
      await swapped.close();
      await swap.close();
    }
  });

  it("proxy swaps sender.publicKey of our own key copy: the key is refused and nothing is written", async () => {
    const projectId = await freshProject(h.userSession());
    const adminPublicKey = (await h.userSession().user()).publicKey;
    const attackerProjectKey = generateProjectKey();
    const forged = encryptAsymmetric(attackerProjectKey, adminPublicKey, attacker.privateKey);
    const proxy = await startLyingProxy(h.server.url, (method, path, body) => {
      if (method === "GET" && path.endsWith("/encrypted-key")) {
        body.encryptedKey = forged.ciphertext;
        body.nonce = forged.nonce;
        body.sender = { publicKey: attacker.publicKey };
      }
    });
    const session = adminVia(proxy.url);
    try {
      const from = h.requests.length;
      const isUntrusted = (error: unknown) => {
        assert.ok(error instanceof UntrustedKeySenderError, String(error));
        assert.equal(error.projectId, projectId);
        assert.equal(error.senderFingerprint, attackerFingerprint);
        assert.ok(error.message.includes(attackerFingerprint));
        assert.ok(!error.message.includes(attackerProjectKey));
        return true;
      };
      await assert.rejects(session.projectKey(projectId), isUntrusted);
      await assert.rejects(
        session.secrets.create({ projectId, environment: "dev", path: "/" }, { key: "K", value: "v", comment: "" }),
        isUntrusted,
      );
      await assert.rejects(
        projectMembership.ops.create(
          { session, log: recordingLog() },
          projectMembership.validated({ projectId, email: MEMBER_EMAIL, publicKeyFingerprint: memberFingerprint }),
        ),
        isUntrusted,
      );
      assert.equal(h.count("POST", /^\/api\/v3\/secrets/, from), 0, "no secret written under the forged key");
      assert.equal(h.count("POST", KEY_COPY_WRITE, from), 0, "no key copy written");
      assertAttackerOpensNothing();
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("a server claiming a server-keyed project: accepted with a warning by default, refused when told to", async () => {
    const projectId = await freshProject(h.userSession());
    const adminPublicKey = (await h.userSession().user()).publicKey;
    const forged = encryptAsymmetric(generateProjectKey(), adminPublicKey, attacker.privateKey);
    const proxy = await startLyingProxy(h.server.url, (method, path, body) => {
      if (method === "GET" && path.endsWith("/encrypted-key")) {
        Object.assign(body, {
          encryptedKey: forged.ciphertext,
          nonce: forged.nonce,
          sender: { publicKey: attacker.publicKey },
        });
      }
      if (method === "GET" && path === `/api/v1/workspace/${projectId}`) body.workspace.version = 2;
    });
    try {
      // The documented gap (docs/security.md): a real server-keyed project is readable by its
      // server anyway, and the client cannot tell a real one from a server claiming one.
      const log = recordingLog();
      const lenient = adminVia(proxy.url, log);
      await lenient.projectKey(projectId);
      assert.ok(log.warnings.some((w) => w.fields?.senderFingerprint === attackerFingerprint));
      await lenient.close();
      const strict = adminVia(proxy.url, recordingLog(), { allowServerKeyedProjects: false });
      await assert.rejects(
        strict.projectKey(projectId),
        (error: unknown) =>
          error instanceof UntrustedKeySenderError && error.message.includes("allow_server_keyed_projects (Terraform)"),
      );
      await strict.close();
    } finally {
      await proxy.close();
    }
  });

  it("real-server shape (server-keyed project, per-project ghost sender): the happy path opens the real key", async () => {
    const honest = h.userSession();
    const projectId = await freshProject(honest);
    const projectKey = await honest.projectKey(projectId);
    const adminPublicKey = (await honest.user()).publicKey;
    // As the real server of 2024 answers for projects it created: the ghost user wraps our copy.
    const ghost = generateKeyPair();
    const copy = encryptAsymmetric(projectKey, adminPublicKey, ghost.privateKey);
    const proxy = await startLyingProxy(h.server.url, (method, path, body) => {
      if (method === "GET" && path.endsWith("/encrypted-key")) {
        Object.assign(body, {
          encryptedKey: copy.ciphertext,
          nonce: copy.nonce,
          sender: { publicKey: ghost.publicKey },
        });
      }
      if (method === "GET" && path === `/api/v1/workspace/${projectId}`) body.workspace.version = 2;
    });
    const log = recordingLog();
    const session = adminVia(proxy.url, log);
    try {
      assert.equal(await session.projectKey(projectId), projectKey);
      const location = { projectId, environment: "dev", path: "/" };
      await session.secrets.create(location, { key: "GHOST_OK", value: "v", comment: "" });
      assert.equal((await honest.secrets.get(location, "GHOST_OK"))?.value, "v");
      const warning = log.warnings.find((w) => w.fields?.projectId === projectId);
      assert.equal(warning?.fields?.senderFingerprint, publicKeyFingerprint(ghost.publicKey));
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("membership state written by 0.1.0 (no fingerprint) loads: pinned on first read, checked from then on", async () => {
    const session = h.userSession();
    const ctx = h.ctx(session);
    const projectId = await freshProject(session);
    const created = await projectMembership.ops.create(
      ctx,
      projectMembership.validated({ projectId, email: MEMBER_EMAIL }),
    );
    const fixture = readFileSync(
      join(__dirname, "../../../test/core/fixtures/project-membership-state-0.1.0.json"),
      "utf8",
    )
      .replaceAll("{{projectId}}", projectId)
      .replaceAll("{{email}}", MEMBER_EMAIL)
      .replaceAll("{{membershipId}}", created.id)
      .replaceAll("{{userId}}", created.outputs.userId!);
    const legacy = JSON.parse(fixture).state as Outputs;
    assert.equal(legacy.publicKeyFingerprint, undefined);
    const log = recordingLog();
    const read = await projectMembership.ops.read({ session, log }, created.id, legacy);
    assert.equal(read?.publicKeyFingerprint, memberFingerprint);
    assert.ok(log.warnings.some((w) => /first read/.test(w.message) && w.fields?.member === MEMBER_EMAIL));
    // No diff against the same config as 0.1.0 had (the pin is computed when unset).
    assert.deepEqual(
      projectMembership.diff(read as Outputs, projectMembership.validated({ projectId, email: MEMBER_EMAIL })).changes,
      [],
    );
    // From then on the pin holds.
    db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(attacker.publicKey, MEMBER_EMAIL);
    try {
      await assert.rejects(projectMembership.ops.read(ctx, created.id, read!), isMismatch(memberFingerprint));
    } finally {
      db.prepare("UPDATE users SET public_key = ? WHERE email = ?").run(memberPublicKey, MEMBER_EMAIL);
    }
    await projectMembership.ops.delete(ctx, created.id, read!);
  });
});
