/**
 * The Host header check against DNS rebinding: a web page whose name an attacker re-points at
 * 127.0.0.1 reaches the server with its own name in `Host`, so only names that cannot be
 * re-pointed are answered: loopback names and addresses, and with `allowRemote` also IP literals
 * (never the unspecified 0.0.0.0 / ::) and the names the operator lists in `allowedHosts`.
 */
import { isIP } from "node:net";

export interface HostRules {
  allowRemote?: boolean;
  /** Host names (no port) answered besides loopback; only with `allowRemote`. */
  allowedHosts?: readonly string[];
}

export function isLoopbackName(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** The host name of a Host header value: lower-case, without port, brackets or a trailing dot. */
export function hostName(header: string): string {
  let host = header.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    host = end === -1 ? host : host.slice(1, end);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon !== -1 && host.indexOf(":") === colon) host = host.slice(0, colon);
  }
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

export function hostMatcher(rules: HostRules): (header: string | undefined) => boolean {
  const listed = new Set((rules.allowedHosts ?? []).map((h) => hostName(h)));
  return (header) => {
    if (header === undefined || header === "") return false;
    const host = hostName(header);
    if (isLoopbackName(host)) return true;
    if (!rules.allowRemote) return false;
    if (isIP(host) !== 0) return host !== "0.0.0.0" && host !== "::" && host !== "0:0:0:0:0:0:0:0";
    return listed.has(host);
  };
}
