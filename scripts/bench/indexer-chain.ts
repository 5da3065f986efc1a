/**
 * A settlement chain for the indexer's benchmarks and its status-page test: anvil on 127.0.0.1
 * with the registry, the ledger and the rail deployed from this project's artifacts, and finalized
 * observations made fast by relayed compact batches (`submitCompactAttestations`, hundreds of
 * consecutive epochs of one stream per transaction, one `ObservationProposedAndFinalized` each).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { encodeFunctionData, getContract, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import { realNodeArtifacts } from "../../lib/config/coverage-artifacts";
import type { IndexedContract } from "../../lib/indexer/config";
import type { IndexerDeployment } from "../../lib/indexer/run";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import { packCompactBatch, toCompactObservation } from "../../lib/ledger/compactSignatures";
import {
  anvilChain,
  benchAccount,
  deploy,
  fund,
  walletFor,
  witnessAccounts,
  type BenchChain,
} from "./chain";
import { nextHeader, streamCursor, type HeaderChainCursor } from "./headers";
import { deployLedger, ledgerArtifacts, signedObservation, type LedgerDeployment } from "./ledger";

export const INDEXER_BENCH_CHAIN_ID = 31_337;
/** Gas of one compact-batch item on the fast path, with margin (reports/BENCH.md: ~44,000). */
const GAS_PER_ITEM = 60_000n;

export interface IndexerBenchChain {
  node: StartAnvilReturnType;
  bench: BenchChain;
  ledger: LedgerDeployment;
  rail: Address;
  deployments: Record<IndexedContract, IndexerDeployment>;
  witnesses: PrivateKeyAccount[];
  relayer: PrivateKeyAccount;
  stop(): Promise<void>;
}

export interface IndexerBenchChainParameters {
  witnesses: number;
  quorum: number;
  /** Block gas limit of the node (default 1,000,000,000: large batches fit in one block). */
  gasLimit?: bigint;
}

/** Starts anvil and deploys the three indexed contracts. */
export async function indexerBenchChain(
  hre: HardhatRuntimeEnvironment,
  parameters: IndexerBenchChainParameters,
): Promise<IndexerBenchChain> {
  const node = await startAnvil({
    chainId: INDEXER_BENCH_CHAIN_ID,
    extraArgs: ["--gas-limit", String(parameters.gasLimit ?? 1_000_000_000n)],
  });
  try {
    const bench = anvilChain(node.url, INDEXER_BENCH_CHAIN_ID);
    const owner = benchAccount("indexer owner");
    const relayer = benchAccount("indexer relayer");
    const witnesses = witnessAccounts(parameters.witnesses, "indexer witness");
    await fund(bench, [owner.address, relayer.address]);
    const startBlock = Number(await bench.publicClient.getBlockNumber()) + 1;
    // The plain contracts during a coverage run: anvil refuses the instrumented ones.
    const real = { artifacts: realNodeArtifacts(hre) };
    const artifacts = await ledgerArtifacts(real);
    const ledger = await deployLedger(
      bench,
      artifacts,
      owner,
      witnesses.map((w) => w.address),
      parameters.quorum,
    );
    const railArtifact = await real.artifacts.readArtifact("EveryChannelRail");
    const rail = await deploy(bench, owner, railArtifact.abi, railArtifact.bytecode as Hex, []);
    return {
      node,
      bench,
      ledger,
      rail,
      deployments: {
        EveryChannelWitnessRegistry: { address: ledger.registry, blockNumber: startBlock },
        EveryChannelObservationLedger: { address: ledger.ledger, blockNumber: startBlock },
        EveryChannelRail: { address: rail, blockNumber: startBlock },
      },
      witnesses,
      relayer,
      stop: () => node.stop(),
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/**
 * Finalizes the next `count` epochs of the stream behind `cursor`, `batch` per transaction, each
 * signed by `signers` (a quorum). Returns the number of transactions sent.
 */
export async function finalizeEpochs(
  chain: IndexerBenchChain,
  cursor: HeaderChainCursor,
  count: number,
  signers: readonly PrivateKeyAccount[],
  batch = 500,
): Promise<number> {
  let transactions = 0;
  const wallet = walletFor(chain.bench, chain.relayer);
  for (let done = 0; done < count; done += batch) {
    const size = Math.min(batch, count - done);
    const items = [];
    for (let i = 0; i < size; i++)
      items.push(await signedObservation(chain.ledger, signers, nextHeader(cursor).header));
    const hash = await wallet.sendTransaction({
      to: chain.ledger.ledger,
      data: encodeFunctionData({
        abi: chain.ledger.artifacts.ledger.abi,
        functionName: "submitCompactAttestations",
        args: packCompactBatch(items.map(toCompactObservation)),
      }),
      gas: GAS_PER_ITEM * BigInt(size) + 500_000n,
    });
    // anvil mines on arrival: the receipt is there at once (polled directly, not by block watching).
    for (let tries = 0; ; tries++) {
      const receipt = await chain.bench.publicClient
        .getTransactionReceipt({ hash })
        .catch(() => undefined);
      if (receipt !== undefined) {
        if (receipt.status !== "success") throw new Error(`compact batch ${hash} reverted`);
        break;
      }
      if (tries > 3000) throw new Error(`compact batch ${hash}: no receipt within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    transactions += 1;
  }
  return transactions;
}

/** The ledger's own `finalizedHead` of a stream. */
export async function ledgerHead(
  chain: IndexerBenchChain,
  streamHash: Hex,
): Promise<{ observationHash: Hex; sequence: bigint }> {
  const ledger = getContract({
    address: chain.ledger.ledger,
    abi: chain.ledger.artifacts.ledger.abi,
    client: chain.bench.publicClient,
  });
  const [observationHash, sequence] = await ledger.read.finalizedHead([streamHash]);
  return { observationHash, sequence: BigInt(sequence) };
}

/** Mines `count` empty blocks (anvil's `finalized` block trails the tip by 64). */
export async function mineBlocks(chain: IndexerBenchChain, count: number): Promise<void> {
  await chain.bench.rpc("anvil_mine", [`0x${count.toString(16)}`, "0x0"]);
}

export { streamCursor, type HeaderChainCursor };
