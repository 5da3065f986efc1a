/**
 * The settlement indexer's query API (`docs/indexer.md`), beside Ponder's GraphQL (`/graphql`) and
 * SQL over HTTP (`/sql/*`). Every answer carries `chain` (the chain's tip and `finalized` block, the
 * indexed block) and marks each item `finalized` when the block that last wrote it is at or below
 * the chain's `finalized` block. Lists are paged by an opaque cursor (`limit` ≤ 1000). Each answer
 * reads the index in one read-only transaction (`snapshot`): one state of the index, never half of
 * one block's writes and half of the next.
 */
import { db, publicClients } from "ponder:api";
import schema from "ponder:schema";
import { Hono, type Context } from "hono";
import { LRUCache } from "lru-cache";
import {
  and,
  type ReadonlyDrizzle,
  asc,
  client,
  count,
  desc,
  eq,
  gt,
  graphql,
  inArray,
  isNull,
  lt,
  or,
  sql,
} from "ponder";
import { getAddress, hexToBigInt, type Hex } from "viem";
import type { z } from "zod";

import { EveryChannelError, InvalidFieldError } from "../../../lib/errors";
import {
  API_PREFIX,
  DEFAULT_PAGE,
  candidateStatus,
  decodeCursor,
  encodeCursor,
  parseParameters,
  pathSchemas,
  popCount,
  querySchemas,
  slotOutcome,
  type ChainView,
} from "../../../lib/indexer/api";
import { readIndexerConfig } from "../../../lib/indexer/config";
import { statusPage } from "./status-page";

type SQL = ReturnType<typeof eq>;
type Schema = typeof schema;
/** What an answer reads the index through: one read-only transaction. */
type Reader = ReadonlyDrizzle<Schema>;
/** The part of drizzle's database that `ponder:api`'s type leaves out and `snapshot` uses. */
interface Transactional {
  transaction<T>(
    run: (tx: Reader) => Promise<T>,
    config: { isolationLevel: "repeatable read"; accessMode: "read only" },
  ): Promise<T>;
}

const settings = readIndexerConfig();

class NotFoundError extends EveryChannelError {
  override name = "NotFoundError";
}

const app = new Hono();
app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const CHECKPOINT_BLOCK = { timestamp: [0, 10], chainId: [10, 26], number: [26, 42] } as const;

/**
 * How long one reading of the node's tip and `finalized` block serves answers (milliseconds). Every
 * answer needs both; asking the node for each request made it the bulk of the API's latency. A
 * reading past `NODE_VIEW_TTL_MS` is refreshed in the background while answers keep using it, up
 * to `NODE_VIEW_MAX_AGE_MS`; past that an answer waits for a new reading. A reading only ever
 * under-states `finalized` (it never moves back), so an item is never marked final early; the tip
 * an answer reports is at most `NODE_VIEW_MAX_AGE_MS` old.
 */
const NODE_VIEW_TTL_MS = 500;
const NODE_VIEW_MAX_AGE_MS = 2_000;
type NodeView = readonly [Hex, { number: unknown } | null];
/** The last reading that succeeded, and the one in flight. */
let nodeView: { at: number; value: NodeView } | undefined;
let nodeViewReading: Promise<NodeView> | undefined;

function readNodeViewNow(): Promise<NodeView> {
  if (nodeViewReading !== undefined) return nodeViewReading;
  const rpc = publicClients.settlement;
  const at = Date.now();
  const reading = Promise.all([
    rpc.request({ method: "eth_blockNumber" }),
    rpc.request({ method: "eth_getBlockByNumber", params: ["finalized", false] }),
  ] as const).then((value) => {
    // A failed reading is not kept: the next request asks the node again.
    if (nodeView === undefined || nodeView.at < at) nodeView = { at, value };
    return value;
  });
  nodeViewReading = reading;
  const done = () => {
    if (nodeViewReading === reading) nodeViewReading = undefined;
  };
  reading.then(done, done);
  return reading;
}

/** The node's tip and `finalized` block, shared by the requests of `NODE_VIEW_TTL_MS`. */
async function readNodeView(): Promise<NodeView> {
  const age = nodeView === undefined ? Infinity : Date.now() - nodeView.at;
  if (age <= NODE_VIEW_TTL_MS) return nodeView!.value;
  if (age <= NODE_VIEW_MAX_AGE_MS) {
    readNodeViewNow().catch(() => undefined);
    return nodeView!.value;
  }
  return await readNodeViewNow();
}

/** The node's view as it enters an answer: the part of an answer's key that the node gives. */
const nodeViewKey = ([latest, finalized]: NodeView): string =>
  `${latest}/${finalized === null ? "" : String(finalized.number)}`;

