/**
 * Starts and stops a real anvil node (from the `@foundry-rs/anvil` npm package) on 127.0.0.1, for
 * tests and scripts that need an external node. The node is always bound to loopback on a free port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import { EveryChannelError } from "../errors";

/** Raised when anvil cannot be found, does not start, or does not answer in time. */
export class AnvilError extends EveryChannelError {
  override name = "AnvilError";
}

export interface StartAnvilParameters {
  /** Chain id the node reports. */
  chainId: number;
  /** Port on 127.0.0.1; a free one is chosen when absent. */
  port?: number;
  /** Number of prefunded dev accounts (default 20). */
  accounts?: number;
  /** Hardfork (default "prague", what OP Stack chains run). */
  hardfork?: string;
  /** Run with `--optimism` (OP Stack transaction types). */
  optimism?: boolean;
  /** Milliseconds to wait for the RPC to answer (default 30,000). */
  readyTimeoutMs?: number;
  /** Extra command-line arguments. */
  extraArgs?: readonly string[];
}

export interface StartAnvilReturnType {
  /** The HTTP RPC URL, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  chainId: number;
  /** The anvil process id. */
  pid: number;
  /** Stops the node and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** Path of the anvil binary shipped by the platform package of `@foundry-rs/anvil`. */
export function anvilBinaryPath(): string {
  const arch = ARCH[process.arch];
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch (cause) {
    throw new AnvilError(`anvil: package ${pkg} is not installed (run npm ci)`, { pkg }, { cause });
  }
  const bin = path.join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(bin)) throw new AnvilError(`anvil: binary missing at ${bin}`, { bin });
  return bin;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new AnvilError("anvil: could not allocate a port"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function rpcChainId(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    const body = (await response.json()) as { result?: string };
    return body.result === undefined ? undefined : Number.parseInt(body.result, 16);
  } catch {
    return undefined;
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts anvil on 127.0.0.1 and resolves once its RPC answers with the expected chain id. */
export async function startAnvil(parameters: StartAnvilParameters): Promise<StartAnvilReturnType> {
  const port = parameters.port ?? (await freePort());
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--chain-id",
    String(parameters.chainId),
    "--accounts",
    String(parameters.accounts ?? 20),
    "--hardfork",
    parameters.hardfork ?? "prague",
    "--silent",
    ...(parameters.optimism ? ["--optimism"] : []),
    ...(parameters.extraArgs ?? []),
  ];
  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await waitForExit(child);
  };
  const deadline = Date.now() + (parameters.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new AnvilError(
        `anvil: exited with code ${child.exitCode} before answering: ${stderr.trim()}`,
        {
          args,
        },
      );
    }
    const chainId = await rpcChainId(url);
    if (chainId !== undefined) {
      if (chainId !== parameters.chainId) {
        await stop();
        throw new AnvilError(
          `anvil: ${url} answered chain id ${chainId}, expected ${parameters.chainId}`,
        );
      }
      return { url, port, chainId, pid: child.pid ?? -1, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new AnvilError(
    `anvil: no answer on ${url} within ${parameters.readyTimeoutMs ?? 30_000} ms`,
    {
      args,
    },
  );
}
