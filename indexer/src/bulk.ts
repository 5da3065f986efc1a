/**
 * The bulk backfill: before Ponder's first event, every indexed event of the finalized range (the
 * contracts' start blocks through `bulk.throughBlock` of the run configuration) is fetched by
 * `eth_getLogs`, decoded (`lib/indexer/decode.ts`), run through the very handlers of `index.ts`
 * against an in-memory store with Ponder's semantics for `find`, `insert`, `onConflictDoUpdate`
 * and `update`, and written into the tables in batches (`json_populate_recordset`, one parameter
 * per batch). Ponder then indexes from `throughBlock + 1` as usual.
 *
 * Why: Ponder 0.16 spends about 0.3 ms per event before any handler runs (fetching, storing,
 * decoding and dispatching each log; `reports/INDEXER.md`, "Ponder's floor") and each store
 * operation of a handler goes through its row cache, so a 100,000-observation chain backfilled at
 * under 1,000 events per second. Here the same handlers run at memory speed.
 *
 * Safety: the range is at or below the chain's `finalized` block when `indexer:run` chose it, so
 * no reorg can touch it and Ponder's reorg tables need no rows for it. This runs as Ponder's
 * `setup` event, inside the transaction that writes Ponder's first checkpoint: a process killed
 * during it leaves no row and no checkpoint, and the next start runs it again from the beginning.
 */
import { and, eq, sql } from "ponder";
import type { Context } from "ponder:registry";
import * as schema from "ponder:schema";
import { getTableColumns, getTableName } from "drizzle-orm";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import { createPublicClient, http, type Abi, type Address, type Hex } from "viem";

import registryArtifact from "../../artifacts/contracts/EveryChannelWitnessRegistry.sol/EveryChannelWitnessRegistry.json";
import ledgerArtifact from "../../artifacts/contracts/EveryChannelObservationLedger.sol/EveryChannelObservationLedger.json";
import railArtifact from "../../artifacts/contracts/EveryChannelRail.sol/EveryChannelRail.json";
import { EveryChannelError } from "../../lib/errors";
import {
  INDEXED_CONTRACTS,
  readIndexerConfig,
  type IndexedContract,
} from "../../lib/indexer/config";
import { createEventDecoder } from "../../lib/indexer/decode";
import { readLogRanges, type LogRange } from "../../lib/rpc/logs";

/** What a handler of `index.ts` reads of its event. */
export interface BulkEvent {
  id: string;
  args: Record<string, unknown>;
  block: { number: bigint; hash: Hex; timestamp: bigint };
  transaction: { hash: Hex; transactionIndex: number };
  log: { logIndex: number; address: Address };
}
export type BulkHandler = (args: { event: BulkEvent; context: { db: unknown } }) => Promise<void>;

type Row = Record<string, unknown>;

/** drizzle's mark of a table (its `isTable`); the schema module also exports other values. */
const DRIZZLE_TABLE = Symbol.for("drizzle:IsDrizzleTable");

/** Blocks per `eth_getLogs` unless the configuration sets `ethGetLogsBlockRange`; halved when too large. */
const DEFAULT_BLOCK_RANGE = 1_000;
/** Ranges fetched ahead of the one being indexed. */
const PREFETCH = 2;
/** Rows per INSERT (one JSON parameter). */
const WRITE_BATCH = 5_000;
/** Rows of the append-only tables held before they are written. */
const FLUSH_ROWS = 20_000;

/**
 * The tables a later event can read or change. Their rows stay in memory up to the run's
 * `bulkStateRows`; past it the least recently used half is written (an upsert) and dropped, and a
 * row dropped is read back from the database when an event needs it again, so memory stays flat
 * over any range. Every other table only ever gets new rows (the event tables, the finalized chain, the
 * finalizations' witnesses, the registry's history): those are written as they come, and a handler
 * that reads or changes one is refused.
 */
const STATE_TABLES: readonly PgTable[] = [
  schema.witness,
  schema.registryState,
  schema.ledgerStream,
  schema.slot,
  schema.candidate,
  schema.railStream,
  schema.latestManifest,
  schema.latestAnnouncement,
  schema.railNonce,
];

