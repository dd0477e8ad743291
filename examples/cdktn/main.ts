/**
 * A CDK Terrain (cdktn) app for the infisical-e2ee Terraform provider: an environment, three kinds of secrets
 * (explicit, write-only, generated with declarative rotation), a membership for a second user
 * and a read-only service token, all encrypted on this machine before they reach the server.
 *
 * Inputs (environment variables, or cdktn context: `"context"` in cdktf.json):
 *   INFISICAL_HOST, INFISICAL_EMAIL, INFISICAL_PASSWORD   the provider's login (read by the provider)
 *   INFISICAL_PROJECT_ID  (context projectId)             the project to manage
 *   MEMBER_EMAIL          (context memberEmail)           optional: a user who accepted the org invitation
 *   ROTATION_TRIGGER      (context rotationTrigger)       change it to rotate DB_PASSWORD
 *   TF_VAR_api_key                                        the write-only API key (ephemeral variable)
 *   API_KEY_VERSION       (context apiKeyVersion)         bump it to send a new API key
 */
import { App, TerraformOutput, TerraformStack } from "cdktn";
import type { Construct } from "constructs";
import {
  Environment,
  ephemeralVariable,
  InfisicalE2eeProvider,
  ProjectMembership,
  Secret,
  ServiceToken,
} from "infisical-e2ee/cdktn";

function setting(scope: Construct, contextKey: string, envName: string, fallback?: string): string {
  const value = scope.node.tryGetContext(contextKey) ?? process.env[envName] ?? fallback;
  if (value === undefined || value === "") throw new Error(`set ${envName} (or context ${contextKey})`);
  return String(value);
}

class SecretsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // host, email and password come from INFISICAL_HOST / INFISICAL_EMAIL / INFISICAL_PASSWORD.
    new InfisicalE2eeProvider(this, "infisical");

    const projectId = setting(this, "projectId", "INFISICAL_PROJECT_ID");
    const qa = new Environment(this, "qa", { projectId, name: "QA", slug: "qa" });

    new Secret(this, "db_host", {
      projectId,
      environment: qa.slug,
      key: "DB_HOST",
      value: "db.qa.internal",
      comment: "Primary database host",
    });

    // Write-only: the value comes from an ephemeral variable and never enters plan or state.
    const apiKey = ephemeralVariable(this, "api_key", { description: "Third-party API key" });
    new Secret(this, "api_key_secret", {
      projectId,
      environment: qa.slug,
      key: "API_KEY",
      valueWo: apiKey.stringValue,
      valueWoVersion: Number(setting(this, "apiKeyVersion", "API_KEY_VERSION", "1")),
    });

    // Generated on this machine; a new rotation trigger generates a new value.
    new Secret(this, "db_password", {
      projectId,
      environment: qa.slug,
      path: "/db",
      key: "DB_PASSWORD",
      generate: { length: 32, symbols: true },
      rotationTrigger: setting(this, "rotationTrigger", "ROTATION_TRIGGER", "initial"),
      createMissingFolders: true,
    });

    // Optional: `npm start` seeds a single user, so there may be nobody else to add yet.
    const memberEmail = this.node.tryGetContext("memberEmail") ?? process.env.MEMBER_EMAIL;
    if (memberEmail) new ProjectMembership(this, "member", { projectId, email: String(memberEmail), role: "member" });

    const token = new ServiceToken(this, "reader", {
      projectId,
      name: "qa-reader",
      scopes: [{ environment: qa.slug, secretPath: "/**" }],
      permissions: ["read"],
    });
    new TerraformOutput(this, "service_token", { value: token.token, sensitive: true });
    new TerraformOutput(this, "environment", { value: qa.slug });
  }
}

const app = new App();
new SecretsStack(app, "infisical-e2ee-demo");
app.synth();
