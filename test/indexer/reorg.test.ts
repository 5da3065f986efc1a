// Reorgs on anvil under a live indexer: `anvil_reorg` (1 and 4 blocks replaced by empty ones) and
// `anvil_snapshot`/`anvil_revert` (about 25 blocks replaced by other traffic). After each, the
// indexer holds exactly the canonical chain's logs (nothing duplicated, nothing lost) and answers
// `ledger:status` as the canonical logs do; at the end a fresh index answers the same.
import { expect } from "chai";
import path from "node:path";
import pg from "pg";
import type { Address } from "viem";

import { IndexerClient, readLedgerStatusFromIndexer } from "../../lib/indexer/client";
import { startPostgres, type StartPostgresReturnType } from "../../lib/node/postgres";
import { createLedgerClient } from "../../lib/ledger/client";
import { readLedgerStatus } from "../../lib/operator/ledger-status";
import {
  abis,
  api,
  caughtUp,
  deployedChain,
  indexerOn,
  mine,
  snapshot,
  Traffic,
  type DeployedChain,
  type StartedIndexer,
} from "./support";

const TABLES: Record<string, string> = {
  WitnessAdded: "witness_added",
  WitnessRemoved: "witness_removed",
  WitnessRotated: "witness_rotated",
  QuorumChanged: "quorum_changed",
  OwnershipTransferStarted: "ownership_transfer_started",
  OwnershipTransferred: "ownership_transferred",
  ObservationProposed: "observation_proposed",
  ObservationAttested: "observation_attested",
  ObservationFinalized: "observation_finalized",
  ObservationProposedAndFinalized: "observation_proposed_and_finalized",
  EquivocationRecorded: "equivocation_recorded",
  StreamClaimed: "stream_claimed",
  PublisherProposed: "publisher_proposed",
  PublisherRotated: "publisher_rotated",
  ManifestPublished: "manifest_published",
  AnnouncementPublished: "announcement_published",
  NonceUsed: "nonce_used",
};