// Ponder's event id (`encodeCheckpoint`): block timestamp, chain id, block number, transaction
// index, event type (5, a log) and log index, zero-padded to 10, 16, 16, 16, 1 and 16 digits.
function eventId(
  timestamp: bigint,
  chainId: number,
  block: bigint,
  transactionIndex: number,
  logIndex: number,
): string {
  return `${timestamp.toString().padStart(10, "0")}${chainId.toString().padStart(16, "0")}${block
    .toString()
    .padStart(16, "0")}${transactionIndex.toString().padStart(16, "0")}5${logIndex
    .toString()
    .padStart(16, "0")}`;
}

interface TableState {
  table: PgTable;
  name: string;
  columns: [string, PgColumn][];
  primaryKey: [string, PgColumn][];
  state: boolean;
  /** State rows in memory by key, least recently used first. */
  rows: Map<string, Row>;
  /** Keys of state rows written and dropped from memory: in the database, read back on use. */
  spilled: Set<string>;
  pending: Row[];
}

/** Rows to write; `upsert` for state rows, which may already be in the database. */
interface Batch {
  info: TableState;
  rows: Row[];
  upsert: boolean;
}

class BulkStoreError extends EveryChannelError {
  override name = "BulkStoreError";
}

/** Ponder's `normalizeColumn`: defaults, then the column's own driver mapping (hex lower-cased). */
function normalize(column: PgColumn, value: unknown): unknown {
  if (value === undefined) {
    if (!column.hasDefault) return null;
    if (column.default === undefined)
      throw new BulkStoreError(`column ${column.name}: only plain defaults are supported in bulk`);
    return column.default;
  }
  if (value === null) return null;
  return column.mapFromDriverValue(column.mapToDriverValue(value));
}

/** The in-memory store the handlers write to during the bulk backfill: Ponder's `context.db` subset. */
class MemoryStore {
  private readonly tables = new Map<PgTable, TableState>();
  pendingRows = 0;
  /** State rows in memory, over every state table. */
  stateRows = 0;
  /** State rows read back from the database after they were dropped. */
  reloaded = 0;

  /**
   * `load` reads one state row back from the database by its key (after the writes in flight);
   * `maxStateRows` bounds the state rows in memory.
   */
  constructor(
    tables: readonly PgTable[],
    private readonly load: (info: TableState, key: Row) => Promise<Row | undefined>,
    private readonly maxStateRows: number,
  ) {
    for (const table of tables) {
      const columns = Object.entries(getTableColumns(table)) as [string, PgColumn][];
      const config = getTableConfig(table);
      const keyNames =
        config.primaryKeys[0]?.columns.map((c) => c.name) ??
        columns.filter(([, c]) => c.primary).map(([, c]) => c.name);
      this.tables.set(table, {
        table,
        name: getTableName(table),
        columns,
        primaryKey: columns.filter(([, c]) => keyNames.includes(c.name)),
        state: STATE_TABLES.includes(table),
        rows: new Map(),
        spilled: new Set(),
        pending: [],
      });
    }
  }

  private info(table: PgTable, forRead: boolean): TableState {
    const info = this.tables.get(table);
    if (info === undefined)
      throw new BulkStoreError(`table ${getTableName(table)} is not in the schema`);
    if (forRead && !info.state)
      throw new BulkStoreError(
        `table ${info.name} is append-only in the bulk backfill; add it to STATE_TABLES to read or change it`,
      );
    return info;
  }

  private key(info: TableState, row: Row): string {
    let key = "";
    for (const [js, column] of info.primaryKey) key += `${String(normalize(column, row[js]))}_`;
    return key;
  }

  private normalizeRow(info: TableState, row: Row): Row {
    const out: Row = {};
    for (const [js, column] of info.columns) {
      const value = normalize(column, row[js]);
      if (value === null && column.notNull)
        throw new BulkStoreError(`column '${info.name}.${js}' violates not-null constraint`);
      out[js] = value;
    }
    return out;
  }

