/** Plugin logs: stderr only (stdout carries the handshake). Terraform shows them under TF_LOG. */
import type { Logger } from "../provider/schema/resource";

type Fields = Record<string, string | number | boolean>;

function write(level: string, message: string, fields?: Fields): void {
  const suffix = fields
    ? Object.entries(fields)
        .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
        .join("")
    : "";
  process.stderr.write(`[${level}] infisicale2ee: ${message}${suffix}\n`);
}

export const stderrLogger: Logger = {
  debug: (message, fields) => write("DEBUG", message, fields),
  info: (message, fields) => write("INFO", message, fields),
  warn: (message, fields) => write("WARN", message, fields),
};
