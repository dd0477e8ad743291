/**
 * A membership's role rows and when each counts. A temporary role counts while
 * start <= now < end (the real server checks only the end: a deliberate difference, docs/server.md);
 * ended rows stay stored and listed, as on the real server. Which roles earn a project-key copy
 * lives here too: anything but `no-access`.
 */
import type { ServerState } from "../context";

export interface MembershipRoleRow {
  id: string;
  membership_id: string;
  role: string;
  /** Set when `role` is `custom`: the project role whose rules apply. */
  custom_role_id: string | null;
  /** Joined from project_roles for listings. */
  custom_role_slug?: string | null;
  custom_role_name?: string | null;
  is_temporary: number;
  temporary_mode: string | null;
  temporary_range: string | null;
  temporary_access_start_time: string | null;
  temporary_access_end_time: string | null;
  created_at: string;
  updated_at: string;
}

export function membershipRoleRows(state: ServerState, membershipId: string): MembershipRoleRow[] {
  return state.store.all<MembershipRoleRow>(
    `SELECT r.*, pr.slug AS custom_role_slug, pr.name AS custom_role_name
     FROM project_membership_roles r LEFT JOIN project_roles pr ON pr.id = r.custom_role_id
     WHERE r.membership_id = ? ORDER BY r.created_at, r.rowid`,
    membershipId,
  );
}

const at = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));

/** Permanent, or inside its window. */
export function isRoleActive(row: MembershipRoleRow, now: number): boolean {
  if (!row.is_temporary) return true;
  return at(row.temporary_access_start_time) <= now && now < at(row.temporary_access_end_time);
}

/** Permanent, or its window has not ended (it may not have started yet). */
function isRoleCurrentOrPending(row: MembershipRoleRow, now: number): boolean {
  return !row.is_temporary || now < at(row.temporary_access_end_time);
}

/** The roles that count now, in storage order. */
export function activeRoleRows(state: ServerState, membershipId: string, now = Date.now()): MembershipRoleRow[] {
  return membershipRoleRows(state, membershipId).filter((row) => isRoleActive(row, now));
}

/** A no-access member is served no project key: some role other than no-access must count now. */
export function mayReadProjectKey(rows: readonly MembershipRoleRow[], now: number): boolean {
  return rows.some((row) => row.role !== "no-access" && isRoleActive(row, now));
}

/**
 * Whether a key copy is kept (and may be uploaded) for the member: some role other than no-access
 * counts now or will (a window that starts later). Otherwise the copy is deleted.
 */
export function mayHoldProjectKey(rows: readonly MembershipRoleRow[], now: number): boolean {
  return rows.some((row) => row.role !== "no-access" && isRoleCurrentOrPending(row, now));
}

/** The membership of `userId` in the project, if any. */
export function membershipIdOf(state: ServerState, projectId: string, userId: string): string | undefined {
  return state.store.get<{ id: string }>(
    "SELECT id FROM project_memberships WHERE project_id = ? AND user_id = ?",
    projectId,
    userId,
  )?.id;
}
