/**
 * Core error paths and wire traffic, against the embedded server over real HTTP through a
 * recording proxy: no plaintext value, comment, project key, private key, password or
 * service-token key in any request the client sends, nor in any error it throws (message,
 * stack, cause chain, own properties) for check failures, server rejections, crypto failures
 * and transport failures.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { bootstrap } from "../../src/provider/bootstrap";
import { generateKeyPair } from "../../src/provider/crypto";
import { resources } from "../../src/provider/registry";
import { silentLogger } from "../../src/provider/schema/resource";
import { openSession } from "../../src/provider/session";
import { loginOnce } from "../../src/provider/session/login";
import type { Session } from "../../src/provider/session/session";
import { type RunningServer, startServer } from "../../src/server";
import { canary, captureError, foundIn, type RecordingProxy, startRecordingProxy } from "./canaries";

const EMAIL = "security@example.com";
const PASSWORD = canary("password");
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe("security: core errors and traffic carry no plaintext", () => {
  let server: RunningServer;
  let proxy: RecordingProxy;
  let projectId: string;
  let serviceToken: string;
  let user: Session;
  /** Every plaintext that must stay on the client. */
  const secrets: Record<string, string> = {
    password: PASSWORD,
    value: canary("value"),
    comment: canary("comment"),
    updatedValue: canary("updated-value"),
    updatedComment: canary("updated-comment"),
  };
  const location = () => ({ projectId, environment: "dev", path: "/" });

  before(async () => {
    server = await startServer({ port: 0 });
    proxy = await startRecordingProxy(server.url);
    const boot = await bootstrap({ host: proxy.url, email: EMAIL, password: PASSWORD, projectName: "security" });
    projectId = boot.projectId;
    serviceToken = boot.serviceToken;
    secrets.bootstrapTokenKey = serviceToken.split(".")[3]!;
    user = openSession({ host: proxy.url, email: EMAIL, password: PASSWORD }, { env: {}, retry: RETRY });
    secrets.projectKey = await user.projectKey(projectId);
    secrets.privateKey = (await loginOnce(user.api, { email: EMAIL, password: PASSWORD }, user)).privateKey;
  });

  after(async () => {
    await user?.close();
    await proxy?.close();
    await server?.close();
  });

  test("the wire: a full secret and token lifecycle sends no plaintext, key or password", async () => {
    const ctx = { session: user, log: silentLogger };
    const key = `SEC_${randomBytes(3).toString("hex")}`;
    const created = await resources.secret.ops.create(
      ctx,
      resources.secret.validated({ ...location(), key, value: secrets.value, comment: secrets.comment }),
    );
    const updated = await resources.secret.ops.update(
      ctx,
      created.id,
      created.outputs,
      resources.secret.validated({ ...location(), key, value: secrets.updatedValue, comment: secrets.updatedComment }),
    );
    assert.equal(updated.value, secrets.updatedValue);
    const token = await resources.serviceToken.ops.create(
      ctx,
      resources.serviceToken.validated({
        projectId,
        name: "security-ci",
        scopes: [{ environment: "dev", secretPath: "/" }],
        permissions: ["read", "write"],
      }),
    );
    secrets.createdTokenKey = token.outputs.token!.split(".")[3]!;
    const tokenSession = openSession({ host: proxy.url, serviceToken: token.outputs.token }, { env: {} });
    try {
      assert.equal((await tokenSession.secrets.get(location(), key))?.value, secrets.updatedValue);
      await tokenSession.secrets.create(location(), {
        key: `${key}_T`,
        value: secrets.value,
        comment: secrets.comment,
      });
      await tokenSession.secrets.delete(location(), `${key}_T`);
    } finally {
      await tokenSession.close();
    }
    await resources.secret.ops.delete(ctx, created.id, updated);

    const traffic = proxy.traffic();
    assert.ok(proxy.requests.length > 10, `expected a real exchange, saw ${proxy.requests.length} requests`);
    // The real 2024 server requires the plaintext password in the admin-signup body (spec:
    // real-server.md; the embedded server discards it). That is the only request allowed to carry it.
    const signups = proxy.requests.filter((r) => r.url === "/api/v1/admin/signup");
    assert.equal(signups.length, 1);
    const afterSignup = proxy.traffic().split(signups[0]!.body).join("<signup body>");
    assert.deepEqual(foundIn(afterSignup, secrets), [], "plaintext reached the server");
    const carriers = proxy.requests.filter((r) => `${r.url}${JSON.stringify(r.headers)}${r.body}`.includes(PASSWORD));
    assert.deepEqual(
      carriers.map((r) => r.url),
      ["/api/v1/admin/signup"],
      "the password left the client outside admin signup (login must be SRP only)",
    );
    assert.ok(traffic.includes("/api/v3/auth/login2"), "the session logged in over the wire");
    // The token's bearer part is meant for the server; its key part never is.
    assert.ok(traffic.includes(token.outputs.token!.split(".").slice(0, 3).join(".")), "token session was used");
  });

  test("check failures of every resource echo none of the submitted strings", () => {
    const poison = canary("poison");
    const bad: Record<string, Record<string, unknown>> = {
      secret: {
        projectId: `${poison}/x`,
        environment: `${poison} !`,
        path: `no-slash-${poison}`,
        key: `bad/${poison}`,
        value: `${poison}${"x".repeat(70_000)}`,
        comment: `${poison}${"y".repeat(30_000)}`,
        type: poison,
        generate: { length: poison },
        rotationTrigger: 5,
        unknownField: poison,
        [poison]: "x",
      },
      environment: { projectId: poison, name: "", slug: `${poison} BAD`, position: poison },
      projectMembership: { projectId: poison, email: poison, role: `${poison}!` },
      project: { name: { nested: poison }, slug: `${poison} Bad!`, organizationId: `${poison}/x` },
      serviceToken: {
        projectId: poison,
        name: [poison],
        scopes: [{ environment: `${poison} !`, secretPath: poison }],
        permissions: [poison],
        expiresIn: poison,
      },
    };
    let failureCount = 0;
    for (const [name, inputs] of Object.entries(bad)) {
      const resource = (resources as unknown as Record<string, (typeof resources)["secret"]>)[name]!;
      const checked = resource.check(inputs);
      assert.ok(checked.failures.length > 0, `${name}: expected failures`);
      failureCount += checked.failures.length;
      let thrown: unknown;
      try {
        resource.validated(inputs);
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown, `${name}: validated() accepted bad input`);
      const reasons = checked.failures.map((f) => `${f.reason}`).join("\n");
      assert.deepEqual(foundIn(reasons, { poison }), [], `${name}: a failure reason echoes the input`);
      // Field paths may name an unknown key (it is the user's own field name), never a value.
      const message = (thrown as Error).message.replaceAll(`${poison}: is not a known field`, "");
      assert.deepEqual(foundIn(message, { poison }), [], `${name}: the error message echoes a value`);
    }
    assert.ok(failureCount >= 20, `only ${failureCount} failures`);
  });

  test("server rejections: conflict, missing environment and folder, missing secret, denied token", async () => {
    const ctx = { session: user, log: silentLogger };
    const key = `DUP_${randomBytes(3).toString("hex")}`;
    await user.secrets.create(location(), { key, value: secrets.value, comment: secrets.comment });
    const attempts: [string, () => Promise<unknown>][] = [
      [
        "conflict",
        () =>
          resources.secret.ops.create(
            ctx,
            resources.secret.validated({ ...location(), key, value: secrets.updatedValue, comment: secrets.comment }),
          ),
      ],
      [
        "no environment",
        () =>
          resources.secret.ops.create(
            ctx,
            resources.secret.validated({ ...location(), environment: "nowhere", key, value: secrets.value }),
          ),
      ],
      [
        "no folder",
        () =>
          resources.secret.ops.create(
            ctx,
            resources.secret.validated({ ...location(), path: "/missing/deep", key, value: secrets.value }),
          ),
      ],
      [
        "update missing",
        () => user.secrets.update(location(), { key: `${key}_GONE`, value: secrets.value, comment: secrets.comment }),
      ],
      ["other project", () => user.projectKey("00000000-0000-4000-8000-000000000000")],
      [
        "read-only token writes",
        async () => {
          const token = await resources.serviceToken.ops.create(
            ctx,
            resources.serviceToken.validated({
              projectId,
              name: "security-ro",
              scopes: [{ environment: "dev", secretPath: "/" }],
              permissions: ["read"],
            }),
          );
          const session = openSession({ host: proxy.url, serviceToken: token.outputs.token }, { env: {} });
          try {
            await session.secrets.create(location(), { key: `${key}_RO`, value: secrets.value, comment: "" });
          } finally {
            await session.close();
          }
        },
      ],
      [
        "wrong password",
        async () => {
          const session = openSession({ host: proxy.url, email: EMAIL, password: `${PASSWORD}-wrong` }, { env: {} });
          try {
            await session.user();
          } finally {
            await session.close();
          }
        },
      ],
      [
        "membership for a stranger",
        () =>
          resources.projectMembership.ops.create(
            ctx,
            resources.projectMembership.validated({ projectId, email: "stranger@example.com" }),
          ),
      ],
      [
        "wrap for a bad public key",
        () => user.wrapProjectKeyFor(projectId, Buffer.from(`${secrets.value}`).toString("base64")),
      ],
    ];
    for (const [label, attempt] of attempts) {
      const { error, text } = await captureError(attempt);
      assert.ok((error as { code?: string }).code?.startsWith("ERR_"), `${label}: not a typed error: ${text}`);
      assert.deepEqual(foundIn(text, secrets), [], `${label}: error exposes a plaintext:\n${text}`);
    }
  });

  test("crypto failures: wrong token key and tampered ciphertexts expose neither key nor plaintext", async () => {
    const key = `TAMPER_${randomBytes(3).toString("hex")}`;
    await user.secrets.create(location(), { key, value: secrets.value, comment: secrets.comment });
    const [st, id, secretPart, rightKey] = serviceToken.split(".");
    const wrongKey = randomBytes(16).toString("hex");
    const wrongToken = [st, id, secretPart, wrongKey].join(".");
    const wrongSession = openSession({ host: proxy.url, serviceToken: wrongToken }, { env: {} });
    const wrong = await captureError(() => wrongSession.secrets.list(location()));
    await wrongSession.close();
    assert.equal((wrong.error as { code?: string }).code, "ERR_CRYPTO");
    assert.deepEqual(foundIn(wrong.text, { ...secrets, wrongKey, rightKey: rightKey! }), [], wrong.text);

    // A server (or a man in the middle) altering stored ciphertexts: decryption must fail closed.
    const flip = (text: unknown) =>
      typeof text === "string" && text.length > 0 ? (text[0] === "A" ? "B" : "A") + text.slice(1) : text;
    proxy.tamper = {
      path: /^\/api\/v3\/secrets$/,
      rewrite: (body) => {
        for (const s of (body.secrets as Record<string, unknown>[]) ?? []) {
          s.secretValueCiphertext = flip(s.secretValueCiphertext);
        }
        return body;
      },
    };
    const reader = openSession({ host: proxy.url, serviceToken }, { env: {} });
    try {
      const tampered = await captureError(() => reader.secrets.list(location(), { fresh: true }));
      assert.equal((tampered.error as { code?: string }).code, "ERR_CRYPTO", tampered.text);
      assert.deepEqual(foundIn(tampered.text, secrets), [], tampered.text);
    } finally {
      proxy.tamper = undefined;
      await reader.close();
    }

    // A project-key copy from a sender nobody vouched for (another key pair): refused before use.
    proxy.tamper = {
      path: /\/encrypted-key$/,
      rewrite: (body) => {
        const copy = (body.latestKey ?? body) as Record<string, unknown>;
        const sender = copy.sender as Record<string, unknown> | undefined;
        if (sender) sender.publicKey = generateKeyPair().publicKey;
        return body;
      },
    };
    const swapped = openSession({ host: proxy.url, email: EMAIL, password: PASSWORD }, { env: {} });
    try {
      const unwrap = await captureError(() => swapped.projectKey(projectId));
      assert.equal((unwrap.error as { code?: string }).code, "ERR_UNTRUSTED_KEY_SENDER", unwrap.text);
      assert.deepEqual(foundIn(unwrap.text, secrets), [], unwrap.text);
    } finally {
      await swapped.close();
    }
    // A copy from our own key whose ciphertext was altered: it does not open.
    proxy.tamper = {
      path: /\/encrypted-key$/,
      rewrite: (body) => {
        const copy = (body.latestKey ?? body) as Record<string, unknown>;
        copy.encryptedKey = flip(copy.encryptedKey);
        return body;
      },
    };
    const fresh = openSession({ host: proxy.url, email: EMAIL, password: PASSWORD }, { env: {} });
    try {
      const unwrap = await captureError(() => fresh.projectKey(projectId));
      assert.equal((unwrap.error as { code?: string }).code, "ERR_CRYPTO", unwrap.text);
      assert.deepEqual(foundIn(unwrap.text, secrets), [], unwrap.text);
    } finally {
      proxy.tamper = undefined;
      await fresh.close();
    }
  });

  test("transport failures: a server that dies mid-request or mid-answer", async () => {
    const name = canary("NAME").replaceAll("-", "_").toUpperCase();
    const behaviours: Record<string, (socket: import("node:net").Socket) => void> = {
      "dies after the request": (socket) => socket.once("data", () => socket.destroy()),
      "dies mid-headers": (socket) =>
        socket.once("data", () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
          setTimeout(() => socket.destroy(), 5);
        }),
      "dies mid-body": (socket) =>
        socket.once("data", () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"secret":');
          setTimeout(() => socket.destroy(), 5);
        }),
      "answers garbage": (socket) =>
        socket.once("data", () => {
          socket.write(`NOT-HTTP ${name}\r\n\r\n`);
          socket.destroy();
        }),
    };
    for (const [label, behave] of Object.entries(behaviours)) {
      const dying: TcpServer = createTcpServer(behave);
      await new Promise<void>((resolve) => dying.listen(0, "127.0.0.1", resolve));
      const port = (dying.address() as import("node:net").AddressInfo).port;
      const session = openSession({ host: `http://127.0.0.1:${port}`, serviceToken }, { env: {}, retry: RETRY });
      session.rememberProjectKey(projectId, secrets.projectKey!);
      try {
        for (const attempt of [
          () => session.secrets.create(location(), { key: name, value: secrets.value, comment: secrets.comment }),
          () => session.secrets.update(location(), { key: name, value: secrets.value, comment: secrets.comment }),
          () => session.secrets.delete(location(), name),
        ]) {
          const { error, text } = await captureError(attempt);
          assert.equal((error as { code?: string }).code, "ERR_TRANSPORT", `${label}: ${text}`);
          const exposed = foundIn(text, { ...secrets, name, bearer: serviceToken.split(".").slice(0, 3).join(".") });
          assert.deepEqual(exposed, [], `${label}: ${text}`);
          assert.ok(!text.includes(`127.0.0.1:${port}`), `${label}: the error names the concrete URL`);
        }
      } finally {
        await session.close();
        await new Promise((resolve) => dying.close(resolve));
      }
    }
  });
});