  /**
   * The state row of `key` (`keyRow` holds its primary key), from memory (marked as just used) or,
   * if it was dropped, read back from the database; undefined when there is none.
   */
  private async row(info: TableState, key: string, keyRow: Row): Promise<Row | undefined> {
    const held = info.rows.get(key);
    if (held !== undefined) {
      info.rows.delete(key);
      info.rows.set(key, held);
      return held;
    }
    if (!info.spilled.has(key)) return undefined;
    const primaryKey: Row = {};
    for (const [js, column] of info.primaryKey) primaryKey[js] = normalize(column, keyRow[js]);
    const loaded = await this.load(info, primaryKey);
    if (loaded === undefined)
      throw new BulkStoreError(`row ${info.name} (${key}) was written but is not in the database`);
    const row = this.normalizeRow(info, loaded);
    info.spilled.delete(key);
    info.rows.set(key, row);
    this.stateRows += 1;
    this.reloaded += 1;
    return row;
  }

  private applyUpdate(info: TableState, key: string, existing: Row, change: unknown): Row {
    const values = (typeof change === "function" ? change({ ...existing }) : change) as Row;
    const next = { ...existing };
    for (const [js, column] of info.columns)
      if (values[js] !== undefined) next[js] = normalize(column, values[js]);
    info.rows.set(key, next);
    return { ...next };
  }

  private async insertOne(
    info: TableState,
    row: Row,
    conflict?: { update?: unknown },
  ): Promise<Row | null> {
    const normalized = this.normalizeRow(info, row);
    if (!info.state) {
      if (conflict !== undefined)
        throw new BulkStoreError(`table ${info.name} is append-only in the bulk backfill`);
      info.pending.push(normalized);
      this.pendingRows += 1;
      return { ...normalized };
    }
    const key = this.key(info, normalized);
    const existing = await this.row(info, key, normalized);
    if (existing !== undefined) {
      if (conflict === undefined)
        throw new BulkStoreError(`unique constraint failed on ${info.name} (${key})`);
      if (conflict.update === undefined) return null;
      return this.applyUpdate(info, key, existing, conflict.update);
    }
    info.rows.set(key, normalized);
    this.stateRows += 1;
    return { ...normalized };
  }

  /** `context.db` for a handler. */
  readonly db = {
    find: async (table: PgTable, key: Row) => {
      const info = this.info(table, true);
      const row = await this.row(info, this.key(info, key), key);
      return row === undefined ? null : { ...row };
    },
    insert: (table: PgTable) => ({
      values: (values: Row | Row[]) => {
        const info = this.info(table, false);
        const list = Array.isArray(values) ? values : [values];
        const run = async (conflict?: { update?: unknown }) => {
          const out = [];
          for (const row of list) out.push(await this.insertOne(info, row, conflict));
          return Array.isArray(values) ? out : out[0];
        };
        let done: Promise<unknown> | undefined;
        return {
          then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => {
            done ??= Promise.resolve().then(() => run());
            return done.then(resolve, reject);
          },
          onConflictDoNothing: async () => run({}),
          onConflictDoUpdate: async (update: unknown) => run({ update }),
        };
      },
    }),
    update: (table: PgTable, key: Row) => ({
      set: async (change: unknown) => {
        const info = this.info(table, true);
        const k = this.key(info, key);
        const existing = await this.row(info, k, key);
        if (existing === undefined)
          throw new BulkStoreError(`no row of ${info.name} to update (${k})`);
        return this.applyUpdate(info, k, existing, change);
      },
    }),
  };

  /**
   * Takes the rows to write: the append-only tables' new rows; with `all` every state row, else the
   * least recently used state rows past `maxStateRows`, down to half of it, which are dropped.
   */
  take(all: boolean): Batch[] {
    const out: Batch[] = [];
    const over = all || this.stateRows <= this.maxStateRows ? 0 : this.stateRows;
    const keep = Math.floor(this.maxStateRows / 2);
    for (const info of this.tables.values()) {
      if (!info.state) {
        if (info.pending.length > 0) out.push({ info, rows: info.pending, upsert: false });
        info.pending = [];
      } else if (all) {
        if (info.rows.size > 0) out.push({ info, rows: [...info.rows.values()], upsert: true });
      } else if (over > 0 && info.rows.size > 0) {
        // Each table gives up the same share of its rows, its least recently used.
        const drop = Math.ceil((info.rows.size * (over - keep)) / over);
        const rows: Row[] = [];
        for (const [key, row] of info.rows) {
          if (rows.length >= drop) break;
          rows.push(row);
          info.rows.delete(key);
          info.spilled.add(key);
        }
        this.stateRows -= rows.length;
        out.push({ info, rows, upsert: true });
      }
    }
    this.pendingRows = 0;
    return out;
  }

