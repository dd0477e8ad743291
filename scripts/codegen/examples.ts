/**
 * Usage examples for the generated reference pages, written once in core (camelCase) terms and
 * rendered as Pulumi, Terraform HCL and CDKTF. The docs test validates them against the schemas.
 */

/** A reference to a value defined elsewhere: `projectId` → Pulumi/CDKTF `projectId`, HCL `var.project_id`. */
export interface VariableRef {
  $var: string;
}

export type ExampleValue = string | number | boolean | VariableRef | ExampleValue[] | { [key: string]: ExampleValue };

export interface Example {
  title: string;
  /** Name used for the Pulumi resource, the HCL label and the CDKTF construct id. */
  label: string;
  inputs: Record<string, ExampleValue>;
  /** Faces this example applies to (default: all). */
  faces?: ReadonlyArray<"pulumi" | "terraform">;
  /** Extra sentence under the title. */
  note?: string;
}

const projectId: VariableRef = { $var: "projectId" };

export const EXAMPLES: Record<string, Example[]> = {
  secret: [
    {
      title: "Explicit value",
      label: "db_host",
      inputs: { projectId, environment: "dev", key: "DB_HOST", value: "db.internal", comment: "Primary database" },
    },
    {
      title: "Generated value with declarative rotation",
      label: "db_password",
      note: "The value is generated on this machine; changing `rotationTrigger` generates a new one.",
      inputs: {
        projectId,
        environment: "dev",
        path: "/app/db",
        key: "DB_PASSWORD",
        generate: { length: 32, symbols: true },
        rotationTrigger: "2026-11",
        createMissingFolders: true,
      },
    },
    {
      title: "Write-only value (Terraform 1.11+)",
      label: "api",
      faces: ["terraform"],
      note: "Pass the value through an ephemeral variable; bump `value_wo_version` to send a new one. The value never enters plan or state.",
      inputs: { projectId, environment: "dev", key: "API_KEY", valueWo: { $var: "apiKey" }, valueWoVersion: 1 },
    },
    {
      title: "Tagged",
      label: "db_user",
      note: "`tagIds` is a set of tag ids (a secret tag resource's `id`); the provider keeps exactly this set.",
      inputs: { projectId, environment: "dev", key: "DB_USER", value: "app", tagIds: [{ $var: "dbTagId" }] },
    },
  ],
  secretTag: [
    {
      title: "A tag for database secrets",
      label: "db",
      note: "The name, slug and colour are stored in plaintext on the server. Put the tag on secrets with their `tagIds`.",
      inputs: { projectId, name: "Database", slug: "db", color: "#1f77b4" },
    },
  ],
  environment: [
    {
      title: "A staging environment",
      label: "staging",
      inputs: { projectId, name: "Staging", slug: "staging" },
    },
  ],
  projectMembership: [
    {
      title: "Give a colleague access",
      label: "alice",
      inputs: { projectId, email: "alice@example.com", role: "member" },
    },
    {
      title: "Pin the key checked with the colleague (`infisical-e2ee fingerprint` on their machine)",
      label: "bob",
      inputs: {
        projectId,
        email: "bob@example.com",
        role: "viewer",
        publicKeyFingerprint: "nacl-sha256:MZUH-VLPY-MK6X-O3EP-YGFY-5H4O-EAEJ-OFEF",
      },
    },
    {
      title: "Temporary access: developer rights for 8 hours, viewer otherwise",
      label: "oncall",
      note: "The window starts at the apply that grants it. Once it has ended, the next plan shows an in-place update of `temporaryAccessStartTime`; applying it grants a new window from then. Set `temporaryAccessStartTime` for a fixed window instead.",
      inputs: {
        projectId,
        email: "carol@example.com",
        role: "member",
        isTemporary: true,
        temporaryRange: "8h",
        baseRole: "viewer",
      },
    },
  ],
  project: [
    {
      title: "A project",
      label: "payments",
      inputs: { name: "Payments", slug: "payments-team" },
    },
  ],
  serviceToken: [
    {
      title: "Read-only token for CI",
      label: "ci",
      inputs: {
        projectId,
        name: "ci",
        scopes: [{ environment: "dev", secretPath: "/" }],
        permissions: ["read"],
        expiresIn: 2592000,
      },
    },
  ],
  projectRole: [
    {
      title: "Read secrets of dev under /app, and tags",
      label: "app_reader",
      note: "Give it to a member with `role` = this slug on a project membership. The real Infisical server assigns custom roles only with an enterprise (RBAC) licence; the embedded server has no licence gate.",
      inputs: {
        projectId,
        slug: "app-reader",
        name: "App reader",
        description: "Reads dev secrets under /app",
        permissions: [
          { action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" },
          { action: "read", subject: "tags" },
        ],
      },
    },
  ],
  secrets: [
    {
      title: "Every secret of an environment",
      label: "dev",
      inputs: { projectId, environment: "dev", path: "/" },
    },
  ],
  project_lookup: [
    {
      title: "A project by slug",
      label: "payments",
      inputs: { slug: "payments-team" },
    },
  ],
  auditLogs: [
    {
      title: "The last secret creations",
      label: "recent",
      inputs: { projectId, eventType: "create-secret", limit: 10 },
    },
  ],
  projectMembers: [
    {
      title: "Members and their key fingerprints, to compare out of band",
      label: "team",
      inputs: { projectId },
    },
  ],
};

/** Examples for a schema; the project lookup shares its name with the project resource. */
export function examplesFor(kind: "resource" | "dataSource", coreName: string): Example[] {
  if (kind === "dataSource" && coreName === "project") return EXAMPLES.project_lookup ?? [];
  return EXAMPLES[coreName] ?? [];
}

export function isVariableRef(value: unknown): value is VariableRef {
  return typeof value === "object" && value !== null && "$var" in value;
}
