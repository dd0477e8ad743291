/**
 * The provider's address and its release file names, as Terraform's provider registry protocol,
 * `terraform providers mirror` and filesystem mirrors spell them. The one home for these names:
 * the build (scripts/package-provider) writes them, `install-terraform-provider` reads them.
 */
export const PROVIDER_HOST = "registry.terraform.io";
export const PROVIDER_NAMESPACE = "infisical-e2ee";
export const PROVIDER_TYPE_NAME = "infisicale2ee";
/** The plugin protocol versions the release manifest declares (tfplugin6 only). */
export const PROTOCOL_VERSIONS = ["6.0"];

const BASE = `terraform-provider-${PROVIDER_TYPE_NAME}`;

/** The executable inside the zip: `terraform-provider-infisicale2ee_v0.1.0` (`.exe` on Windows). */
export function executableName(version: string, platform: string): string {
  return `${BASE}_v${version}${platform.startsWith("windows_") ? ".exe" : ""}`;
}

export function archiveName(version: string, platform: string): string {
  return `${BASE}_${version}_${platform}.zip`;
}

export function checksumsName(version: string): string {
  return `${BASE}_${version}_SHA256SUMS`;
}

export function manifestName(version: string): string {
  return `${BASE}_${version}_manifest.json`;
}

/** The registry manifest of a release: which plugin protocol versions the binaries speak. */
export function releaseManifest(): { version: 1; metadata: { protocol_versions: string[] } } {
  return { version: 1, metadata: { protocol_versions: [...PROTOCOL_VERSIONS] } };
}

// Version: semver (x.y.z, optional -pre/+build), so it is never a path such as ".."; platform: `<os>_<arch>`, lower-case words.
const ARCHIVE_NAME =
  /^terraform-provider-infisicale2ee_([0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]+)?)_([a-z0-9]+_[a-z0-9]+)\.zip$/;

/** The version and platform a release zip's file name carries, or undefined for any other name. */
export function parseArchiveName(fileName: string): { version: string; platform: string } | undefined {
  const match = ARCHIVE_NAME.exec(fileName);
  if (!match) return undefined;
  return { version: match[1]!, platform: match[2]! };
}

/** The provider's directory in a filesystem or network mirror: `<mirror>/registry.terraform.io/infisical-e2ee/infisicale2ee`. */
export function mirrorProviderPath(): string[] {
  return [PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE_NAME];
}
