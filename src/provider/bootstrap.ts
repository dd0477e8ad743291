/**
 * First-run setup against an Infisical server (embedded or real, 2024): create the admin with
 * client-made key material on an uninitialized server (or log in), create a project (uploading
 * a client-made project key when the server gives none) and a read/write service token for all
 * its environments. Also a helper to invite and fully sign up a second user, for demos and tests.
 */
import { type Api, createApi, createRequester } from "./api";
import type { SignupKeyMaterial } from "./api/wire";
import { createSrpVerifier, generateKeyPair, protectPrivateKey } from "./crypto";
import { ConfigError } from "./errors";
import { project as projectResource } from "./resources/project";
import { serviceToken as serviceTokenResource } from "./resources/service-token";
import { type Logger, silentLogger } from "./schema/resource";
import { openSession, USER_AGENT } from "./session";
import { resolveSettings } from "./session/settings";

export interface BootstrapOptions {
  host: string;
  email: string;
  password: string;
  projectName?: string;
  /** Name of the service token (default "bootstrap"). */
  tokenName?: string;
  firstName?: string;
  allowInsecureHttp?: boolean;
  log?: Logger;
}

export interface BootstrapResult {
  host: string;
  organizationId: string;
  projectId: string;
  environments: { id: string; name: string; slug: string }[];
  /** The full 4-part token `st.<id>.<secret>.<key>`. */
  serviceToken: string;
  /** True when this call created the admin account. */
  createdAdmin: boolean;
}

/** Key material for signup, all made here: the server gets only the verifier and wrapped keys. */
export async function makeSignupKeyMaterial(
  email: string,
  password: string,
  firstName: string,
): Promise<SignupKeyMaterial> {
  const { publicKey, privateKey } = generateKeyPair();
  const { salt, verifier } = createSrpVerifier(email, password);
  const protectedKey = await protectPrivateKey({ privateKey, password, salt });
  // The real server of 2024 requires the plaintext password at signup; the embedded one discards it.
  return { email, password, firstName, publicKey, salt, verifier, ...protectedKey };
}

function plainApi(
  host: string,
  allowInsecureHttp: boolean | undefined,
  log: Logger,
): { api: Api; close(): Promise<void> } {
  const settings = resolveSettings({ host, allowInsecureHttp }, {});
  const requester = createRequester({ host: settings.host, timeoutMs: settings.timeoutMs, userAgent: USER_AGENT, log });
  const api = createApi((call) => {
    const { auth, ...rest } = call;
    if (auth === undefined || auth === "session") {
      throw new ConfigError("token", `${call.operation} needs a session`, "Use openSession for authenticated calls.");
    }
    return requester(auth === "none" ? rest : { ...rest, token: auth.bearer });
  }, settings.host);
  return { api, close: () => requester.close() };
}

export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const log = options.log ?? silentLogger;
  const plain = plainApi(options.host, options.allowInsecureHttp, log);
  let createdAdmin = false;
  try {
    const { config } = await plain.api.auth.adminConfig();
    if (!config.initialized) {
      log.info("server is uninitialized; creating the admin account");
      const material = await makeSignupKeyMaterial(options.email, options.password, options.firstName ?? "Admin");
      await plain.api.auth.adminSignup(material);
      createdAdmin = true;
    }
  } finally {
    await plain.close();
  }
  const session = openSession(
    {
      host: options.host,
      email: options.email,
      password: options.password,
      allowInsecureHttp: options.allowInsecureHttp,
    },
    { env: {}, log },
  );
  try {
    const ctx = { session, log };
    const user = await session.user();
    const project = await projectResource.ops.create(
      ctx,
      projectResource.validated({ name: options.projectName ?? "bootstrap" }),
    );
    const environments = (project.outputs.environments ?? []).map((e) => ({ id: e.id!, name: e.name!, slug: e.slug! }));
    const token = await serviceTokenResource.ops.create(
      ctx,
      serviceTokenResource.validated({
        projectId: project.id,
        name: options.tokenName ?? "bootstrap",
        scopes: environments.map((e) => ({ environment: e.slug, secretPath: "/**" })),
        permissions: ["read", "write"],
      }),
    );
    return {
      host: session.host,
      organizationId: user.organizationId,
      projectId: project.id,
      environments,
      serviceToken: token.outputs.token!,
      createdAdmin,
    };
  } finally {
    await session.close();
  }
}

export interface InviteMemberOptions {
  host: string;
  /** The inviting user (an organization admin). */
  adminEmail: string;
  adminPassword: string;
  email: string;
  password: string;
  firstName?: string;
  allowInsecureHttp?: boolean;
  log?: Logger;
}

/**
 * Invite a user to the admin's organization and complete their signup with client-made keys.
 * Works where the server hands back the invite link (no SMTP configured), as the real server does.
 */
export async function inviteMember(options: InviteMemberOptions): Promise<{ userId: string; email: string }> {
  const log = options.log ?? silentLogger;
  const session = openSession(
    {
      host: options.host,
      email: options.adminEmail,
      password: options.adminPassword,
      allowInsecureHttp: options.allowInsecureHttp,
    },
    { env: {}, log },
  );
  try {
    const { organizationId } = await session.user();
    const { completeInviteLink } = await session.api.auth.inviteToOrganization(options.email, organizationId);
    const code = completeInviteLink
      ? new URL(completeInviteLink, "http://invite.local").searchParams.get("token")
      : null;
    if (!code) {
      throw new ConfigError(
        "host",
        "the server did not return an invite link (it sends invites by email)",
        "Complete the invitation from the email, or use a server without SMTP for automated setups.",
      );
    }
    const { token } = await session.api.auth.verifyInvite(options.email, organizationId, code);
    if (!token)
      throw new ConfigError(
        "email",
        "the invite could not be verified",
        "Check that the user is not already signed up.",
      );
    const material = await makeSignupKeyMaterial(options.email, options.password, options.firstName ?? "Member");
    const { user } = await session.api.auth.completeInviteSignup(token, material);
    return { userId: user.id, email: options.email };
  } finally {
    await session.close();
  }
}
