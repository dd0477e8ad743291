/**
 * `install-terraform-provider --from-zip`: release zips (made by the build's own zip writer) go
 * into a filesystem mirror in the packed layout, byte for byte, with network-mirror index files;
 * hostile or damaged zips and checksum mismatches are refused and leave the mirror untouched.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeZip } from "../../scripts/package-provider/zip-writer";
import { UsageError } from "../../src/cli/args";
import { installTerraformProvider, terraformPlatform } from "../../src/cli/install-terraform-provider-command";
import { checksumsText, contentsHash, zipHash } from "../../src/cli/provider-release/hashes";
import { installZipIntoMirror } from "../../src/cli/provider-release/mirror";
import { listZip, MAX_RELEASE_BYTES, readZipEntry } from "../../src/cli/provider-release/zip-reader";

const CLI = join(__dirname, "..", "..", "src", "cli.js");
const NAME = "terraform-provider-infisicale2ee";
const PROVIDER_DIR = ["registry.terraform.io", "infisical-e2ee", "infisicale2ee"];
const BINARY = Buffer.from(`#!/bin/sh\necho ${"x".repeat(5000)}\n`);

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), "infisical-e2ee-zip-"));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A release directory holding `zip` under the release name, with or without a SHA256SUMS file. */
function release(zip: Buffer, options: { version?: string; platform?: string; sums?: string | false } = {}) {
  const version = options.version ?? "1.2.3";
  const dir = mkdtempSync(join(work, "release-"));
  const name = `${NAME}_${version}_${options.platform ?? "linux_amd64"}.zip`;
  writeFileSync(join(dir, name), zip);
  if (options.sums !== false) {
    writeFileSync(join(dir, `${NAME}_${version}_SHA256SUMS`), options.sums ?? checksumsText([{ name, content: zip }]));
  }
  return join(dir, name);
}

const goodZip = (version = "1.2.3") => writeZip([{ name: `${NAME}_v${version}`, content: BINARY, mode: 0o755 }]);

function assertRefused(zipPath: string, pattern: RegExp) {
  const mirror = mkdtempSync(join(work, "mirror-"));
  assert.throws(
    () => installZipIntoMirror({ zipPath, mirror }),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match((error as Error).message, pattern);
      return true;
    },
  );
  assert.deepEqual(readdirSync(mirror), [], "nothing written to the mirror");
}

