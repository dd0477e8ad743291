/**
 * The tag client against a server answering as the real one of 2024 does for malformed ids
 * (routes-more.md §2: 500 `{"message":"Something went wrong","error":"Find by id"}`), over real HTTP:
 * typed errors an unknown id gets, not a server error; a 500 for a well-formed id stays one.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createRequester, type Requester } from "../../src/provider/api/http";
import { secretsApi } from "../../src/provider/api/secrets";
import type { ApiCall, Send } from "../../src/provider/api/send";
import { tagsApi } from "../../src/provider/api/tags";
import { silentLogger } from "../../src/provider/contract";
import { ApiError, ApiValidationError, NotFoundError } from "../../src/provider/errors";

const UUID = "4f7a1c2e-0000-4000-8000-000000000001";
let server: Server;
let requester: Requester;
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(500, { "content-type": "application/json" });
    const op = req.url?.startsWith("/api/v3/secrets") ? "Find all by ids" : "Find by id";
    res.end(JSON.stringify({ statusCode: 500, message: "Something went wrong", error: op }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  requester = createRequester({
    host: `http://127.0.0.1:${port}`,
    timeoutMs: 5_000,
    userAgent: "tests",
    log: silentLogger,
    retry: { maxAttempts: 1 },
  });
});
after(async () => {
  await requester.close();
  await new Promise((resolve) => server.close(resolve));
});

const send: Send = <T>(call: ApiCall) => {
  const { auth: _auth, ...rest } = call;
  return requester<T>({ ...rest, token: "t" });
};

test("a 500 for a malformed tag id on the tag routes is NotFoundError", async () => {
  const tags = tagsApi(send);
  for (const call of [
    tags.get("p", "not-a-uuid"),
    tags.update("p", "x", { name: "n", slug: "s", color: "" }),
    tags.delete("p", "1"),
  ]) {
    await assert.rejects(call, (error: unknown) => error instanceof NotFoundError && error.status === 500);
  }
  // A well-formed id answered with 500 is a real server error, kept as one.
  await assert.rejects(
    tags.get("p", UUID),
    (error: unknown) => error instanceof ApiError && !(error instanceof NotFoundError),
  );
});

test("a 500 for a malformed id in a secret update's tags is ApiValidationError naming tags", async () => {
  const secrets = secretsApi(send);
  const scope = { workspaceId: "p", environment: "dev", secretPath: "/" };
  const body = { secretValueCiphertext: "a", secretValueIV: "b", secretValueTag: "c" };
  await assert.rejects(secrets.update(scope, "K", { ...body, tags: ["a-slug"] }), (error: unknown) => {
    assert.ok(error instanceof ApiValidationError);
    assert.deepEqual(
      (error.issues ?? []).map((issue) => (issue as { path: string[] }).path),
      [["tags"]],
    );
    return true;
  });
  const item = { secretName: "K", secretKeyCiphertext: "k", secretKeyIV: "i", secretKeyTag: "t", ...body };
  await assert.rejects(secrets.updateMany(scope, [{ ...item, tags: ["x"] }]), ApiValidationError);
  await assert.rejects(
    secrets.update(scope, "K", { ...body, tags: [UUID] }),
    (error: unknown) => error instanceof ApiError && !(error instanceof ApiValidationError),
  );
  assert.ok(seen.length >= 6, "every call reached the server");
});
