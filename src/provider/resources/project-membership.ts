import { parseDuration, temporaryRangeProblem } from "../api/durations";
import type { WireOrgMembership, WireProjectMembership } from "../api/wire";
import { fingerprintProblem, publicKeyFingerprint } from "../crypto/fingerprint";
import {
  type FieldFailure,
  KeyPinMismatchError,
  NotFoundError,
  PartialCreateError,
  ProviderError,
  ValidationError,
} from "../errors";
import { bool, type InputsOf, isUnknown, type OutputsOf, str } from "../schema/fields";
import { type DiffResult, defineResource, type Inputs, type Outputs, type ResourceContext } from "../schema/resource";
import { projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import {
  assignmentsFor,
  DEFAULT_BASE_ROLE,
  type Grant,
  grantAfterSet,
  grantChanged,
  grantOf,
  grantsKeyAccess,
  needsRenewal,
  sameInstant,
} from "./membership-grant";
import { BUILT_IN_ROLES, validateEmail, validateRfc3339, validateRole } from "./validation";

export const projectMembershipFields = {
  projectId: projectIdField(),
  email: str({
    required: true,
    replaceOnChange: true,
    validate: validateEmail,
    doc: "Email of a user who has already accepted the organization invitation (their public key must exist).",
  }),
  role: str({
    default: "member",
    validate: validateRole,
    doc: `Project role: one of ${BUILT_IN_ROLES.map((r) => `\`${r}\``).join(", ")}, or the slug of a custom role (\`infisicale2ee_project_role\` / \`ProjectRole\`). The real Infisical server assigns a custom role only with an enterprise (RBAC) licence and otherwise refuses with ERR_CUSTOM_ROLE_LICENSE (creating the role still works there); the embedded server has no licence gate. Changes in place. With \`isTemporary\`, the role granted for the window only.`,
  }),
  isTemporary: bool({
    default: false,
    doc: "Grant `role` for a limited window only: `temporaryRange` long, from `temporaryAccessStartTime` (default: the time of the apply that sets it). The member keeps `baseRole` outside the window. When a window that started at apply has ended, the next plan shows an update that grants a new window (expiry is drift, never an error); a window with a configured start is fixed.",
  }),
  temporaryRange: str({
    validate: temporaryRangeProblem,
    doc: 'Length of the temporary window in the `ms` notation Infisical uses: `"30m"`, `"1h"`, `"7d"`, `"4s"`. Required with `isTemporary`, refused without. Changing it grants a new window.',
  }),
  temporaryAccessStartTime: str({
    optional: true,
    computed: true,
    validate: validateRfc3339,
    doc: "Start of the temporary window (RFC 3339, e.g. `2026-01-31T09:00:00Z`). Unset: the time of the apply that grants the window, kept in state. Only with `isTemporary`. The real Infisical server ignores the start (the grant is active at once); the embedded server enforces it.",
  }),
  temporaryAccessEndTime: str({
    computed: true,
    doc: "End of the temporary window: start + range, as the server computed it. Empty for a permanent role.",
  }),
  baseRole: str({
    default: DEFAULT_BASE_ROLE,
    validate: validateRole,
    doc: "With `isTemporary`: the long-lived role the member keeps before and after the window (the server requires one long-lived role per member). Default `no-access`. Must stay unset without `isTemporary`.",
  }),
  membershipId: str({ computed: true, doc: "Server-side ID of the project membership." }),
  userId: str({ computed: true, doc: "ID of the member's user account." }),
  publicKeyFingerprint: str({
    optional: true,
    computed: true,
    validate: fingerprintProblem,
    doc: "Fingerprint of the member's public key (`nacl-sha256:XXXX-…`, printed by `infisical-e2ee fingerprint` on the member's machine). Set it after checking it with the member out of band: nothing is wrapped unless the key the server reports matches. Unset, the key the server reports at creation is pinned. Every later read, update and re-wrap fails with ERR_KEY_PIN_MISMATCH when the key no longer matches the pin; changing this value re-pins and re-wraps the project key for the member's current key, in place. See docs/security.md.",
  }),
};

