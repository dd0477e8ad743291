/**
 * The database schema: version 1 is what 0.1.0 wrote; each later version is one migration step
 * in MIGRATIONS (a fresh database runs them all). Never edit a step that has shipped.
 */

/** What a secret holds; a row of secret_versions is a snapshot of the same columns. */
const SECRET_CONTENT_COLUMNS = `  key_ciphertext TEXT NOT NULL,
  key_iv TEXT NOT NULL,
  key_tag TEXT NOT NULL,
  value_ciphertext TEXT NOT NULL,
  value_iv TEXT NOT NULL,
  value_tag TEXT NOT NULL,
  comment_ciphertext TEXT,
  comment_iv TEXT,
  comment_tag TEXT,
  reminder_note TEXT,
  reminder_repeat_days INTEGER,
  skip_multiline INTEGER NOT NULL DEFAULT 0,
  metadata TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,`;

const SCHEMA_V1 = `
CREATE TABLE server_config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  first_name TEXT,
  last_name TEXT,
  super_admin INTEGER NOT NULL DEFAULT 0,
  is_accepted INTEGER NOT NULL DEFAULT 0,
  public_key TEXT,
  encrypted_private_key TEXT,
  encrypted_private_key_iv TEXT,
  encrypted_private_key_tag TEXT,
  protected_key TEXT,
  protected_key_iv TEXT,
  protected_key_tag TEXT,
  srp_salt TEXT,
  srp_verifier TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE org_memberships (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  invite_email TEXT,
  invite_code_hash TEXT,
  invite_expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_id, user_id)
);
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  auto_capitalization INTEGER NOT NULL DEFAULT 1,
  blind_salt_ciphertext TEXT NOT NULL,
  blind_salt_iv TEXT NOT NULL,
  blind_salt_tag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE environments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, slug)
);
CREATE TABLE folders (
  id TEXT PRIMARY KEY,
  env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  parent_id TEXT REFERENCES folders(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (env_id, parent_id, name)
);
CREATE TABLE project_memberships (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, user_id)
);
CREATE TABLE project_membership_roles (
  id TEXT PRIMARY KEY,
  membership_id TEXT NOT NULL REFERENCES project_memberships(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE project_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  receiver_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sender_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  encrypted_key TEXT NOT NULL,
  nonce TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, receiver_id)
);
CREATE TABLE service_tokens (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  permissions TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  encrypted_key TEXT NOT NULL,
  iv TEXT NOT NULL,
  tag TEXT NOT NULL,
  expires_at TEXT,
  last_used TEXT,
  created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE secrets (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  blind_index TEXT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
${SECRET_CONTENT_COLUMNS}
  UNIQUE (folder_id, blind_index, type, user_id)
);
CREATE TABLE secret_versions (
  id TEXT PRIMARY KEY,
  secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  env_id TEXT NOT NULL,
  folder_id TEXT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL,
${SECRET_CONTENT_COLUMNS}
  UNIQUE (secret_id, version)
);
CREATE TABLE audit_logs (
  id TEXT PRIMARY KEY,
  org_id TEXT,
  project_id TEXT,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_metadata TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_metadata TEXT NOT NULL,
  ip_address TEXT,
  user_agent TEXT,
  user_agent_type TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX audit_logs_project ON audit_logs (project_id);
CREATE INDEX secrets_folder ON secrets (folder_id);
`;

/** `MIGRATIONS[n]` takes a database from version n to n + 1. */
export const MIGRATIONS: readonly string[] = [
  SCHEMA_V1,
  // 0.2.0: each project records its blind-index scheme; projects written by 0.1.0 keep Argon2id.
  "ALTER TABLE projects ADD COLUMN blind_index_scheme TEXT NOT NULL DEFAULT 'argon2id'",
  // Secrets may lack a blind index, as in Infisical projects from before April 2023 (design 0041):
  // SQLite drops NOT NULL only by rebuilding the table (database.ts runs steps with foreign keys off).
  `CREATE TABLE secrets_rebuilt (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  blind_index TEXT,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
${SECRET_CONTENT_COLUMNS}
  UNIQUE (folder_id, blind_index, type, user_id)
);
INSERT INTO secrets_rebuilt SELECT * FROM secrets;
DROP TABLE secrets;
ALTER TABLE secrets_rebuilt RENAME TO secrets;
CREATE INDEX secrets_folder ON secrets (folder_id);`,
  // Temporary roles (PATCH …/memberships/:id): the window; rows written before are permanent.
  `ALTER TABLE project_membership_roles ADD COLUMN is_temporary INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE project_membership_roles ADD COLUMN temporary_mode TEXT;
   ALTER TABLE project_membership_roles ADD COLUMN temporary_range TEXT;
   ALTER TABLE project_membership_roles ADD COLUMN temporary_access_start_time TEXT;
   ALTER TABLE project_membership_roles ADD COLUMN temporary_access_end_time TEXT;`,
  // Secret tags (plaintext name, slug and colour per project) and which secrets carry them.
  `CREATE TABLE secret_tags (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    color TEXT,
    created_by TEXT,
    created_by_actor_type TEXT NOT NULL DEFAULT 'user',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, slug)
  );
  CREATE TABLE secret_tag_links (
    secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES secret_tags(id) ON DELETE CASCADE,
    PRIMARY KEY (secret_id, tag_id)
  );
  CREATE INDEX secret_tag_links_tag ON secret_tag_links (tag_id);`,
  // Custom project roles (CASL packed rules, as the real server stores them); a membership holds
  // one as role 'custom' plus custom_role_id.
  `CREATE TABLE project_roles (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  permissions TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, slug)
);
ALTER TABLE project_membership_roles ADD COLUMN custom_role_id TEXT REFERENCES project_roles(id);`,
  // Folders count their renames, as the real server's `version` does.
  "ALTER TABLE folders ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
  // Secret imports: the importing folder sees (import_env_id, import_path), ordered by position.
  `CREATE TABLE secret_imports (
  id TEXT PRIMARY KEY,
  folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  import_env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  import_path TEXT NOT NULL,
  position INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX secret_imports_folder ON secret_imports (folder_id, position);
CREATE INDEX secret_imports_source ON secret_imports (import_env_id, import_path);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
