/**
 * The settlement indexer's run configuration: the one file `indexer:run` writes from a network's
 * deployment records and `indexer/ponder.config.ts` reads (path in `ECP_INDEXER_CONFIG`). It names
 * the chain, the RPC URL, the three contracts with their deployment blocks and the database; the
 * PostgreSQL connection string never lands in it (it stays in `DATABASE_URL`).
 */
import { readFileSync } from "node:fs";
import { getAddress, type Address } from "viem";
import { z } from "zod";

import { InvalidFieldError } from "../errors";

/** Environment variable holding the path of the configuration file. */
export const INDEXER_CONFIG_ENV = "ECP_INDEXER_CONFIG";

/** The contracts the indexer follows, by the names of their deployment records. */
export const INDEXED_CONTRACTS = [
  "EveryChannelWitnessRegistry",
  "EveryChannelObservationLedger",
  "EveryChannelRail",
] as const;
export type IndexedContract = (typeof INDEXED_CONTRACTS)[number];

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address")
  .transform((s) => getAddress(s) as Address);

const contract = z.object({
  address,
  /** The block of the deployment transaction: nothing of the contract exists before it. */
  startBlock: z.number().int().nonnegative(),
});

/** `bulkStateRows` unless the run says otherwise. */
export const DEFAULT_BULK_STATE_ROWS = 20_000;

export const indexerConfigSchema = z
  .object({
    network: z.string().min(1),
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    /** Milliseconds between polls for new blocks (Ponder's `pollingInterval`). */
    pollingIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
    /** Most blocks per `eth_getLogs` request (RPC providers cap it); Ponder finds it out when absent. */
    ethGetLogsBlockRange: z.number().int().positive().optional(),
    /**
     * The finalized range indexed in bulk before Ponder's first event: every indexed event from the
     * contracts' start blocks through `throughBlock`, by the same handlers over an in-memory store
     * (`indexer/src/bulk.ts`); Ponder itself starts at `throughBlock + 1`. Absent: Ponder indexes
     * everything from the start blocks.
     */
    bulk: z.object({ throughBlock: z.number().int().nonnegative() }).strict().optional(),
    /**
     * Rows of the tables that later events read or change (slots, candidates, streams, witnesses,
     * rail records) kept in memory during the bulk backfill; past it the least recently used half
     * is written and dropped, and read back from the database if an event needs it again.
     */
    bulkStateRows: z.number().int().min(1).max(10_000_000).default(DEFAULT_BULK_STATE_ROWS),
    contracts: z.object({
      EveryChannelWitnessRegistry: contract,
      EveryChannelObservationLedger: contract,
      EveryChannelRail: contract,
    }),
    database: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("pglite"), directory: z.string().min(1) }),
      z.object({ kind: z.literal("postgres") }),
    ]),
  })
  .strict();

export type IndexerConfig = z.output<typeof indexerConfigSchema>;
export type IndexerConfigInput = z.input<typeof indexerConfigSchema>;

/** Validates a configuration value; errors name `source`, the field path and the value. */
export function parseIndexerConfig(value: unknown, source: string): IndexerConfig {
  const parsed = indexerConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join(".");
  let got: unknown = value;
  for (const key of issue.path) got = (got as Record<string | number, unknown> | undefined)?.[key];
  throw new InvalidFieldError(`${source}: ${path === "" ? "(root)" : path}`, got, issue.message);
}

/** Reads and validates the configuration file named by `ECP_INDEXER_CONFIG`. */
export function readIndexerConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const file = env[INDEXER_CONFIG_ENV];
  if (file === undefined || file === "")
    throw new InvalidFieldError(INDEXER_CONFIG_ENV, file, "path of the indexer configuration file");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new InvalidFieldError(INDEXER_CONFIG_ENV, file, `cannot read: ${String(cause)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidFieldError(file, text.slice(0, 40), `not JSON: ${String(cause)}`);
  }
  return parseIndexerConfig(json, file);
}
