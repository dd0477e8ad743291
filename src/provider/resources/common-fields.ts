/** Fields several resources declare alike: one home for their rule and their wording. */
import { str } from "../schema/fields";
import { validateEnvironmentSlug, validateId } from "./validation";

/** The project a resource belongs to; another project means another resource. */
export const projectIdField = () =>
  str({ required: true, replaceOnChange: true, validate: validateId, doc: "ID of the project." });

/** The environment a resource lives in; the server cannot move it to another one. */
export const homeEnvironmentField = (doc = "Slug of the environment, e.g. `dev`.") =>
  str({ required: true, replaceOnChange: true, validate: validateEnvironmentSlug, doc });
