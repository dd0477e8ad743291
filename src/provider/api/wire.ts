/** Request and response shapes of the legacy E2EE routes (real server of 2024, see shared/spec/routes.md). */

export interface EncryptedTriple {
  ciphertext: string;
  iv: string;
  tag: string;
}

export interface EncryptedSecretKey {
  secretKeyCiphertext: string;
  secretKeyIV: string;
  secretKeyTag: string;
}

export interface EncryptedSecretValue {
  secretValueCiphertext: string;
  secretValueIV: string;
  secretValueTag: string;
}

/** Absent in what the client sends without a comment; null in what a server answers for none. */
export interface EncryptedSecretComment {
  secretCommentCiphertext?: string | null;
  secretCommentIV?: string | null;
  secretCommentTag?: string | null;
}

export interface SecretCiphertexts extends EncryptedSecretKey, EncryptedSecretValue, EncryptedSecretComment {}

export interface WireSecret extends SecretCiphertexts {
  id: string;
  _id?: string;
  version?: number;
  type?: string;
  secretPath?: string;
  environment?: string;
  workspace?: string;
  /** Only in the list's answer (`GET /api/v3/secrets`); single reads and writes strip it. */
  tags?: WireSecretTag[];
}

/** A tag as the secret list shows it. */
export interface WireSecretTag {
  id: string;
  slug: string;
  name: string;
  color?: string | null;
}

/** A project tag (`/api/v1/workspace/{projectId}/tags`). */
export interface WireTag extends WireSecretTag {
  projectId: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface SecretScope {
  workspaceId: string;
  environment: string;
  secretPath: string;
}

export interface WireOrganization {
  id: string;
  name: string;
  slug: string;
}

export interface WireEnvironment {
  id: string;
  name: string;
  slug: string;
  position?: number;
}

export interface WireProject {
  id: string;
  name: string;
  slug: string;
  orgId: string;
  version?: number;
  environments: WireEnvironment[];
}

export interface WireProjectKey {
  id?: string;
  encryptedKey: string;
  nonce: string;
  receiverId?: string;
  senderId?: string | null;
  sender: { publicKey: string };
}

export interface WireUser {
  id: string;
  email?: string | null;
  username?: string;
  firstName?: string | null;
  lastName?: string | null;
  publicKey?: string | null;
}

export interface WireOrgMembership {
  id: string;
  role: string;
  status?: string;
  userId?: string | null;
  inviteEmail?: string | null;
  orgId: string;
  isActive?: boolean;
  user: WireUser & { publicKey?: string | null };
}

export interface WireProjectMembership {
  id: string;
  userId: string;
  projectId: string;
  user: WireUser;
  roles: WireMembershipRole[];
}

/** One role of a project membership; temporary ones carry their window (docs/design/0039). */
export interface WireMembershipRole {
  role: string;
  customRoleSlug?: string | null;
  isTemporary?: boolean | null;
  temporaryMode?: string | null;
  temporaryRange?: string | null;
  temporaryAccessStartTime?: string | null;
  temporaryAccessEndTime?: string | null;
}

/** A role as `PATCH …/memberships/{id}` takes it; the list replaces all of the membership's roles. */
export type RoleAssignment =
  | { role: string; isTemporary: false }
  | {
      role: string;
      isTemporary: true;
      temporaryMode: "relative";
      temporaryRange: string;
      temporaryAccessStartTime: string;
    };

export interface WireServiceTokenData {
  id: string;
  name: string;
  scopes?: { environment: string; secretPath: string }[];
  permissions: string[];
  expiresAt?: string | null;
  createdAt?: string;
  projectId: string;
}

export interface WireServiceTokenSelf extends WireServiceTokenData {
  encryptedKey?: string | null;
  iv?: string | null;
  tag?: string | null;
  workspace?: string;
}

export interface WireFolder {
  id: string;
  name: string;
  version?: number | null;
  envId?: string;
  parentId?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface WireAuditLog {
  id: string;
  ipAddress?: string | null;
  userAgent?: string | null;
  createdAt: string;
  projectId?: string | null;
  event: { type: string; metadata?: Record<string, unknown> };
  actor: { type: string; metadata?: Record<string, unknown> };
}

/** Key material a client makes at signup (admin signup and invite completion share it). */
export interface SignupKeyMaterial {
  email: string;
  password: string;
  firstName: string;
  lastName?: string;
  protectedKey: string;
  protectedKeyIV: string;
  protectedKeyTag: string;
  publicKey: string;
  encryptedPrivateKey: string;
  encryptedPrivateKeyIV: string;
  encryptedPrivateKeyTag: string;
  salt: string;
  verifier: string;
}

export interface Login2Response {
  mfaEnabled: boolean;
  encryptionVersion?: number | null;
  protectedKey?: string | null;
  protectedKeyIV?: string | null;
  protectedKeyTag?: string | null;
  publicKey: string;
  encryptedPrivateKey: string;
  iv: string;
  tag: string;
  token: string;
}

/**
 * A server answer as built by the embedded server: the fields the client reads, typed as the
 * client reads them (`satisfies Answer<WireX>` in src/server/rows.ts), plus any the server adds.
 */
export type Answer<T> = T & Record<string, unknown>;
