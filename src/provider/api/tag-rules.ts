/**
 * The one home of the tag rules the client checks and the embedded server enforces: sizes, the
 * slug form, and what a tag id looks like (both servers make UUIDs; the real one answers 500 for
 * anything else).
 */
export const MAX_TAG_NAME_LENGTH = 64;
export const MAX_TAG_SLUG_LENGTH = 64;
export const MAX_TAG_COLOR_LENGTH = 64;
/** Tag slugs as Infisical's app makes them (slugify): lowercase words joined by single dashes. */
export const TAG_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTagId(id: string): boolean {
  return UUID.test(id);
}