/**
 * The chain's tip and `finalized` block (`node`), the indexer's checkpoint and the database
 * snapshot, read by `tx` as its first statement (which, in a repeatable-read transaction, takes the
 * snapshot that all of the answer's reads see).
 */
async function chainView(
  tx: Reader,
  [latest, finalized]: NodeView,
): Promise<{ chain: ChainView; snapshot: string }> {
  const rpc = publicClients.settlement;
  const read = await tx.execute(
    sql`SELECT pg_current_snapshot()::text AS snapshot, (SELECT latest_checkpoint FROM _ponder_checkpoint LIMIT 1) AS latest_checkpoint`,
  );
  const [row] = (
    read as unknown as { rows: { snapshot: string; latest_checkpoint: string | null }[] }
  ).rows;
  const checkpoint = row?.latest_checkpoint ?? "0".repeat(75);
  return {
    snapshot: row!.snapshot,
    chain: {
      chainId: rpc.chain?.id ?? Number(checkpoint.slice(...CHECKPOINT_BLOCK.chainId)),
      latestBlock: hexToBigInt(latest).toString(),
      finalizedBlock: finalized === null ? "0" : hexToBigInt(finalized.number as Hex).toString(),
      indexedBlock: BigInt(checkpoint.slice(...CHECKPOINT_BLOCK.number)).toString(),
      indexedBlockTimestamp: BigInt(checkpoint.slice(...CHECKPOINT_BLOCK.timestamp)).toString(),
    },
  };
}

/**
 * Runs one answer's reads in one read-only, repeatable-read transaction, so that the checkpoint,
 * the rows and the counts of an answer are one state of the index (PostgreSQL: one snapshot;
 * PGlite: its single connection held for the transaction, which the indexer's writes wait for).
 * `ponder:api` types its `db` without `transaction`; Ponder's own SQL middleware reads the same way
 * (`readonlyQB.raw.transaction(..., { accessMode: "read only" })`). Answers the value and the
 * transaction's snapshot (`pg_current_snapshot()`).
 */
