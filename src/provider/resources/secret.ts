import { valueFingerprint } from "../crypto/value-fingerprint";
import { ConflictError, type FieldFailure, NotFoundError, PartialCreateError, ValidationError } from "../errors";
import {
  bool,
  fieldsKeptOutOfState,
  fieldsRefreshKeepsOut,
  type InputsOf,
  isUnknown,
  num,
  type OutputsOf,
  obj,
  str,
  strList,
  withoutWriteOnly,
  writeOnlyPairs,
} from "../schema/fields";
import {
  type DiffResult,
  defineResource,
  type Inputs,
  type Outputs,
  type ResourceContext,
  sameSet,
  sameValue,
} from "../schema/resource";
import type { PlainSecret, SecretLocation } from "../session/session";
import { homeEnvironmentField, projectIdField } from "./common-fields";
import { generateValue } from "./generate";
import { splitImportId } from "./ids";
import {
  integerBetween,
  MAX_SECRET_KEY_LENGTH,
  MAX_SECRET_VALUE_BYTES,
  validateSecretComment,
  validateSecretKey,
  validateSecretPath,
  validateSecretValue,
  validateTagIds,
} from "./validation";

export const MIN_GENERATED_LENGTH = 8;
export const MAX_GENERATED_LENGTH = 4096;

const generateFields = {
  length: num({
    default: 32,
    validate: integerBetween(MIN_GENERATED_LENGTH, MAX_GENERATED_LENGTH),
    doc: `Number of characters to generate (${MIN_GENERATED_LENGTH}–${MAX_GENERATED_LENGTH}).`,
  }),
  lowercase: bool({ default: true, doc: "Include lowercase letters a–z." }),
  uppercase: bool({ default: true, doc: "Include uppercase letters A–Z." }),
  digits: bool({ default: true, doc: "Include digits 0–9." }),
  symbols: bool({ default: false, doc: "Include symbols from !#$%&*+-=?@^_~." }),
};

export const secretFields = {
  projectId: projectIdField(),
  environment: homeEnvironmentField(),
  path: str({
    default: "/",
    validate: validateSecretPath,
    doc: "Folder path of the secret, `/` for the root, e.g. `/app/db`; may reference a folder's `full_path`. Changes in place: after a rename of its folder the secret is found at the new path (it moved along); otherwise it is written there and removed from the old path, keeping its value.",
  }),
  key: str({
    required: true,
    validate: validateSecretKey,
    doc: `Name of the secret (case-sensitive, no '/', at most ${MAX_SECRET_KEY_LENGTH} characters). Renaming updates the secret in place.`,
  }),
  value: str({
    optional: true,
    computed: true,
    sensitive: true,
    validate: validateSecretValue,
    doc: `Plaintext value, encrypted on this machine before it is sent (at most ${MAX_SECRET_VALUE_BYTES} bytes). Leave unset with \`generate\` to have the provider generate it; it is then an output.`,
  }),
  valueWo: str({
    optional: true,
    writeOnly: true,
    writeOnlyFor: "value",
    sensitive: true,
    faces: ["terraform"],
    validate: validateSecretValue,
    doc: "Write-only plaintext value: sent encrypted, never stored in state (Terraform 1.11+). Bump `value_wo_version` to send a new one; a value changed outside is put back by the next apply (see `value_fingerprint`).",
  }),
  valueWoVersion: num({
    optional: true,
    faces: ["terraform"],
    doc: "Change this number to make Terraform send `value_wo` again.",
  }),
  comment: str({
    default: "",
    sensitive: true,
    validate: validateSecretComment,
    doc: "Comment, encrypted like the value (and kept secret in state like it).",
  }),
  type: str({ default: "shared", oneOf: ["shared"], doc: "Secret type; only `shared` is managed." }),
  generate: obj(generateFields, {
    optional: true,
    doc: "Generate the value on this machine with a cryptographic random source instead of setting `value`.",
  }),
  rotationTrigger: str({
    optional: true,
    doc: "Any text; changing it generates a new value (requires `generate`) in an in-place update.",
  }),
  createMissingFolders: bool({
    default: false,
    doc: "Create the folders of `path` when they do not exist yet.",
  }),
  adopt: bool({
    default: false,
    faces: ["pulumi"],
    doc: "If a secret with this key already exists, take it over (overwriting its value) instead of failing.",
  }),
  tagIds: strList({
    optional: true,
    computed: true,
    set: true,
    validate: validateTagIds,
    doc: "IDs of the project's tags on this secret (the `id` of each secret tag resource), a set. Unset leaves the secret's tags to others (the ones it has are shown); `[]` removes them all. Tags are labels stored in plaintext on the server, next to the encrypted secret.",
  }),
  secretId: str({ computed: true, doc: "Server-side ID of the secret." }),
  valueFingerprint: str({
    computed: true,
    doc: "Keyed fingerprint (`hmac-sha256:…`) of the value the server held when last read or written: an HMAC under a key derived from the project key, so it reveals nothing about the value and a guess cannot be checked against it without that key. Differs from `sent_value_fingerprint` when the value was changed outside; the next apply then sends the value again.",
  }),
  sentValueFingerprint: str({
    computed: true,
    doc: "Keyed fingerprint (`hmac-sha256:…`) of the value this provider last sent (or found on import). Safe to show, like `value_fingerprint`.",
  }),
  version: num({ computed: true, doc: "Server-side version; increases with every change." }),
};

