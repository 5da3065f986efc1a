/**
 * `npm run bench` (= `hardhat run scripts/bench/index.ts`): measures gas, bytes, L1 data fee,
 * throughput and memory, and writes `reports/bench.json`, `reports/BENCH.md` and its SVG charts.
 * The table of `docs/scaling.md` is regenerated from the figures (`scaling.ts`).
 * `BENCH_QUICK=1` shrinks the heavy series for fast iteration; `BENCH_REPORT_ONLY=1` re-renders the
 * report and charts from the last `reports/bench.json` without measuring;
 * `BENCH_SECTIONS=offchain,paths,batch,quorum,witnesses,history,smoke` (any of them) re-measures only
 * the named sections and merges them into the existing `reports/bench.json`. Every section records
 * when it was measured, at which commit, with which command and for how long.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import path from "node:path";

import { existsSync, readFileSync } from "node:fs";

import hre from "hardhat";
import { z } from "zod";

import { hardhatChain } from "./chain";
import { benchConfig, SECTION_NAMES, type BenchConfig, type SectionName } from "./config";
import {
  offchainUnavailable,
  runMemorySeries,
  runThroughput,
  type OffchainResults,
} from "./offchain";
import { runOnchain, type OnchainMeasured, type OnchainResults } from "./onchain";
import { writeReport, type BenchRun, type SectionRecord } from "./report";
import { refreshScalingDocument } from "./scaling";
import { runSmoke, type SmokeResults } from "./smoke";
import { evaluateTargets } from "./targets";

const ROOT = path.join(__dirname, "..", "..");
const REPORT = path.join(ROOT, "reports", "bench.json");

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** The shape checked when reading a previous run's `reports/bench.json`. */
const sectionRecord = z.object({
  measuredAt: z.string(),
  durationMs: z.number(),
  commit: z.string(),
  command: z.string(),
  quick: z.boolean(),
  loadAverage: z.tuple([z.number(), z.number()]),
  note: z.string().optional(),
});
const savedRun = z
  .object({
    meta: z
      .object({
        command: z.string(),
        startedAt: z.string(),
        durationMs: z.number(),
        quick: z.boolean(),
        loadAverage: z.tuple([z.number(), z.number()]),
      })
      .passthrough(),
    sections: z
      .record(z.enum(SECTION_NAMES as [SectionName, ...SectionName[]]), sectionRecord)
      .optional(),
    onchain: z
      .object({ headline: z.array(z.unknown()) })
      .passthrough()
      .nullable(),
    offchain: z.object({ memory: z.array(z.unknown()) }).passthrough(),
    smoke: z.object({ runs: z.array(z.unknown()) }).passthrough(),
    targets: z.array(z.unknown()),
  })
  .passthrough();

/** The short commit of the checkout, with `-dirty` when files other than `reports/` differ from it. */
function gitCommit(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  const head = git("rev-parse", "--short", "HEAD");
  const dirty = git("status", "--porcelain", "--", ".", ":(exclude)reports") !== "";
  return dirty ? `${head}-dirty` : head;
}

/** Reads the last run; a report written before per-section records gets them from its run. */
function readSavedRun(): BenchRun {
  const saved = savedRun.parse(JSON.parse(readFileSync(REPORT, "utf8")));
  const run = saved as unknown as BenchRun;
  if (saved.sections === undefined) {
    const reportCommit = execFileSync(
      "git",
      ["log", "-1", "--format=%h", "--", "reports/bench.json"],
      { cwd: ROOT, encoding: "utf8" },
    ).trim();
    const record: SectionRecord = {
      measuredAt: saved.meta.startedAt,
      durationMs: saved.meta.durationMs,
      commit: reportCommit === "" ? "unknown" : reportCommit,
      command: saved.meta.command,
      quick: saved.meta.quick,
      loadAverage: saved.meta.loadAverage,
      note: "one run of every section, before per-section records: the duration is the whole run's, the commit is the one that committed its report",
    };
    run.sections = Object.fromEntries(SECTION_NAMES.map((name) => [name, record]));
  }
  return run;
}

function commandOf(config: BenchConfig): string {
  const env = [
    ...(config.quick ? ["BENCH_QUICK=1"] : []),
    ...(config.partial ? [`BENCH_SECTIONS=${config.sections.join(",")}`] : []),
  ];
  return [...env, "npm run bench"].join(" ");
}

function feeStrings(config: BenchConfig): BenchRun["meta"]["fees"] {
  return {
    l1BaseFee: config.fees.l1BaseFee.toString(),
    l1BlobBaseFee: config.fees.l1BlobBaseFee.toString(),
    l1BaseFeeScalar: config.fees.l1BaseFeeScalar.toString(),
    l1BlobBaseFeeScalar: config.fees.l1BlobBaseFeeScalar.toString(),
  };
}

const EMPTY_ONCHAIN: OnchainResults = {
  headline: [],
  quorum: [],
  batch: [],
  registered: [],
  registeredSkipped: [],
  history: [],
  historyFill: [],
  maxWitnessIndices: 0,
  signers: [],
};

