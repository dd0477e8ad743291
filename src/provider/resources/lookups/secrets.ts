import { num, objList, str, strMap } from "../../schema/fields";
import { defineLookup } from "../../schema/lookup";
import { validateEnvironmentSlug, validateId, validateSecretPath } from "../validation";

// Inner fields carry no flags: the list itself is computed.
export const secretEntryFields = {
  key: str({ doc: "Secret name." }),
  value: str({ sensitive: true, doc: "Decrypted value." }),
  comment: str({ sensitive: true, doc: "Decrypted comment." }),
  version: num({ doc: "Server-side version." }),
  secretId: str({ doc: "Server-side ID." }),
};

export const secrets = defineLookup({
  name: "secrets",
  doc: "All secrets of one project environment and folder, decrypted on this machine.",
  args: {
    projectId: str({ required: true, validate: validateId, doc: "ID of the project." }),
    environment: str({ required: true, validate: validateEnvironmentSlug, doc: "Environment slug, e.g. `dev`." }),
    path: str({ default: "/", validate: validateSecretPath, doc: "Folder path, `/` for the root." }),
  },
  results: {
    secrets: objList(secretEntryFields, {
      computed: true,
      sensitive: true,
      doc: "The decrypted secrets, sorted by key.",
    }),
    values: strMap({
      computed: true,
      sensitive: true,
      doc: 'The decrypted values by key, for direct use (e.g. `values["DB_HOST"]`).',
    }),
  },
  async read(ctx, args) {
    const location = { projectId: args.projectId, environment: args.environment, path: args.path ?? "/" };
    const sorted = [...(await ctx.session.secrets.list(location, { fresh: true }))].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    return {
      secrets: sorted.map((s) => ({
        key: s.key,
        value: s.value,
        comment: s.comment,
        version: s.version,
        secretId: s.secretId,
      })),
      values: Object.fromEntries(sorted.map((s) => [s.key, s.value])),
    };
  },
});