/** True when an update must generate a fresh value on the client. */
export function needsNewGeneratedValue(olds: Outputs, news: Inputs): boolean {
  if (news.generate === undefined || news.generate === null) return false;
  if (news.value !== undefined && news.value !== null) return false;
  return !sameValue(olds.generate, news.generate) || !sameValue(olds.rotationTrigger, news.rotationTrigger);
}

function checkSecret(inputs: Inputs): FieldFailure[] {
  const failures: FieldFailure[] = [];
  const has = (name: string) => inputs[name] !== undefined && inputs[name] !== null;
  if (has("value") && has("generate")) failures.push({ path: "value", reason: "cannot be set together with generate" });
  if (has("valueWo") && has("value")) failures.push({ path: "valueWo", reason: "cannot be set together with value" });
  if (has("valueWo") && has("generate")) {
    failures.push({ path: "valueWo", reason: "cannot be set together with generate" });
  }
  if (has("rotationTrigger") && !has("generate")) {
    failures.push({ path: "rotationTrigger", reason: "requires generate (a rotation generates a new value)" });
  }
  const generate = inputs.generate as Record<string, unknown> | undefined;
  if (generate && !isUnknown(generate)) {
    const classes = ["lowercase", "uppercase", "digits", "symbols"];
    if (classes.every((c) => generate[c] === false)) {
      failures.push({ path: "generate", reason: "must enable at least one character class" });
    }
  }
  return failures;
}

/**
 * The server holds another value than the one this provider sent: someone changed it outside.
 * Judged by the fingerprints a refresh recorded, so write-only and generated values are covered
 * without the value in state; state without both fingerprints (0.1.0, not refreshed yet) has no say.
 */
export function valueChangedOutside(olds: Outputs): boolean {
  const { valueFingerprint: held, sentValueFingerprint: sent } = olds;
  return typeof held === "string" && typeof sent === "string" && held !== sent;
}

/** Rotation and out-of-band changes alter the value in ways the default diff cannot see. */
function diffSecret(olds: Outputs, news: Inputs, derived: DiffResult): DiffResult {
  const changes = new Set(derived.changes);
  if (needsNewGeneratedValue(olds, news) || valueChangedOutside(olds)) changes.add("value");
  // A value that was explicitly set and is now dropped (without generate) keeps the old one.
  return { ...derived, changes: [...changes] };
}

function secretComputedChanges(olds: Outputs, news: Inputs, diff: DiffResult): string[] {
  if (diff.changes.length === 0 || diff.replaces.length > 0) return [];
  // Every update writes the value (it is part of the encrypted record), so both fingerprints may change.
  const changed = ["version", "valueFingerprint", "sentValueFingerprint"];
  // A move that is not a folder rename writes a new secret at the new path, with the tags it holds
  // then (unset `tagIds` carries the server's set, which may have changed since the last refresh).
  if (diff.changes.includes("path")) changed.push("secretId", "tagIds");
  if (needsNewGeneratedValue(olds, news)) changed.push("value");
  return changed;
}

type SecretInputs = InputsOf<typeof secretFields>;
type SecretOutputs = OutputsOf<typeof secretFields>;

