// The settlement indexer on anvil: every event indexed, answers equal to the contracts' views and
// to `ledger:status` read from logs, PGlite and PostgreSQL alike, a deleted database rebuilt to
// the same state, and the API's validation.
import { expect } from "chai";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Address } from "viem";

import { IndexerClient, readLedgerStatusFromIndexer } from "../../lib/indexer/client";
import { INDEXED_CONTRACTS } from "../../lib/indexer/config";
import { startPostgres, type StartPostgresReturnType } from "../../lib/node/postgres";
import { createLedgerClient } from "../../lib/ledger/client";
import { readLedgerStatus } from "../../lib/operator/ledger-status";
import { crossCheck } from "./crosscheck";
import {
  abis,
  api,
  caughtUp,
  deployedChain,
  dropDatabase,
  hardhat,
  indexerOn,
  indexerRunTask,
  marked,
  mine,
  snapshot,
  Traffic,
  type DeployedChain,
  type StartedIndexer,
} from "./support";

/** The API's refusals: each bad parameter, unknown item and route answered at once, named. */
async function expectRefusals(url: string): Promise<void> {
  const cases: [string, number, string][] = [
    ["/streams?limit=0", 400, "query.limit: expected an integer from 1 to 1000"],
    ["/streams?limit=1001", 400, "query.limit: must be at most 1000"],
    ["/streams?cursor=%21", 400, "query.cursor: expected a cursor returned by a previous page"],
    ["/streams?cursor=WyJ4Il0", 400, "query.cursor: not a cursor of this list"],
    ["/streams/0x12", 400, 'path.streamHash: expected 0x-prefixed 32-byte hex (got "0x12")'],
    [`/streams/0x${"ab".repeat(32)}`, 404, "has no observation"],
    [`/slots/0x${"cd".repeat(32)}`, 404, "has no attestation"],
    [`/rail/streams/0x${"ab".repeat(32)}`, 404, "is not claimed"],
    [`/rail/streams/0x${"ab".repeat(32)}/announcements/latest`, 404, "has no announcement"],
    ["/streams?status=nope", 200, ""],
    [`/streams/0x${"ab".repeat(32)}/slots?status=nope`, 400, "query.status: Invalid enum value"],
    ["/equivocations?witness=0x1", 400, "query.witness: expected a 0x-prefixed 20-byte address"],
    [
      `/rail/streams/0x${"ab".repeat(32)}/manifests?epochId=-1`,
      400,
      "query.epochId: expected a decimal integer",
    ],
    ["/events/nope", 400, "path.table: expected one of witness_added"],
    ["/nowhere", 404, "no route GET /v1/nowhere"],
  ];
  for (const [p, status, message] of cases) {
    const response = await fetch(`${url}/v1${p}`);
    const body = (await response.json()) as { error?: string };
    expect(response.status, p).to.equal(status);
    if (message !== "") expect(body.error, p).to.include(message);
  }
}

