/**
 * `npm run bench` (= `hardhat run scripts/bench/index.ts`): measures gas, bytes, L1 data fee,
 * throughput and memory, and writes `reports/bench.json`, `reports/BENCH.md` and its SVG charts.
 * `BENCH_QUICK=1` shrinks the heavy series for fast iteration; `BENCH_REPORT_ONLY=1` re-renders the
 * report and charts from the last `reports/bench.json` without measuring.
 */
import { cpus, loadavg } from "node:os";
import path from "node:path";

import { readFileSync } from "node:fs";

import hre from "hardhat";
import { z } from "zod";

import { hardhatChain } from "./chain";
import { benchConfig } from "./config";
import {
  offchainUnavailable,
  runMemorySeries,
  runThroughput,
  type OffchainResults,
} from "./offchain";
import { runOnchain, type OnchainResults } from "./onchain";
import { writeReport, type BenchRun } from "./report";
import { runSmoke } from "./smoke";
import { evaluateTargets } from "./targets";

const ROOT = path.join(__dirname, "..", "..");

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** The shape checked when re-rendering from a previous run's `reports/bench.json`. */
const savedRun = z
  .object({
    meta: z.object({ command: z.string(), startedAt: z.string() }).passthrough(),
    offchain: z.object({ memory: z.array(z.unknown()) }).passthrough(),
    smoke: z.object({ runs: z.array(z.unknown()) }).passthrough(),
    targets: z.array(z.unknown()),
  })
  .passthrough();

async function main(): Promise<void> {
  if (process.env.BENCH_REPORT_ONLY === "1") {
    // Re-renders BENCH.md and the charts from the last run's figures, measuring nothing.
    const file = path.join(ROOT, "reports", "bench.json");
    const run = savedRun.parse(JSON.parse(readFileSync(file, "utf8"))) as unknown as BenchRun;
    run.targets = evaluateTargets(run.onchain, run.offchain);
    await writeReport(run, path.join(ROOT, "reports"));
    log(`re-rendered reports/BENCH.md from ${file}`);
    return;
  }
  const config = benchConfig();
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  log(`${config.quick ? "quick" : "full"} run`);
  if (hre.network.name !== "hardhat")
    throw new Error(
      `bench: run on the in-process hardhat network (got --network ${hre.network.name})`,
    );
  const chain = hardhatChain(hre.network.provider as never, hre.network.config.chainId ?? 31337);
  const tmpDir = path.join(ROOT, "reports", "tmp");
  const unavailable = offchainUnavailable();
  // Memory figures do not depend on what else runs: the derivations over large archives (minutes)
  // run in child processes beside the on-chain series.
  const memory = unavailable === null ? runMemorySeries(config, tmpDir, log) : Promise.resolve([]);
  const throughput = unavailable === null ? runThroughput(config, tmpDir, log) : undefined;
  // A rejected promise not awaited yet must not end the process before the report says why.
  memory.catch(() => undefined);
  throughput?.catch(() => undefined);
  let onchain: OnchainResults | null = null;
  let onchainNotMeasured: string | undefined;
  try {
    onchain = await runOnchain(hre, chain, config, log);
  } catch (error) {
    if (error instanceof Error && /HH700|Artifact for contract/.test(error.message)) {
      onchainNotMeasured = `not measured: ${error.message.split("\n")[0]}`;
      log(onchainNotMeasured);
    } else throw error;
  }
  const smoke = await runSmoke(config, tmpDir, log);
  const offchain: OffchainResults =
    unavailable === null && throughput
      ? { memory: await memory, throughput: await throughput }
      : { notMeasured: unavailable ?? "not measured", memory: [] };
  const targets = evaluateTargets(onchain, offchain);
  const cpu = cpus();
  await writeReport(
    {
      meta: {
        command: config.quick ? "BENCH_QUICK=1 npm run bench" : "npm run bench",
        quick: config.quick,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        node: process.version,
        hardhat: (await import("hardhat/package.json")).version,
        cpu: cpu[0]?.model.trim() ?? "unknown CPU",
        cores: cpu.length,
        platform: `${process.platform} ${process.arch}`,
        loadAverage: [loadAtStart, loadavg()[0]!],
        fees: {
          l1BaseFee: config.fees.l1BaseFee.toString(),
          l1BlobBaseFee: config.fees.l1BlobBaseFee.toString(),
          l1BaseFeeScalar: config.fees.l1BaseFeeScalar.toString(),
          l1BlobBaseFeeScalar: config.fees.l1BlobBaseFeeScalar.toString(),
        },
      },
      onchain,
      ...(onchainNotMeasured === undefined ? {} : { onchainNotMeasured }),
      offchain,
      smoke,
      targets,
    },
    path.join(ROOT, "reports"),
  );
  for (const t of targets)
    log(
      `target: ${t.target}: ${t.met === null ? "not measured" : t.met ? "met" : "MISSED"} ${t.margin}`,
    );
  log(`wrote reports/BENCH.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
