/** Reads that treat "not found" as absence: a resource (or its project) removed outside. */
import { NotFoundError } from "../errors";

/** undefined when the error says the object (or its project) is gone. */
export async function unlessGone<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
