/**
 * The settlement indexer's benchmark (`npm run bench:indexer`, or `npx hardhat run
 * scripts/bench/indexer.ts`): on a local anvil chain grown to each size of `ECP_INDEXER_BENCH_SIZES`
 * finalized observations (default 1000,10000), made by relayed compact batches:
 *
 * - backfill: a fresh indexer into PGlite and into PostgreSQL (`lib/node/postgres.ts`), ledger
 *   events per second from Ponder's "Started backfill" log line to the tip indexed, and the peak RSS
 *   of the Ponder process (`VmHWM`, with `VmRSS` sampled every 250 ms);
 * - `ledger:status` through the indexer (`readLedgerStatusFromIndexer`) against through the logs
 *   (`readLedgerStatus`), median of 3;
 * - the API under load: `autocannon` at 200 requests/s on loopback on a stream's head and a slot;
 * - a new block to the API: from a finalizing transaction's receipt to the stream's new head in
 *   `/v1/streams/:streamHash` (the indexer's default 1,000 ms polling of the node);
 * - with `ECP_INDEXER_BENCH_CPU_PROFILE=<folder>`, where the backfill's CPU time goes: the Ponder
 *   process runs under `node --cpu-prof`, and its samples within the backfill are summed by origin
 *   and function (`scripts/bench/cpu-profile.ts`).
 *
 * - `ECP_INDEXER_BENCH_FLOOR=1`: also Ponder's floor, the same backfill by `indexer-floor/` (handlers
 *   that do nothing); `ECP_INDEXER_BENCH_HEAP_MIB`: the indexer's `--heap`; `ECP_INDEXER_BENCH_KEEP=1`:
 *   the sizes of the last report that this run does not measure stay in it.
 *
 * Writes `reports/indexer.json` and `reports/INDEXER.md`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import hre from "hardhat";
import pg from "pg";
import type { Hex } from "viem";

import { IndexerClient, readLedgerStatusFromIndexer } from "../../lib/indexer/client";
import {
  buildIndexerConfig,
  defaultHeapMiB,
  startIndexer,
  waitUntilReady,
  type RunningIndexer,
} from "../../lib/indexer/run";
import { freePort } from "../../lib/node/anvil";
import { startPostgres, type StartPostgresReturnType } from "../../lib/node/postgres";
import { createLedgerClient } from "../../lib/ledger/client";
import { readLedgerStatus } from "../../lib/operator/ledger-status";
import { readLogs } from "../../lib/rpc/logs";
import { readIndexerBench, type IndexerBench } from "./indexer-report";
import {
  monotonicUs,
  readCpuProfile,
  summarizeCpuProfile,
  type ProfileSummary,
} from "./cpu-profile";
import {
  INDEXER_BENCH_CHAIN_ID,
  finalizeEpochs,
  indexerBenchChain,
  ledgerHead,
  mineBlocks,
  streamCursor,
  type HeaderChainCursor,
  type IndexerBenchChain,
} from "./indexer-chain";

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
}
// autocannon ships no type declarations: the fields read here are typed above.
const autocannon = require("autocannon") as (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate: number;
  ignoreCoordinatedOmission: boolean;
  requests?: { setupRequest: (request: { path: string }) => { path: string } }[];
}) => Promise<AutocannonResult>;

const STREAMS = 10;
const LOAD_RATE = 200;
const LOAD_SECONDS = Number(process.env.ECP_INDEXER_BENCH_LOAD_SECONDS ?? 10);
const LOAD_WARMUP_SECONDS = 2;
const NEW_BLOCK_SAMPLES = 5;
const REPORT_DIR = path.join(__dirname, "..", "..", "reports");
/** Folder for the Ponder processes' CPU profiles; unset: no profiling. */
const PROFILE_DIR = process.env.ECP_INDEXER_BENCH_CPU_PROFILE;
/** `--heap` of the indexer (MiB); unset: what `indexer:run` gives each database (`defaultHeapMiB`). */
const HEAP_MIB =
  process.env.ECP_INDEXER_BENCH_HEAP_MIB === undefined
    ? undefined
    : Number(process.env.ECP_INDEXER_BENCH_HEAP_MIB);
