/**
 * Operators' processes for end-to-end tests: `npx hardhat --network ecpForgeL2 …` started the way an
 * operator starts them, with the secrets in their environment and nothing of the test's own shell
 * (no `HARDHAT_*`, `ECP_*`, `*_PRIVATE_KEY`, `OWNER_ADDRESS`, `WITNESS_ADDRESSES`), and the
 * development keys of `DEV_MNEMONIC`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";

export const ROOT = path.join(__dirname, "..", "..");
export const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

/** The private key of development account `index`. */
export function devKey(index: number): Hex {
  const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new Error(`no private key for development account ${index}`);
  return toHex(key);
}

/** The address of development account `index`. */
export function devAddress(index: number): Address {
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).address;
}

/**
 * The secrets of an operator of the `ecpForgeL2` network served at `rpcUrl` (development keys 0-3 as
 * deployer, owner, relayer and publisher; 4-6 as the initial witnesses), with deployment records in
 * `deploymentsDir`. `npx hardhat vars set DEPLOYER_PRIVATE_KEY` stores the deployer's key; a
 * `HARDHAT_VAR_*` variable is how Hardhat reads a var from the environment.
 */
export function ecpForgeOperatorSecrets(
  rpcUrl: string,
  chainId: number,
  deploymentsDir: string,
): Record<string, string> {
  return {
    ECP_FORGE_L2_RPC_URL: rpcUrl,
    ECP_FORGE_L2_CHAIN_ID: String(chainId),
    HARDHAT_VAR_DEPLOYER_PRIVATE_KEY: devKey(0),
    OWNER_PRIVATE_KEY: devKey(1),
    RELAYER_PRIVATE_KEY: devKey(2),
    PUBLISHER_PRIVATE_KEY: devKey(3),
    WITNESS_ADDRESSES: [4, 5, 6].map(devAddress).join(","),
    ECP_DEPLOYMENTS_DIR: deploymentsDir,
  };
}

/** A process started by `OperatorProcesses.start`. */
export interface OperatorProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Its exit status (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts and stops operators' hardhat processes; `env` is the operators' environment. */
export class OperatorProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly env: () => Record<string, string>) {}

  /** The operator's environment with `extra` applied (`undefined` removes a variable). */
  environment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (
        k.startsWith("HARDHAT_") ||
        k.startsWith("ECP_") ||
        k.endsWith("_PRIVATE_KEY") ||
        k === "OWNER_ADDRESS" ||
        k === "WITNESS_ADDRESSES"
      )
        continue;
      base[k] = v;
    }
    const merged: NodeJS.ProcessEnv = { ...base, ...this.env(), TS_NODE_TRANSPILE_ONLY: "true" };
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    return merged;
  }

  /** `npx hardhat --network ecpForgeL2 …args`. */
  start(args: string[], extra: Record<string, string | undefined> = {}): OperatorProcess {
    const child = spawn(HARDHAT, ["--network", "ecpForgeL2", ...args], {
      cwd: ROOT,
      env: this.environment(extra),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    return { child, output: () => output, exited };
  }

  /** Runs a task to its end. */
  async run(
    args: string[],
    extra: Record<string, string | undefined> = {},
  ): Promise<{ code: number | null; output: string }> {
    const started = this.start(args, extra);
    const code = await started.exited;
    return { code, output: started.output() };
  }

  /** Stops `child` with `signal` and waits for it. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Kills every process still running. */
  async stopAll(): Promise<void> {
    for (const child of this.children) await this.stop(child, "SIGKILL");
  }
}
