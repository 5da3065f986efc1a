/**
 * Off-chain figures: archive lines derived per second on one core against the parse-and-hash floor,
 * and peak memory of a derivation over archives of very different sizes. Each run is a child
 * process (`offchain-worker.ts`), so its memory is its own and the chain is not in it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { writeSyntheticArchive } from "./archive-gen";
import type { BenchConfig } from "./config";

const workerResult = z.object({
  mode: z.enum(["derive", "floor", "floor-memo"]),
  lines: z.number().int(),
  wallMs: z.number(),
  linesPerSecond: z.number(),
  cpuMs: z.number(),
  linesPerCpuSecond: z.number(),
  rssBeforeBytes: z.number(),
  peakRssBytes: z.number(),
  maxRssBytes: z.number(),
});
export type WorkerResult = z.infer<typeof workerResult>;

export interface MemoryFigure {
  lines: number;
  fileBytes: number;
  /** Peak resident set size while deriving (sampled every 20 ms and every 4096 lines). */
  peakRssBytes: number;
  /** RSS after start-up, before the first line. */
  rssBeforeBytes: number;
  /**
   * `getrusage` maxrss of the child. Not a figure of the derivation on Linux: a child inherits its
   * parent's high-water mark across fork and exec. Kept in the JSON, not reported.
   */
  maxRssBytes: number;
  linesPerSecond: number;
  linesPerCpuSecond: number;
  wallMs: number;
}

export interface OffchainResults {
  notMeasured?: string;
  /**
   * Lines per second of CPU time (user + system of the worker process): on a shared machine the
   * wall-clock rate depends on the neighbours, the CPU-time rate much less. Wall rates are kept.
   */
  throughput?: {
    lines: number;
    runs: number;
    deriveLinesPerSecond: number;
    floorLinesPerSecond: number;
    /**
     * floor ÷ derive: how many times slower than the floor the derivation is. This floor hashes
     * the stream id on every line.
     */
    ratio: number;
    deriveRuns: number[];
    floorRuns: number[];
    deriveWallLinesPerSecond: number;
    floorWallLinesPerSecond: number;
    /**
     * The floor that hashes each stream id once per stream, as the derivation does: the same bytes
     * hashed as the derivation hashes, so the stricter comparison. Absent in runs before it existed.
     */
    floorMemoLinesPerSecond?: number;
    floorMemoRuns?: number[];
    floorMemoWallLinesPerSecond?: number;
    /** floor-memo ÷ derive. */
    ratioMemo?: number;
  };
  memory: MemoryFigure[];
}

const WORKER = path.join(__dirname, "offchain-worker.ts");

export function runWorker(mode: WorkerResult["mode"], file: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "-r", "ts-node/register/transpile-only", WORKER, mode, file],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" } },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) {
        reject(new Error(`offchain worker ${mode} ${file} exited with ${code}: ${err.trim()}`));
        return;
      }
      try {
        resolve(workerResult.parse(JSON.parse(out.trim().split("\n").at(-1) ?? "")));
      } catch (cause) {
        reject(
          new Error(`offchain worker ${mode}: unreadable result ${JSON.stringify(out)}`, { cause }),
        );
      }
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Why the off-chain figures cannot be measured on this branch, or null when they can. */
export function offchainUnavailable(): string | null {
  const missing = ["lib/archive/reader.ts", "lib/derive/observation.ts"].filter(
    (f) => !existsSync(path.join(__dirname, "..", "..", f)),
  );
  return missing.length > 0 ? `not measured: ${missing.join(", ")} not on this branch` : null;
}

/**
 * Peak memory of a derivation over archives of each size in `config.archiveLines`. Memory does not
 * depend on what else runs, so the bench runs this beside the on-chain series.
 */
export async function runMemorySeries(
  config: BenchConfig,
  tmpDir: string,
  log: (line: string) => void,
): Promise<MemoryFigure[]> {
  mkdirSync(tmpDir, { recursive: true });
  const figures: MemoryFigure[] = [];
  for (const lines of config.archiveLines) {
    const file = path.join(tmpDir, `archive-memory-${lines}.jsonl`);
    try {
      const fileBytes = writeSyntheticArchive(file, lines);
      const result = await runWorker("derive", file);
      if (result.lines !== lines)
        throw new Error(`offchain: derived ${result.lines} of ${lines} lines of ${file}`);
      figures.push({
        lines,
        fileBytes,
        peakRssBytes: result.peakRssBytes,
        rssBeforeBytes: result.rssBeforeBytes,
        maxRssBytes: result.maxRssBytes,
        linesPerSecond: result.linesPerSecond,
        linesPerCpuSecond: result.linesPerCpuSecond,
        wallMs: Math.round(result.wallMs),
      });
      log(
        `off-chain memory, ${lines} lines: peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    } finally {
      rmSync(file, { force: true });
    }
  }
  return figures;
}

/** Derivation against both floors, alternating runs of each, median of three. */
export async function runThroughput(
  config: BenchConfig,
  tmpDir: string,
  log: (line: string) => void,
): Promise<NonNullable<OffchainResults["throughput"]>> {
  mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `archive-throughput-${config.throughputLines}.jsonl`);
  try {
    writeSyntheticArchive(file, config.throughputLines);
    const derive: WorkerResult[] = [];
    const floor: WorkerResult[] = [];
    const floorMemo: WorkerResult[] = [];
    for (let run = 0; run < 3; run++) {
      floor.push(await runWorker("floor", file));
      floorMemo.push(await runWorker("floor-memo", file));
      derive.push(await runWorker("derive", file));
      log(
        `off-chain throughput run ${run + 1}: floor ${Math.round(floor.at(-1)!.linesPerCpuSecond)}, floor with memoised ids ${Math.round(floorMemo.at(-1)!.linesPerCpuSecond)}, derive ${Math.round(derive.at(-1)!.linesPerCpuSecond)} lines per CPU second`,
      );
    }
    const deriveRate = median(derive.map((r) => r.linesPerCpuSecond));
    const floorRate = median(floor.map((r) => r.linesPerCpuSecond));
    const floorMemoRate = median(floorMemo.map((r) => r.linesPerCpuSecond));
    return {
      lines: config.throughputLines,
      runs: 3,
      deriveLinesPerSecond: deriveRate,
      floorLinesPerSecond: floorRate,
      ratio: floorRate / deriveRate,
      deriveRuns: derive.map((r) => r.linesPerCpuSecond),
      floorRuns: floor.map((r) => r.linesPerCpuSecond),
      deriveWallLinesPerSecond: median(derive.map((r) => r.linesPerSecond)),
      floorWallLinesPerSecond: median(floor.map((r) => r.linesPerSecond)),
      floorMemoLinesPerSecond: floorMemoRate,
      floorMemoRuns: floorMemo.map((r) => r.linesPerCpuSecond),
      floorMemoWallLinesPerSecond: median(floorMemo.map((r) => r.linesPerSecond)),
      ratioMemo: floorMemoRate / deriveRate,
    };
  } finally {
    rmSync(file, { force: true });
  }
}
