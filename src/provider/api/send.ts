/** How API areas issue calls: the session decides which bearer token a call carries. */
import type { Call } from "./http";

/** `session` = the session's credential (logging in lazily); `none` = unauthenticated; or an explicit token. */
export type Auth = "session" | "none" | { bearer: string };

export type ApiCall = Omit<Call, "token"> & { auth?: Auth };

export type Send = <T>(call: ApiCall) => Promise<T>;
