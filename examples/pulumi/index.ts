/**
 * Manages part of an Infisical project with end-to-end encryption: every value is encrypted on
 * this machine with the project key before it is sent, and is a Pulumi secret in state.
 * Credentials come from stack config (see README.md), never from this program.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as infisical from "infisical-e2ee/pulumi";

const config = new pulumi.Config();
const projectId = config.require("projectId");
const memberEmail = config.get("memberEmail") ?? "";
const rotation = config.get("rotation") ?? "2026-11";

// An environment of its own; secrets below depend on its slug, so Pulumi creates it first.
const qa = new infisical.Environment("qa", { projectId, name: "QA", slug: "qa" });

// An explicit value: pulumi.secret keeps it encrypted in the program's state, too.
new infisical.Secret("db-host", {
  projectId,
  environment: qa.slug,
  key: "DB_HOST",
  value: "db.internal:5432",
  comment: "Primary database",
});

// A value generated here (never by the server); changing `rotation` rotates it in place and
// Infisical keeps the previous version in its history.
const apiKey = new infisical.Secret("api-key", {
  projectId,
  environment: qa.slug,
  key: "API_KEY",
  generate: { length: 40, symbols: false },
  rotationTrigger: rotation,
});

// Rotation driven by @pulumi/random: a new password whenever its keepers change.
const dbPassword = new random.RandomPassword("db-password", {
  length: 32,
  special: false,
  keepers: { rotation },
});
new infisical.Secret("db-password", {
  projectId,
  environment: qa.slug,
  key: "DB_PASSWORD",
  value: dbPassword.result,
});

// A secret in a folder that does not exist yet.
new infisical.Secret("feature-flags", {
  projectId,
  environment: qa.slug,
  path: "/app/flags",
  createMissingFolders: true,
  key: "NEW_CHECKOUT",
  value: "on",
});

// Give an existing user access: the project key is wrapped for their public key on this machine.
if (memberEmail) {
  new infisical.ProjectMembership("member", { projectId, email: memberEmail, role: "member" });
}

// A read-only service token for CI, scoped to the QA environment.
const ci = new infisical.ServiceToken("ci", {
  projectId,
  name: "ci-qa",
  scopes: [{ environment: qa.slug, secretPath: "/" }],
  permissions: ["read"],
  expiresIn: 30 * 24 * 3600,
});

// Secret outputs: shown as [secret] unless `pulumi stack output --show-secrets`.
export const apiKeyValue = apiKey.value;
export const apiKeyVersion = apiKey.version;
export const ciToken = ci.token;
export const ciTokenExpiresAt = ci.expiresAt;
// A lookup: every decrypted secret of QA's root folder, as one Pulumi secret.
export const qaSecrets = infisical.getSecretsOutput({ projectId, environment: qa.slug, path: "/" });