describe("release zips", () => {
  test("the writer's zip reads back byte for byte, executable, and standard unzip agrees", () => {
    const zip = goodZip();
    const [entry, ...rest] = listZip(zip);
    assert.deepEqual(rest, []);
    assert.equal(entry!.name, `${NAME}_v1.2.3`);
    assert.equal(entry!.mode! & 0o777, 0o755);
    assert.deepEqual(readZipEntry(zip, entry!), BINARY);
    assert.ok(zip.length < BINARY.length, "deflated");
    const path = release(zip);
    const unzip = spawnSync("unzip", ["-p", path], { maxBuffer: 1 << 20 });
    if (unzip.error === undefined) assert.deepEqual(unzip.stdout, BINARY);
    assert.deepEqual(goodZip(), zip, "the same input gives the same zip (fixed timestamps)");
  });

  test("installs in the packed layout with network-mirror index files; another platform merges in", () => {
    const mirror = mkdtempSync(join(work, "mirror-"));
    const zip = goodZip();
    const installed = installZipIntoMirror({ zipPath: release(zip), mirror });
    const providerDir = join(mirror, ...PROVIDER_DIR);
    assert.equal(installed.archive, join(providerDir, `${NAME}_1.2.3_linux_amd64.zip`));
    assert.deepEqual(readFileSync(installed.archive), zip);
    assert.ok(installed.checkedAgainst?.endsWith(`${NAME}_1.2.3_SHA256SUMS`));
    const hashes = [contentsHash([{ name: `${NAME}_v1.2.3`, content: BINARY }]), zipHash(zip)];
    assert.deepEqual(installed.hashes, hashes);
    assert.deepEqual(JSON.parse(readFileSync(join(providerDir, "index.json"), "utf8")), { versions: { "1.2.3": {} } });

    const arm = writeZip([{ name: `${NAME}_v1.2.3`, content: Buffer.from("arm"), mode: 0o755 }]);
    installZipIntoMirror({ zipPath: release(arm, { platform: "linux_arm64" }), mirror });
    const versionIndex = JSON.parse(readFileSync(join(providerDir, "1.2.3.json"), "utf8"));
    assert.deepEqual(Object.keys(versionIndex.archives).sort(), ["linux_amd64", "linux_arm64"]);
    assert.deepEqual(versionIndex.archives.linux_amd64, { url: `${NAME}_1.2.3_linux_amd64.zip`, hashes });
    assert.deepEqual(
      readdirSync(providerDir).sort(),
      ["1.2.3.json", `${NAME}_1.2.3_linux_amd64.zip`, `${NAME}_1.2.3_linux_arm64.zip`, "index.json"].sort(),
    );
  });

  test("refuses a zip whose bytes differ from its SHA256SUMS line, or that the file does not list", () => {
    const zip = goodZip();
    const other = writeZip([{ name: `${NAME}_v1.2.3`, content: Buffer.from("other"), mode: 0o755 }]);
    const listed = checksumsText([{ name: `${NAME}_1.2.3_linux_amd64.zip`, content: other }]);
    assertRefused(release(zip, { sums: listed }), /does not match its SHA-256/);
    assertRefused(
      release(zip, { sums: checksumsText([{ name: "something-else.zip", content: zip }]) }),
      /does not list/,
    );
  });

  test("refuses anything but exactly the executable: extra files, traversal names, no exec bit, other names", () => {
    const extra = writeZip([
      { name: `${NAME}_v1.2.3`, content: BINARY, mode: 0o755 },
      { name: "README", content: Buffer.from("hi"), mode: 0o644 },
    ]);
    assertRefused(release(extra), /must hold exactly/);
    const twice = writeZip([
      { name: `${NAME}_v1.2.3`, content: Buffer.from("harmless"), mode: 0o755 },
      { name: `${NAME}_v1.2.3`, content: BINARY, mode: 0o755 },
    ]);
    assertRefused(release(twice), /must hold exactly/);
    assertRefused(
      release(writeZip([{ name: `${NAME}_v1.2.3`, content: Buffer.from("/usr/bin/env"), mode: 0o120755 }])),
      /not a regular file/,
    );
    assertRefused(
      release(writeZip([{ name: `../${NAME}_v1.2.3`, content: BINARY, mode: 0o755 }])),
      /must hold exactly/,
    );
    assertRefused(release(writeZip([{ name: `${NAME}_v9.9.9`, content: BINARY, mode: 0o755 }])), /must hold exactly/);
    assertRefused(
      release(writeZip([{ name: `${NAME}_v1.2.3`, content: BINARY, mode: 0o644 }])),
      /not marked executable/,
    );
    assertRefused(release(writeZip([])), /must hold exactly .*found: nothing/);
  });

  test("refuses a badly named file, a non-zip, a truncated zip and a corrupted one", () => {
    const zip = goodZip();
    const renamed = join(mkdtempSync(join(work, "named-")), "provider.zip");
    writeFileSync(renamed, zip);
    assertRefused(renamed, /not a release zip name/);
    for (const version of ["..", "1.2", "1.2.3/../../x"]) {
      const odd = join(mkdtempSync(join(work, "named-")), `${NAME}_${version}_linux_amd64.zip`.replaceAll("/", "_"));
      writeFileSync(odd, zip);
      assertRefused(odd, /not a release zip name/);
    }
    assertRefused(release(Buffer.from("definitely not a zip file, just text")), /not a zip file/);
    const directory = join(mkdtempSync(join(work, "named-")), `${NAME}_1.2.3_linux_amd64.zip`);
    mkdirSync(directory);
    assertRefused(directory, /is not a regular file/);
    const sumsDirectory = release(zip, { sums: false });
    mkdirSync(join(sumsDirectory, "..", `${NAME}_1.2.3_SHA256SUMS`));
    assertRefused(sumsDirectory, /SHA256SUMS is not a regular file/);
    assertRefused(release(zip.subarray(0, zip.length - 30), { sums: false }), /not a zip file|malformed|past/);
    const dataStart = 30 + `${NAME}_v1.2.3`.length;
    const corrupted = Buffer.from(zip);
    corrupted[dataStart + 5] = (corrupted[dataStart + 5] ?? 0) ^ 0xff;
    assertRefused(release(corrupted, { sums: false }), /CRC-32|inflate/);
    const renamedInside = Buffer.from(zip);
    renamedInside[30] = "X".charCodeAt(0); // the local header's copy of the name
    assertRefused(release(renamedInside, { sums: false }), /names another file/);
  });

  test("refuses an entry that inflates past its declared size (a zip bomb's lie)", () => {
    const zip = goodZip();
    const lying = Buffer.from(zip);
    const central = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(100, central + 24); // declared uncompressed size: 100 bytes
    assertRefused(release(lying, { sums: false }), /inflate|CRC-32/);
  });

  test("refuses sizes past the release limit before reading or inflating them (a zip bomb that tells the truth)", () => {
    const zip = goodZip();
    const huge = Buffer.from(zip);
    const central = huge.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    huge.writeUInt32LE(MAX_RELEASE_BYTES + 1, central + 24);
    assertRefused(release(huge, { sums: false }), /declares \d+ bytes, more than/);
    const sparse = release(Buffer.alloc(0), { sums: false });
    truncateSync(sparse, MAX_RELEASE_BYTES + 1); // sparse: no disk used
    assertRefused(sparse, /is \d+ bytes, more than/);
  });

  test("a mirror whose index file is damaged is refused before anything is written into it", () => {
    const mirror = mkdtempSync(join(work, "mirror-"));
    const providerDir = join(mirror, ...PROVIDER_DIR);
    mkdirSync(providerDir, { recursive: true });
    writeFileSync(join(providerDir, "1.2.3.json"), "{ not json");
    assert.throws(
      () => installZipIntoMirror({ zipPath: release(goodZip()), mirror }),
      /1\.2\.3\.json is not a JSON object/,
    );
    assert.deepEqual(readdirSync(providerDir), ["1.2.3.json"], "no zip and no index.json left behind");
  });

  test("the CLI: --from-zip with --mirror installs and reports; --dir and --mirror must agree", () => {
    const mirror = mkdtempSync(join(work, "mirror-"));
    const zipPath = release(goodZip(), { sums: false });
    const ran = spawnSync(
      process.execPath,
      [CLI, "install-terraform-provider", "--from-zip", zipPath, "--mirror", mirror],
      {
        encoding: "utf8",
      },
    );
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /No SHA256SUMS file beside the zip/);
    assert.match(ran.stdout, /Lock-file hashes: h1:\S+ zh:[0-9a-f]{64}/);
    assert.ok(existsSync(join(mirror, ...PROVIDER_DIR, `${NAME}_1.2.3_linux_amd64.zip`)));
    const clash = spawnSync(
      process.execPath,
      [CLI, "install-terraform-provider", "--from-zip", zipPath, "--mirror", mirror, "--dir", join(work, "elsewhere")],
      { encoding: "utf8" },
    );
    assert.notEqual(clash.status, 0);
    assert.match(clash.stderr, /--dir and --mirror/);
  });

  test("refuses to put a zip beside an unpacked install of the same version and platform", () => {
    const mirror = mkdtempSync(join(work, "mirror-"));
    mkdirSync(join(mirror, ...PROVIDER_DIR, "1.2.3", "linux_amd64"), { recursive: true });
    assert.throws(
      () => installZipIntoMirror({ zipPath: release(goodZip()), mirror }),
      /already holds an unpacked install/,
    );
  });

  test("the launcher goes into the unpacked layout, and refuses a mirror holding a packed zip of its version", () => {
    const mirror = mkdtempSync(join(work, "mirror-"));
    const launcher = installTerraformProvider({ dir: mirror });
    const version = launcher.version;
    const platform = terraformPlatform();
    assert.equal(launcher.executable, join(mirror, ...PROVIDER_DIR, version, platform, `${NAME}_v${version}`));
    assert.match(
      readFileSync(launcher.executable, "utf8"),
      /^#!\/bin\/sh\n[\s\S]*exec '[^']+' '[^']+cli\.js' terraform-provider "\$@"\n$/,
    );

    const packedMirror = mkdtempSync(join(work, "mirror-"));
    installZipIntoMirror({
      zipPath: release(goodZip(version), { version, platform }),
      mirror: packedMirror,
    });
    assert.throws(() => installTerraformProvider({ dir: packedMirror }), /is a packed install of the same version/);
    assert.ok(!existsSync(join(packedMirror, ...PROVIDER_DIR, version)), "no unpacked directory beside the zip");
  });
});
