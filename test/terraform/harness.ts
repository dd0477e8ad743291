/**
 * Starts a provider plugin exactly as go-plugin's client does (magic cookie, PLUGIN_* variables,
 * our own client certificate in PLUGIN_CLIENT_CERT, mutual TLS pinned to the certificate in the
 * handshake line) and gives typed access to its gRPC services.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { createPluginCertificate } from "../../src/terraform/certificate";
import { decodeDynamicValue, encodeDynamicValue } from "../../src/terraform/dynamic-value";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../src/terraform/plugin-server";
import { loadPluginServices } from "../../src/terraform/protocol";

export interface Handshake {
  coreVersion: string;
  appVersion: string;
  network: string;
  address: string;
  protocol: string;
  certificateBase64: string;
}

export interface PluginConnection {
  handshake: Handshake;
  child: ChildProcess;
  /** Everything the plugin wrote on stderr so far. */
  stderr(): string;
  /** Everything on stdout (must be the handshake line only). */
  stdout(): string;
  call<T = Record<string, unknown>>(method: string, request?: object): Promise<T>;
  health(): Promise<{ status: number }>;
  /** Opens the stdio stream like the client does; resolves once the stream is established. */
  openStdio(): grpc.ClientReadableStream<unknown>;
  /** GRPCController.Shutdown, then waits for the process to exit; returns the exit code. */
  shutdown(): Promise<number | null>;
  kill(): void;
}

export interface StartOptions {
  /** Script to run with this Node binary, and its arguments. */
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Plain gRPC (TF_DISABLE_PLUGIN_TLS) instead of AutoMTLS. */
  plaintext?: boolean;
  /** Inherited variables to drop (e.g. INFISICAL_* so only the provider block configures it). */
  removeEnv?: string[];
}

export function certificatePemFromBase64(unpadded: string): string {
  const der = Buffer.from(unpadded, "base64");
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

export function parseHandshake(line: string): Handshake {
  const [coreVersion, appVersion, network, address, protocol, certificateBase64 = ""] = line.trim().split("|");
  return {
    coreVersion: coreVersion ?? "",
    appVersion: appVersion ?? "",
    network: network ?? "",
    address: address ?? "",
    protocol: protocol ?? "",
    certificateBase64,
  };
}

function waitForHandshake(child: ChildProcess, stdout: () => string, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake within 30 s; stderr: ${stderr()}`)), 30_000);
    const onData = () => {
      const text = stdout();
      const end = text.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(text.slice(0, end));
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited with ${code} before the handshake; stderr: ${stderr()}`));
    });
  });
}

export async function startPlugin(options: StartOptions): Promise<PluginConnection> {
  const clientCertificate = createPluginCertificate();
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const name of options.removeEnv ?? []) delete inherited[name];
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...options.env,
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_MIN_PORT: "10000",
    PLUGIN_MAX_PORT: "25000",
    PLUGIN_PROTOCOL_VERSIONS: "5,6",
  };
  if (options.plaintext) env.TF_DISABLE_PLUGIN_TLS = "1";
  else env.PLUGIN_CLIENT_CERT = clientCertificate.certificatePem;
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = await waitForHandshake(
    child,
    () => out,
    () => err,
  );
  const handshake = parseHandshake(line);
  const services = loadPluginServices();
  const credentials = options.plaintext
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(
        Buffer.from(certificatePemFromBase64(handshake.certificateBase64)),
        Buffer.from(clientCertificate.privateKeyPem),
        Buffer.from(clientCertificate.certificatePem),
      );
  const channelOptions = { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" };
  const provider = new services.provider(handshake.address, credentials, channelOptions);
  const controller = new services.controller(handshake.address, credentials, channelOptions);
  const stdio = new services.stdio(handshake.address, credentials, channelOptions);
  const health = new services.health(handshake.address, credentials, channelOptions);
  const unary = <T>(client: grpc.Client, method: string, request: object) =>
    new Promise<T>((resolve, reject) => {
      type UnaryMethod = (request: object, callback: (error: grpc.ServiceError | null, response: T) => void) => void;
      const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
      if (!fn) return reject(new Error(`no method ${method}`));
      fn.call(client, request, (error: grpc.ServiceError | null, response: T) =>
        error ? reject(error) : resolve(response),
      );
    });
  return {
    handshake,
    child,
    stderr: () => err,
    stdout: () => out,
    call: (method, request = {}) => unary(provider, method, request),
    health: () => unary(health, "Check", { service: "plugin" }),
    openStdio: () =>
      (stdio as unknown as { StreamStdio(r: object): grpc.ClientReadableStream<unknown> }).StreamStdio({}),
    async shutdown() {
      await unary(controller, "Shutdown", {});
      const code = await exited;
      for (const client of [provider, controller, stdio, health]) client.close();
      return code;
    },
    kill() {
      child.kill("SIGKILL");
      for (const client of [provider, controller, stdio, health]) client.close();
    },
  };
}

/** Terraform's DynamicValue for a JS value (UNKNOWN → msgpack ext 0). */
export function dv(value: unknown): { msgpack: Buffer } {
  return encodeDynamicValue(value);
}

export function fromDv(message: unknown): unknown {
  return decodeDynamicValue(message as { msgpack?: Buffer });
}

export const WRITE_ONLY_ALLOWED = { write_only_attributes_allowed: true };
