/**
 * The two package hashes Terraform records in .terraform.lock.hcl: `zh:` (SHA-256 of the zip
 * itself, the same hex the release's SHA256SUMS lists) and `h1:` (Go's dirhash "Hash1" of the
 * files inside: SHA-256 over sorted "<hex sha256>  <name>\n" lines, base64).
 */
import { createHash } from "node:crypto";
import { UsageError } from "../args";

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

export function zipHash(zipBytes: Uint8Array): string {
  return `zh:${sha256Hex(zipBytes)}`;
}

export function contentsHash(files: { name: string; content: Uint8Array }[]): string {
  const summary = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (file.name.includes("\n")) throw new UsageError("a file name inside the zip contains a newline");
    summary.update(`${sha256Hex(file.content)}  ${file.name}\n`);
  }
  return `h1:${summary.digest("base64")}`;
}

/** `SHA256SUMS` text (sha256sum's format): one `<hex>  <file>` line per file, sorted by name. */
export function checksumsText(files: { name: string; content: Uint8Array }[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((file) => `${sha256Hex(file.content)}  ${file.name}\n`)
    .join("");
}

/** The hex digest SHA256SUMS text lists for `fileName`, or undefined. */
export function listedChecksum(text: string, fileName: string): string | undefined {
  for (const line of text.split("\n")) {
    const match = /^([0-9a-f]{64}) [ *]?(.+)$/.exec(line.trimEnd());
    if (match && match[2] === fileName) return match[1];
  }
  return undefined;
}
