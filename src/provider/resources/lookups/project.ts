import type { FieldFailure } from "../../errors";
import { NotFoundError } from "../../errors";
import { objList, str } from "../../schema/fields";
import { defineLookup } from "../../schema/lookup";
import { getProject, projectEnvironmentFields, projectOutputs } from "../project";
import { validateId, validateProjectSlug } from "../validation";

export const project = defineLookup({
  name: "project",
  doc: "A project found by ID or by slug.",
  args: {
    projectId: str({ optional: true, validate: validateId, doc: "Project ID (set this or `slug`)." }),
    slug: str({ optional: true, validate: validateProjectSlug, doc: "Project slug (set this or `projectId`)." }),
  },
  results: {
    name: str({ computed: true, doc: "Project name." }),
    slug: str({ computed: true, doc: "Project slug." }),
    projectId: str({ computed: true, doc: "Project ID." }),
    organizationId: str({ computed: true, doc: "Organization that owns the project." }),
    environments: objList(projectEnvironmentFields, { computed: true, doc: "The project's environments." }),
  },
  check(args): FieldFailure[] {
    const hasId = args.projectId !== undefined && args.projectId !== null;
    const hasSlug = args.slug !== undefined && args.slug !== null;
    if (hasId === hasSlug) return [{ path: "projectId", reason: "set exactly one of projectId and slug" }];
    return [];
  },
  async read(ctx, args) {
    const found = args.projectId
      ? await getProject(ctx, args.projectId)
      : (await ctx.session.api.projects.list()).workspaces.find((p) => p.slug === args.slug);
    if (!found) {
      throw new NotFoundError({ operation: "look up project", reason: "no such project" });
    }
    const { name, slug, organizationId, projectId, environments } = projectOutputs(found);
    return { name, slug, organizationId, projectId, environments };
  },
});