const heapFor = (kind: "pglite" | "postgres") => HEAP_MIB ?? defaultHeapMiB(kind);
/** Also time Ponder's floor: the same backfill with handlers that do nothing (`indexer-floor/`). */
const FLOOR = process.env.ECP_INDEXER_BENCH_FLOOR === "1";
const FLOOR_APP_DIR = path.join(__dirname, "indexer-floor");

function sizes(): number[] {
  const raw = process.env.ECP_INDEXER_BENCH_SIZES ?? "1000,10000";
  const out = raw.split(",").map((s) => Number(s.trim()));
  for (const [i, n] of out.entries())
    if (!Number.isInteger(n) || n < STREAMS || (i > 0 && n <= out[i - 1]!))
      throw new Error(
        `ECP_INDEXER_BENCH_SIZES: ${raw}: expected increasing integers of at least ${STREAMS}`,
      );
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `VmRSS` and `VmHWM` of a process, in MiB. */
async function memory(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

interface Backfill {
  database: "pglite" | "postgres";
  heapMiB?: number;
  events: number;
  startupMs: number;
  backfillMs: number;
  eventsPerSecond: number;
  rssSamplesMiB: number[];
  peakRssMiB: number;
  /** The bulk backfill's own line: its blocks, events and time (absent on Ponder's floor). */
  bulk?: {
    throughBlock: number;
    events: number;
    ms: number;
    logsMs: number;
    handlersMs: number;
    writesMs: number;
  };
}

/** Starts a fresh indexer and times its backfill; the indexer is left running. */
async function backfill(
  chain: IndexerBenchChain,
  events: number,
  database: { kind: "pglite"; dir: string } | { kind: "postgres"; url: string; dir: string },
  profileDir?: string,
  appDir?: string,
): Promise<{
  indexer: RunningIndexer;
  figures: Backfill;
  window: { fromUs: number; toUs: number };
}> {
  const started = Date.now();
  const startedUs = monotonicUs();
  if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
  const indexer = await startIndexer({
    config: buildIndexerConfig({
      network: "anvil",
      chainId: INDEXER_BENCH_CHAIN_ID,
      rpcUrl: chain.node.url,
      deployments: chain.deployments,
      dataDir: database.dir,
      ...(database.kind === "postgres" ? { databaseUrl: database.url } : {}),
    }),
    dataDir: database.dir,
    listen: { host: "127.0.0.1", port: await freePort() },
    schema: "every_channel",
    ...(database.kind === "postgres" ? { databaseUrl: database.url } : {}),
    output: "pipe",
    logLevel: "info",
    ...(heapFor(database.kind) === undefined ? {} : { heapMiB: heapFor(database.kind) }),
    // Ponder's floor (another app) indexes everything itself; the indexer takes the finalized range in bulk.
    ...(appDir === undefined
      ? { backfill: "bulk" as const }
      : { appDir, backfill: "ponder" as const }),
    ...(profileDir === undefined
      ? {}
      : { nodeOptions: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] }),
  });
  let output = "";
  let backfillStarted: number | undefined;
  let bulk: Backfill["bulk"];
  let backfillStartedUs: number | undefined;
  indexer.child.stdout?.on("data", (d: Buffer) => {
    output = (output + d).slice(-4000);
    const done =
      /Completed bulk backfill of blocks \d+ to (\d+): (\d+) events in (\d+) ms .*?waiting for logs (\d+) ms, decoding and handlers (\d+) ms, waiting for writes (\d+) ms/.exec(
        output,
      );
    if (done !== null && bulk === undefined)
      bulk = {
        throughBlock: Number(done[1]),
        events: Number(done[2]),
        ms: Number(done[3]),
        logsMs: Number(done[4]),
        handlersMs: Number(done[5]),
        writesMs: Number(done[6]),
      };
    if (backfillStarted === undefined && /Started (fetching |bulk )?backfill/.test(output)) {
      backfillStarted = Date.now();
      backfillStartedUs = monotonicUs();
    }
  });
  indexer.child.stderr?.on("data", (d: Buffer) => (output = (output + d).slice(-4000)));
  const samples: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = await memory(indexer.child.pid!);
      if (m !== undefined) samples.push(Math.round(m.rss));
      await sleep(250);
    }
  })();
  try {
    await waitUntilReady(indexer, 1_800_000);
    const latest = await chain.bench.publicClient.getBlockNumber();
    for (;;) {
      const status = (await (await fetch(`${indexer.url}/v1/status`)).json()) as {
        chain: { indexedBlock: string };
      };
      if (BigInt(status.chain.indexedBlock) >= latest) break;
      await sleep(20);
    }
    const ready = Date.now();
    const readyUs = monotonicUs();
    const healthy = backfillStarted ?? started;
    const peak = (await memory(indexer.child.pid!))?.peak ?? Math.max(...samples);
    const backfillMs = ready - healthy;
    return {
      indexer,
      window: { fromUs: backfillStartedUs ?? startedUs, toUs: readyUs },
      figures: {
        database: database.kind,
        ...(heapFor(database.kind) === undefined ? {} : { heapMiB: heapFor(database.kind) }),
        events,
        startupMs: healthy - started,
        backfillMs,
        eventsPerSecond: Math.round((events * 1000) / Math.max(backfillMs, 1)),
        rssSamplesMiB: samples.filter((_, i) => i % 4 === 0),
        peakRssMiB: Math.round(peak),
        ...(bulk === undefined ? {} : { bulk }),
      },
    };
  } catch (error) {
    await indexer.stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  } finally {
    sampling = false;
    await sampler;
  }
}

