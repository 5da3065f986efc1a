// The tasks as `npx hardhat …` processes on a Linux host without a display (where Hardhat 2 thinks
// it runs on CI and prints every error's stack): each refusal is one line and a non-zero exit
// status, `--show-stack-traces` shows the cause, and a large `--json` answer piped into another
// process arrives whole. Against anvil, with a ledger holding over a thousand open slots.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

import { realNodeArtifacts } from "../../lib/config/coverage-artifacts";
import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import type { ObservationContent } from "../../lib/types/abi";

const ROOT = path.join(__dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");
const CHAIN_ID = 31337;

/**
 * As many witnesses as the registry holds, quorum 65: sixty-four attestations per content keep
 * every slot open and make each one a few kilobytes of JSON.
 */
const WITNESSES = 128;
const QUORUM = 65;
const ATTESTING = 64;
const STREAMS = 2;
const EPOCHS = 150;
const PER_TRANSACTION = 250;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The lines a process printed on stdout and stderr together, blank ones left out. */
function printed(outcome: Outcome): string[] {
  return `${outcome.stdout}\n${outcome.stderr}`.split("\n").filter((line) => line.trim() !== "");
}

describe("tasks on the command line of a display-less host", function () {
  let node: StartAnvilReturnType;
  let dir: string;
  let ledger: Address;

  /** A display-less Linux host that is not a CI server; no secret of the operator's shell. */
  function hostEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (
        name.startsWith("HARDHAT_") ||
        name.startsWith("ECP_") ||
        name.startsWith("ANVIL_") ||
        name.startsWith("OP_SEPOLIA_") ||
        name.endsWith("_PRIVATE_KEY") ||
        name === "OWNER_ADDRESS" ||
        name === "WITNESS_ADDRESSES" ||
        name === "DISPLAY" ||
        name === "WAYLAND_DISPLAY" ||
        name === "CI"
      )
        continue;
      env[name] = value;
    }
    return {
      ...env,
      TS_NODE_TRANSPILE_ONLY: "true",
      ANVIL_RPC_URL: node.url,
      ECP_DEPLOYMENTS_DIR: path.join(dir, "deployments"),
    };
  }

  function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  const hardhat = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> =>
    run(HARDHAT, args, { ...hostEnv(), ...env });

  before(async function () {
    node = await startAnvil({
      chainId: CHAIN_ID,
      accounts: 4 + WITNESSES,
      extraArgs: ["--gas-limit", "1000000000"],
    });
    dir = await mkdtemp(path.join(tmpdir(), "cli-"));
    ledger = await ledgerWithOpenSlots(node.url);
  });

  after(async function () {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("a --json answer of over a megabyte piped into another process arrives whole", async function () {
    // What `| jq` does: read stdin to its end and parse it.
    const consumer = [
      "const chunks = [];",
      "process.stdin.on('data', (c) => chunks.push(c));",
      "process.stdin.on('end', () => {",
      "  const text = Buffer.concat(chunks).toString('utf8');",
      "  const status = JSON.parse(text);",
      "  const open = status.streams.reduce((n, s) => n + s.open.length, 0);",
      "  console.log(JSON.stringify({ bytes: Buffer.byteLength(text), streams: status.streams.length, open }));",
      "});",
    ].join("\n");
    const piped = await run(
      "bash",
      [
        "-c",
        'set -o pipefail; "$0" --network anvil ledger:status --json --ledger "$1" | node -e "$2"',
        HARDHAT,
        ledger,
        consumer,
      ],
      { ...hostEnv(), CI: "true" },
    );
    expect(piped.code, piped.stderr).to.equal(0);
    const summary = JSON.parse(piped.stdout) as { bytes: number; streams: number; open: number };
    expect(summary.bytes).to.be.greaterThan(1_000_000);
    expect(summary).to.include({ streams: STREAMS, open: STREAMS * EPOCHS });
  });

  it("a refusal prints one line and exits non-zero; --show-stack-traces shows its cause", async function () {
    const dead = "0x000000000000000000000000000000000000dEaD";
    const missing = path.join(dir, "missing.jsonl");
    // Hardhat prints stacks by default on a display-less Linux host, and on CI: both here but one.
    const ci = { CI: "true" };
    const [noRecord, noCode, archive, badOption, missingArgument, noSecret, traced] =
      await Promise.all([
        hardhat(["--network", "anvil", "registry:show"], ci),
        hardhat(["--network", "anvil", "ledger:status", "--ledger", dead], ci),
        hardhat(["--network", "anvil", "witness:run", "--archive", missing, "--once"], ci),
        hardhat(["--network", "anvil", "relayer:run", "--signatures", dir, "--max-batch", "0"], ci),
        hardhat(["--network", "anvil", "witness:run"], ci),
        hardhat(["--network", "ecpForgeL2", "deploy:plan"]),
        hardhat(["--network", "anvil", "registry:show", "--show-stack-traces"], ci),
      ]);
    const refusals: [string, Outcome, RegExp][] = [
      [
        "no deployment record",
        noRecord,
        /^Error: anvil: no EveryChannelWitnessRegistry deployment record \(\S+\); deploy it \(npx hardhat --network anvil deploy\), or pass --registry <address>$/,
      ],
      [
        "no code at the address",
        noCode,
        new RegExp(`^Error: ledger: no contract code at ${dead} on network anvil$`),
      ],
      [
        "no archive",
        archive,
        /^Error: archive: does not exist \(nothing to read to its end\) \(got ".*missing\.jsonl"\)$/,
      ],
      ["bad option", badOption, /^Error: max-batch: must be from 1 to 1000 \(got "0"\)$/],
      [
        "missing argument",
        missingArgument,
        /^Error HH306: The '--archive' parameter of task 'witness:run' expects a value/,
      ],
      ["missing secret", noSecret, /^Error: .*missing secret ECP_FORGE_L2_RPC_URL/],
    ];
    for (const [what, outcome, line] of refusals) {
      const lines = printed(outcome);
      expect(outcome.code, what).to.equal(1);
      expect(lines, `${what}: ${lines.join("\n")}`).to.have.length(1);
      expect(lines[0], what).to.match(line);
      expect(outcome.stderr.trim(), what).to.equal(lines[0]);
    }

    expect(traced.code).to.equal(1);
    expect(traced.stderr).to.match(/^HardhatPluginError: anvil: no EveryChannelWitnessRegistry/m);
    expect(traced.stderr).to.match(/Caused by: EveryChannelError: anvil: no /);
    expect(traced.stderr).to.match(/^\s+at deploymentAddress \(/m);
  });
});

/** Deploys a registry and a ledger on `url` and leaves `STREAMS × EPOCHS` slots open. */
async function ledgerWithOpenSlots(url: string): Promise<Address> {
  const account = (index: number): HDAccount =>
    mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const client = createPublicClient({ transport: http(url) });
  const wallet = (index: number) =>
    createWalletClient({
      account: account(index),
      chain: {
        id: CHAIN_ID,
        name: "anvil",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [url] } },
      },
      transport: http(url),
    });
  const deploy = async (
    name: string,
    args: readonly unknown[],
  ): Promise<{ address: Address; abi: Abi }> => {
    // The plain contracts during a coverage run: anvil refuses the instrumented ones.
    const artifact = await realNodeArtifacts(hre).readArtifact(name);
    const hash = await wallet(0).deployContract({
      abi: artifact.abi as Abi,
      bytecode: artifact.bytecode as Hex,
      args: args as unknown[],
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.contractAddress == null) throw new Error(`${name} was not deployed`);
    return { address: receipt.contractAddress, abi: artifact.abi as Abi };
  };
  const witnesses = Array.from({ length: WITNESSES }, (_, i) => account(4 + i).address);
  const registry = await deploy("EveryChannelWitnessRegistry", [
    account(1).address,
    witnesses,
    BigInt(QUORUM),
  ]);
  const ledger = await deploy("EveryChannelObservationLedger", [registry.address]);
  const base = BigInt(Date.now()) - 10_000_000n;
  const contents: ObservationContent[] = [];
  for (let s = 0; s < STREAMS; s += 1) {
    for (let e = 0; e < EPOCHS; e += 1) {
      contents.push({
        streamHash: keccak256(toHex(`stream-${s}`)),
        epochHash: keccak256(toHex(`epoch-${s}-${e}`)),
        dataRoot: keccak256(toHex(`data-${s}-${e}`)),
        locatorHash: keccak256(toHex(`locator-${s}-${e}`)),
        observedUnixMs: base + BigInt(e) * 6_000n,
      });
    }
  }
  const sent = await Promise.all(
    Array.from({ length: ATTESTING }, async (_, w) => {
      const hashes: Hex[] = [];
      for (let i = 0; i < contents.length; i += PER_TRANSACTION) {
        hashes.push(
          await wallet(4 + w).writeContract({
            address: ledger.address,
            abi: ledger.abi,
            functionName: "attestMany",
            args: [contents.slice(i, i + PER_TRANSACTION)],
            gas: 200_000_000n,
          }),
        );
      }
      return hashes;
    }),
  );
  for (const hash of sent.flat()) {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`attestMany ${hash} reverted`);
  }
  return ledger.address;
}
