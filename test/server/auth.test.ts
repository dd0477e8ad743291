import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SrpClient } from "../../src/provider/crypto";
import { login, type Session, signupAdmin, signupBody, srpLogin, startTestServer, type TestServer } from "./helpers";

describe("server: status, admin signup, SRP login, organizations", () => {
  let server: TestServer;
  let admin: Session;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("GET /api/status → Ok without auth", async () => {
    const res = await server.client.get("/api/status");
    assert.equal(res.status, 200);
    assert.equal(res.body.message, "Ok");
  });

  it("admin config → initialized false before signup", async () => {
    const res = await server.client.get("/api/v1/admin/config");
    assert.equal(res.status, 200);
    assert.equal(res.body.config.initialized, false);
  });

  it("admin signup: invalid body → 403 ValidationFailure naming the fields", async () => {
    const res = await server.client.post("/api/v1/admin/signup", { email: "not-an-email", firstName: "x" });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, "ValidationFailure");
    assert.ok(Array.isArray(res.body.message));
    const paths = res.body.message.map((issue: { path: string[] }) => issue.path.join("."));
    assert.ok(paths.includes("email"));
    assert.ok(paths.includes("verifier"));
  });

  it("admin signup → user, organization and an org-scoped token; second signup → 403", async () => {
    admin = await signupAdmin(server.client);
    assert.match(admin.orgId, /^[0-9a-f-]{36}$/);
    const orgs = await server.client.get("/api/v1/organization", admin.token);
    assert.equal(orgs.status, 200);
    assert.equal(orgs.body.organizations[0].id, admin.orgId);
    const config = await server.client.get("/api/v1/admin/config");
    assert.equal(config.body.config.initialized, true);
    const { body } = await signupBody("other@example.com", "pw-other-123");
    const again = await server.client.post("/api/v1/admin/signup", body);
    assert.equal(again.status, 403);
    assert.deepEqual(again.body, { statusCode: 403, message: "Admin has been created", error: "Admin sign up" });
  });

  it("SRP login returns the protected key material and an org-less token", async () => {
    const two = await srpLogin(server.client, "admin@example.com", "admin-password-1");
    assert.equal(two.mfaEnabled, false);
    assert.equal(two.encryptionVersion, 2);
    assert.equal(two.publicKey, admin.keys.publicKey);
    for (const field of ["protectedKey", "protectedKeyIV", "protectedKeyTag", "encryptedPrivateKey", "iv", "tag"]) {
      assert.equal(typeof two[field], "string", field);
    }
    // The org-less token works on requireOrg:false routes only.
    assert.equal((await server.client.get("/api/v1/organization", two.token)).status, 200);
    const projects = await server.client.get("/api/v1/workspace", two.token);
    assert.equal(projects.status, 403);
    assert.match(projects.body.message, /no organization found in request/);
  });

  it("full login recovers the private key and selects the organization", async () => {
    const session = await login(server.client, "admin@example.com", "admin-password-1");
    assert.equal(session.keys.privateKey, admin.keys.privateKey);
    assert.equal(session.orgId, admin.orgId);
    assert.equal((await server.client.get("/api/v1/workspace", session.token)).status, 200);
  });

  it("login with a wrong password → 400 Failed to authenticate", async () => {
    const srp = new SrpClient("admin@example.com", "wrong-password");
    const one = await server.client.post("/api/v3/auth/login1", {
      email: "admin@example.com",
      clientPublicKey: srp.publicKey,
    });
    assert.equal(one.status, 200);
    const proof = srp.computeProof(one.body.salt, one.body.serverPublicKey);
    const two = await server.client.post("/api/v3/auth/login2", { email: "admin@example.com", clientProof: proof });
    assert.equal(two.status, 400);
    assert.equal(two.body.message, "Failed to authenticate. Try again?");
  });

  it("login2 without a prior login1, unknown email on login1, bad hex → 4xx", async () => {
    const two = await server.client.post("/api/v3/auth/login2", {
      email: "admin@example.com",
      clientProof: "ab".repeat(32),
    });
    assert.equal(two.status, 400);
    const one = await server.client.post("/api/v3/auth/login1", { email: "nobody@example.com", clientPublicKey: "ab" });
    assert.equal(one.status, 400);
    const bad = await server.client.post("/api/v3/auth/login1", { email: "admin@example.com", clientPublicKey: "zz" });
    assert.equal(bad.status, 403);
    assert.equal(bad.body.error, "ValidationFailure");
  });

  it("login2 without a User-Agent → 400", async () => {
    const srp = new SrpClient("admin@example.com", "admin-password-1");
    const one = await server.client.post("/api/v3/auth/login1", {
      email: "admin@example.com",
      clientPublicKey: srp.publicKey,
    });
    const proof = srp.computeProof(one.body.salt, one.body.serverPublicKey);
    const res = await fetch(new URL("/api/v3/auth/login2", server.url), {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "" },
      body: JSON.stringify({ email: "admin@example.com", clientProof: proof }),
    });
    assert.equal(res.status, 400);
  });

  it("missing token → 403 Token missing; garbage token → 403; tampered token → 403", async () => {
    const missing = await server.client.get("/api/v1/workspace");
    assert.deepEqual(missing.body, { statusCode: 403, message: "Token missing", error: "UnauthorizedError" });
    assert.equal((await server.client.get("/api/v1/workspace", "garbage")).status, 403);
    const [h, p] = admin.token.split(".");
    const forged = `${h}.${p}.${"A".repeat(43)}`;
    assert.equal((await server.client.get("/api/v1/workspace", forged)).status, 403);
  });

  it("select-organization for an organization the user is not in → 403", async () => {
    const two = await srpLogin(server.client, "admin@example.com", "admin-password-1");
    const res = await server.client.post(
      "/api/v3/auth/select-organization",
      { organizationId: "00000000-0000-4000-8000-000000000000" },
      two.token,
    );
    assert.equal(res.status, 403);
    const invalid = await server.client.post("/api/v3/auth/select-organization", { organizationId: "nope" }, two.token);
    assert.equal(invalid.status, 403);
    assert.equal(invalid.body.error, "ValidationFailure");
  });

  it("unknown route → 404 in the real server's shape; long path parameter → 404", async () => {
    const res = await server.client.post("/api/v9/nothing", {});
    assert.deepEqual(res.body, {
      statusCode: 404,
      message: "Route POST:/api/v9/nothing not found",
      error: "Not Found",
    });
    const long = await server.client.get(`/api/v3/secrets/${"A".repeat(101)}`);
    assert.equal(long.status, 404);
  });

  it("malformed JSON → 400 without echoing the body; wrong content type → 415", async () => {
    const res = await server.client.request("POST", "/api/v3/auth/login1", {
      rawBody: "{not json SECRET-ECHO",
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 400);
    assert.equal(JSON.stringify(res.body).includes("SECRET-ECHO"), false);
    const text = await server.client.request("POST", "/api/v3/auth/login1", {
      rawBody: "email=x",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 415);
  });

  it("invite → verify → complete account → the new user logs in and appears with a public key", async () => {
    const invite = await server.client.post(
      "/api/v1/invite-org/signup",
      { inviteeEmail: "second@example.com", organizationId: admin.orgId },
      admin.token,
    );
    assert.equal(invite.status, 200);
    const code = new URL(invite.body.completeInviteLink).searchParams.get("token")!;
    const wrongCode = await server.client.post("/api/v1/invite-org/verify", {
      email: "second@example.com",
      organizationId: admin.orgId,
      code: "0".repeat(32),
    });
    assert.equal(wrongCode.status, 400);
    const verify = await server.client.post("/api/v1/invite-org/verify", {
      email: "second@example.com",
      organizationId: admin.orgId,
      code,
    });
    assert.equal(verify.status, 200);
    // The signup token is good for nothing but completing the account.
    assert.equal((await server.client.get("/api/v1/workspace", verify.body.token)).status, 403);
    const { keys, body } = await signupBody("second@example.com", "second-password-1");
    const complete = await server.client.post("/api/v3/signup/complete-account/invite", body, verify.body.token);
    assert.equal(complete.status, 200);
    const again = await server.client.post("/api/v3/signup/complete-account/invite", body, verify.body.token);
    assert.equal(again.status, 400);
    const session = await login(server.client, "second@example.com", "second-password-1");
    assert.equal(session.keys.privateKey, keys.privateKey);
    const members = await server.client.get(`/api/v2/organizations/${admin.orgId}/memberships`, admin.token);
    assert.equal(members.status, 200);
    const second = members.body.users.find((u: { user: { email: string } }) => u.user.email === "second@example.com");
    assert.equal(second.status, "accepted");
    assert.equal(second.user.publicKey, keys.publicKey);
    // A plain member may not invite.
    const memberInvite = await server.client.post(
      "/api/v1/invite-org/signup",
      { inviteeEmail: "third@example.com", organizationId: admin.orgId },
      session.token,
    );
    assert.equal(memberInvite.status, 401);
    assert.equal(memberInvite.body.error, "PermissionDenied");
  });

  it("org memberships of another organization → 403", async () => {
    const res = await server.client.get(
      "/api/v2/organizations/00000000-0000-4000-8000-000000000000/memberships",
      admin.token,
    );
    assert.equal(res.status, 403);
  });
});
