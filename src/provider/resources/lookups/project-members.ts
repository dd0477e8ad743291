import { publicKeyFingerprint } from "../../crypto/fingerprint";
import { objList, str } from "../../schema/fields";
import { defineLookup } from "../../schema/lookup";
import { validateId } from "../validation";

// Inner fields carry no flags: the list itself is computed.
export const projectMemberFields = {
  membershipId: str({ doc: "Server-side ID of the project membership." }),
  userId: str({ doc: "ID of the member's user account." }),
  email: str({ doc: "The member's email (or username)." }),
  role: str({ doc: "The member's first project role (a built-in role or a custom role's slug)." }),
  publicKeyFingerprint: str({
    doc: "Fingerprint of the public key the server reports for the member (`nacl-sha256:…`), or empty when it reports none. As reported, not verified: compare it with the member out of band before pinning it.",
  }),
};

export const projectMembers = defineLookup({
  name: "projectMembers",
  doc: "The members of a project with the fingerprints of their public keys as the server reports them, to compare with each member out of band before pinning them on `projectMembership`.",
  args: {
    projectId: str({ required: true, validate: validateId, doc: "Project ID." }),
  },
  results: {
    members: objList(projectMemberFields, { computed: true, doc: "The project's members, in the server's order." }),
  },
  async read(ctx, args) {
    const { memberships } = await ctx.session.api.memberships.list(args.projectId);
    return {
      members: memberships.map((m) => ({
        membershipId: m.id,
        userId: m.userId,
        email: m.user.email ?? m.user.username ?? "",
        role: m.roles[0]?.customRoleSlug || m.roles[0]?.role || "",
        publicKeyFingerprint: m.user.publicKey ? publicKeyFingerprint(m.user.publicKey) : "",
      })),
    };
  },
});