describe("settlement indexer (Ponder) on anvil", function () {
  this.timeout(120_000);
  let chain: DeployedChain;
  let postgres: StartPostgresReturnType;
  let pglite: StartedIndexer;
  let first: Record<string, unknown>;
  const timings: string[] = [];
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const result = await run();
    timings.push(`${label}: ${Date.now() - start} ms`);
    return result;
  };

  before(async function () {
    [chain, postgres] = await Promise.all([deployedChain(), startPostgres()]);
    const traffic = new Traffic(chain);
    // Round 0 ends up below the chain's `finalized` block (anvil: latest - 64), round 1 above it.
    await traffic.round(0);
    await mine(chain, 70);
    await traffic.registryChanges();
    await traffic.round(1);
    await mine(chain, 40);
  });

  after(async function () {
    await pglite?.stop();
    await postgres?.stop();
    await chain?.stop();
    if (process.env.ECP_INDEXER_TIMINGS) console.log(timings.join("\n"));
  });

  it("indexes every event, and every head, slot and pointer equals the contracts' own views", async function () {
    pglite = await indexerOn(chain, { dataDir: path.join(chain.dir, "pglite-a") });
    await timed("PGlite: start and index", () => caughtUp(pglite, chain.client));
    const status = (await api(pglite.url, "/status")).data;
    expect(status).to.include({ streams: 4, finalizedObservations: 18, equivocations: 2 });
    const compared = await crossCheck(pglite.url, chain);
    expect(compared).to.be.greaterThan(100);
    first = await snapshot(pglite.url);
    // Every item says whether it is final, against the chain's own `finalized` block.
    const finalized = (await chain.client.getBlock({ blockTag: "finalized" })).number;
    const items = marked(first);
    for (const item of items)
      expect(item.finalized).to.equal(BigInt(item.blockNumber) <= finalized);
    expect(items.filter((i) => i.finalized).length).to.be.greaterThan(20);
    expect(items.filter((i) => !i.finalized).length).to.be.greaterThan(20);
  });

  it("answers ledger:status exactly as the ledger's logs and views do", async function () {
    const ledger = {
      address: chain.deployments.EveryChannelObservationLedger.address as Address,
      abi: abis.ledger,
    };
    const fromLogs = await readLedgerStatus({
      ledger: createLedgerClient({ publicClient: chain.client, ledger }),
      fromBlock: BigInt(chain.deployments.EveryChannelObservationLedger.blockNumber),
    });
    const fromIndexer = await readLedgerStatusFromIndexer(
      new IndexerClient(pglite.url),
      ledger.address,
    );
    expect(fromIndexer.streams).to.deep.equal(fromLogs.streams);
    expect(fromIndexer.equivocations).to.deep.equal(fromLogs.equivocations);
    expect(fromIndexer.fromBlock).to.equal(fromLogs.fromBlock);
    expect(fromIndexer.toBlock).to.equal(fromLogs.toBlock);
    expect(fromLogs.streams.some((s) => s.open.some((slot) => slot.contested))).to.be.true;
    expect(fromLogs.streams.some((s) => s.open.some((slot) => slot.outcome === "expired"))).to.be
      .true;
    // `status=unfinalized`, which it reads, is every slot but the finalized ones.
    for (const stream of fromLogs.streams) {
      const slots = async (status: string) =>
        (await api(pglite.url, `/streams/${stream.streamHash}/slots?status=${status}&limit=1000`))
          .data as { slot: string; outcome: string }[];
      const [all, unfinalized] = await Promise.all([slots("all"), slots("unfinalized")]);
      expect(unfinalized.map((x) => x.slot)).to.deep.equal(
        all.filter((x) => x.outcome !== "finalized").map((x) => x.slot),
      );
    }
  });

  it("runs as `indexer:run` on PostgreSQL (DATABASE_URL) and answers the same as on PGlite", async function () {
    const onPostgres = await indexerRunTask(
      chain,
      // A bounded heap (Ponder's row cache is a fifth of it): the answers do not change.
      ["--data", path.join(chain.dir, "postgres-a"), "--schema", "ecp_a", "--heap", "256"],
      postgres.url,
    );
    try {
      await timed("indexer:run on PostgreSQL: start and index", () =>
        caughtUp(onPostgres, chain.client),
      );
      expect(await snapshot(onPostgres.url)).to.deep.equal(first);
      expect(await crossCheck(onPostgres.url, chain)).to.be.greaterThan(100);
      // The operators' views answer from the indexer as they do from logs.
      const [statusLogs, statusIndexer, railLogs, railIndexer] = await Promise.all([
        hardhat(["--network", "anvil", "ledger:status", "--json"], chain.env),
        hardhat(
          ["--network", "anvil", "ledger:status", "--json", "--indexer", onPostgres.url],
          chain.env,
        ),
        hardhat(["--network", "anvil", "rail:show", "--json"], chain.env),
        hardhat(
          ["--network", "anvil", "rail:show", "--json", "--indexer", onPostgres.url],
          chain.env,
        ),
      ]);
      for (const run of [statusLogs, statusIndexer, railLogs, railIndexer])
        expect(run.code, run.output).to.equal(0);
      const ledger = (text: string) => {
        const { streams, equivocations } = JSON.parse(text);
        return { streams, equivocations };
      };
      expect(ledger(statusIndexer.output)).to.deep.equal(ledger(statusLogs.output));
      const rail = (text: string) => JSON.parse(text).streams;
      expect(rail(railIndexer.output)).to.deep.equal(rail(railLogs.output));
      expect(rail(railLogs.output).length).to.equal(2);
      // A refusal leaves the answer's read-only transaction as a value: Ponder's query builder
      // retries a transaction that throws (nine times with back-off, about a minute on PostgreSQL).
      await expectRefusals(onPostgres.url);
      expect(onPostgres.output()).to.not.contain("Failed database query");
      expect(await onPostgres.stop()).to.equal(0);
    } finally {
      await onPostgres.stop();
    }
  });

  it("refuses a network without deployment records or a bad parameter, naming it", async function () {
    const run = await hardhat(["--network", "anvil", "indexer:run", "--listen", "nowhere"], {
      ...chain.env,
    });
    expect(run.code).to.equal(1);
    expect(run.output).to.include(
      'listen: expected host:port, e.g. 127.0.0.1:42069 (got "nowhere")',
    );
    const heap = await hardhat(["--network", "anvil", "indexer:run", "--heap", "64"], chain.env);
    expect(heap.code).to.equal(1);
    expect(heap.output).to.include('heap: must be from 128 to 1048576 (got "64")');
    const rows = await hardhat(
      ["--network", "anvil", "indexer:run", "--bulk-state-rows", "0"],
      chain.env,
    );
    expect(rows.code).to.equal(1);
    expect(rows.output).to.include('bulk-state-rows: must be from 1 to 10000000 (got "0")');
    const none = await hardhat(["--network", "anvil", "indexer:run"], {
      ...chain.env,
      ECP_DEPLOYMENTS_DIR: path.join(chain.dir, "no-deployments"),
    });
    expect(none.code).to.equal(1);
    expect(none.output).to.include("no EveryChannelWitnessRegistry deployment record");
  });

  it("rebuilds exactly the same state after its database is deleted", async function () {
    await dropDatabase(postgres.url, "ecp_a");
    const again = await indexerOn(chain, {
      dataDir: path.join(chain.dir, "postgres-a"),
      databaseUrl: postgres.url,
      schema: "ecp_a",
    });
    try {
      await timed("PostgreSQL: rebuild from nothing", () => caughtUp(again, chain.client));
      expect(await snapshot(again.url)).to.deep.equal(first);
    } finally {
      await again.stop();
    }
  });

  it("backfills the finalized range in bulk to exactly the state Ponder's own backfill gives", async function () {
    // The first indexer took round 0 (below `finalized`) in bulk and the rest event by event.
    const bulk = /Completed bulk backfill of blocks (\d+) to (\d+): (\d+) events/.exec(
      pglite.output(),
    );
    expect(bulk, pglite.output()).to.not.equal(null);
    const through = BigInt(bulk![2]!);
    const logs = await chain.client.getLogs({
      address: INDEXED_CONTRACTS.map((c) => chain.deployments[c].address as Address),
      fromBlock: BigInt(bulk![1]!),
      toBlock: through,
    });
    expect(Number(bulk![3])).to.equal(logs.length).and.to.be.greaterThan(30);
    expect(Number(through)).to.be.lessThan(Number(await chain.client.getBlockNumber()));
    const ponder = await indexerOn(chain, {
      dataDir: path.join(chain.dir, "pglite-ponder"),
      backfill: "ponder",
    });
    try {
      await timed("PGlite, Ponder's own backfill", () => caughtUp(ponder, chain.client));
      expect(ponder.output()).to.not.include("bulk backfill");
      expect(await snapshot(ponder.url)).to.deep.equal(first);
    } finally {
      await ponder.stop();
    }
  });

  it("resumes a backfill killed midway and ends in the same state", async function () {
    // A proxy in front of anvil slows each eth_getLogs request (5 blocks each) so that the kill
    // lands while the backfill is still running.
    let getLogs = 0;
    const proxy = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const slow = body.includes("eth_getLogs");
        if (slow) getLogs += 1;
        setTimeout(
          () => {
            fetch(chain.node.url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            })
              .then(async (answer) => {
                response.writeHead(answer.status, { "content-type": "application/json" });
                response.end(await answer.text());
              })
              .catch(() => response.destroy());
          },
          slow ? 150 : 0,
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const dataDir = path.join(chain.dir, "postgres-b");
    const options = { dataDir, databaseUrl: postgres.url, schema: "ecp_b" };
    try {
      // No RPC cache either (ponder_sync): the backfill fetches every range through the proxy.
      await dropDatabase(postgres.url, "ecp_b");
      const killed = await indexerOn(chain, {
        ...options,
        rpcUrl: proxyUrl,
        ethGetLogsBlockRange: 5,
      });
      const latest = await chain.client.getBlockNumber();
      while (getLogs < Number(latest) / 5 / 3) await new Promise((r) => setTimeout(r, 50));
      const ready = await fetch(`${killed.url}/ready`)
        .then((r) => r.status)
        .catch(() => 0);
      expect(await killed.stop("SIGKILL")).to.equal(null);
      expect(ready, "killed after the backfill").to.not.equal(200);
      const resumed = await indexerOn(chain, options);
      try {
        await timed("PostgreSQL: resume after a kill", () => caughtUp(resumed, chain.client));
        expect(await snapshot(resumed.url)).to.deep.equal(first);
      } finally {
        await resumed.stop();
      }
    } finally {
      proxy.close();
    }
  });

  it("refuses a second indexer on the same data folder", async function () {
    let refused: unknown;
    try {
      await indexerOn(chain, { dataDir: pglite.dataDir });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.include(`is in use by indexer process`);
  });

  it("refuses a heap too small for Ponder before writing anything", async function () {
    const dataDir = path.join(chain.dir, "heap-refused");
    let refused: unknown;
    try {
      await indexerOn(chain, { dataDir, heapMiB: 100 });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.include("heap: must be whole MiB from 128 to 1048576 (got 100)");
    expect(existsSync(dataDir)).to.equal(false);
  });

  it("refuses to start in bulk without the node's finalized block, in one line, leaving no bulk range behind", async function () {
    const dataDir = path.join(chain.dir, "no-node");
    let refused: unknown;
    try {
      // A port nothing listens on: the node cannot be asked for its finalized block.
      await indexerOn(chain, { dataDir, rpcUrl: "http://127.0.0.1:9" });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(
      /cannot read the node's finalized block to choose the bulk range \(.*\); a node without a finalized block needs --backfill ponder$/,
    );
    expect(existsSync(path.join(dataDir, "bulk-range.pglite.json"))).to.equal(false);
    expect(existsSync(path.join(dataDir, "indexer.lock"))).to.equal(false);
  });

  it("validates parameters and names the one at fault", async function () {
    await expectRefusals(pglite.url);
  });

  it("pages every list without losing or repeating an item", async function () {
    const whole = await api(pglite.url, "/events/observation_attested?limit=1000");
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const body = await api(
        pglite.url,
        `/events/observation_attested?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      paged.push(...body.data);
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged).to.deep.equal(whole.data);
    expect(paged.length).to.be.greaterThan(10);
  });

  it("takes a whole history in bulk once it is finalized, registry changes included, and answers as the indexer that followed it", async function () {
    await mine(chain, 70);
    await caughtUp(pglite, chain.client);
    const followed = await snapshot(pglite.url);
    const fresh = await indexerOn(chain, { dataDir: path.join(chain.dir, "pglite-all-bulk") });
    try {
      await timed("PGlite, all in bulk", () => caughtUp(fresh, chain.client));
      const bulk = /Completed bulk backfill of blocks \d+ to (\d+): (\d+) events/.exec(
        fresh.output(),
      );
      expect(bulk, fresh.output()).to.not.equal(null);
      const rotated = await chain.client.getContractEvents({
        address: chain.deployments.EveryChannelWitnessRegistry.address as Address,
        abi: abis.registry,
        eventName: "WitnessRotated",
        fromBlock: 0n,
      });
      expect(rotated.length).to.equal(1);
      expect(Number(bulk![1])).to.be.greaterThanOrEqual(Number(rotated[0]!.blockNumber));
      expect(await snapshot(fresh.url)).to.deep.equal(followed);
    } finally {
      await fresh.stop();
    }
  });

  it("keeps at most bulkStateRows state rows in memory, reading dropped ones back, and answers the same (PostgreSQL)", async function () {
    await caughtUp(pglite, chain.client);
    const followed = await snapshot(pglite.url);
    // One state row and 4 blocks per range: after every range every state row is written and
    // dropped, and each later event on a slot, stream, witness or rail record reads its row back.
    const bounded = await indexerOn(chain, {
      dataDir: path.join(chain.dir, "pg-bounded"),
      databaseUrl: postgres.url,
      schema: "ecp_bounded",
      bulkStateRows: 1,
      ethGetLogsBlockRange: 4,
    });
    try {
      await timed("PostgreSQL, all in bulk, one state row", () => caughtUp(bounded, chain.client));
      const line =
        /Completed bulk backfill of blocks \d+ to \d+: (\d+) events .*; (\d+) state rows read back\)/.exec(
          bounded.output(),
        );
      expect(line, bounded.output()).to.not.equal(null);
      expect(Number(line![2])).to.be.greaterThan(20);
      expect(await snapshot(bounded.url)).to.deep.equal(followed);
    } finally {
      await bounded.stop();
    }
  });
});