async function snapshot<T>(
  node: NodeView,
  read: (tx: Reader, chain: ChainView) => Promise<T>,
): Promise<{ value: T; snapshot: string }> {
  const outcome = await (db as unknown as Transactional).transaction(
    async (tx) => {
      // Ponder's query builder retries a transaction whose callback throws, nine times with
      // back-off (about a minute): an answer's own refusals (404, 400) leave it as values.
      try {
        const view = await chainView(tx, node);
        return { value: await read(tx, view.chain), snapshot: view.snapshot };
      } catch (error) {
        if (error instanceof EveryChannelError) return { refused: error };
        throw error;
      }
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
  if ("refused" in outcome) throw outcome.refused;
  return outcome;
}

/**
 * Answers already given, by request URL, with the state they were read in: the database snapshot
 * and the node's view. Two snapshots that are equal (the same `xmin:xmax:xip` list) see the same
 * committed transactions, so the same rows: while neither the database (a new block indexed, a
 * reorg rolled back, Ponder's own bookkeeping) nor the node's view has moved, a request is answered
 * from here after one statement (`SELECT pg_current_snapshot()`) instead of its reads. Bounded by
 * `ANSWER_CACHE_MAX` answers and `ANSWER_CACHE_BYTES` of JSON.
 */
const ANSWER_CACHE_MAX = 1_000;
const ANSWER_CACHE_BYTES = 32 * 1024 * 1024;
const answers = new LRUCache<string, { node: string; snapshot: string; body: string }>({
  max: ANSWER_CACHE_MAX,
  maxSize: ANSWER_CACHE_BYTES,
  sizeCalculation: (answer) => Math.max(1, answer.body.length),
});

/** The database's current snapshot, outside any transaction. */
async function readSnapshot(): Promise<string> {
  const read = await db.execute(sql`SELECT pg_current_snapshot()::text AS snapshot`);
  return (read as unknown as { rows: { snapshot: string }[] }).rows[0]!.snapshot;
}

/** The reading of the snapshot in flight, and the one that the requests arriving meanwhile share. */
let snapshotReading: Promise<string> | undefined;
let nextSnapshotReading: Promise<string> | undefined;

/**
 * A snapshot of the database read after this call: the requests that arrive while one reading is
 * in flight share the next one, which starts when it ends (a burst of 10 requests asks twice, not
 * 10 times). None is answered with a snapshot read before it arrived, so no answer is older than
 * one the same client was given before asking.
 */
function currentSnapshot(): Promise<string> {
  if (snapshotReading === undefined) {
    const reading = readSnapshot().finally(() => {
      if (snapshotReading === reading) snapshotReading = undefined;
    });
    snapshotReading = reading;
    return reading;
  }
  nextSnapshotReading ??= snapshotReading
    .catch(() => undefined)
    .then(() => {
      nextSnapshotReading = undefined;
      return currentSnapshot();
    });
  return nextSnapshotReading;
}

/**
 * A `200` JSON answer to `c` of what `read` reads in one `snapshot`, or the answer already given to
 * the same URL in the same state (`answers`). Says which in `Cache-Status` (RFC 9211).
 */
async function answer(
  c: Context,
  read: (tx: Reader, chain: ChainView) => Promise<unknown>,
): Promise<Response> {
  const node = await readNodeView();
  const nodeKey = nodeViewKey(node);
  const url = c.req.url;
  const given = answers.get(url);
  if (given !== undefined && given.node === nodeKey && given.snapshot === (await currentSnapshot()))
    return c.body(given.body, 200, { ...JSON_HEADERS, "cache-status": `${CACHE_NAME}; hit` });
  const { value, snapshot: state } = await snapshot(node, read);
  const body = JSON.stringify(value);
  answers.set(url, { node: nodeKey, snapshot: state, body });
  return c.body(body, 200, {
    ...JSON_HEADERS,
    "cache-status": `${CACHE_NAME}; fwd=${given === undefined ? "miss" : "stale"}; stored`,
  });
}
const CACHE_NAME = "every-channel-indexer";
const JSON_HEADERS = { "content-type": "application/json" } as const;

const isFinal = (chain: ChainView, block: bigint | null | undefined): boolean =>
  block !== null && block !== undefined && block <= BigInt(chain.finalizedBlock);

/** JSON form of a row: uint as decimal strings, 20-byte hex as checksummed addresses. */
function json(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^0x[0-9a-f]{40}$/.test(value)) return getAddress(value);
  if (Array.isArray(value)) return value.map(json);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
  return value;
}

function query<S extends keyof typeof querySchemas>(c: Context, name: S) {
  return parseParameters(querySchemas[name], c.req.query(), "query");
}

function pathHex(c: Context, name: string): Hex {
  const value = c.req.param(name);
  const parsed = pathSchemas.hex32.safeParse(value);
  if (!parsed.success)
    throw new InvalidFieldError(`path.${name}`, value, parsed.error.issues[0]!.message);
  return parsed.data;
}

function page<T>(rows: T[], limit: number, key: (row: T) => string[]) {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  return { data, nextCursor: more ? encodeCursor(key(data[data.length - 1]!)) : null };
}

/** Current key of every witness index, and the registry's active bitmap and quorum. */
async function membership(tx: Reader) {
  const [state] = await tx
    .select()
    .from(schema.registryState)
    .where(eq(schema.registryState.id, 0));
  const keys = await tx.select().from(schema.witness).where(isNull(schema.witness.rotatedTo));
  const keyAt = new Map(keys.map((w) => [w.index, getAddress(w.address)]));
  return {
    active: state?.active ?? 0n,
    quorum: state?.quorum ?? 0,
    keyAt,
    addresses: (bits: bigint) => {
      const out: string[] = [];
      for (let b = bits, i = 0; b > 0n; b >>= 1n, i += 1)
        if ((b & 1n) === 1n) out.push(keyAt.get(i) ?? `unknown index ${i}`);
      return out;
    },
  };
}

type Membership = Awaited<ReturnType<typeof membership>>;
type SlotRow = typeof schema.slot.$inferSelect;

/** Slots with their candidates, as the ledger's views would answer for each. */
async function slotAnswers(tx: Reader, rows: SlotRow[], chain: ChainView, members: Membership) {
  if (rows.length === 0) return [];
  const slots = rows.map((r) => r.slot);
  const streams = [...new Set(rows.map((r) => r.streamHash))];
  const [candidates, heads] = await Promise.all([
    tx
      .select()
      .from(schema.candidate)
      .where(inArray(schema.candidate.slot, slots))
      .orderBy(asc(schema.candidate.firstBlock), asc(schema.candidate.contentHash)),
    tx.select().from(schema.ledgerStream).where(inArray(schema.ledgerStream.streamHash, streams)),
  ]);
  const headOf = new Map(heads.map((h) => [h.streamHash, h]));
  // Candidates in proposal order: by the id of their `ObservationProposed` where there is one.
  const proposals = await tx
    .select({
      contentHash: schema.observationProposed.contentHash,
      id: schema.observationProposed.id,
    })
    .from(schema.observationProposed)
    .where(inArray(schema.observationProposed.slot, slots));
  const proposedAt = new Map(proposals.map((p) => [p.contentHash, p.id]));
  candidates.sort((a, b) => {
    const x = proposedAt.get(a.contentHash) ?? "~";
    const y = proposedAt.get(b.contentHash) ?? "~";
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return rows.map((row) => {
    const head = headOf.get(row.streamHash);
    const headPosition =
      head?.headObservedUnixMs === null || head?.headObservedUnixMs === undefined
        ? null
        : { observedUnixMs: head.headObservedUnixMs };
    const list = candidates
      .filter((candidate) => candidate.slot === row.slot)
      .map((candidate) => {
        const rule = candidateStatus(
          candidate,
          {
            status: row.status as "open" | "finalized",
            finalizedContentHash: row.finalizedContentHash,
            attested: row.attested,
          },
          headPosition,
          members,
        );
        return {
          contentHash: candidate.contentHash,
          dataRoot: candidate.dataRoot,
          locatorHash: candidate.locatorHash,
          witnesses: members.addresses(candidate.recorded),
          ...rule,
          firstBlock: candidate.firstBlock.toString(),
        };
      });
    return {
      slot: row.slot,
      streamHash: row.streamHash,
      epochHash: row.epochHash,
      observedUnixMs: row.observedUnixMs.toString(),
      outcome: slotOutcome(list, row.status as "open" | "finalized"),
      contested: list.length > 1,
      finalizedContentHash: row.finalizedContentHash,
      finalizedObservationHash: row.finalizedObservationHash,
      candidates: list,
      quorum: members.quorum,
      blockNumber: row.updatedBlock.toString(),
      finalized: isFinal(chain, row.updatedBlock),
    };
  });
}

/** SQL conditions of a slot filter, against the stream's head (`ledger_stream` joined). */
function slotCondition(filter: string): SQL | undefined {
  const s = schema.slot;
  const head = schema.ledgerStream.headObservedUnixMs;
  const live = sql`(${head} IS NULL OR ${s.observedUnixMs} > ${head})`;
  switch (filter) {
    case "open":
      return sql`${s.status} = 'open' AND ${live}`;
    case "expired":
      return sql`${s.status} = 'open' AND NOT ${live}`;
    case "finalized":
      return eq(s.status, "finalized");
    case "unfinalized":
      return eq(s.status, "open");
    case "contested":
      return sql`${s.status} = 'open' AND ${live} AND ${s.candidateCount} > 1`;
    default:
      return undefined;
  }
}

async function streamAnswers(
  tx: Reader,
  rows: (typeof schema.ledgerStream.$inferSelect)[],
  chain: ChainView,
) {
  if (rows.length === 0) return [];
  const s = schema.slot;
  const l = schema.ledgerStream;
  const counted = (filter: string) =>
    sql<number>`count(*) filter (where ${slotCondition(filter)})`.mapWith(Number);
  // Only the slots not finalized are counted here (open, contested, expired depend on the head);
  // the total and the finalized come from the stream's own counters. An answer stays as fast at
  // 100,000 slots as at 100.
  const stats = await tx
    .select({
      streamHash: s.streamHash,
      open: counted("open"),
      contested: counted("contested"),
      expired: counted("expired"),
    })
    .from(s)
    .innerJoin(l, eq(l.streamHash, s.streamHash))
    .where(
      and(
        inArray(
          s.streamHash,
          rows.map((r) => r.streamHash),
        ),
        eq(s.status, "open"),
      ),
    )
    .groupBy(s.streamHash);
  const statsOf = new Map(stats.map((x) => [x.streamHash, x]));
  const indexedAt = BigInt(chain.indexedBlockTimestamp);
  return rows.map((row) => {
    const x = statsOf.get(row.streamHash);
    const slots = {
      total: row.slotCount,
      finalized: row.finalizedCount,
      open: x?.open ?? 0,
      contested: x?.contested ?? 0,
      expired: x?.expired ?? 0,
    };
    const closed = slots.finalized + slots.expired;
    return {
      streamHash: row.streamHash,
      head:
        row.headObservationHash === null
          ? null
          : {
              observationHash: row.headObservationHash,
              contentHash: row.headContentHash!,
              sequence: row.headSequence!.toString(),
              observedUnixMs: row.headObservedUnixMs!.toString(),
              blockNumber: row.headBlockNumber!.toString(),
              blockTimestamp: row.headBlockTimestamp!.toString(),
              ageSeconds: (indexedAt > row.headBlockTimestamp!
                ? indexedAt - row.headBlockTimestamp!
                : 0n
              ).toString(),
              finalized: isFinal(chain, row.headBlockNumber),
            },
      finalizedCount: row.finalizedCount,
      slots,
      finalizationRate: closed === 0 ? null : slots.finalized / closed,
      firstBlock: row.firstBlock.toString(),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const v1 = new Hono();

type QueryName = keyof typeof querySchemas;
type Query<S extends QueryName> = z.output<(typeof querySchemas)[S]>;

/** A route answering one item (`404` when `read` finds none): `{ chain, data }`. */
function one(path: string, read: (tx: Reader, chain: ChainView, c: Context) => Promise<unknown>) {
  v1.get(path, (c) => answer(c, async (tx, chain) => ({ chain, data: await read(tx, chain, c) })));
}

/**
 * A paged list: `{ chain, data, nextCursor }`. `rows` reads at most `take` rows after the cursor's
 * key (`after`, `cursorSize` strings, undefined on the first page) in the list's order; `key` is a
 * row's cursor key, `answer` the page's items.
 */
function list<S extends QueryName, Row>(
  path: string,
  spec: {
    query: S;
    cursorSize?: number;
    rows: (
      tx: Reader,
      page: { q: Query<S>; after: string[] | undefined; take: number; c: Context },
    ) => Promise<Row[]>;
    key: (row: Row) => string[];
    answer: (tx: Reader, rows: Row[], chain: ChainView) => unknown[] | Promise<unknown[]>;
  },
) {
  v1.get(path, async (c) => {
    const q = query(c, spec.query);
    const limit = q.limit ?? DEFAULT_PAGE;
    const after = decodeCursor(q.cursor, spec.cursorSize ?? 1);
    return answer(c, async (tx, chain) => {
      const rows = await spec.rows(tx, { q, after, take: limit + 1, c });
      const { data, nextCursor } = page(rows, limit, spec.key);
      return { chain, data: await spec.answer(tx, data, chain), nextCursor };
    });
  });
}

/** `column > key` for the first cursor part, or no condition on the first page. */
const past = <T>(
  column: Parameters<typeof gt>[0],
  after: string[] | undefined,
  parse: (s: string) => T,
) => (after === undefined ? undefined : gt(column, parse(after[0]!)));
const text = (s: string) => s;
const hex = (s: string) => s as Hex;

type Table = (typeof schema)[keyof typeof schema];

/**
 * The rows of `table` where `filters` hold, after the cursor's key on the column `by` (its first
 * part, read by `parse`), in that column's order, at most `take`.
 */
function ordered<T extends Table>(
  tx: Reader,
  table: T,
  [by, parse]: [Parameters<typeof gt>[0], (s: string) => unknown],
  { after, take }: { after: string[] | undefined; take: number },
  ...filters: (SQL | undefined)[]
): Promise<T["$inferSelect"][]> {
  return tx
    .select()
    .from(table as typeof schema.witnessAdded)
    .where(and(...filters, past(by, after, parse)))
    .orderBy(asc(by))
    .limit(take) as unknown as Promise<T["$inferSelect"][]>;
}

v1.get("/status", async (c) => {
  const contracts = Object.fromEntries(
    Object.entries(settings.contracts).map(([name, x]) => [
      name,
      { address: x.address, startBlock: String(x.startBlock) },
    ]),
  );
  return answer(c, async (tx, chain) => {
    const [[streams], [slots], [observations], [equivocations]] = await Promise.all([
      tx.select({ n: count() }).from(schema.ledgerStream),
      tx.select({ n: count() }).from(schema.slot),
      tx.select({ n: count() }).from(schema.observation),
      tx.select({ n: count() }).from(schema.equivocationRecorded),
    ]);
    return {
      chain,
      data: {
        network: settings.network,
        contracts,
        streams: streams?.n ?? 0,
        slots: slots?.n ?? 0,
        finalizedObservations: observations?.n ?? 0,
        equivocations: equivocations?.n ?? 0,
      },
    };
  });
});

list("/streams", {
  query: "page",
  rows: (tx, p) => ordered(tx, schema.ledgerStream, [schema.ledgerStream.streamHash, hex], p),
  key: (r) => [r.streamHash],
  answer: streamAnswers,
});

one("/streams/:streamHash", async (tx, chain, c) => {
  const streamHash = pathHex(c, "streamHash");
  const rows = await tx
    .select()
    .from(schema.ledgerStream)
    .where(eq(schema.ledgerStream.streamHash, streamHash));
  if (rows.length === 0) throw new NotFoundError(`stream ${streamHash} has no observation`);
  return (await streamAnswers(tx, rows, chain))[0];
});

list("/streams/:streamHash/chain", {
  query: "chain",
  rows: (tx, { q, after, take, c }) => {
    const o = schema.observation;
    const descending = q.order === "desc";
    return tx
      .select()
      .from(o)
      .where(
        and(
          eq(o.streamHash, pathHex(c, "streamHash")),
          after === undefined ? undefined : (descending ? lt : gt)(o.sequence, BigInt(after[0]!)),
        ),
      )
      .orderBy(descending ? desc(o.sequence) : asc(o.sequence))
      .limit(take);
  },
  key: (r) => [r.sequence.toString()],
  answer: async (tx, rows, chain) => {
    const members = await membership(tx);
    return rows.map((r) => ({
      observationHash: r.observationHash,
      streamHash: r.streamHash,
      sequence: r.sequence.toString(),
      parentObservationHash: r.parentObservationHash,
      contentHash: r.contentHash,
      slot: r.slot,
      epochHash: r.epochHash,
      dataRoot: r.dataRoot,
      locatorHash: r.locatorHash,
      observedUnixMs: r.observedUnixMs.toString(),
      witnesses: members.addresses(r.witnesses),
      blockTimestamp: r.blockTimestamp.toString(),
      transactionHash: r.transactionHash,
      blockNumber: r.blockNumber.toString(),
      finalized: isFinal(chain, r.blockNumber),
    }));
  },
});

list("/streams/:streamHash/slots", {
  query: "slots",
  cursorSize: 2,
  rows: async (tx, { q, after, take, c }) => {
    const s = schema.slot;
    const rows = await tx
      .select({ slot: s })
      .from(s)
      .innerJoin(schema.ledgerStream, eq(schema.ledgerStream.streamHash, s.streamHash))
      .where(
        and(
          eq(s.streamHash, pathHex(c, "streamHash")),
          slotCondition(q.status ?? "all"),
          after === undefined
            ? undefined
            : or(
                gt(s.observedUnixMs, BigInt(after[0]!)),
                and(eq(s.observedUnixMs, BigInt(after[0]!)), gt(s.slot, after[1] as Hex)),
              ),
        ),
      )
      .orderBy(asc(s.observedUnixMs), asc(s.slot))
      .limit(take);
    return rows.map((r) => r.slot);
  },
  key: (r) => [r.observedUnixMs.toString(), r.slot],
  answer: async (tx, rows, chain) => slotAnswers(tx, rows, chain, await membership(tx)),
});

one("/slots/:slot", async (tx, chain, c) => {
  const slot = pathHex(c, "slot");
  const rows = await tx.select().from(schema.slot).where(eq(schema.slot.slot, slot));
  if (rows.length === 0) throw new NotFoundError(`slot ${slot} has no attestation`);
  return (await slotAnswers(tx, rows, chain, await membership(tx)))[0];
});

list("/equivocations", {
  query: "equivocations",
  rows: (tx, p) => {
    const e = schema.equivocationRecorded;
    return ordered(
      tx,
      e,
      [e.id, text],
      p,
      p.q.witness === undefined ? undefined : eq(e.witness, p.q.witness),
      p.q.slot === undefined ? undefined : eq(e.slot, p.q.slot),
    );
  },
  key: (r) => [r.id],
  answer: (_tx, rows, chain) =>
    rows.map((r) => ({
      id: r.id,
      slot: r.slot,
      witness: getAddress(r.witness),
      contentA: r.contentA,
      contentB: r.contentB,
      transactionHash: r.transactionHash,
      blockNumber: r.blockNumber.toString(),
      finalized: isFinal(chain, r.blockNumber),
    })),
});

v1.get("/witnesses", async (c) => {
  query(c, "page");
  return answer(c, async (tx, chain) => {
    // An index's keys in the order they held it (a rotation adds the new key later), then by address.
    const witnesses = await tx
      .select()
      .from(schema.witness)
      .orderBy(
        asc(schema.witness.index),
        asc(schema.witness.addedBlock),
        asc(schema.witness.address),
      );
    // An index's first key was added at the earliest `addedBlock` among its keys.
    const indexAdded = new Map<number, bigint>();
    for (const w of witnesses) {
      const seen = indexAdded.get(w.index);
      if (seen === undefined || w.addedBlock < seen) indexAdded.set(w.index, w.addedBlock);
    }
    const fw = schema.finalizationWitness;
    const o = schema.observation;
    const since = [...new Set(indexAdded.values())];
    const [counted, attested, equivocations, finalizations] = await Promise.all([
      tx.select({ index: fw.witnessIndex, n: count() }).from(fw).groupBy(fw.witnessIndex),
      tx
        .select({ witness: schema.observationAttested.witness, n: count() })
        .from(schema.observationAttested)
        .groupBy(schema.observationAttested.witness),
      tx
        .select({ witness: schema.equivocationRecorded.witness, n: count() })
        .from(schema.equivocationRecorded)
        .groupBy(schema.equivocationRecorded.witness),
      // Finalizations at or after each distinct block a witness index was added in, counted in SQL.
      since.length === 0
        ? Promise.resolve([] as Record<string, number>[])
        : tx
            .select(
              Object.fromEntries(
                since.map((block, i) => [
                  `since${i}`,
                  sql<number>`count(*) filter (where ${o.blockNumber} >= ${block})`.mapWith(Number),
                ]),
              ),
            )
            .from(o),
    ]);
    const finalizationsSince = new Map(
      since.map((block, i) => [block, Number(finalizations[0]?.[`since${i}`] ?? 0)]),
    );
    const countedOf = new Map(counted.map((x) => [x.index, x.n]));
    const attestedOf = new Map(attested.map((x) => [x.witness, x.n]));
    const equivocationsOf = new Map(equivocations.map((x) => [x.witness, x.n]));
    const data = witnesses.map((w) => {
      const current = w.rotatedTo === null;
      const total = finalizationsSince.get(indexAdded.get(w.index)!) ?? 0;
      const countedHere = current ? (countedOf.get(w.index) ?? 0) : 0;
      return {
        address: getAddress(w.address),
        index: w.index,
        active: w.active,
        rotatedTo: w.rotatedTo === null ? null : getAddress(w.rotatedTo),
        attestationsRecorded: attestedOf.get(w.address) ?? 0,
        finalizationsCounted: countedHere,
        finalizationsSinceAdded: current ? total : 0,
        participation: current && total > 0 ? countedHere / total : null,
        equivocations: equivocationsOf.get(w.address) ?? 0,
        addedBlock: w.addedBlock.toString(),
      };
    });
    return { chain, data, nextCursor: null };
  });
});

one("/registry", async (tx, chain) => {
  const [state] = await tx
    .select()
    .from(schema.registryState)
    .where(eq(schema.registryState.id, 0));
  if (state === undefined) throw new NotFoundError("the registry has no event yet");
  const members = await membership(tx);
  return {
    owner: getAddress(state.owner),
    pendingOwner: getAddress(state.pendingOwner),
    quorum: state.quorum,
    witnesses: members.addresses(state.active),
    blockNumber: state.updatedBlock.toString(),
    finalized: isFinal(chain, state.updatedBlock),
  };
});

list("/registry/history", {
  query: "page",
  rows: (tx, p) => ordered(tx, schema.registryHistory, [schema.registryHistory.id, text], p),
  key: (r) => [r.id],
  answer: (_tx, rows, chain) =>
    rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      account: r.account === null ? null : getAddress(r.account),
      previousAccount: r.previousAccount === null ? null : getAddress(r.previousAccount),
      index: r.index,
      previousQuorum: r.previousQuorum,
      quorum: r.quorum,
      transactionHash: r.transactionHash,
      blockNumber: r.blockNumber.toString(),
      finalized: isFinal(chain, r.blockNumber),
    })),
});

function railStreamAnswer(r: typeof schema.railStream.$inferSelect, chain: ChainView) {
  return {
    streamId: r.streamId,
    key: r.key,
    publisher: getAddress(r.publisher),
    pendingPublisher: getAddress(r.pendingPublisher),
    manifestCount: r.manifestCount,
    announcementCount: r.announcementCount,
    claimedBlock: r.claimedBlock.toString(),
    blockNumber: r.updatedBlock.toString(),
    finalized: isFinal(chain, r.updatedBlock),
  };
}

list("/rail/streams", {
  query: "page",
  rows: (tx, p) => ordered(tx, schema.railStream, [schema.railStream.streamId, hex], p),
  key: (x) => [x.streamId],
  answer: (_tx, rows, chain) => rows.map((x) => railStreamAnswer(x, chain)),
});

one("/rail/streams/:streamId", async (tx, chain, c) => {
  const streamId = pathHex(c, "streamId");
  const [row] = await tx
    .select()
    .from(schema.railStream)
    .where(eq(schema.railStream.streamId, streamId));
  if (row === undefined) throw new NotFoundError(`rail stream ${streamId} is not claimed`);
  return railStreamAnswer(row, chain);
});

function manifestAnswer(
  r: {
    id: string;
    streamId: Hex;
    epochId: bigint;
    publisher: Hex;
    manifestBodyHash: Hex;
    manifestEnvelopeHash: Hex;
    dataRoot: Hex;
    manifestId: Hex;
    revision: bigint;
    blockNumber: bigint;
  },
  chain: ChainView,
) {
  return {
    id: r.id,
    streamId: r.streamId,
    epochId: r.epochId.toString(),
    publisher: getAddress(r.publisher),
    manifestBodyHash: r.manifestBodyHash,
    manifestEnvelopeHash: r.manifestEnvelopeHash,
    dataRoot: r.dataRoot,
    manifestId: r.manifestId,
    revision: r.revision.toString(),
    blockNumber: r.blockNumber.toString(),
    finalized: isFinal(chain, r.blockNumber),
  };
}

list("/rail/streams/:streamId/manifests", {
  query: "manifests",
  rows: (tx, p) => {
    const m = schema.manifestPublished;
    const epoch = p.q.epochId === undefined ? undefined : eq(m.epochId, p.q.epochId);
    return ordered(tx, m, [m.id, text], p, eq(m.streamId, pathHex(p.c, "streamId")), epoch);
  },
  key: (r) => [r.id],
  answer: (_tx, rows, chain) => rows.map((r) => manifestAnswer(r, chain)),
});

list("/rail/streams/:streamId/manifests/latest", {
  query: "manifests",
  rows: (tx, p) => {
    const m = schema.latestManifest;
    const epoch = p.q.epochId === undefined ? undefined : eq(m.epochId, p.q.epochId);
    return ordered(tx, m, [m.epochId, BigInt], p, eq(m.streamId, pathHex(p.c, "streamId")), epoch);
  },
  key: (r) => [r.epochId.toString()],
  answer: (_tx, rows, chain) => rows.map((r) => manifestAnswer({ ...r, id: r.eventId }, chain)),
});

function announcementAnswer(
  r: {
    id: string;
    streamId: Hex;
    publisher: Hex;
    announcementHash: Hex;
    descriptorHash: Hex;
    sequence: bigint;
    blockNumber: bigint;
  },
  chain: ChainView,
) {
  return {
    id: r.id,
    streamId: r.streamId,
    publisher: getAddress(r.publisher),
    announcementHash: r.announcementHash,
    descriptorHash: r.descriptorHash,
    sequence: r.sequence.toString(),
    blockNumber: r.blockNumber.toString(),
    finalized: isFinal(chain, r.blockNumber),
  };
}

list("/rail/streams/:streamId/announcements", {
  query: "page",
  rows: (tx, p) => {
    const a = schema.announcementPublished;
    return ordered(tx, a, [a.id, text], p, eq(a.streamId, pathHex(p.c, "streamId")));
  },
  key: (r) => [r.id],
  answer: (_tx, rows, chain) => rows.map((r) => announcementAnswer(r, chain)),
});

one("/rail/streams/:streamId/announcements/latest", async (tx, chain, c) => {
  const streamId = pathHex(c, "streamId");
  const [row] = await tx
    .select()
    .from(schema.latestAnnouncement)
    .where(eq(schema.latestAnnouncement.streamId, streamId));
  if (row === undefined) throw new NotFoundError(`rail stream ${streamId} has no announcement`);
  return announcementAnswer({ ...row, id: row.eventId }, chain);
});

/** Every event table, by its SQL name: the raw rows of one event, in chain order. */
const EVENT_TABLES = {
  witness_added: schema.witnessAdded,
  witness_removed: schema.witnessRemoved,
  witness_rotated: schema.witnessRotated,
  quorum_changed: schema.quorumChanged,
  ownership_transfer_started: schema.ownershipTransferStarted,
  ownership_transferred: schema.ownershipTransferred,
  observation_proposed: schema.observationProposed,
  observation_attested: schema.observationAttested,
  observation_finalized: schema.observationFinalized,
  observation_proposed_and_finalized: schema.observationProposedAndFinalized,
  equivocation_recorded: schema.equivocationRecorded,
  report_accepted: schema.reportAccepted,
  stream_claimed: schema.streamClaimed,
  publisher_proposed: schema.publisherProposed,
  publisher_rotated: schema.publisherRotated,
  manifest_published: schema.manifestPublished,
  announcement_published: schema.announcementPublished,
  nonce_used: schema.nonceUsed,
} as const;

function eventTable(c: Context) {
  const name = c.req.param("table") ?? "";
  if (!Object.hasOwn(EVENT_TABLES, name))
    throw new InvalidFieldError(
      "path.table",
      name,
      `expected one of ${Object.keys(EVENT_TABLES).join(", ")}`,
    );
  return EVENT_TABLES[name as keyof typeof EVENT_TABLES];
}

list("/events/:table", {
  query: "page",
  rows: (tx, p) => {
    const table = eventTable(p.c);
    return ordered(tx, table, [table.id, text], p);
  },
  key: (r) => [r.id],
  answer: (_tx, rows, chain) =>
    rows.map((r) => ({ ...(json(r) as object), finalized: isFinal(chain, r.blockNumber) })),
});

v1.onError((error, c) => {
  if (error instanceof NotFoundError) return c.json({ error: error.shortMessage }, 404);
  if (error instanceof InvalidFieldError) return c.json({ error: error.shortMessage }, 400);
  throw error;
});
v1.all("*", (c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
app.route(API_PREFIX, v1);
app.route("/", statusPage());

export default app;
