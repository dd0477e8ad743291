import { encryptSymmetric, formatServiceToken, randomHex } from "../crypto";
import { ImportUnsupportedError, NotFoundError } from "../errors";
import { type InputsOf, num, type OutputsOf, objList, str, strList } from "../schema/fields";
import { defineResource, type ResourceContext } from "../schema/resource";
import { projectIdField } from "./common-fields";
import { unlessGone } from "./gone";
import { integerBetween, validateEnvironmentSlug, validateName, validateScopePath } from "./validation";

/** Ten years: the server takes seconds and we refuse anything beyond a sane lifetime. */
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

export const scopeFields = {
  environment: str({ required: true, validate: validateEnvironmentSlug, doc: "Environment slug the token may use." }),
  secretPath: str({
    default: "/",
    validate: validateScopePath,
    doc: "Folder path or glob the token may use, e.g. `/`, `/app/*` or `/**`.",
  }),
};

export const serviceTokenFields = {
  projectId: projectIdField(),
  name: str({ required: true, replaceOnChange: true, validate: validateName, doc: "Token name." }),
  scopes: objList(scopeFields, {
    required: true,
    replaceOnChange: true,
    minItems: 1,
    doc: "Where the token may act: a list of environment + secret path pairs (at least one).",
  }),
  permissions: strList({
    default: ["read"],
    replaceOnChange: true,
    oneOf: ["read", "write"],
    validate: (list) => (list.length === 0 ? "must contain read, write or both" : undefined),
    doc: "What the token may do: `read`, `write`, or both.",
  }),
  expiresIn: num({
    optional: true,
    replaceOnChange: true,
    validate: integerBetween(60, MAX_TOKEN_LIFETIME_SECONDS),
    doc: "Lifetime in seconds from creation; unset = never expires.",
  }),
  rotationTrigger: str({
    optional: true,
    replaceOnChange: true,
    doc: "Any text; changing it replaces the token with a new one.",
  }),
  token: str({
    computed: true,
    sensitive: true,
    doc: "The full 4-part token `st.<id>.<secret>.<key>`; the key part exists only here, never on the server.",
  }),
  tokenId: str({ computed: true, doc: "Server-side ID of the token." }),
  expiresAt: str({ computed: true, doc: "Expiry time (ISO-8601), empty when the token never expires." }),
};

type TokenInputs = InputsOf<typeof serviceTokenFields>;
type TokenOutputs = OutputsOf<typeof serviceTokenFields>;
type Scope = { environment: string; secretPath: string };

/** The client-made key: 16 random bytes as hex, used as a text AES key for the project-key copy. */
const TOKEN_KEY_BYTES = 16;

async function createToken(ctx: ResourceContext, inputs: TokenInputs) {
  const projectKey = await ctx.session.projectKey(inputs.projectId);
  const tokenKey = randomHex(TOKEN_KEY_BYTES);
  const copy = encryptSymmetric(projectKey, tokenKey);
  const scopes = inputs.scopes as Scope[];
  const { serviceToken, serviceTokenData } = await ctx.session.api.serviceTokens.create({
    name: inputs.name,
    workspaceId: inputs.projectId,
    scopes: scopes.map((s) => ({ environment: s.environment, secretPath: s.secretPath ?? "/" })),
    encryptedKey: copy.ciphertext,
    iv: copy.iv,
    tag: copy.tag,
    expiresIn: inputs.expiresIn ?? null,
    permissions: (inputs.permissions ?? ["read"]) as ("read" | "write")[],
  });
  const outputs: TokenOutputs = {
    ...inputs,
    token: formatServiceToken({ serviceToken, key: tokenKey }),
    tokenId: serviceTokenData.id,
    expiresAt: serviceTokenData.expiresAt ?? "",
  };
  return { id: serviceTokenData.id, outputs };
}

async function readToken(ctx: ResourceContext, id: string, state: TokenOutputs) {
  const listed = await unlessGone(ctx.session.api.serviceTokens.list(state.projectId!));
  const found = listed?.serviceTokenData.find((t) => t.id === id);
  // An expired token is deleted by the server on its next use; treat it as gone now.
  if (!found || (found.expiresAt && Date.parse(found.expiresAt) <= Date.now())) return undefined;
  return {
    ...state,
    name: found.name,
    scopes: Array.isArray(found.scopes)
      ? found.scopes.map((s) => ({ environment: s.environment, secretPath: s.secretPath }))
      : state.scopes,
    permissions: found.permissions,
    expiresAt: found.expiresAt ?? "",
  } satisfies TokenOutputs;
}

async function deleteToken(ctx: ResourceContext, id: string) {
  try {
    await ctx.session.api.serviceTokens.delete(id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

export const serviceToken = defineResource({
  name: "serviceToken",
  version: 1,
  doc: "A service token for one project, scoped to environments and paths. The client generates its key and wraps the project key with it, so the token can decrypt secrets while the server cannot.",
  importId:
    "Not importable: the token's key part is generated on the client at creation and never stored on the server.",
  importable: false,
  fields: serviceTokenFields,
  ops: {
    create: createToken,
    read: readToken,
    // Every input replaces the token, so an update only records the inputs.
    update: async (_ctx, _id, olds, news) => ({ ...olds, ...news }),
    delete: deleteToken,
    import: async () => {
      throw new ImportUnsupportedError(
        "serviceToken",
        "its key part is generated on the client at creation and never stored on the server; create a new token instead",
      );
    },
  },
});
