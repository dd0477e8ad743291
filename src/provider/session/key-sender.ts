/**
 * Who may have sent our copy of a project key (docs/design/0026). A server that lies about
 * `sender.publicKey` could otherwise hand us a project key of its own choosing, and read every
 * secret we write with it. Accepted: our own key (derived locally from the private key), a key
 * whose fingerprint the user trusts (set out of band), or, unless refused, the server-side sender
 * of a project the server says it keys itself (`version: 2`): such a server holds the key anyway.
 */
import { publicKeyFingerprint } from "../crypto/fingerprint";
import { UntrustedKeySenderError } from "../errors";
import type { Logger } from "../schema/resource";

/** The real server's projects made with a server-generated key, wrapped by a per-project "ghost" user. */
export const SERVER_KEYED_PROJECT_VERSION = 2;

export interface SenderPolicy {
  /** Our public key, derived from our private key (never taken from the server). */
  ownPublicKey: string;
  trustedFingerprints: readonly string[];
  allowServerKeyedProjects: boolean;
}

export type SenderVerdict = "own" | "trusted" | "server-keyed";

/**
 * Throws UntrustedKeySenderError unless the sender is acceptable. `projectVersion` is asked for only
 * when the sender is neither ours nor trusted (one extra request, and only then).
 */
export async function vouchForSender(
  projectId: string,
  senderPublicKey: string,
  policy: SenderPolicy,
  projectVersion: () => Promise<number | undefined>,
  log: Logger,
): Promise<SenderVerdict> {
  if (senderPublicKey === policy.ownPublicKey) return "own";
  const sender = publicKeyFingerprint(senderPublicKey);
  if (policy.trustedFingerprints.includes(sender)) return "trusted";
  const trustHint =
    "If the person who added you confirms this fingerprint over a channel the server does not control (they print theirs with `infisical-e2ee fingerprint`), add it to the provider setting trusted_key_fingerprints (Terraform), trustedKeyFingerprints (CDKTF), infisical-e2ee:trustedKeyFingerprints (Pulumi) or INFISICAL_TRUSTED_KEY_FINGERPRINTS, comma-separated; otherwise the server is handing you a key of its own.";
  const version = await projectVersion();
  if (version === SERVER_KEYED_PROJECT_VERSION) {
    if (!policy.allowServerKeyedProjects) {
      throw new UntrustedKeySenderError(
        projectId,
        sender,
        "the server-side sender of a server-keyed project (the server can read its secrets), and allowServerKeyedProjects is false",
        "To use this project anyway, set allow_server_keyed_projects (Terraform), allowServerKeyedProjects (CDKTF), infisical-e2ee:allowServerKeyedProjects (Pulumi) or INFISICAL_ALLOW_SERVER_KEYED_PROJECTS to true; if the project should be client-keyed, the server is lying about it.",
      );
    }
    log.warn("project key accepted from a server-side sender: the server holds this project's key", {
      projectId,
      senderFingerprint: sender,
    });
    return "server-keyed";
  }
  throw new UntrustedKeySenderError(projectId, sender, "which is neither this user's key nor a trusted one", trustHint);
}
