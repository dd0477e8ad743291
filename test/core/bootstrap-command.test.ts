import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { run } from "../../src/cli/bootstrap-command";
import { openSession } from "../../src/provider/session";
import { type RunningServer, startServer } from "../../src/server";

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  try {
    return { code: await fn(), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("infisical-e2ee bootstrap", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ port: 0 });
  });
  after(() => server.close());

  it("signs up on a fresh server, then logs in on the next run; --json prints the contract shape", async () => {
    const args = ["--host", server.url, "--email", "cli@example.com", "--password", "cli password 1", "--json"];
    const first = await capture(() => run([...args, "--project", "cli-one"]));
    assert.equal(first.code, 0, first.err);
    const result = JSON.parse(first.out);
    assert.deepEqual(Object.keys(result).sort(), [
      "environments",
      "host",
      "organizationId",
      "projectId",
      "serviceToken",
    ]);
    assert.match(result.serviceToken, /^st\.[^.]+\.[^.]+\.[0-9a-f]{32}$/);

    const second = await capture(() => run([...args, "--project", "cli-two"]));
    assert.equal(second.code, 0, second.err);
    const again = JSON.parse(second.out);
    assert.equal(again.organizationId, result.organizationId);
    assert.notEqual(again.projectId, result.projectId);

    // The token can write to every environment (scope /**).
    const session = openSession({ host: server.url, serviceToken: again.serviceToken }, { env: {} });
    for (const env of again.environments as { slug: string }[]) {
      await session.secrets.create(
        { projectId: again.projectId, environment: env.slug, path: "/" },
        { key: "K", value: "v", comment: "" },
      );
    }
    await session.close();
  });

  it("usage errors exit 2 and wrong credentials exit 1 without echoing the password", async () => {
    const missing = await capture(() => run(["--host", server.url]));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--email/);
    const wrong = await capture(() =>
      run(["--host", server.url, "--email", "cli@example.com", "--password", "not-the-password", "--json"]),
    );
    assert.equal(wrong.code, 1);
    assert.ok(!wrong.err.includes("not-the-password"));
  });
});
