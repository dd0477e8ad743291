/**
 * Plain HTTP is refused for anything but loopback unless the user opts in (allowInsecureHttp or
 * INFISICAL_ALLOW_INSECURE_HTTP), before any byte is sent; credentials in the host URL are
 * refused without being echoed. Checked against a real listener on this machine's own
 * non-loopback address, counting the connections it receives.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import os from "node:os";
import { test } from "node:test";
import { openSession } from "../../src/provider/session";
import { canary, captureError, foundIn } from "./canaries";

const TOKEN = `st.${"a".repeat(24)}.${"b".repeat(32)}.${"c".repeat(32)}`;

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === "IPv4" && !entry.internal) return entry.address;
  }
  return undefined;
}

test("https: non-loopback http is refused before connecting; the opt-in connects", async (t) => {
  const address = nonLoopbackAddress();
  if (!address) return t.skip("this machine has no non-loopback IPv4 address");
  let connections = 0;
  const listener = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
  const port = (listener.address() as import("node:net").AddressInfo).port;
  const host = `http://${address}:${port}`;
  const location = { projectId: "p", environment: "dev", path: "/" };
  try {
    for (const [label, open] of [
      ["explicit host", () => openSession({ host, serviceToken: TOKEN }, { env: {} })],
      ["INFISICAL_HOST", () => openSession({ serviceToken: TOKEN }, { env: { INFISICAL_HOST: host } })],
      [
        "opt-out spelled false",
        () => openSession({ host, serviceToken: TOKEN }, { env: { INFISICAL_ALLOW_INSECURE_HTTP: "0" } }),
      ],
      [
        "explicit false beats the environment",
        () =>
          openSession(
            { host, serviceToken: TOKEN, allowInsecureHttp: false },
            { env: { INFISICAL_ALLOW_INSECURE_HTTP: "1" } },
          ),
      ],
    ] as const) {
      const { error } = await captureError(open);
      assert.equal((error as { code?: string }).code, "ERR_CONFIG", label);
      assert.equal((error as { setting?: string }).setting, "host", label);
    }
    assert.equal(connections, 0, "a refused session must not connect");

    for (const session of [
      openSession({ host, serviceToken: TOKEN, allowInsecureHttp: true }, { env: {}, retry: { maxAttempts: 1 } }),
      openSession(
        { host, serviceToken: TOKEN },
        { env: { INFISICAL_ALLOW_INSECURE_HTTP: "true" }, retry: { maxAttempts: 1 } },
      ),
    ]) {
      await captureError(() => session.secrets.list(location));
      await session.close();
    }
    assert.equal(connections, 2, "the opt-in sessions connected");
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});

test("https: look-alike loopback names are not loopback; credentials in the URL are not echoed", async () => {
  for (const host of [
    "http://127.0.0.1.example.com",
    "http://localhost.example.com",
    "http://example.com/127.0.0.1",
    "http://10.0.0.1",
    "http://[::ffff:7f00:1]",
    "http://0.0.0.0",
  ]) {
    const { error } = await captureError(() => openSession({ host, serviceToken: TOKEN }, { env: {} }));
    assert.equal((error as { code?: string }).code, "ERR_CONFIG", host);
  }
  for (const host of ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "https://example.com"]) {
    const session = openSession({ host, serviceToken: TOKEN }, { env: {} });
    await session.close();
  }
  const password = canary("url-password");
  const { error, text } = await captureError(() =>
    openSession({ host: `https://user:${password}@example.com`, serviceToken: TOKEN }, { env: {} }),
  );
  assert.equal((error as { code?: string }).code, "ERR_CONFIG");
  assert.deepEqual(foundIn(text, { password }), []);
  const bad = canary("bad-token");
  const malformed = await captureError(() =>
    openSession({ host: "https://example.com", serviceToken: bad }, { env: {} }),
  );
  assert.equal((malformed.error as { code?: string }).code, "ERR_CONFIG");
  assert.deepEqual(foundIn(malformed.text, { bad }), []);
});
