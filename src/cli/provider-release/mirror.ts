/**
 * Installs a release zip into a Terraform filesystem mirror in the *packed* layout, the zip kept
 * byte for byte: `<mirror>/registry.terraform.io/infisical-e2ee/infisicale2ee/<zip>`. Terraform
 * checks a packed zip against both lock-file hashes (`zh:` is only checkable on the zip itself),
 * and the network-mirror index files written beside it (what `terraform providers mirror`
 * writes) let the same directory be served over HTTPS as a network mirror.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../args";
import { contentsHash, listedChecksum, sha256Hex, zipHash } from "./hashes";
import { checksumsName, executableName, mirrorProviderPath, parseArchiveName } from "./names";
import { isRegularFile, listZip, MAX_RELEASE_BYTES, readZipEntry } from "./zip-reader";

export interface MirrorInstall {
  archive: string;
  version: string;
  platform: string;
  /** The lock-file hashes of the package (`h1:` and `zh:`). */
  hashes: string[];
  /** The SHA256SUMS file the zip was checked against, if one was found. */
  checkedAgainst: string | undefined;
}

/** Writes through a temporary file and a rename: a reader never sees half a file. */
function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readJsonObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(`${path} is not a JSON object; fix or delete it, then install again`);
}

function objectField(parent: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = parent[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Checks the zip (name, exactly one executable entry, CRC, published checksum) and returns its hashes. */
export function inspectReleaseZip(zipPath: string, checksumsPath?: string) {
  const parsed = parseArchiveName(basename(zipPath));
  if (!parsed) {
    throw new UsageError(
      `${basename(zipPath)} is not a release zip name (terraform-provider-infisicale2ee_<version>_<os>_<arch>.zip)`,
    );
  }
  if (!existsSync(zipPath)) throw new UsageError(`${zipPath} does not exist`);
  const stat = statSync(zipPath);
  // Not a directory (EISDIR) and not a FIFO or device (reading one could block forever).
  if (!stat.isFile()) throw new UsageError(`${zipPath} is not a regular file`);
  const zipBytes = stat.size;
  if (zipBytes > MAX_RELEASE_BYTES) {
    throw new UsageError(
      `${basename(zipPath)} is ${zipBytes} bytes, more than the ${MAX_RELEASE_BYTES} a release may hold`,
    );
  }
  const zip = readFileSync(zipPath);
  const entries = listZip(zip);
  const expected = executableName(parsed.version, parsed.platform);
  if (entries.length !== 1 || entries[0]!.name !== expected) {
    throw new UsageError(
      `${basename(zipPath)} must hold exactly ${expected} (found: ${entries.map((e) => JSON.stringify(e.name)).join(", ") || "nothing"})`,
    );
  }
  const entry = entries[0]!;
  if (!isRegularFile(entry)) {
    throw new UsageError(`${expected} in ${basename(zipPath)} is not a regular file (a symlink, directory or device)`);
  }
  if (!parsed.platform.startsWith("windows_") && entry.mode !== undefined && (entry.mode & 0o111) === 0) {
    throw new UsageError(`${expected} in ${basename(zipPath)} is not marked executable`);
  }
  const content = readZipEntry(zip, entry);
  const sums = checksumsPath ?? join(dirname(zipPath), checksumsName(parsed.version));
  let checkedAgainst: string | undefined;
  if (existsSync(sums)) {
    if (!statSync(sums).isFile()) throw new UsageError(`${sums} is not a regular file`);
    const listed = listedChecksum(readFileSync(sums, "utf8"), basename(zipPath));
    if (listed === undefined) throw new UsageError(`${sums} does not list ${basename(zipPath)}`);
    if (listed !== sha256Hex(zip)) {
      throw new UsageError(
        `${basename(zipPath)} does not match its SHA-256 in ${sums}: refusing a corrupted or altered zip`,
      );
    }
    checkedAgainst = sums;
  } else if (checksumsPath !== undefined) throw new UsageError(`${checksumsPath} does not exist`);
  return {
    ...parsed,
    zip,
    hashes: [contentsHash([{ name: entry.name, content }]), zipHash(zip)],
    checkedAgainst,
  };
}

export function installZipIntoMirror(options: {
  zipPath: string;
  mirror: string;
  checksumsPath?: string;
}): MirrorInstall {
  const release = inspectReleaseZip(options.zipPath, options.checksumsPath);
  const providerDir = join(options.mirror, ...mirrorProviderPath());
  const unpacked = join(providerDir, release.version, release.platform);
  if (existsSync(unpacked)) {
    throw new UsageError(
      `${unpacked} already holds an unpacked install of the same version and platform (e.g. a launcher); remove it first so Terraform sees one package`,
    );
  }
  // Read (and so validate) both index files before writing anything: a refusal leaves the mirror as it was.
  const indexPath = join(providerDir, "index.json");
  const index = readJsonObject(indexPath);
  const versionPath = join(providerDir, `${release.version}.json`);
  const versionIndex = readJsonObject(versionPath);
  const archiveFile = basename(options.zipPath);
  const archive = join(providerDir, archiveFile);

  mkdirSync(providerDir, { recursive: true });
  writeAtomically(archive, release.zip);
  // The network mirror protocol's index files, as `terraform providers mirror` writes them.
  writeAtomically(
    indexPath,
    `${JSON.stringify({ ...index, versions: { ...objectField(index, "versions"), [release.version]: {} } }, null, 2)}\n`,
  );
  const archives = {
    ...objectField(versionIndex, "archives"),
    [release.platform]: { url: archiveFile, hashes: release.hashes },
  };
  writeAtomically(versionPath, `${JSON.stringify({ ...versionIndex, archives }, null, 2)}\n`);
  return {
    archive,
    version: release.version,
    platform: release.platform,
    hashes: release.hashes,
    checkedAgainst: release.checkedAgainst,
  };
}