  /** Whether `take(false)` has state rows to drop. */
  get overfull(): boolean {
    return this.stateRows > this.maxStateRows;
  }
}

/** A row as `json_populate_recordset` reads it: database column names, bigints as decimal text. */
function record(info: TableState, row: Row): Row {
  const out: Row = {};
  for (const [js, column] of info.columns) {
    const value = row[js];
    out[column.name] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}

async function write(db: Context["db"], batches: Batch[]) {
  for (const { info, rows, upsert } of batches) {
    // State rows may be in the database already (dropped and read back): their new values win.
    const keys = info.primaryKey.map(([, column]) => sql.identifier(column.name));
    const others = info.columns
      .filter(([, column]) => !info.primaryKey.some(([, key]) => key === column))
      .map(
        ([, column]) =>
          sql`${sql.identifier(column.name)} = EXCLUDED.${sql.identifier(column.name)}`,
      );
    const conflict = !upsert
      ? sql``
      : others.length === 0
        ? sql` ON CONFLICT (${sql.join(keys, sql`, `)}) DO NOTHING`
        : sql` ON CONFLICT (${sql.join(keys, sql`, `)}) DO UPDATE SET ${sql.join(others, sql`, `)}`;
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const json = JSON.stringify(rows.slice(i, i + WRITE_BATCH).map((row) => record(info, row)));
      await db.sql.execute(
        sql`INSERT INTO ${info.table} SELECT * FROM json_populate_recordset(NULL::${info.table}, ${json}::json)${conflict}`,
      );
    }
  }
}

const ABIS: Record<IndexedContract, Abi> = {
  EveryChannelWitnessRegistry: registryArtifact.abi as Abi,
  EveryChannelObservationLedger: ledgerArtifact.abi as Abi,
  EveryChannelRail: railArtifact.abi as Abi,
};

