/**
 * The one Unicode rule for secret names, shared by the client and the embedded server: a name
 * must already be in Normalization Form C. We reject rather than normalize because the name is
 * encrypted by the client and indexed by the server: silently rewriting it on either side would
 * make the ciphertext and the index disagree, and Terraform would see a value it was not given.
 * Rejecting means "é" typed composed (U+00E9) and decomposed (e + U+0301) can never become two
 * look-alike secrets. docs/security.md records the decision.
 */

/** In a `u` regex a well-formed pair is one code point, so this finds only lone halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `name` breaks the rule, or undefined. Never echoes the name (it may be sensitive). */
export function unicodeNameProblem(name: string): string | undefined {
  if (LONE_SURROGATE.test(name)) return "must be well-formed Unicode (no lone surrogates)";
  if (name.normalize("NFC") !== name) {
    return "must be in Unicode normalization form NFC (write composed characters, e.g. U+00E9 rather than e + U+0301)";
  }
  return undefined;
}