function locationOf(o: { projectId?: string; environment?: string; path?: string }): SecretLocation {
  return { projectId: o.projectId!, environment: o.environment!, path: o.path ?? "/" };
}

async function fingerprintOf(ctx: ResourceContext, projectId: string, secret: PlainSecret): Promise<string> {
  return valueFingerprint(await ctx.session.projectKey(projectId), secret.secretId, secret.value);
}

/** Fields a write-only twin can supply: what an import or a re-send of a value kept out leaves out. */
const SUPPLIED_WRITE_ONLY = writeOnlyPairs(secretFields).map(([, supplied]) => supplied);

/** The outputs the server's copy decides; `keptOut` (from the schema's write-only rule) stays out. */
function outputsOfSecret(secret: PlainSecret, keptOut: readonly string[], fingerprint: string): SecretOutputs {
  const outputs: Record<string, unknown> = {
    key: secret.key,
    comment: secret.comment,
    value: secret.value,
    secretId: secret.secretId,
    version: secret.version,
    valueFingerprint: fingerprint,
  };
  // Only the list's answers show tags; a write's answer leaves the set to the caller.
  if (secret.tagIds !== undefined) outputs.tagIds = secret.tagIds;
  for (const field of keptOut) delete outputs[field];
  return outputs as SecretOutputs;
}

/**
 * State after this provider wrote (or imported) `secret`: the inputs without write-only fields, the
 * server's copy over them, and the fingerprint of what was sent as the one the server now holds.
 */
async function writtenState(
  ctx: ResourceContext,
  inputs: SecretInputs,
  secret: PlainSecret,
  keptOut: readonly string[],
): Promise<SecretOutputs> {
  const rest = withoutWriteOnly(secretFields, inputs);
  const fingerprint = await fingerprintOf(ctx, inputs.projectId, secret);
  return { ...rest, ...outputsOfSecret(secret, keptOut, fingerprint), sentValueFingerprint: fingerprint };
}

function initialValue(inputs: SecretInputs): string {
  if (inputs.value !== undefined) return inputs.value;
  if (inputs.valueWo !== undefined) return inputs.valueWo;
  if (inputs.generate !== undefined) return generateValue(inputs.generate);
  return "";
}

/** Slugs are not secret, so naming the one that is missing is safe and saves a lookup. */
function noSuchEnvironment(slug: string): string {
  return `the project has no environment ${JSON.stringify(slug)}`;
}

/**
 * An unknown environment or folder can only be found by asking the server; report it like a
 * check failure on the field the user must fix, not as a bare "not found".
 */
function asLocationFailure(error: unknown, location: SecretLocation): unknown {
  if (!(error instanceof NotFoundError)) return error;
  if (/environment not found/i.test(error.serverMessage ?? "")) {
    return new ValidationError("secret", [{ path: "environment", reason: noSuchEnvironment(location.environment) }]);
  }
  if (/folder not found/i.test(error.serverMessage ?? "")) {
    return new ValidationError("secret", [
      { path: "path", reason: "no such folder in this environment; create it or set createMissingFolders" },
    ]);
  }
  return error;
}

/** The real server's 400 "Tag not found" (unknown, another project's, or repeated) names no field. */
function asTagFailure(error: unknown): unknown {
  if (!(error instanceof NotFoundError) || !/tag not found/i.test(error.serverMessage ?? "")) return error;
  return new ValidationError("secret", [
    { path: "tagIds", reason: "a tag id names no tag of this project (unknown, deleted, or of another project)" },
  ]);
}

function sortedTags(ids: string[] | undefined): string[] | undefined {
  return ids === undefined ? undefined : [...ids].sort();
}

async function createSecret(ctx: ResourceContext, inputs: SecretInputs) {
  try {
    return await createSecretAt(ctx, inputs);
  } catch (error) {
    throw asLocationFailure(error, locationOf(inputs));
  }
}