/**
 * `autocannon` at `LOAD_RATE` requests/s over 10 connections on `url`, or on each of `paths` in
 * turn (each made distinct by `?n=`, so that no answer comes from the API's cache). autocannon's
 * rate sends each connection's share of a second back to back at the start of the second, and
 * its coordinated-omission correction takes the expected interval as `ceil(1 / rate)` ms (1 ms at
 * 20 per connection), counting a 50 ms answer as 50 samples: it is off, so each figure is one
 * request's latency. The first `LOAD_WARMUP_SECONDS` of each load are not counted.
 */
async function load(
  url: string,
  paths?: readonly string[],
): Promise<{
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  failures: number;
}> {
  let next = 0;
  const run = (duration: number) =>
    autocannon({
      url,
      connections: 10,
      duration,
      overallRate: LOAD_RATE,
      ignoreCoordinatedOmission: true,
      ...(paths === undefined
        ? {}
        : {
            requests: [
              {
                setupRequest: (request) => ({
                  ...request,
                  path: `${paths[next % paths.length]}?n=${next++}`,
                }),
              },
            ],
          }),
    });
  // Warm-up, not counted: the API's connections to the database open, its code is compiled.
  await run(LOAD_WARMUP_SECONDS);
  const result = await run(LOAD_SECONDS);
  return {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    failures: result.non2xx + result.errors,
  };
}

async function timed(run: () => Promise<unknown>, times = 3): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return Math.round(median(ms));
}

/** From a finalizing transaction's receipt to the new head in the API, `samples` times. */
async function newBlockToApi(
  chain: IndexerBenchChain,
  indexer: RunningIndexer,
  cursor: HeaderChainCursor,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < NEW_BLOCK_SAMPLES; i++) {
    await sleep(300 + 170 * i); // spread the samples over the polling interval
    await finalizeEpochs(chain, cursor, 1, chain.witnesses);
    const mined = Date.now();
    const want = (cursor.sequence - 1n).toString();
    for (;;) {
      const body = (await (
        await fetch(`${indexer.url}/v1/streams/${cursor.streamHash}`)
      ).json()) as { data: { head: { sequence: string } | null } };
      if (body.data.head?.sequence === want) break;
      if (Date.now() - mined > 30_000) throw new Error(`new head ${want} not served in 30 s`);
      await sleep(10);
    }
    out.push(Date.now() - mined);
  }
  return out;
}

async function ledgerEvents(chain: IndexerBenchChain): Promise<number> {
  const logs = await readLogs({
    publicClient: chain.bench.publicClient,
    address: chain.ledger.ledger,
    fromBlock: BigInt(chain.deployments.EveryChannelObservationLedger.blockNumber),
  });
  return logs.length;
}

