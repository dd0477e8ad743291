/**
 * How a membership's `role` fields map to the server's list of role assignments (docs/design/0039):
 * a permanent grant is one long-lived role; a temporary one is `role` for a window plus the
 * long-lived `baseRole` the server requires. Expiry of a window that starts "now at apply" is a
 * diff (a renewal), never an error.
 */
import type { RoleAssignment, WireMembershipRole } from "../api/wire";
import type { Inputs, Outputs } from "../schema/resource";

/** The long-lived role a temporary grant keeps unless `baseRole` says otherwise. */
export const DEFAULT_BASE_ROLE = "no-access";
/** The role the server adds E2EE members with, and what a membership without roles reads as. */
export const INITIAL_ROLE = "member";

/** The grant as the resource's fields hold it. `null` clears a field in state (refresh). */
export interface Grant {
  role: string;
  isTemporary: boolean;
  baseRole: string;
  temporaryRange: string | null;
  temporaryAccessStartTime: string | null;
  temporaryAccessEndTime: string | null;
}

export interface GrantInputs {
  role?: string;
  isTemporary?: boolean;
  baseRole?: string;
  temporaryRange?: string;
  temporaryAccessStartTime?: string;
}

const slugOf = (r: WireMembershipRole) => r.customRoleSlug || r.role;
const endOf = (r: WireMembershipRole) => Date.parse(r.temporaryAccessEndTime ?? "") || 0;

export function sameInstant(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && Date.parse(a) === Date.parse(b);
}

/** The assignments that express the inputs; a window without a start begins at `now`. */
export function assignmentsFor(inputs: GrantInputs, now: number): RoleAssignment[] {
  const role = inputs.role ?? INITIAL_ROLE;
  if (!inputs.isTemporary) return [{ role, isTemporary: false }];
  // The real server's zod wants UTC (`z.string().datetime()`); the user may have written an offset.
  const start = new Date(
    inputs.temporaryAccessStartTime === undefined ? now : Date.parse(inputs.temporaryAccessStartTime),
  );
  return [
    { role: inputs.baseRole ?? DEFAULT_BASE_ROLE, isTemporary: false },
    {
      role,
      isTemporary: true,
      temporaryMode: "relative",
      temporaryRange: inputs.temporaryRange!,
      temporaryAccessStartTime: start.toISOString(),
    },
  ];
}

/**
 * The grant the server's roles express. With several temporary roles (set outside), the one ending
 * last is the grant; the first long-lived role is the base.
 */
export function grantOf(roles: readonly WireMembershipRole[]): Grant {
  const permanent = roles.find((r) => !r.isTemporary);
  const temporary = roles.filter((r) => r.isTemporary).sort((a, b) => endOf(b) - endOf(a))[0];
  if (!temporary) {
    return {
      role: permanent ? slugOf(permanent) : INITIAL_ROLE,
      isTemporary: false,
      baseRole: DEFAULT_BASE_ROLE,
      temporaryRange: null,
      temporaryAccessStartTime: null,
      temporaryAccessEndTime: null,
    };
  }
  return {
    role: slugOf(temporary),
    isTemporary: true,
    baseRole: permanent ? slugOf(permanent) : DEFAULT_BASE_ROLE,
    temporaryRange: temporary.temporaryRange ?? null,
    temporaryAccessStartTime: temporary.temporaryAccessStartTime ?? null,
    temporaryAccessEndTime: temporary.temporaryAccessEndTime ?? null,
  };
}

/**
 * The grant after `setRoles`: role names from the inputs (the answer names a custom role only as
 * "custom"), the window from the answer, computed here if the server left the end out.
 */
export function grantAfterSet(
  inputs: GrantInputs,
  sent: RoleAssignment[],
  answer: readonly WireMembershipRole[],
  rangeMs: (range: string) => number | undefined,
): Grant {
  const temporarySent = sent.find((a) => a.isTemporary);
  if (!temporarySent) return { ...grantOf([]), role: inputs.role ?? INITIAL_ROLE };
  const answered = answer.find((r) => r.isTemporary);
  const start = answered?.temporaryAccessStartTime ?? temporarySent.temporaryAccessStartTime;
  const end =
    answered?.temporaryAccessEndTime ??
    new Date(Date.parse(start) + (rangeMs(temporarySent.temporaryRange) ?? 0)).toISOString();
  return {
    role: temporarySent.role,
    isTemporary: true,
    baseRole: inputs.baseRole ?? DEFAULT_BASE_ROLE,
    temporaryRange: temporarySent.temporaryRange,
    // The user's own spelling of the start stays in state (no diff between "+01:00" and "Z").
    temporaryAccessStartTime: inputs.temporaryAccessStartTime ?? start,
    temporaryAccessEndTime: end,
  };
}

/** Whether a membership with these roles may hold a project-key copy on the embedded server (docs/server.md). */
export function grantsKeyAccess(roles: readonly WireMembershipRole[], now: number): boolean {
  return roles.some((r) => slugOf(r) !== "no-access" && (!r.isTemporary || endOf(r) > now));
}

/**
 * A window that starts at apply (no start time configured) and has ended needs a new one: the plan
 * shows that as a change. A window with a configured start is fixed; once over it stays over.
 */
export function needsRenewal(olds: Outputs, news: Inputs, now: number): boolean {
  if (news.isTemporary !== true || olds.isTemporary !== true) return false;
  if (news.temporaryAccessStartTime !== undefined && news.temporaryAccessStartTime !== null) return false;
  const end = typeof olds.temporaryAccessEndTime === "string" ? Date.parse(olds.temporaryAccessEndTime) : Number.NaN;
  return !Number.isNaN(end) && end <= now;
}

/** Whether the inputs ask for other role assignments than the state holds (the start counts only when set). */
export function grantChanged(olds: Outputs, news: GrantInputs): boolean {
  const temporary = news.isTemporary === true;
  if ((news.role ?? INITIAL_ROLE) !== (olds.role ?? INITIAL_ROLE)) return true;
  if (temporary !== (olds.isTemporary === true)) return true;
  if (!temporary) return false;
  if ((news.baseRole ?? DEFAULT_BASE_ROLE) !== (olds.baseRole ?? DEFAULT_BASE_ROLE)) return true;
  if (news.temporaryRange !== olds.temporaryRange) return true;
  return (
    news.temporaryAccessStartTime !== undefined &&
    !sameInstant(news.temporaryAccessStartTime, olds.temporaryAccessStartTime)
  );
}
