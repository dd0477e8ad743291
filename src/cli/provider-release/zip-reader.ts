/**
 * A strict reader for the provider's release zips (PKZIP, stored or deflated, no ZIP64, no
 * encryption): every size, offset and CRC is checked, inflation is capped at the declared size,
 * and no size may exceed MAX_RELEASE_BYTES, so a hostile or truncated zip (or a zip bomb that
 * declares its size honestly) is refused with a message instead of read past its end or into memory.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { UsageError } from "../args";

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED_FLAG = 0x1;
const UNIX_HOST = 3;
const FILE_TYPE_MASK = 0o170000;
const REGULAR_FILE = 0o100000;

/** Far above a provider binary (about 122 MiB: a Node runtime), far below what would exhaust memory. */
export const MAX_RELEASE_BYTES = 512 * 1024 * 1024;

export interface ZipEntry {
  name: string;
  /** Unix mode bits when the zip was made on Unix (file type and executable bit live here), else undefined. */
  mode: number | undefined;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends UsageError {}

function findEndRecord(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - END_RECORD_BYTES - MAX_COMMENT_BYTES);
  for (let at = zip.length - END_RECORD_BYTES; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new ZipFormatError("not a zip file (no end-of-central-directory record)");
}

/** The entries listed in the zip's central directory. */
export function listZip(zip: Buffer): ZipEntry[] {
  if (zip.length < END_RECORD_BYTES) throw new ZipFormatError("not a zip file (too short)");
  const end = findEndRecord(zip);
  const entryCount = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (zip.readUInt16LE(end + 4) !== 0 || zip.readUInt16LE(end + 8) !== entryCount) {
    throw new ZipFormatError("multi-disk zips are not supported");
  }
  if (directoryOffset === 0xffffffff || entryCount === 0xffff) throw new ZipFormatError("ZIP64 is not supported");
  if (directoryOffset + directorySize > end) throw new ZipFormatError("the central directory runs past its end");
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL_HEADER) {
      throw new ZipFormatError(`central directory entry ${i} is malformed`);
    }
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > end) throw new ZipFormatError(`central directory entry ${i} runs past its end`);
    if (flags & ENCRYPTED_FLAG) throw new ZipFormatError("encrypted zip entries are not supported");
    const externalAttributes = zip.readUInt32LE(at + 38);
    entries.push({
      name: zip.toString("utf8", at + 46, at + 46 + nameLength),
      mode: madeBy === UNIX_HOST ? externalAttributes >>> 16 : undefined,
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at = next;
  }
  return entries;
}

/** Whether the entry is a plain file: not a symlink, directory or device (type bits 0: no Unix type recorded). */
export function isRegularFile(entry: ZipEntry): boolean {
  const type = (entry.mode ?? 0) & FILE_TYPE_MASK;
  return type === 0 || type === REGULAR_FILE;
}

/** One entry's bytes, inflated and CRC-checked. */
export function readZipEntry(zip: Buffer, entry: ZipEntry): Buffer {
  if (entry.size > MAX_RELEASE_BYTES || entry.compressedSize > MAX_RELEASE_BYTES) {
    throw new ZipFormatError(
      `${JSON.stringify(entry.name)} declares ${entry.size} bytes, more than the ${MAX_RELEASE_BYTES} a release may hold`,
    );
  }
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) {
    throw new ZipFormatError(`the local header of ${JSON.stringify(entry.name)} is malformed`);
  }
  const nameLength = zip.readUInt16LE(at + 26);
  if (zip.toString("utf8", at + 30, at + 30 + nameLength) !== entry.name) {
    throw new ZipFormatError(`the local header of ${JSON.stringify(entry.name)} names another file`);
  }
  const start = at + 30 + nameLength + zip.readUInt16LE(at + 28);
  if (start + entry.compressedSize > zip.length) {
    throw new ZipFormatError(`${JSON.stringify(entry.name)} runs past the end of the zip`);
  }
  const stored = zip.subarray(start, start + entry.compressedSize);
  let content: Buffer;
  if (entry.method === STORED) content = stored;
  else if (entry.method === DEFLATED) {
    try {
      content = inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
    } catch (cause) {
      throw new ZipFormatError(`${JSON.stringify(entry.name)} does not inflate to its declared size`, { cause });
    }
  } else throw new ZipFormatError(`${JSON.stringify(entry.name)} uses unsupported compression method ${entry.method}`);
  if (content.length !== entry.size || crc32(content) !== entry.crc) {
    throw new ZipFormatError(`${JSON.stringify(entry.name)} fails its size or CRC-32 check (corrupted zip)`);
  }
  return content;
}