async function freshDatabase(admin: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** Ponder's floor: a fresh backfill of the same chain by `indexer-floor/` (handlers that do nothing). */
async function floorBackfill(
  chain: IndexerBenchChain,
  events: number,
  kind: "pglite" | "postgres",
  target: number,
  work: string,
  postgres: StartPostgresReturnType,
) {
  const dir = path.join(work, `${kind}-${target}-floor`);
  const database =
    kind === "pglite"
      ? { kind, dir }
      : { kind, dir, url: await freshDatabase(postgres.url, `bench_${target}_floor`) };
  const profileDir =
    PROFILE_DIR === undefined ? undefined : path.resolve(PROFILE_DIR, `${kind}-${target}-floor`);
  const { indexer, figures, window } = await backfill(
    chain,
    events,
    database,
    profileDir,
    FLOOR_APP_DIR,
  );
  await indexer.stop();
  console.log(
    `  ${kind}, Ponder's floor: backfill ${figures.backfillMs} ms (${figures.eventsPerSecond} events/s), peak RSS ${figures.peakRssMiB} MiB`,
  );
  const profile =
    profileDir === undefined
      ? undefined
      : summarizeCpuProfile(await readCpuProfile(profileDir), window);
  return {
    backfillMs: figures.backfillMs,
    eventsPerSecond: figures.eventsPerSecond,
    peakRssMiB: figures.peakRssMiB,
    rssSamplesMiB: figures.rssSamplesMiB,
    ...(profile === undefined ? {} : { profile }),
  };
}

async function main() {
  const targets = sizes();
  const runStarted = Date.now();
  const chain = await indexerBenchChain(hre, { witnesses: 1, quorum: 1 });
  let postgres: StartPostgresReturnType | undefined;
  const work = await mkdtemp(path.join(os.tmpdir(), "ecp-indexer-bench-"));
  const results = [];
  try {
    postgres = await startPostgres();
    const cursors = Array.from({ length: STREAMS }, (_, i) => streamCursor(`indexer bench ${i}`));
    let made = 0;
    for (const target of targets) {
      const generationStarted = Date.now();
      const each = Math.floor((target - made) / STREAMS);
      let transactions = 0;
      for (const [i, cursor] of cursors.entries()) {
        const count = i === 0 ? target - made - each * (STREAMS - 1) : each;
        transactions += await finalizeEpochs(chain, cursor, count, chain.witnesses);
      }
      made = target;
      // Below anvil's `finalized` block (the tip - 64): indexed by the backfill, not block by block.
      await mineBlocks(chain, 70);
      const generationMs = Date.now() - generationStarted;
      const head = await ledgerHead(chain, cursors[0]!.streamHash);
      const events = await ledgerEvents(chain);
      console.log(
        `${target} finalized (${transactions} transactions, ${generationMs} ms); stream 0 head ${head.sequence}; ${events} ledger events`,
      );

      const ledger = { address: chain.ledger.ledger, abi: chain.ledger.artifacts.ledger.abi };
      const fromBlock = BigInt(chain.deployments.EveryChannelObservationLedger.blockNumber);
      const statusFromLogsMs = await timed(() =>
        readLedgerStatus({
          ledger: createLedgerClient({ publicClient: chain.bench.publicClient, ledger }),
          fromBlock,
        }),
      );

      const perDatabase = [];
      for (const kind of ["pglite", "postgres"] as const) {
        const dir = path.join(work, `${kind}-${target}`);
        const database =
          kind === "pglite"
            ? { kind, dir }
            : { kind, dir, url: await freshDatabase(postgres.url, `bench_${target}`) };
        const profileDir =
          PROFILE_DIR === undefined ? undefined : path.resolve(PROFILE_DIR, `${kind}-${target}`);
        const { indexer, figures, window } = await backfill(chain, events, database, profileDir);
        let profile: ProfileSummary | undefined;
        try {
          console.log(
            `  ${kind}: backfill ${figures.backfillMs} ms (${figures.eventsPerSecond} events/s), startup ${figures.startupMs} ms, peak RSS ${figures.peakRssMiB} MiB`,
          );
          const client = new IndexerClient(indexer.url);
          const statusFromIndexerMs = await timed(() =>
            readLedgerStatusFromIndexer(client, ledger.address),
          );
          const links = (await (
            await fetch(`${indexer.url}/v1/streams/${cursors[1]!.streamHash}/chain?limit=1000`)
          ).json()) as { data?: { slot: Hex }[] };
          const slot = links.data?.[0]?.slot;
          if (slot === undefined) throw new Error(`no slot in ${JSON.stringify(links)}`);
          const headLoad = await load(`${indexer.url}/v1/streams/${cursors[0]!.streamHash}`);
          const slotLoad = await load(`${indexer.url}/v1/slots/${slot}`);
          const slotsLoad = await load(
            indexer.url,
            links.data!.map((link) => `/v1/slots/${link.slot}`),
          );
          const newBlockMs = await newBlockToApi(chain, indexer, cursors[0]!);
          made += NEW_BLOCK_SAMPLES;
          console.log(
            `  ${kind}: ledger:status ${statusFromIndexerMs} ms via indexer vs ${statusFromLogsMs} ms via logs; head p50/p99 ${headLoad.p50}/${headLoad.p99} ms; slot p50/p99 ${slotLoad.p50}/${slotLoad.p99} ms; distinct slots p50/p99 ${slotsLoad.p50}/${slotsLoad.p99} ms; new block to API ${newBlockMs.join(", ")} ms`,
          );
          await indexer.stop();
          if (profileDir !== undefined) {
            profile = summarizeCpuProfile(await readCpuProfile(profileDir), window);
            console.log(
              `  ${kind}: backfill CPU profile (${profile.sampledMs} ms sampled): ${profile.origins
                .slice(0, 6)
                .map((o) => `${o.name} ${(o.share * 100).toFixed(0)} %`)
                .join(", ")}`,
            );
          }
          const floor = FLOOR
            ? await floorBackfill(chain, events, kind, target, work, postgres)
            : undefined;
          perDatabase.push({
            ...figures,
            ...(floor === undefined ? {} : { floor }),
            statusFromIndexerMs,
            load: { head: headLoad, slot: slotLoad, slots: slotsLoad },
            newBlockToApiMs: newBlockMs,
            ...(profile === undefined ? {} : { profile }),
          });
        } finally {
          await indexer.stop();
        }
      }
      results.push({
        measuredAt: new Date().toISOString(),
        loadAverage: os.loadavg()[0],
        finalized: target,
        ledgerEvents: events,
        generation: { transactions, ms: generationMs },
        statusFromLogsMs,
        databases: perDatabase,
      });
    }
  } finally {
    await postgres?.stop();
    await chain.stop();
    await rm(work, { recursive: true, force: true });
  }
  // ECP_INDEXER_BENCH_KEEP=1: the sizes of the last report this run did not measure stay in it.
  const previous =
    process.env.ECP_INDEXER_BENCH_KEEP === "1" ? readIndexerBench(REPORT_DIR) : undefined;
  const kept = (previous?.results ?? [])
    .filter((r) => !targets.includes(r.finalized))
    .map((r) => ({ measuredAt: previous!.measuredAt, loadAverage: previous!.loadAverage, ...r }));
  const all = [...kept, ...results].sort((a, b) => a.finalized - b.finalized);
  const run = {
    measuredAt: new Date(runStarted).toISOString(),
    durationMs: Date.now() - runStarted,
    command: "npm run bench:indexer",
    sizes: all.map((r) => r.finalized),
    streams: STREAMS,
    loadRate: LOAD_RATE,
    loadSeconds: LOAD_SECONDS,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    loadAverage: os.loadavg()[0],
    node: process.version,
    results: all,
  };
  await writeFile(path.join(REPORT_DIR, "indexer.json"), `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(path.join(REPORT_DIR, "INDEXER.md"), renderReport(run));
  console.log(`wrote reports/indexer.json and reports/INDEXER.md`);
}

type Run = IndexerBench;

function renderReport(run: Run): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const rows = (
    f: (r: Run["results"][number], d: Run["results"][number]["databases"][number]) => string,
  ) => run.results.flatMap((r) => r.databases.map((d) => f(r, d))).join("\n");
  return `# Settlement indexer: benchmark

Measured ${run.measuredAt} with \`npm run bench:indexer\` (\`scripts/bench/indexer.ts\`) in
${Math.round(run.durationMs / 1000)} s on ${run.cores} × ${run.cpu} (load average ${run.loadAverage?.toFixed(1)} at the end),
Node ${run.node}. Chain: a local anvil node; ${run.streams} ledger streams whose observations are finalized by
relayed compact batches of 500 (one \`ObservationProposedAndFinalized\` each, one witness, quorum 1).
Sizes: ${run.sizes.map(n).join(", ")} finalized observations. Figures are one run; the machine is shared.
${measuredApart(run)}
## Backfill

A fresh indexer on the whole chain, as \`indexer:run\` starts it: the chain's finalized range (the
tip − 64 on anvil) in bulk (\`--backfill bulk\`, \`indexer/src/bulk.ts\`), Ponder from the block after it.
Rate: ledger events over the time from the first "Started … backfill" log line (Ponder's or the bulk's) to the
API's indexed block reaching the chain's tip (the startup before it — Ponder's build,
database and schema setup — is shown apart). "bulk": the bulk backfill's own line: events it indexed, its time, and of that time the waits for \`eth_getLogs\`
answers, decoding and handlers, and the waits for the database's writes (the writes run beside the handlers).
RSS: the Ponder process (PGlite runs inside it; PostgreSQL does not), peak \`VmHWM\`.
Heap: the Ponder process's \`--heap\` (MiB; Ponder caches rows in a fifth of it), as \`indexer:run\` gives it
unless \`ECP_INDEXER_BENCH_HEAP_MIB\` says otherwise; "node": Node's own limit (${n(Math.round(v8.getHeapStatistics().heap_size_limit / 1048576))} MiB here).

| finalized | database | heap (MiB) | ledger events | startup (ms) | backfill (ms) | events/s | bulk: events / ms (logs / handlers / writes) | peak RSS (MiB) |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
${rows((r, d) => `| ${n(r.finalized)} | ${d.database} | ${d.heapMiB === undefined ? "node" : n(d.heapMiB)} | ${n(d.events)} | ${n(d.startupMs)} | ${n(d.backfillMs)} | ${n(d.eventsPerSecond)} | ${d.bulk === undefined ? "–" : `${n(d.bulk.events)} / ${n(d.bulk.ms)}${d.bulk.logsMs === undefined ? "" : ` (${n(d.bulk.logsMs)} / ${n(d.bulk.handlersMs ?? 0)} / ${n(d.bulk.writesMs ?? 0)})`}`} | ${d.peakRssMiB} |`)}

RSS samples over the backfill (MiB, one per second):

${rows((r, d) => `- ${n(r.finalized)}, ${d.database}: ${d.rssSamplesMiB.join(" ")}`)}
${renderFloor(run)}
## \`ledger:status\`: through the indexer and through the logs

\`readLedgerStatusFromIndexer\` (the \`/v1\` API) against \`readLedgerStatus\` (every ledger log from
the deployment block, through \`eth_getLogs\`), median of 3.

| finalized | database | via indexer (ms) | via logs (ms) | logs / indexer |
|---:|---|---:|---:|---:|
${rows((r, d) => `| ${n(r.finalized)} | ${d.database} | ${n(d.statusFromIndexerMs)} | ${n(r.statusFromLogsMs)} | ${(r.statusFromLogsMs / Math.max(d.statusFromIndexerMs, 1)).toFixed(1)}× |`)}

## The API under load

\`autocannon\`, 10 connections, ${LOAD_RATE} requests/s for ${LOAD_SECONDS} s each on loopback, while the chain
stands still: a stream's head (\`/v1/streams/:streamHash\`) and a slot (\`/v1/slots/:slot\`), the same
request over and over, which the API answers from its cache (\`docs/indexer.md\`) after one
\`SELECT pg_current_snapshot()\`; and up to 1,000 distinct slots in turn, each request made distinct
by \`?n=\`, which the API reads from the index each time. autocannon sends each connection's share of a
second back to back at the start of the second (bursts of 10 at once); its coordinated-omission
correction is off (at this rate it counts a 50 ms answer as 50 samples), so each figure is one
request's latency. Each load starts with ${LOAD_WARMUP_SECONDS} s at the same rate that are not counted (the API's
connections to the database open, its code is compiled). Goal: p99 ≤ 20 ms.

| finalized | database | head p50 / p99 / max (ms) | slot p50 / p99 / max (ms) | distinct slots p50 / p99 / max (ms) | requests | failures |
|---:|---|---:|---:|---:|---:|---:|
${rows((r, d) => `| ${n(r.finalized)} | ${d.database} | ${d.load.head.p50} / ${d.load.head.p99} / ${d.load.head.max} | ${d.load.slot.p50} / ${d.load.slot.p99} / ${d.load.slot.max} | ${d.load.slots === undefined ? "–" : `${d.load.slots.p50} / ${d.load.slots.p99} / ${d.load.slots.max}`} | ${n(d.load.head.requests + d.load.slot.requests + (d.load.slots?.requests ?? 0))} | ${d.load.head.failures + d.load.slot.failures + (d.load.slots?.failures ?? 0)} |`)}

## A new block to the API

From the receipt of a transaction that finalizes one observation to its stream's new head in
\`/v1/streams/:streamHash\`, with the indexer's default polling of the node every 1,000 ms. Target: ≤ 1 s.

| finalized | database | samples (ms) | median (ms) |
|---:|---|---|---:|
${rows((r, d) => `| ${n(r.finalized)} | ${d.database} | ${d.newBlockToApiMs.join(", ")} | ${median(d.newBlockToApiMs)} |`)}
${renderProfiles(run)}`;
}

/** When sizes come from runs of their own (`ECP_INDEXER_BENCH_KEEP=1`), when each was measured. */
function measuredApart(run: Run): string {
  const when = run.results.map((r) => r.measuredAt?.slice(0, 16).replace("T", " "));
  if (new Set(when).size <= 1) return "";
  return `Each size from its own run (\`ECP_INDEXER_BENCH_KEEP=1\`): ${run.results
    .map(
      (r) =>
        `${r.finalized.toLocaleString("en-US")} at ${r.measuredAt?.slice(0, 16).replace("T", " ") ?? "?"} UTC (load ${r.loadAverage?.toFixed(1) ?? "?"})`,
    )
    .join("; ")}.
`;
}

/** Ponder's floor (`ECP_INDEXER_BENCH_FLOOR=1`) beside the indexer's backfill. */
function renderFloor(run: Run): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const measured = run.results.flatMap((r) =>
    r.databases.flatMap((d) => (d.floor === undefined ? [] : [{ r, d, f: d.floor }])),
  );
  if (measured.length === 0) return "";
  return `
### Ponder's floor

The same backfill by \`scripts/bench/indexer-floor/\`, Ponder event by event over the whole chain
(\`--backfill ponder\`): the indexer's configuration, tables and API with one handler per event that
does nothing. Ponder still fetches, stores, decodes and dispatches every log, so no handlers Ponder
0.16 runs event by event reach more than this rate on the same host; the bulk backfill does not go
through it.

| finalized | database | floor: backfill (ms) | floor: events/s | indexer: events/s | indexer / floor | floor: peak RSS (MiB) |
|---:|---|---:|---:|---:|---:|---:|
${measured.map(({ r, d, f }) => `| ${n(r.finalized)} | ${d.database} | ${n(f.backfillMs)} | ${n(f.eventsPerSecond)} | ${n(d.eventsPerSecond)} | ${((100 * d.eventsPerSecond) / Math.max(f.eventsPerSecond, 1)).toFixed(0)} % | ${f.peakRssMiB} |`).join("\n")}
`;
}

/** Where each profiled backfill's CPU time went (`ECP_INDEXER_BENCH_CPU_PROFILE`). */
function renderProfiles(run: Run): string {
  const profiled = run.results.flatMap((r) =>
    r.databases.flatMap((d) => [
      ...(d.profile === undefined ? [] : [{ r, name: d.database, p: d.profile }]),
      ...(d.floor?.profile === undefined
        ? []
        : [{ r, name: `${d.database}, Ponder's floor`, p: d.floor.profile }]),
    ]),
  );
  if (profiled.length === 0) return "";
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const sections = profiled.map(
    ({ r, name, p }) => `### ${r.finalized.toLocaleString("en-US")} finalized, ${name}

${p.sampledMs.toLocaleString("en-US")} ms sampled in the Ponder process over the backfill.

| origin | self time (ms) | share |
|---|---:|---:|
${p.origins.map((o) => `| ${o.name} | ${o.ms.toLocaleString("en-US")} | ${pct(o.share)} |`).join("\n")}

| function (most self time) | ms | share |
|---|---:|---:|
${p.functions.map((f) => `| \`${f.name.replace(/\|/g, "\\|")}\` | ${f.ms.toLocaleString("en-US")} | ${pct(f.share)} |`).join("\n")}
`,
  );
  return `
## Where the backfill's CPU time goes

\`node --cpu-prof\` on the Ponder process (\`ECP_INDEXER_BENCH_CPU_PROFILE\`), samples from the
"Started … backfill" line to the tip indexed, self time summed by where the code comes from
(\`scripts/bench/cpu-profile.ts\`). PGlite runs in the process; PostgreSQL's own time does not
show here.

${sections.join("\n")}`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
