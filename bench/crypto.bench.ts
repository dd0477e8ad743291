/**
 * Crypto micro-benchmark: AES-256-GCM throughput of our legacy-format path (validation, fresh IV,
 * base64 in and out) next to raw node:crypto on Buffers (the floor), and Argon2id time per call
 * for each backend. Run: `npm run build && node dist/bench/crypto.bench.js`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
  type Argon2Backend,
  availableArgon2Backends,
  decryptSymmetric,
  deriveArgon2id,
  encryptSymmetric,
  generateProjectKey,
} from "../src/provider/crypto";

const SECONDS_PER_CASE = 0.5;

interface Rate {
  opsPerSecond: number;
  megabytesPerSecond: number;
}

function measure(bytesPerOp: number, operation: () => void): Rate {
  for (let i = 0; i < 50; i++) operation();
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS_PER_CASE * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 20; i++) operation();
    ops += 20;
    elapsed = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  return { opsPerSecond: ops / seconds, megabytesPerSecond: (ops * bytesPerOp) / seconds / 1e6 };
}

function rawEncrypt(key: Buffer, plaintext: Buffer) {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

function rawDecrypt(key: Buffer, sealed: { ciphertext: Buffer; iv: Buffer; tag: Buffer }): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.iv);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

const format = (rate: Rate) =>
  `${Math.round(rate.opsPerSecond).toLocaleString("en-US").padStart(9)} ops/s ${rate.megabytesPerSecond.toFixed(1).padStart(8)} MB/s`;

function aesRows(): string[] {
  const key = generateProjectKey();
  const keyBytes = Buffer.from(key, "utf8");
  const rows: string[] = [];
  for (const [label, size] of [
    ["100 B", 100],
    ["64 KiB", 65536],
  ] as const) {
    const text = "s".repeat(size);
    const buffer = Buffer.from(text);
    const sealed = encryptSymmetric(text, key);
    const rawSealed = rawEncrypt(keyBytes, buffer);
    const ourEncrypt = measure(size, () => encryptSymmetric(text, key));
    const nodeEncrypt = measure(size, () => rawEncrypt(keyBytes, buffer));
    const ourDecrypt = measure(size, () => decryptSymmetric(sealed, key));
    const nodeDecrypt = measure(size, () => rawDecrypt(keyBytes, rawSealed));
    rows.push(`encrypt ${label.padEnd(6)} ours ${format(ourEncrypt)} | node:crypto ${format(nodeEncrypt)}`);
    rows.push(`decrypt ${label.padEnd(6)} ours ${format(ourDecrypt)} | node:crypto ${format(nodeDecrypt)}`);
  }
  return rows;
}

async function argon2Rows(calls: number): Promise<string[]> {
  const salt = Buffer.from(generateProjectKey() + generateProjectKey(), "utf8");
  const rows: string[] = [];
  for (const backend of availableArgon2Backends() as Argon2Backend[]) {
    await deriveArgon2id("warm-up password", salt, { backend });
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await deriveArgon2id(`benchmark password ${i}`, salt, { backend });
    const milliseconds = Number(process.hrtime.bigint() - start) / 1e6 / calls;
    rows.push(
      `argon2id ${backend.padEnd(11)} ${milliseconds.toFixed(1).padStart(7)} ms/call (m=65536 KiB, t=3, p=1; ${calls} calls)`,
    );
  }
  return rows;
}

export async function runCryptoBench(): Promise<string[]> {
  return [...aesRows(), ...(await argon2Rows(5))];
}

if (require.main === module) {
  console.log(`crypto bench (node ${process.version})`);
  runCryptoBench().then(
    (rows) => {
      for (const row of rows) console.log(row);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
