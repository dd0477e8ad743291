/**
 * Test helpers for the embedded server: a raw HTTP client, and the client-side steps a real
 * Infisical client performs (signup with client-made keys, SRP login, select-organization,
 * project + wrapped key upload, service token). Uses our crypto module for the client side.
 */
import {
  createSrpVerifier,
  decryptAsymmetric,
  encryptAsymmetric,
  encryptSymmetric,
  formatServiceToken,
  generateKeyPair,
  generateProjectKey,
  protectPrivateKey,
  randomHex,
  recoverPrivateKey,
  SrpClient,
} from "../../src/provider/crypto";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server";

// biome-ignore lint/suspicious/noExplicitAny: replies are untyped JSON that tests read field by field
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export class RawClient {
  constructor(
    readonly baseUrl: string,
    readonly userAgent = "infisical-e2ee-tests",
  ) {}

  async request<T = Json>(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      query?: Record<string, string | number | undefined>;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply<T>> {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { "user-agent": this.userAgent, ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // leave as text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = Json>(path: string, token?: string, query?: Record<string, string | number | undefined>) {
    return this.request<T>("GET", path, { token, query });
  }
  post<T = Json>(path: string, body: unknown, token?: string) {
    return this.request<T>("POST", path, { token, body });
  }
  patch<T = Json>(path: string, body: unknown, token?: string) {
    return this.request<T>("PATCH", path, { token, body });
  }
  delete<T = Json>(path: string, body: unknown, token?: string) {
    return this.request<T>("DELETE", path, { token, body });
  }
}

export interface TestServer extends RunningServer {
  client: RawClient;
  logLines: string[];
}

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const logLines: string[] = [];
  const server = await startServer({ port: 0, log: (line) => logLines.push(line), ...options });
  return Object.assign(server, { client: new RawClient(server.url), logLines });
}

export interface UserKeys {
  email: string;
  password: string;
  publicKey: string;
  privateKey: string;
}

/** The signup body a real client sends (including the plaintext `password` the real server wanted). */
export async function signupBody(email: string, password: string, firstName = "Test") {
  const { publicKey, privateKey } = generateKeyPair();
  const { salt, verifier } = createSrpVerifier(email, password);
  const protectedKey = await protectPrivateKey({ privateKey, password, salt });
  return {
    keys: { email, password, publicKey, privateKey } satisfies UserKeys,
    body: { email, password, firstName, lastName: "User", publicKey, salt, verifier, ...protectedKey },
  };
}

export interface Session {
  keys: UserKeys;
  userId: string;
  orgId: string;
  token: string;
}

export async function signupAdmin(
  client: RawClient,
  email = "admin@example.com",
  password = "admin-password-1",
): Promise<Session> {
  const { keys, body } = await signupBody(email, password);
  const res = await client.post("/api/v1/admin/signup", body);
  if (res.status !== 200) throw new Error(`admin signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { keys, userId: res.body.user.id, orgId: res.body.organization.id, token: res.body.token };
}

/** SRP login1 + login2; returns the login2 body (org-less token and protected key material). */
export async function srpLogin(client: RawClient, email: string, password: string) {
  const srp = new SrpClient(email, password);
  const one = await client.post("/api/v3/auth/login1", { email, clientPublicKey: srp.publicKey });
  if (one.status !== 200) throw new Error(`login1 failed: ${one.status}`);
  const proof = srp.computeProof(one.body.salt, one.body.serverPublicKey);
  const two = await client.post("/api/v3/auth/login2", { email, clientProof: proof, password });
  if (two.status !== 200) throw new Error(`login2 failed: ${two.status}`);
  return { ...two.body, salt: one.body.salt as string };
}

/** Full login: SRP, recover the private key, select the (first) organization. */
export async function login(client: RawClient, email: string, password: string): Promise<Session> {
  const two = await srpLogin(client, email, password);
  const privateKey = await recoverPrivateKey({
    password,
    salt: two.salt,
    protectedKey: two.protectedKey,
    protectedKeyIV: two.protectedKeyIV,
    protectedKeyTag: two.protectedKeyTag,
    encryptedPrivateKey: two.encryptedPrivateKey,
    encryptedPrivateKeyIV: two.iv,
    encryptedPrivateKeyTag: two.tag,
    publicKey: two.publicKey,
  });
  const orgs = await client.get("/api/v1/organization", two.token);
  const orgId = orgs.body.organizations[0].id as string;
  const selected = await client.post("/api/v3/auth/select-organization", { organizationId: orgId }, two.token);
  const me = await client.get(`/api/v2/organizations/${orgId}/memberships`, selected.body.token);
  const userId = me.body.users.find((u: Json) => u.user.email === email).user.id as string;
  return { keys: { email, password, publicKey: two.publicKey, privateKey }, userId, orgId, token: selected.body.token };
}

export interface TestProject {
  id: string;
  slug: string;
  projectKey: string;
  environments: Array<{ id: string; slug: string; name: string }>;
}

/** Creates a project and uploads the creator's NaCl-wrapped copy of a fresh project key. */
export async function createProject(client: RawClient, session: Session, name = "Test Project"): Promise<TestProject> {
  const res = await client.post("/api/v2/workspace", { projectName: name }, session.token);
  if (res.status !== 200) throw new Error(`create project failed: ${res.status} ${JSON.stringify(res.body)}`);
  const project = res.body.project;
  const projectKey = generateProjectKey();
  const wrapped = encryptAsymmetric(projectKey, session.keys.publicKey, session.keys.privateKey);
  const upload = await client.post(
    `/api/v1/workspace/${project.id}/key`,
    { key: { encryptedKey: wrapped.ciphertext, nonce: wrapped.nonce, userId: session.userId } },
    session.token,
  );
  if (upload.status !== 200) throw new Error(`key upload failed: ${upload.status}`);
  return { id: project.id, slug: project.slug, projectKey, environments: project.environments };
}

/** Reads and unwraps the caller's copy of the project key. */
export async function fetchProjectKey(client: RawClient, session: Session, projectId: string): Promise<string> {
  const res = await client.get(`/api/v2/workspace/${projectId}/encrypted-key`, session.token);
  if (res.status !== 200) throw new Error(`encrypted-key failed: ${res.status}`);
  return decryptAsymmetric(
    { ciphertext: res.body.encryptedKey, nonce: res.body.nonce },
    res.body.sender.publicKey,
    session.keys.privateKey,
  );
}

export async function createServiceToken(
  client: RawClient,
  session: Session,
  project: TestProject,
  options: {
    scopes?: Array<{ environment: string; secretPath: string }>;
    permissions?: Array<"read" | "write">;
    expiresIn?: number | null;
    name?: string;
  } = {},
): Promise<{ token: string; id: string; bearer: string }> {
  const key = randomHex(16);
  const wrapped = encryptSymmetric(project.projectKey, key);
  const res = await client.post(
    "/api/v2/service-token",
    {
      name: options.name ?? "test token",
      workspaceId: project.id,
      scopes: options.scopes ?? [{ environment: "dev", secretPath: "/**" }],
      encryptedKey: wrapped.ciphertext,
      iv: wrapped.iv,
      tag: wrapped.tag,
      expiresIn: options.expiresIn === undefined ? null : options.expiresIn,
      permissions: options.permissions ?? ["read", "write"],
    },
    session.token,
  );
  if (res.status !== 200) throw new Error(`service token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    token: formatServiceToken({ serviceToken: res.body.serviceToken, key }),
    id: res.body.serviceTokenData.id,
    bearer: res.body.serviceToken,
  };
}

/** The encrypted fields of a secret, as a client builds them. */
export function encryptSecret(projectKey: string, name: string, value: string, comment?: string) {
  const key = encryptSymmetric(name, projectKey);
  const val = encryptSymmetric(value, projectKey);
  const fields: Record<string, string> = {
    secretKeyCiphertext: key.ciphertext,
    secretKeyIV: key.iv,
    secretKeyTag: key.tag,
    secretValueCiphertext: val.ciphertext,
    secretValueIV: val.iv,
    secretValueTag: val.tag,
  };
  if (comment !== undefined) {
    const c = encryptSymmetric(comment, projectKey);
    Object.assign(fields, { secretCommentCiphertext: c.ciphertext, secretCommentIV: c.iv, secretCommentTag: c.tag });
  }
  return fields;
}

export interface World {
  server: TestServer;
  client: RawClient;
  admin: Session;
  project: TestProject;
}

/** A server with an admin (logged in through SRP) and one project whose key copy is uploaded. */
export async function setupWorld(options: ServerOptions = {}): Promise<World> {
  const server = await startTestServer(options);
  await signupAdmin(server.client);
  const admin = await login(server.client, "admin@example.com", "admin-password-1");
  const project = await createProject(server.client, admin);
  return { server, client: server.client, admin, project };
}

/** Invites a second user into the admin's organization and completes their account. */
export async function inviteUser(client: RawClient, admin: Session, email: string, password: string): Promise<Session> {
  const invite = await client.post(
    "/api/v1/invite-org/signup",
    { inviteeEmail: email, organizationId: admin.orgId },
    admin.token,
  );
  if (invite.status !== 200) throw new Error(`invite failed: ${invite.status}`);
  const code = new URL(invite.body.completeInviteLink).searchParams.get("token")!;
  const verify = await client.post("/api/v1/invite-org/verify", { email, organizationId: admin.orgId, code });
  if (verify.status !== 200) throw new Error(`verify failed: ${verify.status}`);
  const { body } = await signupBody(email, password, "Second");
  const complete = await client.post("/api/v3/signup/complete-account/invite", body, verify.body.token);
  if (complete.status !== 200)
    throw new Error(`complete-account failed: ${complete.status} ${JSON.stringify(complete.body)}`);
  return login(client, email, password);
}

/** Adds `member` to the project with an E2EE key copy wrapped by `admin`; returns the project membership id. */
export async function addMember(
  client: RawClient,
  admin: Session,
  project: TestProject,
  member: Session,
): Promise<string> {
  const orgMembers = await client.get(`/api/v2/organizations/${admin.orgId}/memberships`, admin.token);
  const om = orgMembers.body.users.find((u: Json) => u.user.email === member.keys.email);
  const wrapped = encryptAsymmetric(project.projectKey, om.user.publicKey, admin.keys.privateKey);
  const res = await client.post(
    `/api/v1/workspace/${project.id}/memberships`,
    {
      members: [
        { orgMembershipId: om.id, workspaceEncryptedKey: wrapped.ciphertext, workspaceEncryptedNonce: wrapped.nonce },
      ],
    },
    admin.token,
  );
  if (res.status !== 200) throw new Error(`add member failed: ${res.status} ${JSON.stringify(res.body)}`);
  const list = await client.get(`/api/v1/workspace/${project.id}/memberships`, admin.token);
  return list.body.memberships.find((m: Json) => m.user.email === member.keys.email).id as string;
}
