// `indexer:run`: the settlement indexer (Ponder, indexer/) over a network's deployment records.
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { DEPLOYMENTS, deploymentRecord, deploymentRecordPath } from "../lib/deploy/context";
import { EveryChannelError } from "../lib/errors";
import { DEFAULT_BULK_STATE_ROWS, INDEXED_CONTRACTS } from "../lib/indexer/config";
import {
  DEFAULT_LISTEN,
  DEFAULT_SCHEMA,
  IndexerRunError,
  DEFAULT_POSTGRES_HEAP_MIB,
  MAX_HEAP_MIB,
  MIN_HEAP_MIB,
  buildIndexerConfig,
  defaultHeapMiB,
  parseBackfillMode,
  parseListen,
  parseSchemaName,
  startIndexer,
  type IndexerDeployment,
} from "../lib/indexer/run";
import { parseIntegerOption } from "../lib/operator/arguments";
import { checkNetwork, deploymentAddress, publicClient } from "./context";
import { taskAction, withOptions } from "./options";

interface IndexerRunArgs {
  listen: string;
  data?: string;
  schema: string;
  poll: string;
  blockRange?: string;
  heap?: string;
  backfill: string;
  bulkStateRows: string;
}

async function deployments(hre: HardhatRuntimeEnvironment) {
  const client = await publicClient(hre);
  const out = {} as Record<(typeof INDEXED_CONTRACTS)[number], IndexerDeployment>;
  for (const tag of Object.keys(DEPLOYMENTS) as (keyof typeof DEPLOYMENTS)[]) {
    const address = await deploymentAddress(hre, client, tag, undefined);
    const record = await deploymentRecord(hre, tag);
    const blockNumber = record?.receipt?.blockNumber;
    if (blockNumber === undefined)
      throw new EveryChannelError(
        `${hre.network.name}: the ${DEPLOYMENTS[tag]} deployment record (${deploymentRecordPath(hre, tag)}) has no receipt block number; redeploy it`,
      );
    out[DEPLOYMENTS[tag]] = { address, blockNumber: Number(blockNumber) };
  }
  return { client, deployments: out };
}

withOptions(
  task(
    "indexer:run",
    "Runs the settlement indexer (Ponder) over the network's deployments and serves its query API. " +
      "Database: PGlite in the --data folder, or PostgreSQL when DATABASE_URL is set (tables in --schema).",
  )
    .addOptionalParam("listen", "host:port of the query API", DEFAULT_LISTEN)
    .addOptionalParam(
      "data",
      "Folder of the run configuration and, without DATABASE_URL, the PGlite database (default: .indexer/<network>)",
    )
    .addOptionalParam("schema", "PostgreSQL schema of the indexer's tables", DEFAULT_SCHEMA)
    .addOptionalParam("poll", "Milliseconds between polls for new blocks", "1000")
    .addOptionalParam(
      "blockRange",
      "Most blocks per eth_getLogs request (default: found out from the RPC's errors)",
    )
    .addOptionalParam(
      "heap",
      `Most MiB of JavaScript heap for the indexer process, at least ${MIN_HEAP_MIB}; Ponder caches table rows in a fifth of it (default: ${DEFAULT_POSTGRES_HEAP_MIB} with DATABASE_URL, Node's own limit on PGlite)`,
    )
    .addOptionalParam(
      "backfill",
      "bulk: the chain's finalized range through the same handlers in memory, written in bulk, then Ponder from the next block; ponder: Ponder event by event. A database keeps the mode of its first start",
      "bulk",
    )
    .addOptionalParam(
      "bulkStateRows",
      "Rows of slots, candidates, streams, witnesses and rail records the bulk backfill keeps in memory; past it the least recently used half is written and read back when needed",
      String(DEFAULT_BULK_STATE_ROWS),
    ),
).setAction(
  taskAction(async (args: IndexerRunArgs, hre) => {
    const listen = parseListen(args.listen);
    const backfill = parseBackfillMode(args.backfill);
    const schema = parseSchemaName(args.schema);
    const pollingIntervalMs = parseIntegerOption("poll", args.poll, 50);
    const ethGetLogsBlockRange =
      args.blockRange === undefined
        ? undefined
        : parseIntegerOption("block-range", args.blockRange, 1);
    const bulkStateRows = parseIntegerOption("bulk-state-rows", args.bulkStateRows, 1, 10_000_000);
    const databaseUrl = process.env.DATABASE_URL;
    const heapMiB =
      args.heap === undefined
        ? defaultHeapMiB(databaseUrl === undefined || databaseUrl === "" ? "pglite" : "postgres")
        : parseIntegerOption("heap", args.heap, MIN_HEAP_MIB, MAX_HEAP_MIB);
    const config = hre.network.config;
    if (!("url" in config) || hre.network.name === "hardhat")
      throw new IndexerRunError(
        `network ${hre.network.name}: the indexer needs a JSON-RPC node; pass --network localhost, anvil or a live network`,
      );
    await checkNetwork(hre);
    const { client, deployments: records } = await deployments(hre);
    await hre.run("compile", { quiet: true });
    const dataDir = path.resolve(args.data ?? path.join(".indexer", hre.network.name));
    const indexer = await startIndexer({
      config: buildIndexerConfig({
        network: hre.network.name,
        chainId: await client.getChainId(),
        rpcUrl: config.url,
        deployments: records,
        databaseUrl,
        dataDir,
        pollingIntervalMs,
        ethGetLogsBlockRange,
        bulkStateRows,
      }),
      dataDir,
      listen,
      schema,
      databaseUrl: databaseUrl === "" ? undefined : databaseUrl,
      ...(heapMiB === undefined ? {} : { heapMiB }),
      backfill,
    });
    const forward = (signal: NodeJS.Signals) => () => {
      indexer.child.kill(signal);
    };
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const code = await indexer.exited;
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    if (code !== 0 && code !== null)
      throw new IndexerRunError(`indexer: ponder exited with status ${code}`);
  }),
);
