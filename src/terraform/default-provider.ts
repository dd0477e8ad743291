/** The provider over the core registry and session: what `infisical-e2ee terraform-provider` serves. */
import type { Logger } from "../provider/schema/resource";
import { type ProviderCatalog, type SessionFactory, TerraformProvider } from "./provider";

export function createDefaultProvider(log: Logger): TerraformProvider {
  // Loaded here, after the handshake, so start-up pays only for TLS and gRPC.
  const registry = require("../provider/registry") as ProviderCatalog;
  const { openSession } = require("../provider/session") as {
    openSession: (settings: object, options?: { log?: Logger }) => ReturnType<SessionFactory>;
  };
  const factory: SessionFactory = (settings, logger) => openSession(settings, { log: logger });
  return new TerraformProvider({ resources: registry.resources, lookups: registry.lookups }, factory, log);
}
