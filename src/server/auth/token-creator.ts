/**
 * A service token acts for the member who created it, so it works only while that member could
 * create it again: still in the organization and the project, with `create` on service tokens
 * (admin or member; viewer, no-access and an ended temporary grant lose it). The real server looks
 * only at the token row (routes-more.md §4): a deliberate difference, docs/server.md.
 */
import type { ServerState, ServiceTokenRow } from "../context";
import { HttpError } from "../http/errors";
import { requirePermission } from "./access";

function revoked(why: string): HttpError {
  return new HttpError(401, "UnauthorizedError", `Service token no longer valid: the member who created it ${why}`);
}

/** Throws 401 naming why, when the token's creator no longer stands behind it. */
export function requireTokenCreatorStanding(state: ServerState, token: ServiceTokenRow): void {
  const project = state.store.get<{ org_id: string }>("SELECT org_id FROM projects WHERE id = ?", token.project_id);
  if (!project) throw revoked("is no longer a member of this project");
  const inOrg = state.store.get(
    "SELECT 1 AS ok FROM org_memberships WHERE org_id = ? AND user_id = ? AND status = 'accepted'",
    project.org_id,
    token.created_by,
  );
  if (!inOrg) throw revoked("is no longer a member of the organization");
  const creator = { kind: "user", userId: token.created_by, orgId: project.org_id } as const;
  try {
    requirePermission(state, creator, token.project_id, "create", "service-tokens");
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw error.status === 401
      ? revoked(
          "may no longer create service tokens in this project (their role changed or their temporary access ended)",
        )
      : revoked("is no longer a member of this project");
  }
}
