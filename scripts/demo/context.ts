/**
 * What every step of the demo shares, whichever face runs the story: the running server, the
 * people, the project, an admin session for inspection, and the fixed names the story uses.
 */
import type { Session } from "../../src/provider/session/types";
import type { RunningServer } from "../../src/server";
import type { Reporter } from "./report";

/** The environment the story deploys into and the explicit value it sets there. */
export const ENVIRONMENT = "qa";
export const DB_HOST = "db.qa.internal";
/** The service token the story creates (read-only, every path of `qa`). */
export const READER_TOKEN_NAME = "qa-reader";
export const FIRST_ROTATION = "2026-01";
export const SECOND_ROTATION = "2026-02";

export interface DemoContext {
  ui: Reporter;
  server: RunningServer;
  dataDir: string;
  admin: { email: string; password: string };
  member: { email: string };
  projectId: string;
  /** The admin's session, for inspecting the server as the story goes. */
  session: Session;
}
