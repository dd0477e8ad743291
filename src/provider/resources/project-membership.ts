import type { WireOrgMembership, WireProjectMembership } from "../api/wire";
import { NotFoundError, PartialCreateError, ValidationError } from "../errors";
import { type InputsOf, type OutputsOf, str } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { unlessGone } from "./gone";
import { splitImportId } from "./ids";
import { BUILT_IN_ROLES, validateEmail, validateId, validateRole } from "./validation";

export const projectMembershipFields = {
  projectId: str({ required: true, replaceOnChange: true, validate: validateId, doc: "ID of the project." }),
  email: str({
    required: true,
    replaceOnChange: true,
    validate: validateEmail,
    doc: "Email of a user who has already accepted the organization invitation (their public key must exist).",
  }),
  role: str({
    default: "member",
    validate: validateRole,
    doc: `Project role: one of ${BUILT_IN_ROLES.map((r) => `\`${r}\``).join(", ")}, or the slug of a custom role defined in Infisical (the embedded server has built-in roles only). Changes in place.`,
  }),
  membershipId: str({ computed: true, doc: "Server-side ID of the project membership." }),
  userId: str({ computed: true, doc: "ID of the member's user account." }),
};

type MembershipInputs = InputsOf<typeof projectMembershipFields>;
type MembershipOutputs = OutputsOf<typeof projectMembershipFields>;

/** The role the server adds E2EE members with. */
const INITIAL_ROLE = "member";

const sameEmail = (a: string | null | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

function roleOf(membership: WireProjectMembership): string {
  const first = membership.roles[0];
  return first?.customRoleSlug || first?.role || INITIAL_ROLE;
}

function outputsOf(projectId: string, email: string, membership: WireProjectMembership): MembershipOutputs {
  return { projectId, email, role: roleOf(membership), membershipId: membership.id, userId: membership.userId };
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
  const wrapped = await ctx.session.wrapProjectKeyFor(inputs.projectId, member.publicKey);
  await ctx.session.api.memberships.add(inputs.projectId, [
    { orgMembershipId: member.id, workspaceEncryptedKey: wrapped.encryptedKey, workspaceEncryptedNonce: wrapped.nonce },
  ]);
  const userId = member.userId ?? member.user.id;
  const created = (await projectMembers(ctx, inputs.projectId))?.find((m) => m.userId === userId);
  if (!created) {
    throw new NotFoundError({
      operation: "add project member",
      reason: "the new membership is not in the project's member list",
    });
  }
  let outputs = outputsOf(inputs.projectId, inputs.email, created);
  if (outputs.role !== inputs.role) {
    try {
      await ctx.session.api.memberships.setRole(inputs.projectId, created.id, inputs.role!);
      outputs = { ...outputs, role: inputs.role };
    } catch (error) {
      throw new PartialCreateError(created.id, outputs, ["setting the role failed"], { cause: error });
    }
  }
  return { id: created.id, outputs };
}

async function readMembership(ctx: ResourceContext, id: string, state: MembershipOutputs) {
  const found = (await projectMembers(ctx, state.projectId!))?.find((m) => m.id === id);
  return found ? outputsOf(state.projectId!, state.email!, found) : undefined;
}

async function updateMembership(ctx: ResourceContext, id: string, olds: MembershipOutputs, news: MembershipInputs) {
  if (news.role !== olds.role) await ctx.session.api.memberships.setRole(news.projectId, id, news.role!);
  return { ...olds, role: news.role };
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
    throw new NotFoundError({
      operation: "import project membership",
      reason: "the project has no member with this email",
    });
  }
  return { id: found.id, outputs: outputsOf(projectId!, email!, found) };
}

export const projectMembership = defineResource({
  name: "projectMembership",
  version: 1,
  doc: "Gives a user access to a project: the project key is wrapped for the member's public key on this machine (NaCl box), so the server never sees it.",
  importId: "`<projectId>:<email>`, e.g. `6f1c…:dev@example.com`.",
  fields: projectMembershipFields,
  ops: {
    create: createMembership,
    read: readMembership,
    update: updateMembership,
    delete: deleteMembership,
    import: importMembership,
  },
});
