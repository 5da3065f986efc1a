/**
 * `reports/indexer.json`, written by the indexer's bench (`scripts/bench/indexer.ts`), read by the
 * main bench report (`scripts/bench/report.ts`) for its "Settlement indexer" section: one schema
 * for both.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";

const latency = z.object({
  p50: z.number(),
  p99: z.number(),
  max: z.number(),
  requests: z.number(),
  failures: z.number(),
});

const share = z.object({ name: z.string(), ms: z.number(), share: z.number() });
const profile = z.object({
  sampledMs: z.number(),
  origins: z.array(share),
  functions: z.array(share),
});

export const indexerBenchSchema = z.object({
  measuredAt: z.string(),
  durationMs: z.number(),
  sizes: z.array(z.number()),
  streams: z.number(),
  loadRate: z.number(),
  loadSeconds: z.number(),
  cpu: z.string(),
  cores: z.number(),
  loadAverage: z.number().optional(),
  node: z.string(),
  results: z.array(
    z.object({
      /** When this size was measured, and the load then (absent in reports before both). */
      measuredAt: z.string().optional(),
      loadAverage: z.number().optional(),
      finalized: z.number(),
      ledgerEvents: z.number(),
      generation: z.object({ transactions: z.number(), ms: z.number() }),
      statusFromLogsMs: z.number(),
      databases: z.array(
        z.object({
          database: z.enum(["pglite", "postgres"]),
          heapMiB: z.number().optional(),
          events: z.number(),
          startupMs: z.number(),
          backfillMs: z.number(),
          eventsPerSecond: z.number(),
          rssSamplesMiB: z.array(z.number()),
          peakRssMiB: z.number(),
          /** The bulk backfill's own figures (absent in reports before it). */
          bulk: z
            .object({
              throughBlock: z.number(),
              events: z.number(),
              ms: z.number(),
              logsMs: z.number().optional(),
              handlersMs: z.number().optional(),
              writesMs: z.number().optional(),
            })
            .optional(),
          statusFromIndexerMs: z.number(),
          /** `slots`: distinct slots, none from the API's cache (absent in reports before it). */
          load: z.object({ head: latency, slot: latency, slots: latency.optional() }),
          newBlockToApiMs: z.array(z.number()),
          profile: profile.optional(),
          floor: z
            .object({
              backfillMs: z.number(),
              eventsPerSecond: z.number(),
              peakRssMiB: z.number(),
              rssSamplesMiB: z.array(z.number()),
              profile: profile.optional(),
            })
            .optional(),
        }),
      ),
    }),
  ),
});
export type IndexerBench = z.output<typeof indexerBenchSchema>;

/** The last indexer bench in `reportsDir`, or undefined when there is none. */
export function readIndexerBench(reportsDir: string): IndexerBench | undefined {
  const file = path.join(reportsDir, "indexer.json");
  if (!existsSync(file)) return undefined;
  const parsed = indexerBenchSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** The "Settlement indexer" section of BENCH.md: the indexer beside the log scan, per size. */
export function renderIndexerSection(run: IndexerBench): string[] {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    "## Settlement indexer",
    "",
    `From \`npm run bench:indexer\` on ${run.measuredAt.slice(0, 16).replace("T", " ")} UTC (${run.cores} × ${run.cpu}, load average ${run.loadAverage?.toFixed(1) ?? "?"}); every figure and the method in [INDEXER.md](INDEXER.md). Targets: backfill ≥ 5,000 ledger events/s (the finalized range in bulk; floor: Ponder itself event by event, with handlers that do nothing), a new block in the API within 1 s, API p99 ≤ 20 ms at ${run.loadRate} requests/s; \`ledger:status\` through the indexer flat where the log scan grows.`,
    "",
    "| finalized | database | backfill events/s | new block → API, median (ms) | head p50 / p99 (ms) | slot p50 / p99 (ms) | `ledger:status` via indexer / via logs (ms) |",
    "|---:|---|---:|---:|---:|---:|---:|",
    ...run.results.flatMap((r) =>
      r.databases.map(
        (d) =>
          `| ${n(r.finalized)} | ${d.database} | ${n(d.eventsPerSecond)}${d.floor === undefined ? "" : ` (floor ${n(d.floor.eventsPerSecond)})`} | ${n(median(d.newBlockToApiMs))} | ${d.load.head.p50} / ${d.load.head.p99} | ${d.load.slot.p50} / ${d.load.slot.p99} | ${n(d.statusFromIndexerMs)} / ${n(r.statusFromLogsMs)} |`,
      ),
    ),
    "",
  ];
}