describe("settlement indexer under reorgs on anvil", function () {
  this.timeout(120_000);
  let chain: DeployedChain;
  let postgres: StartPostgresReturnType;
  let live: StartedIndexer;
  let traffic: Traffic;
  const figures: string[] = [];

  before(async function () {
    [chain, postgres] = await Promise.all([deployedChain(), startPostgres()]);
    traffic = new Traffic(chain);
    await traffic.round(0);
    await mine(chain, 40);
    live = await indexerOn(chain, {
      dataDir: path.join(chain.dir, "live"),
      databaseUrl: postgres.url,
      schema: "ecp_live",
    });
    await caughtUp(live, chain.client);
  });

  after(async function () {
    await live?.stop();
    await postgres?.stop();
    await chain?.stop();
    if (process.env.ECP_INDEXER_TIMINGS) console.log(figures.join("\n"));
  });

  /** The indexer's event rows equal the canonical chain's logs, one for one; returns their count. */
  async function holdsTheCanonicalChain(): Promise<number> {
    await caughtUp(live, chain.client);
    const logs = await chain.client.getLogs({
      address: [
        chain.deployments.EveryChannelWitnessRegistry.address as Address,
        chain.deployments.EveryChannelObservationLedger.address as Address,
        chain.deployments.EveryChannelRail.address as Address,
      ],
      fromBlock: 0n,
      toBlock: "latest",
    });
    const canonical = new Map<string, string[]>();
    const { parseEventLogs } = await import("viem");
    for (const log of parseEventLogs({
      abi: [...abis.registry, ...abis.ledger, ...abis.rail],
      logs,
    })) {
      const table = TABLES[log.eventName];
      if (table === undefined) continue;
      const list = canonical.get(table) ?? [];
      list.push(`${log.blockHash}:${log.transactionHash}:${log.logIndex}`);
      canonical.set(table, list);
    }
    let total = 0;
    for (const table of Object.values(TABLES)) {
      const rows = (await api(live.url, `/events/${table}?limit=1000`)).data as {
        blockHash: string;
        transactionHash: string;
        logIndex: number;
      }[];
      const indexed = rows.map((r) => `${r.blockHash}:${r.transactionHash}:${r.logIndex}`);
      expect(indexed, table).to.deep.equal(canonical.get(table) ?? []);
      total += indexed.length;
    }
    const ledger = chain.deployments.EveryChannelObservationLedger.address as Address;
    const fromLogs = await readLedgerStatus({
      ledger: createLedgerClient({
        publicClient: chain.client,
        ledger: { address: ledger, abi: abis.ledger },
      }),
      fromBlock: 0n,
    });
    const fromIndexer = await readLedgerStatusFromIndexer(new IndexerClient(live.url), ledger);
    expect(fromIndexer.streams).to.deep.equal(fromLogs.streams);
    expect(fromIndexer.equivocations).to.deep.equal(fromLogs.equivocations);
    return total;
  }

  /**
   * Mines past `tip`. A reorg that ends at the old tip's height (anvil_reorg replaces blocks in
   * place; the revert below is followed by as many transactions as it removed) leaves an indexer
   * that has not seen it yet at a checkpoint already at the tip, so `caughtUp` would pass before
   * the rollback. A block above the old tip can only be indexed once the reorg has been handled.
   */
  async function pastTheOldTip(tip: bigint): Promise<void> {
    const latest = await chain.client.getBlockNumber();
    if (latest <= tip) await mine(chain, Number(tip - latest) + 1);
  }

  for (const depth of [1, 4]) {
    it(`follows a ${depth}-block reorg (anvil_reorg): nothing duplicated, nothing lost`, async function () {
      await traffic.round(depth, 1);
      const before = await holdsTheCanonicalChain();
      const tip = await chain.client.getBlockNumber();
      await chain.client.request({ method: "anvil_reorg" as never, params: [depth, []] as never });
      await pastTheOldTip(tip);
      const after = await holdsTheCanonicalChain();
      expect(after).to.be.lessThan(before);
      await traffic.round(depth, 2);
      const again = await holdsTheCanonicalChain();
      figures.push(
        `anvil_reorg depth ${depth}: ${before} events, ${after} after, ${again} with new traffic`,
      );
    });
  }

  it("follows a reorg of about 25 blocks (anvil_snapshot / anvil_revert) onto other traffic", async function () {
    const id = await chain.client.request({ method: "evm_snapshot" as never });
    const start = await chain.client.getBlockNumber();
    await traffic.round(9, 3);
    const tip = await chain.client.getBlockNumber();
    const before = await holdsTheCanonicalChain();
    await chain.client.request({ method: "evm_revert" as never, params: [id] as never });
    await traffic.round(9, 4);
    await pastTheOldTip(tip);
    const after = await holdsTheCanonicalChain();
    figures.push(`revert depth ${tip - start}: ${before} events before, ${after} after`);
    expect(Number(tip - start)).to.be.greaterThan(20);
  });

  it("answers, after the reorgs, exactly as a fresh index of the canonical chain", async function () {
    const fresh = await indexerOn(chain, {
      dataDir: path.join(chain.dir, "fresh"),
      databaseUrl: postgres.url,
      schema: "ecp_fresh",
    });
    try {
      await caughtUp(fresh, chain.client);
      await caughtUp(live, chain.client);
      expect(await snapshot(live.url)).to.deep.equal(await snapshot(fresh.url));
    } finally {
      await fresh.stop();
    }
  });

  it("answers a repeated request from its cache only while neither the database nor the node has moved", async function () {
    await caughtUp(live, chain.client);
    const [stream] = (await api(live.url, "/streams?limit=1")).data as { streamHash: string }[];
    const p = `${live.url}/v1/streams/${stream!.streamHash}`;
    const get = async () => {
      const response = await fetch(p);
      expect(response.status).to.equal(200);
      return { cache: response.headers.get("cache-status"), body: (await response.json()) as any };
    };
    // The same request twice in one state: the second is the first's answer. (Ponder's own
    // bookkeeping may commit between the two and make the second a fresh read: try again.)
    let hit: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 10 && hit === undefined; i++) {
      const first = await get();
      const second = await get();
      if (second.cache === "every-channel-indexer; hit") {
        expect(second.body).to.deep.equal(first.body);
        hit = second;
      }
    }
    expect(hit, "no repeated request answered from the cache").to.not.equal(undefined);
    // A write to the index that no block made (triggers off, so Ponder's reorg tables see
    // nothing): the node's view is the same, the database's snapshot is not.
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const bump = (by: number) =>
      admin.query(
        `SET session_replication_role = replica;
         UPDATE ecp_live.ledger_stream SET finalized_count = finalized_count + ${by}
          WHERE stream_hash = '${stream!.streamHash}';
         SET session_replication_role = DEFAULT;`,
      );
    try {
      await bump(1000);
      const moved = await get();
      expect(moved.cache).to.equal("every-channel-indexer; fwd=stale; stored");
      expect(moved.body.chain).to.deep.equal(hit!.body.chain);
      expect(moved.body.data.finalizedCount).to.equal(hit!.body.data.finalizedCount + 1000);
    } finally {
      await bump(-1000);
      await admin.end();
    }
    const back = await get();
    expect(back.cache).to.not.equal("every-channel-indexer; hit");
    expect(back.body).to.deep.equal(hit!.body);
  });
});
