import { bool, num, objList, str, strMap } from "../../schema/fields";
import { defineLookup } from "../../schema/lookup";
import { readEffectiveSecrets } from "../../session/imported-secrets";
import { validateEnvironmentSlug, validateId, validateSecretPath } from "../validation";

// Inner fields carry no flags: the list itself is computed.
export const secretEntryFields = {
  key: str({ doc: "Secret name." }),
  value: str({ sensitive: true, doc: "Decrypted value." }),
  comment: str({ sensitive: true, doc: "Decrypted comment." }),
  version: num({ doc: "Server-side version." }),
  secretId: str({ doc: "Server-side ID." }),
  environment: str({
    doc: "Environment the value comes from: this folder's, or the source environment of the import that supplied it.",
  }),
  path: str({ doc: "Folder the value comes from: this folder, or the source path of the import that supplied it." }),
};

const PRECEDENCE =
  "the folder's own shared secrets win; a name it does not hold comes from the import with the highest " +
  "`position` that has it (the last import wins, as on Infisical); within one import, the source's own " +
  "secret beats those the source imports itself. Personal overrides are left out, as without imports.";

export const secrets = defineLookup({
  name: "secrets",
  doc: "All secrets of one project environment and folder, decrypted on this machine.",
  args: {
    projectId: str({ required: true, validate: validateId, doc: "ID of the project." }),
    environment: str({ required: true, validate: validateEnvironmentSlug, doc: "Environment slug, e.g. `dev`." }),
    path: str({ default: "/", validate: validateSecretPath, doc: "Folder path, `/` for the root." }),
    includeImports: bool({
      default: false,
      doc:
        "Also read the folder's secret imports, so `secrets` and `values` hold the effective values. " +
        `Imported secrets arrive encrypted and are decrypted here with the project key. Precedence: ${PRECEDENCE}`,
    }),
  },
  results: {
    secrets: objList(secretEntryFields, {
      computed: true,
      sensitive: true,
      doc: "The decrypted secrets, sorted by key (with `include_imports`, the effective ones).",
    }),
    values: strMap({
      computed: true,
      sensitive: true,
      doc: 'The decrypted values by key, for direct use (e.g. `values["DB_HOST"]`); with `include_imports`, the effective values.',
    }),
  },
  async read(ctx, args) {
    const location = { projectId: args.projectId, environment: args.environment, path: args.path ?? "/" };
    const found = args.includeImports
      ? await readEffectiveSecrets(ctx.session, location)
      : [...(await ctx.session.secrets.list(location, { fresh: true }))]
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .map((s) => ({ ...s, environment: location.environment, path: location.path }));
    return {
      secrets: found.map((s) => ({
        key: s.key,
        value: s.value,
        comment: s.comment,
        version: s.version,
        secretId: s.secretId,
        environment: s.environment,
        path: s.path,
      })),
      values: Object.fromEntries(found.map((s) => [s.key, s.value])),
    };
  },
});