/** Indexes the run's bulk range (nothing when it has none); see the module's comment. */
export async function bulkBackfill(
  context: Context,
  handlers: ReadonlyMap<string, BulkHandler>,
): Promise<void> {
  const settings = readIndexerConfig();
  if (settings.bulk === undefined) return;
  const through = BigInt(settings.bulk.throughBlock);
  const from = BigInt(Math.min(...INDEXED_CONTRACTS.map((c) => settings.contracts[c].startBlock)));
  if (through < from) return;
  const started = Date.now();
  console.log(`Started bulk backfill of blocks ${from} to ${through}`);

  const contracts = new Map(
    INDEXED_CONTRACTS.map((name) => [
      settings.contracts[name].address.toLowerCase(),
      {
        name,
        startBlock: BigInt(settings.contracts[name].startBlock),
        decoder: createEventDecoder(ABIS[name]),
      },
    ]),
  );
  const addresses = INDEXED_CONTRACTS.map((c) => settings.contracts[c].address);
  const client = createPublicClient({ transport: http(settings.rpcUrl, { retryCount: 3 }) });
  const timestamps = new Map<bigint, bigint>();

  // One write in flight while the next ranges are indexed: the database works beside the handlers.
  let writing: Promise<void> = Promise.resolve();
  // A dropped state row is read back after the writes in flight, its own among them.
  const load = async (info: TableState, key: Row): Promise<Row | undefined> => {
    await writing;
    const [row] = await context.db.sql
      .select()
      .from(info.table as typeof schema.slot)
      .where(and(...info.primaryKey.map(([js, column]) => eq(column, key[js]))));
    return row as Row | undefined;
  };
  const store = new MemoryStore(
    (Object.values(schema) as unknown[]).filter(
      (value): value is PgTable =>
        typeof value === "object" && value !== null && DRIZZLE_TABLE in value,
    ),
    load,
    settings.bulkStateRows,
  );
  const bulkContext = { db: store.db };
  let events = 0;
  const spent = { fetching: 0, handlers: 0, writing: 0 };
  const clock = () => performance.now();
  const flush = async (all: boolean) => {
    const batches = store.take(all);
    const waited = clock();
    await writing;
    spent.writing += clock() - waited;
    writing = write(context.db, batches);
    writing.catch(() => undefined);
  };
  // Blocks per request: the configured range, halved for good once an answer is too large.
  const ranges = readLogRanges({
    publicClient: client,
    address: addresses,
    fromBlock: from,
    toBlock: through,
    blockRange: BigInt(settings.ethGetLogsBlockRange ?? DEFAULT_BLOCK_RANGE),
    prefetch: PREFETCH,
  });
  let read = from - 1n;
  for (;;) {
    const waited = clock();
    let next: IteratorResult<LogRange>;
    try {
      next = await ranges.next();
    } catch (error) {
      throw new EveryChannelError(
        `bulk backfill: eth_getLogs from block ${read + 1n} failed: ${(error as Error).message.split("\n")[0]}`,
        { fromBlock: read + 1n },
        { cause: error },
      );
    }
    spent.fetching += clock() - waited;
    if (next.done === true) break;
    const { logs, toBlock } = next.value;
    read = toBlock;
    const working = clock();
    logs.sort((x, y) =>
      x.blockNumber === y.blockNumber
        ? x.logIndex! - y.logIndex!
        : x.blockNumber! < y.blockNumber!
          ? -1
          : 1,
    );
    // Blocks whose logs came without their timestamp (nodes before `blockTimestamp` in logs).
    const missing = [
      ...new Set(logs.filter((l) => l.blockTimestamp == null).map((l) => l.blockNumber!)),
    ].filter((n) => !timestamps.has(n));
    for (const n of missing)
      timestamps.set(
        n,
        (await client.getBlock({ blockNumber: n, includeTransactions: false })).timestamp,
      );
    for (const log of logs) {
      const contract = contracts.get(log.address.toLowerCase());
      if (contract === undefined || log.blockNumber! < contract.startBlock) continue;
      const decoded = contract.decoder.decode({ topics: log.topics, data: log.data });
      const handler = handlers.get(`${contract.name}:${decoded.eventName}`);
      if (handler === undefined) continue;
      const timestamp = log.blockTimestamp ?? timestamps.get(log.blockNumber!)!;
      const event: BulkEvent = {
        id: eventId(
          timestamp,
          settings.chainId,
          log.blockNumber!,
          log.transactionIndex!,
          log.logIndex!,
        ),
        args: decoded.args,
        block: { number: log.blockNumber!, hash: log.blockHash!, timestamp },
        transaction: { hash: log.transactionHash!, transactionIndex: log.transactionIndex! },
        log: { logIndex: log.logIndex!, address: log.address },
      };
      try {
        await handler({ event, context: bulkContext });
      } catch (error) {
        throw new EveryChannelError(
          `bulk backfill: ${contract.name}:${decoded.eventName} in block ${log.blockNumber} (log ${log.logIndex}): ${(error as Error).message}`,
          { block: log.blockNumber, logIndex: log.logIndex },
          { cause: error },
        );
      }
      events += 1;
    }
    spent.handlers += clock() - working;
    if (store.pendingRows >= FLUSH_ROWS || store.overfull) await flush(false);
  }
  await flush(true);
  const waited = clock();
  await writing;
  spent.writing += clock() - waited;
  const ms = Date.now() - started;
  console.log(
    `Completed bulk backfill of blocks ${from} to ${through}: ${events} events in ${ms} ms (${Math.round((events * 1000) / Math.max(ms, 1))} events/s; waiting for logs ${Math.round(spent.fetching)} ms, decoding and handlers ${Math.round(spent.handlers)} ms, waiting for writes ${Math.round(spent.writing)} ms; ${store.reloaded} state rows read back)`,
  );
}
