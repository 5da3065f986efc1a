/**
 * The settlement indexer's Ponder configuration: the chain, the registry, the ledger and the rail
 * with their deployment blocks, and the database, all read from the file `indexer:run` writes from
 * the network's deployment records (`ECP_INDEXER_CONFIG`, checked by `lib/indexer/config.ts`).
 * ABIs come from the compiled artifacts (`npx hardhat compile`), typed by Hardhat's `ArtifactsMap`.
 */
import { createConfig } from "ponder";

import registryArtifact from "../artifacts/contracts/EveryChannelWitnessRegistry.sol/EveryChannelWitnessRegistry.json";
import ledgerArtifact from "../artifacts/contracts/EveryChannelObservationLedger.sol/EveryChannelObservationLedger.json";
import railArtifact from "../artifacts/contracts/EveryChannelRail.sol/EveryChannelRail.json";
import { readIndexerConfig } from "../lib/indexer/config";
import type { LedgerAbi, RailAbi, RegistryAbi } from "../lib/operator/contracts";

const settings = readIndexerConfig();
/** Where Ponder starts: after the bulk range when there is one (`src/bulk.ts` indexes it). */
const ponderStartBlock = (startBlock: number) =>
  settings.bulk === undefined ? startBlock : Math.max(startBlock, settings.bulk.throughBlock + 1);
const contract = (name: keyof typeof settings.contracts) => ({
  chain: "settlement" as const,
  address: settings.contracts[name].address,
  startBlock: ponderStartBlock(settings.contracts[name].startBlock),
});

export default createConfig({
  database:
    settings.database.kind === "pglite"
      ? { kind: "pglite", directory: settings.database.directory }
      : { kind: "postgres", connectionString: process.env.DATABASE_URL },
  chains: {
    settlement: {
      id: settings.chainId,
      rpc: settings.rpcUrl,
      pollingInterval: settings.pollingIntervalMs,
      ethGetLogsBlockRange: settings.ethGetLogsBlockRange,
    },
  },
  contracts: {
    EveryChannelWitnessRegistry: {
      abi: registryArtifact.abi as unknown as RegistryAbi,
      ...contract("EveryChannelWitnessRegistry"),
    },
    EveryChannelObservationLedger: {
      abi: ledgerArtifact.abi as unknown as LedgerAbi,
      ...contract("EveryChannelObservationLedger"),
    },
    EveryChannelRail: {
      abi: railArtifact.abi as unknown as RailAbi,
      ...contract("EveryChannelRail"),
    },
  },
});