async function createSecretAt(ctx: ResourceContext, inputs: SecretInputs) {
  const location = locationOf(inputs);
  if (inputs.createMissingFolders) await ctx.session.secrets.ensureFolders(location);
  const value = initialValue(inputs);
  const comment = inputs.comment ?? "";
  let created: PlainSecret;
  let adopted = false;
  try {
    created = await ctx.session.secrets.create(location, { key: inputs.key, value, comment });
  } catch (error) {
    if (!(error instanceof ConflictError) || !inputs.adopt) throw error;
    ctx.log.info("adopting existing secret", { environment: location.environment, path: location.path });
    created = await ctx.session.secrets.update(location, { key: inputs.key, value, comment, tagIds: inputs.tagIds });
    adopted = true;
  }
  const keptOut = fieldsKeptOutOfState(secretFields, inputs);
  const outputs = await writtenState(ctx, inputs, created, keptOut);
  // A new secret has no tags: the real server drops `tags` on create (routes-more.md §2).
  outputs.tagIds = sortedTags(inputs.tagIds) ?? (adopted ? undefined : []);
  if (adopted || !inputs.tagIds?.length) return { id: created.secretId, outputs };
  return { id: created.secretId, outputs: await tagCreated(ctx, location, inputs, value, comment, created, outputs) };
}

/**
 * The create's second step: the update that sets the tags the create could not carry. Concurrent
 * ones at a location share one batch update, as the creates shared a batch create.
 */
async function tagCreated(
  ctx: ResourceContext,
  location: SecretLocation,
  inputs: SecretInputs,
  value: string,
  comment: string,
  created: PlainSecret,
  outputs: SecretOutputs,
): Promise<SecretOutputs> {
  try {
    const tagged = await ctx.session.secrets.update(location, {
      key: inputs.key,
      value,
      comment,
      tagIds: inputs.tagIds,
    });
    return { ...outputs, version: tagged.version };
  } catch (error) {
    const cause = asTagFailure(error);
    const reason = cause instanceof Error ? cause.message : "unknown error";
    throw new PartialCreateError(created.secretId, { ...outputs, tagIds: [] }, [`setting tagIds failed: ${reason}`], {
      cause,
    });
  }
}

/**
 * Finds the secret by server ID first (so a rename outside is seen as drift), then by key. The ID
 * is state's `secretId`: a move writes a new secret while the faces keep the resource's first id.
 */
