/**
 * Step 3: the release as the provider registry protocol and `terraform providers mirror` expect:
 * `<name>_<version>_<os>_<arch>.zip` holding only `<name>_v<version>`, the registry manifest,
 * and `<name>_<version>_SHA256SUMS` over the zip and the manifest.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumsText } from "../../src/cli/provider-release/hashes";
import {
  archiveName,
  checksumsName,
  executableName,
  manifestName,
  releaseManifest,
} from "../../src/cli/provider-release/names";
import { writeZip } from "./zip-writer";

export interface Release {
  zip: string;
  checksums: string;
  manifest: string;
}

export function writeRelease(options: {
  executable: string;
  version: string;
  platform: string;
  outDir: string;
}): Release {
  const { version, platform, outDir } = options;
  const zipBytes = writeZip([
    { name: executableName(version, platform), content: readFileSync(options.executable), mode: 0o755 },
  ]);
  const manifestBytes = Buffer.from(`${JSON.stringify(releaseManifest(), null, 2)}\n`);
  const release: Release = {
    zip: join(outDir, archiveName(version, platform)),
    checksums: join(outDir, checksumsName(version)),
    manifest: join(outDir, manifestName(version)),
  };
  writeFileSync(release.zip, zipBytes);
  writeFileSync(release.manifest, manifestBytes);
  writeFileSync(
    release.checksums,
    checksumsText([
      { name: archiveName(version, platform), content: zipBytes },
      { name: manifestName(version), content: manifestBytes },
    ]),
  );
  return release;
}