async function main(): Promise<void> {
  if (process.env.BENCH_REPORT_ONLY === "1") {
    // Re-renders BENCH.md and the charts from the last run's figures, measuring nothing.
    const run = readSavedRun();
    run.targets = evaluateTargets(run.onchain, run.offchain);
    await writeReport(run, path.join(ROOT, "reports"));
    log(`re-rendered reports/BENCH.md from ${REPORT}`);
    if (await refreshScalingDocument()) log("updated the table of docs/scaling.md");
    return;
  }
  const config = benchConfig();
  const wants = (section: SectionName) => config.sections.includes(section);
  if (config.partial && !existsSync(REPORT))
    throw new Error(
      `bench: BENCH_SECTIONS merges into ${REPORT}, which does not exist: run the full bench first`,
    );
  if (config.partial) {
    const feesBefore = JSON.stringify(readSavedRun().meta.fees);
    const fees = JSON.stringify(feeStrings(config));
    if (feesBefore !== fees)
      throw new Error(
        `bench: the L1 fee inputs ${fees} differ from the report's ${feesBefore}: use the same inputs, or run the full bench`,
      );
  }
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const commit = gitCommit();
  const command = commandOf(config);
  log(`${config.quick ? "quick" : "full-size"} run of ${config.sections.join(", ")} at ${commit}`);
  if (hre.network.name !== "hardhat")
    throw new Error(
      `bench: run on the in-process hardhat network (got --network ${hre.network.name})`,
    );
  const records: Partial<Record<SectionName, SectionRecord>> = {};
  const record = (section: SectionName, from: number, to: number, load: number) => {
    records[section] = {
      measuredAt: new Date(from).toISOString(),
      durationMs: to - from,
      commit,
      command,
      quick: config.quick,
      loadAverage: [load, loadavg()[0]!],
    };
  };
  const chain = hardhatChain(hre.network.provider as never, hre.network.config.chainId ?? 31337);
  const tmpDir = path.join(ROOT, "reports", "tmp");
  const unavailable = offchainUnavailable();
  // Memory figures do not depend on what else runs: the derivations over large archives (minutes)
  // run in child processes beside the on-chain series.
  let offchainDone: Promise<OffchainResults> | undefined;
  if (wants("offchain")) {
    const offchainStarted = Date.now();
    const memory =
      unavailable === null ? runMemorySeries(config, tmpDir, log) : Promise.resolve([]);
    const throughput = unavailable === null ? runThroughput(config, tmpDir, log) : undefined;
    // A rejected promise not awaited yet must not end the process before the report says why.
    memory.catch(() => undefined);
    throughput?.catch(() => undefined);
    offchainDone = (async (): Promise<OffchainResults> => {
      const results: OffchainResults =
        unavailable === null && throughput
          ? { memory: await memory, throughput: await throughput }
          : { notMeasured: unavailable ?? "not measured", memory: [] };
      record("offchain", offchainStarted, Date.now(), loadAtStart);
      return results;
    })();
    offchainDone.catch(() => undefined);
  }
  let measured: OnchainMeasured | null = null;
  let onchainNotMeasured: string | undefined;
  if (config.sections.some((s) => s !== "offchain" && s !== "smoke")) {
    try {
      measured = await runOnchain(hre, chain, config, log);
    } catch (error) {
      if (error instanceof Error && /HH700|Artifact for contract/.test(error.message)) {
        onchainNotMeasured = `not measured: ${error.message.split("\n")[0]}`;
        log(onchainNotMeasured);
      } else throw error;
    }
    for (const [section, timing] of Object.entries(measured?.timings ?? {}))
      record(section as SectionName, timing.startedAt, timing.endedAt, loadAtStart);
  }
  let smoke: SmokeResults | undefined;
  if (wants("smoke")) {
    const smokeStarted = Date.now();
    const smokeLoad = loadavg()[0]!;
    smoke = await runSmoke(config, tmpDir, log);
    record("smoke", smokeStarted, Date.now(), smokeLoad);
  }
  const offchain = offchainDone ? await offchainDone : undefined;

  // The previous report is read only now, so that a section run alongside (another process)
  // and finished meanwhile is kept.
  const previous = config.partial ? readSavedRun() : null;
  let onchain: OnchainResults | null;
  if (measured === null && previous === null) onchain = null;
  else onchain = { ...EMPTY_ONCHAIN, ...(previous?.onchain ?? {}), ...(measured?.results ?? {}) };
  const offchainResults = offchain ?? previous?.offchain;
  const smokeResults = smoke ?? previous?.smoke;
  if (offchainResults === undefined || smokeResults === undefined)
    throw new Error("bench: a section is neither measured nor in the previous report");
  const targets = evaluateTargets(onchain, offchainResults);
  const cpu = cpus();
  const durationMs = Date.now() - started;
  const run: BenchRun = {
    meta: {
      command,
      quick: config.quick,
      startedAt: new Date(started).toISOString(),
      durationMs,
      node: process.version,
      hardhat: (await import("hardhat/package.json")).version,
      cpu: cpu[0]?.model.trim() ?? "unknown CPU",
      cores: cpu.length,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: [loadAtStart, loadavg()[0]!],
      fees: feeStrings(config),
    },
    sections: { ...(previous?.sections ?? {}), ...records },
    onchain,
    ...(onchainNotMeasured === undefined ? {} : { onchainNotMeasured }),
    offchain: offchainResults,
    smoke: smokeResults,
    targets,
  };
  await writeReport(run, path.join(ROOT, "reports"));
  if (await refreshScalingDocument()) log("updated the table of docs/scaling.md");
  for (const t of targets)
    log(
      `target: ${t.target}: ${t.met === null ? "not measured" : t.met ? "met" : "MISSED"} ${t.margin}`,
    );
  log(`wrote reports/BENCH.md in ${(durationMs / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