async function findSecret(ctx: ResourceContext, id: string, state: SecretOutputs): Promise<PlainSecret | undefined> {
  let secrets: PlainSecret[];
  try {
    secrets = await ctx.session.secrets.list(locationOf(state));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const secretId = state.secretId ?? id;
  return secrets.find((s) => s.secretId === secretId) ?? secrets.find((s) => s.key === state.key);
}

/**
 * The server's copy over the prior state. A value kept out of state stays out (the schema's
 * write-only rule); a generated value stays as generated so the next apply can put it back; drift
 * of either shows as `valueFingerprint` moving away from `sentValueFingerprint`.
 */
async function readSecret(ctx: ResourceContext, id: string, state: SecretOutputs) {
  const found = await findSecret(ctx, id, state);
  if (!found) return undefined;
  const projectId = state.projectId!;
  const held = await fingerprintOf(ctx, projectId, found);
  const generated = state.generate !== undefined && state.value !== undefined;
  const outputs: SecretOutputs = {
    ...state,
    ...outputsOfSecret(found, fieldsRefreshKeepsOut(secretFields, state), held),
  };
  if (generated) outputs.value = state.value;
  // State written before fingerprints existed: the value in state (or else the server's) is the baseline.
  outputs.sentValueFingerprint ??= generated
    ? valueFingerprint(await ctx.session.projectKey(projectId), found.secretId, state.value!)
    : held;
  return outputs;
}

/**
 * After an import the value is not in state, so a configured `value` plans an update that only has
 * to bring it into state: when the server still holds exactly that value (its keyed fingerprint is
 * the one recorded, with no drift) and nothing else changes, no request is sent and the server's
 * version does not move.
 */
async function onlyFillsValue(ctx: ResourceContext, id: string, olds: SecretOutputs, news: SecretInputs) {
  if (olds.value !== undefined || news.value === undefined || valueChangedOutside(olds)) return false;
  if (news.key !== olds.key || (news.comment ?? "") !== (olds.comment ?? "")) return false;
  if (news.rotationTrigger !== olds.rotationTrigger) return false;
  if (news.tagIds !== undefined && !sameSet(news.tagIds, olds.tagIds)) return false;
  if (olds.valueFingerprint === undefined || olds.secretId !== id) return false;
  return valueFingerprint(await ctx.session.projectKey(olds.projectId!), id, news.value) === olds.valueFingerprint;
}

/** The secrets at a location; a folder that does not exist (yet) holds none. */
async function listOrNone(ctx: ResourceContext, location: SecretLocation): Promise<PlainSecret[]> {
  try {
    return await ctx.session.secrets.list(location, { fresh: true });
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

/**
 * A new `path`. After its folder was renamed the secret is already there (same id): only the other
 * changes, if any, are written. Otherwise it is written at the new path with the value it holds
 * (or the new one), and then removed from the old path, so no step loses the value.
 */
async function moveSecret(
  ctx: ResourceContext,
  id: string,
  olds: SecretOutputs,
  news: SecretInputs,
): Promise<SecretOutputs> {
  const target = locationOf(news);
  const moved = (await listOrNone(ctx, target)).find((s) => s.secretId === (olds.secretId ?? id));
  if (moved) {
    const there: SecretOutputs = { ...olds, path: news.path };
    if (secret.diff(there, news).changes.length > 0) return updateSecret(ctx, id, there, news);
    const held = await fingerprintOf(ctx, news.projectId, moved);
    return { ...there, version: moved.version, valueFingerprint: held } as SecretOutputs;
  }
  const { value, resentWhileOut } = await valueToSend(ctx, id, olds, news, "move secret");
  if (news.createMissingFolders) await ctx.session.secrets.ensureFolders(target);
  const old = await findSecret(ctx, id, olds);
  const comment = news.comment ?? "";
  let created: PlainSecret;
  try {
    created = await createOrResumeMove(ctx, target, { key: news.key, value, comment });
  } catch (error) {
    throw asLocationFailure(error, target);
  }
  // The create cannot carry tags (the server drops them): the set configured, or else the one it had, follows.
  const tagIds = sortedTags(news.tagIds ?? old?.tagIds ?? olds.tagIds) ?? [];
  if (tagIds.length > 0) {
    try {
      created = await ctx.session.secrets.update(target, { key: news.key, value, comment, tagIds });
    } catch (error) {
      throw asTagFailure(error);
    }
  }
  if (old) await ctx.session.secrets.delete(locationOf(olds), old.key);
  const keptOut = fieldsKeptOutOfState(secretFields, news);
  const outputs = await writtenState(
    ctx,
    news,
    created,
    resentWhileOut ? [...keptOut, ...SUPPLIED_WRITE_ONLY] : keptOut,
  );
  return { ...outputs, tagIds };
}

/**
 * The move's write at the new path. A secret already there with this key and exactly this value
 * and comment is this move's own copy from an apply that failed before removing the old one
 * (state still names the old path): it is taken, so the retry converges. Any other is a conflict.
 */
async function createOrResumeMove(
  ctx: ResourceContext,
  target: SecretLocation,
  wanted: { key: string; value: string; comment: string },
): Promise<PlainSecret> {
  try {
    return await ctx.session.secrets.create(target, wanted);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const there = (await listOrNone(ctx, target)).find((s) => s.key === wanted.key);
    if (there?.value !== wanted.value || there.comment !== wanted.comment) {
      throw new ValidationError("secret", [
        {
          path: "path",
          reason:
            "the new path already holds a secret with this key; remove it there (or import it as this resource) first, or keep the old path",
        },
      ]);
    }
    ctx.log.info("resuming an unfinished move", { environment: target.environment, path: target.path });
    return there;
  }
}

async function updateSecret(
  ctx: ResourceContext,
  id: string,
  olds: SecretOutputs,
  news: SecretInputs,
): Promise<SecretOutputs> {
  if ((news.path ?? "/") !== (olds.path ?? "/")) return moveSecret(ctx, id, olds, news);
  if (await onlyFillsValue(ctx, id, olds, news)) {
    const { key, comment, secretId, version, valueFingerprint: held } = olds;
    const rest = withoutWriteOnly(secretFields, news);
    return {
      ...rest,
      key,
      comment,
      value: news.value,
      secretId,
      version,
      valueFingerprint: held,
      sentValueFingerprint: held,
      tagIds: olds.tagIds,
    } as SecretOutputs;
  }
  const location = locationOf(olds);
  const { value, resentWhileOut } = await valueToSend(ctx, id, olds, news, "update secret");
  let updated: PlainSecret;
  try {
    updated = await ctx.session.secrets.update(location, {
      key: olds.key!,
      newKey: news.key !== olds.key ? news.key : undefined,
      value,
      comment: news.comment ?? "",
      // Sent only when configured: the server then replaces the whole set; unset leaves it alone.
      tagIds: news.tagIds,
    });
  } catch (error) {
    throw asTagFailure(error);
  }
  const keptOut = fieldsKeptOutOfState(secretFields, news);
  const outputs = await writtenState(
    ctx,
    news,
    updated,
    resentWhileOut ? [...keptOut, ...SUPPLIED_WRITE_ONLY] : keptOut,
  );
  return { ...outputs, tagIds: sortedTags(news.tagIds) ?? olds.tagIds };
}

async function deleteSecret(ctx: ResourceContext, id: string, state: SecretOutputs) {
  const found = await findSecret(ctx, id, state);
  if (!found) return;
  await ctx.session.secrets.delete(locationOf(state), found.key);
}

/** Says what is missing (environment, or the key at that environment and path) without the key's name. */
async function findForImport(ctx: ResourceContext, location: SecretLocation, key: string): Promise<PlainSecret> {
  const missing = (what: string) => new NotFoundError({ operation: "import secret", reason: what });
  let secrets: PlainSecret[];
  try {
    secrets = await ctx.session.secrets.list(location);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    if (/environment not found/i.test(error.serverMessage ?? ""))
      throw missing(noSuchEnvironment(location.environment));
    // A folder that does not exist holds no secrets.
    secrets = [];
  }
  const found = secrets.find((s) => s.key === key);
  if (found) return found;
  throw missing(
    `no secret with this key at environment ${JSON.stringify(location.environment)}, path ${JSON.stringify(location.path)}`,
  );
}

async function importSecret(ctx: ResourceContext, importId: string) {
  const [projectId, environment, path, key] = splitImportId("secret", importId, [
    "projectId",
    "environment",
    "path",
    "key",
  ]);
  const inputs = secret.validated({ projectId, environment, path, key }) as SecretInputs;
  const location = locationOf(inputs);
  const found = await findForImport(ctx, location, inputs.key);
  // The configuration is unknown here: the value may be managed write-only, so it never enters state
  // from an import. A configured `value` fills it in on the first apply.
  return { id: found.secretId, outputs: await writtenState(ctx, inputs, found, SUPPLIED_WRITE_ONLY) };
}

export const secret = defineResource({
  name: "secret",
  // 2: value fingerprints (after 0.1.0). Version-1 state gains them on its first refresh, so the upgrade has nothing to fill.
  version: 2,
  doc: "A secret in a project environment, encrypted on this machine with the project key before it is sent.",
  importId: "`<projectId>:<environment>:<path>:<key>`, e.g. `6f1c…:dev:/:DB_PASSWORD`.",
  adoptField: "adopt",
  fields: secretFields,
  upgrade: (_fromVersion, state) => state,
  ops: {
    check: checkSecret,
    diff: diffSecret,
    computedChanges: secretComputedChanges,
    create: createSecret,
    read: readSecret,
    update: updateSecret,
    delete: deleteSecret,
    import: importSecret,
  },
});

/**
 * The value an update or a move writes: configured, write-only, newly generated, or else the one
 * the secret holds. `resentWhileOut`: that last value was not in state and must stay out of it.
 */
async function valueToSend(
  ctx: ResourceContext,
  id: string,
  olds: SecretOutputs,
  news: SecretInputs,
  operation: string,
): Promise<{ value: string; resentWhileOut: boolean }> {
  if (news.value !== undefined) return { value: news.value, resentWhileOut: false };
  if (news.valueWo !== undefined) return { value: news.valueWo, resentWhileOut: false };
  if (needsNewGeneratedValue(olds, news)) return { value: generateValue(news.generate!), resentWhileOut: false };
  const value = olds.value ?? (await findSecret(ctx, id, olds))?.value;
  if (value === undefined) {
    throw new NotFoundError({ operation, reason: "the secret no longer exists; refresh to recreate it" });
  }
  return { value, resentWhileOut: olds.value === undefined };
}
