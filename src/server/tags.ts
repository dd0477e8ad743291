/**
 * Secret tags: per-project labels (plaintext name, slug and colour) and which secrets carry them.
 * The rules of the tag routes and of `tags` on the v3 secret routes live here, with their SQL:
 * a tag id that is malformed, unknown, of another project or repeated is refused as a whole
 * ("Tag not found"), before anything is written.
 */
import { randomUUID } from "node:crypto";
import { isTagId } from "../provider/api/tag-rules";
import type { ServerState } from "./context";
import { badRequest } from "./http/errors";
import { nowIso } from "./rows";

export interface TagRow {
  id: string;
  project_id: string;
  name: string;
  slug: string;
  color: string | null;
  created_by: string | null;
  created_by_actor_type: string;
  created_at: string;
  updated_at: string;
}

/** What the list of secrets shows per tag. */
export interface TagRef {
  id: string;
  slug: string;
  name: string;
  color: string | null;
}

/** The real server's `Tag` shape. */
export function tagJson(tag: TagRow) {
  return {
    id: tag.id,
    name: tag.name,
    slug: tag.slug,
    color: tag.color,
    createdAt: tag.created_at,
    updatedAt: tag.updated_at,
    createdBy: tag.created_by,
    projectId: tag.project_id,
    createdByActorType: tag.created_by_actor_type,
  };
}

/** A tag of this project; a malformed id is simply one that names no tag (the real server answers 500). */
export function findTag(state: ServerState, projectId: string, tagId: string): TagRow | undefined {
  if (!isTagId(tagId)) return undefined;
  return state.store.get<TagRow>("SELECT * FROM secret_tags WHERE id = ? AND project_id = ?", tagId, projectId);
}

export function findTagBySlug(state: ServerState, projectId: string, slug: string): TagRow | undefined {
  return state.store.get<TagRow>("SELECT * FROM secret_tags WHERE project_id = ? AND slug = ?", projectId, slug);
}

export function listTags(state: ServerState, projectId: string): TagRow[] {
  return state.store.all<TagRow>(
    "SELECT * FROM secret_tags WHERE project_id = ? ORDER BY created_at, rowid",
    projectId,
  );
}

export interface TagFields {
  name: string;
  slug: string;
  color: string;
}

function refuseTakenSlug(state: ServerState, projectId: string, slug: string, exceptId?: string): void {
  const taken = findTagBySlug(state, projectId, slug);
  if (taken && taken.id !== exceptId) throw badRequest("Tag already exist");
}

export function insertTag(state: ServerState, projectId: string, fields: TagFields, createdBy: string): TagRow {
  refuseTakenSlug(state, projectId, fields.slug);
  const id = randomUUID();
  const now = nowIso();
  state.store.run(
    `INSERT INTO secret_tags (id, project_id, name, slug, color, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    projectId,
    fields.name,
    fields.slug,
    fields.color,
    createdBy,
    now,
    now,
  );
  return state.store.get<TagRow>("SELECT * FROM secret_tags WHERE id = ?", id)!;
}

export function updateTag(state: ServerState, tag: TagRow, fields: TagFields): TagRow {
  refuseTakenSlug(state, tag.project_id, fields.slug, tag.id);
  state.store.run(
    "UPDATE secret_tags SET name = ?, slug = ?, color = ?, updated_at = ? WHERE id = ?",
    fields.name,
    fields.slug,
    fields.color,
    nowIso(),
    tag.id,
  );
  return state.store.get<TagRow>("SELECT * FROM secret_tags WHERE id = ?", tag.id)!;
}

/** Deleting a tag detaches it from every secret (the links cascade). */
export function deleteTag(state: ServerState, tag: TagRow): void {
  state.store.run("DELETE FROM secret_tags WHERE id = ?", tag.id);
}

/**
 * The tags `ids` names, all of this project and each once; otherwise the real server's 400
 * "Tag not found" (which it gives for unknown, foreign and repeated ids; malformed ones get a 500 there).
 */
export function requireProjectTags(state: ServerState, projectId: string, ids: string[]): TagRow[] {
  if (new Set(ids).size !== ids.length) throw badRequest("Tag not found");
  const tags = ids.map((id) => findTag(state, projectId, id));
  if (tags.some((t) => t === undefined)) throw badRequest("Tag not found");
  return tags as TagRow[];
}

/** Replaces the secret's whole tag set (inside the caller's transaction). */
export function replaceSecretTags(state: ServerState, secretId: string, tags: TagRow[]): void {
  state.store.run("DELETE FROM secret_tag_links WHERE secret_id = ?", secretId);
  for (const tag of tags) {
    state.store.run("INSERT INTO secret_tag_links (secret_id, tag_id) VALUES (?, ?)", secretId, tag.id);
  }
}

/** Tags of every secret in a folder, by secret id. */
export function tagsInFolder(state: ServerState, folderId: string): Map<string, TagRef[]> {
  const rows = state.store.all<TagRef & { secret_id: string }>(
    `SELECT l.secret_id, t.id, t.slug, t.name, t.color FROM secret_tag_links l
     JOIN secret_tags t ON t.id = l.tag_id
     JOIN secrets s ON s.id = l.secret_id
     WHERE s.folder_id = ?
     ORDER BY t.created_at, t.rowid`,
    folderId,
  );
  const bySecret = new Map<string, TagRef[]>();
  for (const { secret_id, ...tag } of rows) {
    const list = bySecret.get(secret_id) ?? [];
    list.push(tag);
    bySecret.set(secret_id, list);
  }
  return bySecret;
}

/** Tags of one secret. */
export function tagsOfSecret(state: ServerState, secretId: string): TagRow[] {
  return state.store.all<TagRow>(
    `SELECT t.* FROM secret_tag_links l JOIN secret_tags t ON t.id = l.tag_id WHERE l.secret_id = ?
     ORDER BY t.created_at, t.rowid`,
    secretId,
  );
}
