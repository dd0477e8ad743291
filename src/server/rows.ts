/** Database row types and their API shapes (field names as the real server of 2024 sends them). */
import type {
  Answer,
  SecretCiphertexts,
  WireEnvironment,
  WireOrganization,
  WireOrgMembership,
  WireProject,
  WireSecret,
  WireUser,
} from "../provider/api/wire";
import type { Store } from "./store/database";

export interface UserRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  super_admin: number;
  is_accepted: number;
  public_key: string | null;
  encrypted_private_key: string | null;
  encrypted_private_key_iv: string | null;
  encrypted_private_key_tag: string | null;
  protected_key: string | null;
  protected_key_iv: string | null;
  protected_key_tag: string | null;
  srp_salt: string | null;
  srp_verifier: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrgRow {
  id: string;
  name: string;
  slug: string;
  created_at: string;
  updated_at: string;
}

export interface OrgMembershipRow {
  id: string;
  org_id: string;
  user_id: string;
  role: string;
  status: string;
  invite_email: string | null;
  invite_code_hash: string | null;
  invite_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProjectRow {
  id: string;
  org_id: string;
  name: string;
  slug: string;
  auto_capitalization: number;
  blind_salt_ciphertext: string;
  blind_salt_iv: string;
  blind_salt_tag: string;
  /** `hmac-sha256`, or `argon2id` for projects written by 0.1.0 (see blind-index.ts). */
  blind_index_scheme: string;
  created_at: string;
  updated_at: string;
}

export interface EnvironmentRow {
  id: string;
  project_id: string;
  name: string;
  slug: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface FolderRow {
  id: string;
  env_id: string;
  parent_id: string | null;
  name: string;
  /** Bumped by every rename (added after 0.1.0; 1 for older rows). */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SecretRow {
  id: string;
  project_id: string;
  env_id: string;
  folder_id: string;
  /** NULL for a secret without one (a project from before April 2023); by-name routes never find it. */
  blind_index: string | null;
  type: string;
  user_id: string;
  version: number;
  key_ciphertext: string;
  key_iv: string;
  key_tag: string;
  value_ciphertext: string;
  value_iv: string;
  value_tag: string;
  comment_ciphertext: string | null;
  comment_iv: string | null;
  comment_tag: string | null;
  reminder_note: string | null;
  reminder_repeat_days: number | null;
  skip_multiline: number;
  metadata: string | null;
  created_at: string;
  updated_at: string;
}

export interface SecretVersionRow extends Omit<SecretRow, "project_id" | "blind_index"> {
  secret_id: string;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function userJson(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    username: user.email,
    authMethods: ["email"],
    superAdmin: user.super_admin === 1,
    firstName: user.first_name,
    lastName: user.last_name,
    isAccepted: user.is_accepted === 1,
    isMfaEnabled: false,
    mfaMethods: null,
    devices: null,
    isGhost: false,
    isEmailVerified: user.is_accepted === 1,
    consecutiveFailedMfaAttempts: 0,
    isLocked: false,
    temporaryLockDateEnd: null,
    consecutiveFailedPasswordAttempts: 0,
    createdAt: user.created_at,
    updatedAt: user.updated_at,
  } satisfies Answer<WireUser>;
}

export function orgJson(org: OrgRow) {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    customerId: null,
    authEnforced: false,
    scimEnabled: false,
    kmsDefaultKeyId: null,
    createdAt: org.created_at,
    updatedAt: org.updated_at,
  } satisfies Answer<WireOrganization>;
}

export function orgMembershipJson(m: OrgMembershipRow) {
  return {
    id: m.id,
    role: m.role,
    status: m.status,
    inviteEmail: m.invite_email,
    userId: m.user_id,
    orgId: m.org_id,
    roleId: null,
    projectFavorites: null,
    isActive: true,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
  } satisfies Answer<Omit<WireOrgMembership, "user">>;
}

export function environmentJson(env: EnvironmentRow) {
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    position: env.position,
    projectId: env.project_id,
    createdAt: env.created_at,
    updatedAt: env.updated_at,
  } satisfies Answer<WireEnvironment>;
}

/** Our projects are `version: 1`: the project key exists only on clients (see docs/server.md). */
export function projectJson(project: ProjectRow) {
  return {
    id: project.id,
    _id: project.id,
    name: project.name,
    slug: project.slug,
    autoCapitalization: project.auto_capitalization === 1,
    orgId: project.org_id,
    version: 1,
    upgradeStatus: null,
    pitVersionLimit: 10,
    kmsCertificateKeyId: null,
    auditLogsRetentionDays: null,
    kmsSecretManagerKeyId: null,
    createdAt: project.created_at,
    updatedAt: project.updated_at,
  } satisfies Answer<Omit<WireProject, "environments">>;
}

export function projectWithEnvironmentsJson(store: Store, project: ProjectRow) {
  const environments = store
    .all<EnvironmentRow>("SELECT * FROM environments WHERE project_id = ? ORDER BY position, created_at", project.id)
    .map((env) => ({ id: env.id, name: env.name, slug: env.slug }));
  return { ...projectJson(project), environments } satisfies Answer<WireProject>;
}

/** The encrypted content and settings that a secret and each of its versions answer with. */
function secretContentJson(row: Omit<SecretRow, "project_id" | "blind_index">) {
  return {
    secretKeyCiphertext: row.key_ciphertext,
    secretKeyIV: row.key_iv,
    secretKeyTag: row.key_tag,
    secretValueCiphertext: row.value_ciphertext,
    secretValueIV: row.value_iv,
    secretValueTag: row.value_tag,
    secretCommentCiphertext: row.comment_ciphertext,
    secretCommentIV: row.comment_iv,
    secretCommentTag: row.comment_tag,
    secretReminderNote: row.reminder_note,
    secretReminderRepeatDays: row.reminder_repeat_days,
    skipMultilineEncoding: row.skip_multiline === 1,
    algorithm: "aes-256-gcm",
    keyEncoding: "utf8",
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as unknown),
  } satisfies Answer<SecretCiphertexts>;
}

export function secretJson(secret: SecretRow, environmentSlug: string) {
  return {
    id: secret.id,
    _id: secret.id,
    version: secret.version,
    type: secret.type,
    ...secretContentJson(secret),
    userId: secret.user_id === "" ? null : secret.user_id,
    folderId: secret.folder_id,
    workspace: secret.project_id,
    environment: environmentSlug,
    createdAt: secret.created_at,
    updatedAt: secret.updated_at,
  } satisfies Answer<WireSecret>;
}

export function secretVersionJson(version: SecretVersionRow) {
  return {
    id: version.id,
    secretId: version.secret_id,
    version: version.version,
    type: version.type,
    ...secretContentJson(version),
    envId: version.env_id,
    folderId: version.folder_id,
    userId: version.user_id === "" ? null : version.user_id,
    createdAt: version.created_at,
    updatedAt: version.updated_at,
  };
}
