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
  mode: z.enum(["derive", "floor"]),
  lines: z.number().int(),
  wallMs: z.number(),
  linesPerSecond: z.number(),
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
  /** Peak RSS of the whole child process (`getrusage` maxrss), start-up included. */
  maxRssBytes: number;
  linesPerSecond: number;
  wallMs: number;
}

export interface OffchainResults {
  notMeasured?: string;
  throughput?: {
    lines: number;
    runs: number;
    deriveLinesPerSecond: number;
    floorLinesPerSecond: number;
    /** floor ÷ derive: how many times slower than the floor the derivation is. */
    ratio: number;
    deriveRuns: number[];
    floorRuns: number[];
  };
  memory: MemoryFigure[];
}

const WORKER = path.join(__dirname, "offchain-worker.ts");

export function runWorker(mode: "derive" | "floor", file: string): Promise<WorkerResult> {
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

export async function runOffchain(
  config: BenchConfig,
  tmpDir: string,
  log: (line: string) => void,
): Promise<OffchainResults> {
  const missing = ["lib/archive/reader.ts", "lib/derive/observation.ts"].filter(
    (f) => !existsSync(path.join(__dirname, "..", "..", f)),
  );
  if (missing.length > 0)
    return { notMeasured: `not measured: ${missing.join(", ")} not on this branch`, memory: [] };
  mkdirSync(tmpDir, { recursive: true });
  const results: OffchainResults = { memory: [] };
  const files: string[] = [];
  try {
    const throughputFile = path.join(tmpDir, `archive-${config.throughputLines}.jsonl`);
    files.push(throughputFile);
    writeSyntheticArchive(throughputFile, config.throughputLines);
    const deriveRuns: number[] = [];
    const floorRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      floorRuns.push((await runWorker("floor", throughputFile)).linesPerSecond);
      deriveRuns.push((await runWorker("derive", throughputFile)).linesPerSecond);
      log(
        `off-chain throughput run ${run + 1}: floor ${Math.round(floorRuns.at(-1)!)} derive ${Math.round(deriveRuns.at(-1)!)} lines/s`,
      );
    }
    const derive = median(deriveRuns);
    const floor = median(floorRuns);
    results.throughput = {
      lines: config.throughputLines,
      runs: 3,
      deriveLinesPerSecond: derive,
      floorLinesPerSecond: floor,
      ratio: floor / derive,
      deriveRuns,
      floorRuns,
    };
    for (const lines of config.archiveLines) {
      const file = path.join(tmpDir, `archive-${lines}.jsonl`);
      files.push(file);
      const fileBytes = writeSyntheticArchive(file, lines);
      const result = await runWorker("derive", file);
      if (result.lines !== lines)
        throw new Error(`offchain: derived ${result.lines} of ${lines} lines of ${file}`);
      results.memory.push({
        lines,
        fileBytes,
        peakRssBytes: result.peakRssBytes,
        rssBeforeBytes: result.rssBeforeBytes,
        maxRssBytes: result.maxRssBytes,
        linesPerSecond: result.linesPerSecond,
        wallMs: Math.round(result.wallMs),
      });
      rmSync(file, { force: true });
      log(
        `off-chain memory ${lines} lines: peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    }
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
  return results;
}