type MembershipInputs = InputsOf<typeof projectMembershipFields>;
type MembershipOutputs = OutputsOf<typeof projectMembershipFields>;

const sameEmail = (a: string | null | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

function outputsOf(
  projectId: string,
  email: string,
  membership: WireProjectMembership,
  publicKeyFingerprint: string | undefined,
  grant: Grant = grantOf(membership.roles),
): MembershipOutputs {
  return {
    projectId,
    email,
    ...(grant as MembershipOutputs),
    membershipId: membership.id,
    userId: membership.userId,
    publicKeyFingerprint,
  };
}

/** Sends the inputs' role assignments; returns the grant as it now stands. */
async function setGrant(ctx: ResourceContext, projectId: string, membershipId: string, inputs: MembershipInputs) {
  const sent = assignmentsFor(inputs, Date.now());
  const { roles } = await ctx.session.api.memberships.setRoles(projectId, membershipId, sent);
  return { grant: grantAfterSet(inputs, sent, roles ?? [], parseDuration), roles: roles ?? [] };
}

/**
 * The embedded server drops a member's key copy while they hold only `no-access` (docs/server.md):
 * a grant that gives access again sends a new copy, wrapped here for their (pinned) key. On the
 * real server, which keeps copies, this replaces the copy with an equivalent one.
 */
async function resendKeyCopy(ctx: ResourceContext, projectId: string, member: WireProjectMembership) {
  if (!member.user.publicKey) return;
  const wrapped = await ctx.session.wrapProjectKeyFor(projectId, member.user.publicKey);
  await ctx.session.api.projects.uploadKey(projectId, {
    encryptedKey: wrapped.encryptedKey,
    nonce: wrapped.nonce,
    userId: member.userId,
  });
}

/** The fingerprint of the key the server reports for a member now, if it reports one. */
function reportedFingerprint(membership: WireProjectMembership): string | undefined {
  const key = membership.user?.publicKey;
  return key ? publicKeyFingerprint(key) : undefined;
}

const REPIN_REMEDY =
  "Check the fingerprint with the member (they print theirs with `infisical-e2ee fingerprint`). If their key really changed (a new account or a reset), set publicKeyFingerprint (Terraform: public_key_fingerprint) to the new one: that re-pins and re-wraps in place (Terraform: apply with -refresh=false, since the refresh itself refuses the changed key). Otherwise the server is reporting a key that is not theirs.";

/** Throws when the key reported now is not the pinned one; the error names the member and both fingerprints. */
function requirePinned(email: string, pinned: string | undefined, actual: string | undefined): void {
  if (pinned === undefined || actual === pinned) return;
  throw new KeyPinMismatchError(email, pinned, actual ?? "(no public key)", REPIN_REMEDY);
}

/** The server's member list lacks what an operation needs (it answered, but without that member). */
function notInMemberList(operation: string, reason: string): NotFoundError {
  return new NotFoundError({ operation, reason });
}

async function projectMembers(ctx: ResourceContext, projectId: string): Promise<WireProjectMembership[] | undefined> {
  return (await unlessGone(ctx.session.api.memberships.list(projectId)))?.memberships;
}

/** The org member to add: must have accepted the invite, so that a public key exists to wrap for. */
async function acceptedOrgMember(
  ctx: ResourceContext,
  email: string,
): Promise<WireOrgMembership & { publicKey: string }> {
  const { organizationId } = await ctx.session.user();
  const { users } = await ctx.session.api.organizations.memberships(organizationId);
  const member = users.find(
    (m) => sameEmail(m.user?.email ?? m.inviteEmail, email) || sameEmail(m.user?.username, email),
  );
  const publicKey = member?.user?.publicKey;
  if (!member || !publicKey || (member.status !== undefined && member.status !== "accepted")) {
    const why = member ? "has not finished signing up (no public key yet)" : "is not a member of the organization";
    throw new ValidationError("projectMembership", [
      { path: "email", reason: `${why}; invite the user to the organization and let them complete signup first` },
    ]);
  }
  return { ...member, publicKey };
}

async function createMembership(ctx: ResourceContext, inputs: MembershipInputs) {
  const member = await acceptedOrgMember(ctx, inputs.email);
  const fingerprint = publicKeyFingerprint(member.publicKey);
  // Before anything is wrapped: the key the server hands us must be the one checked out of band.
  requirePinned(inputs.email, inputs.publicKeyFingerprint, fingerprint);
  if (inputs.publicKeyFingerprint === undefined) {
    ctx.log.info("pinned the member's public key as the server reports it (no publicKeyFingerprint was set)", {
      member: inputs.email,
      fingerprint,
    });
  }
  const wrapped = await ctx.session.wrapProjectKeyFor(inputs.projectId, member.publicKey);
  await ctx.session.api.memberships.add(inputs.projectId, [
    { orgMembershipId: member.id, workspaceEncryptedKey: wrapped.encryptedKey, workspaceEncryptedNonce: wrapped.nonce },
  ]);
  const userId = member.userId ?? member.user.id;
  const created = (await projectMembers(ctx, inputs.projectId))?.find((m) => m.userId === userId);
  if (!created) {
    throw notInMemberList("add project member", "the new membership is not in the project's member list");
  }
  let outputs = outputsOf(inputs.projectId, inputs.email, created, fingerprint);
  if (inputs.isTemporary || outputs.role !== inputs.role || outputs.isTemporary) {
    try {
      const { grant } = await setGrant(ctx, inputs.projectId, created.id, inputs);
      outputs = outputsOf(inputs.projectId, inputs.email, created, fingerprint, grant);
    } catch (error) {
      // The cause's message carries the remedy (e.g. ERR_CUSTOM_ROLE_LICENSE on a licence-less server).
      const why = ProviderError.is(error) ? `: ${error.message}` : "";
      throw new PartialCreateError(created.id, outputs, [`setting the role failed${why}`], { cause: error });
    }
  }
  return { id: created.id, outputs };
}

/**
 * A changed key is an error, never a silent re-pin. State written before pinning existed (0.1.0)
 * has no fingerprint: the key reported on that first read is pinned, and logged as such.
 */
async function readMembership(ctx: ResourceContext, id: string, state: MembershipOutputs) {
  const found = (await projectMembers(ctx, state.projectId!))?.find((m) => m.id === id);
  if (!found) return undefined;
  const actual = reportedFingerprint(found);
  requirePinned(state.email!, state.publicKeyFingerprint, actual);
  if (state.publicKeyFingerprint === undefined && actual !== undefined) {
    ctx.log.warn("pinned the member's public key on first read (state written before key pinning)", {
      member: state.email!,
      fingerprint: actual,
    });
  }
  const grant = grantOf(found.roles);
  // The same instant in the user's spelling stays as it is in state.
  if (sameInstant(grant.temporaryAccessStartTime, state.temporaryAccessStartTime)) {
    grant.temporaryAccessStartTime = state.temporaryAccessStartTime!;
  }
  if (grant.isTemporary && grant.temporaryAccessEndTime && Date.parse(grant.temporaryAccessEndTime) <= Date.now()) {
    ctx.log.info("the member's temporary access has ended", { member: state.email!, role: grant.role });
  }
  return outputsOf(state.projectId!, state.email!, found, actual ?? state.publicKeyFingerprint, grant);
}

/**
 * Role changes in place (the whole grant is re-sent; a window without a configured start begins
 * now). A changed publicKeyFingerprint re-pins: the member's current key must match the new value,
 * then the project key is wrapped for it again and their key copy replaced.
 */
async function updateMembership(ctx: ResourceContext, id: string, olds: MembershipOutputs, news: MembershipInputs) {
  const found = (await projectMembers(ctx, news.projectId))?.find((m) => m.id === id);
  if (!found) {
    throw notInMemberList("update project member", "the membership is not in the project's member list");
  }
  const actual = reportedFingerprint(found);
  const wanted = news.publicKeyFingerprint ?? olds.publicKeyFingerprint;
  requirePinned(news.email, wanted, actual);
  const repinned = news.publicKeyFingerprint !== undefined && news.publicKeyFingerprint !== olds.publicKeyFingerprint;
  const now = Date.now();
  const regrant = grantChanged(olds, news) || needsRenewal(olds, news, now);
  // The roles first: a member who held only no-access gets a key copy only once they hold more.
  const set = regrant ? await setGrant(ctx, news.projectId, id, news) : undefined;
  const rolesNow = set ? set.roles : found.roles;
  const regained = set !== undefined && !grantsKeyAccess(found.roles, now);
  if ((repinned || regained) && grantsKeyAccess(rolesNow, Date.now())) {
    await resendKeyCopy(ctx, news.projectId, found);
  }
  return {
    ...olds,
    ...(set?.grant as MembershipOutputs | undefined),
    // A configured start keeps the user's spelling, even when it names the instant already in state.
    ...(news.temporaryAccessStartTime !== undefined && { temporaryAccessStartTime: news.temporaryAccessStartTime }),
    publicKeyFingerprint: wanted,
  };
}

const TEMPORARY_ONLY = ["temporaryRange", "temporaryAccessStartTime"] as const;

/** Cross-field rules: the window's fields come with isTemporary, and only with it. */
function checkMembership(inputs: Inputs): FieldFailure[] {
  if (isUnknown(inputs.isTemporary)) return [];
  const has = (name: string) => inputs[name] !== undefined && inputs[name] !== null;
  if (inputs.isTemporary === true) {
    return has("temporaryRange") ? [] : [{ path: "temporaryRange", reason: "is required when isTemporary is true" }];
  }
  const failures: FieldFailure[] = TEMPORARY_ONLY.filter(has).map((path) => ({
    path,
    reason: "can only be set when isTemporary is true",
  }));
  if (!isUnknown(inputs.baseRole) && inputs.baseRole !== DEFAULT_BASE_ROLE) {
    failures.push({ path: "baseRole", reason: "can only be set when isTemporary is true" });
  }
  return failures;
}

/** An ended window that started at apply is renewed: the plan shows its start changing. */
function diffMembership(olds: Outputs, news: Inputs, derived: DiffResult): DiffResult {
  if (!needsRenewal(olds, news, Date.now()) || derived.changes.includes("temporaryAccessStartTime")) return derived;
  return { ...derived, changes: [...derived.changes, "temporaryAccessStartTime"] };
}

const GRANT_FIELDS = ["role", "isTemporary", "baseRole", "temporaryRange", "temporaryAccessStartTime"];

/** A new grant moves the window (when one is or was involved); nothing else computed changes in place. */
function membershipComputedChanges(olds: Outputs, news: Inputs, diff: DiffResult): string[] {
  const windowInvolved = news.isTemporary === true || olds.isTemporary === true;
  if (!windowInvolved || !diff.changes.some((field) => GRANT_FIELDS.includes(field))) return [];
  return ["temporaryAccessStartTime", "temporaryAccessEndTime"];
}

async function deleteMembership(ctx: ResourceContext, id: string, state: MembershipOutputs) {
  try {
    await ctx.session.api.memberships.remove(state.projectId!, id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function importMembership(ctx: ResourceContext, importId: string) {
  const [projectId, email] = splitImportId("projectMembership", importId, ["projectId", "email"]);
  const found = (await projectMembers(ctx, projectId!))?.find(
    (m) => sameEmail(m.user.email, email!) || sameEmail(m.user.username, email!),
  );
  if (!found) {
    throw notInMemberList("import project membership", "the project has no member with this email");
  }
  // Imported memberships pin the key the server reports now; set publicKeyFingerprint to check it.
  return { id: found.id, outputs: outputsOf(projectId!, email!, found, reportedFingerprint(found)) };
}

export const projectMembership = defineResource({
  name: "projectMembership",
  version: 1,
  doc: "Gives a user access to a project: the project key is wrapped for the member's public key on this machine (NaCl box), so the server never sees it.",
  importId: "`<projectId>:<email>`, e.g. `6f1c…:dev@example.com`.",
  fields: projectMembershipFields,
  ops: {
    check: checkMembership,
    diff: diffMembership,
    computedChanges: membershipComputedChanges,
    create: createMembership,
    read: readMembership,
    update: updateMembership,
    delete: deleteMembership,
    import: importMembership,
  },
});
