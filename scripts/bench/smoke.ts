/**
 * reality-smoke throughput: observations finalized per second per mode, on the in-process Hardhat
 * network and on anvil. The smoke runs as its own command (`hardhat reality-smoke`, and
 * `scripts/op-stack/anvil-reality-smoke.sh` for anvil) in a child process over a generated archive
 * set: five witnesses with the same broadcast-derived content (full agreement, quorum 3), so every
 * slot finalizes. The figure is the smoke's own: observations it finalized in the run over the
 * mode's wall time.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { writeSyntheticArchive } from "./archive-gen";
import type { BenchConfig } from "./config";

export interface SmokeRun {
  chain: string;
  mode: string;
  finalized: number;
  transactions: number;
  wallMs: number;
  finalizedPerSecond: number;
}

export interface SmokeResults {
  notMeasured?: string;
  /** Lines per witness archive and witnesses. */
  archive?: { witnesses: number; linesPerWitness: number; quorum: number };
  runs: SmokeRun[];
  /** Chains whose smoke run failed, with the error (the bench goes on without their figures). */
  failures: { chain: string; error: string }[];
}

const smokeReport = z.object({
  ok: z.boolean(),
  quorum: z.number(),
  modes: z.array(
    z.object({
      mode: z.string(),
      finalizedThisRun: z.number(),
      transactions: z.number(),
      elapsedMs: z.number(),
      mismatches: z.array(z.unknown()),
    }),
  ),
});

const ROOT = path.join(__dirname, "..", "..");

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${err.trim()}`)),
    );
  });
}

export async function runSmoke(
  config: BenchConfig,
  tmpDir: string,
  log: (line: string) => void,
): Promise<SmokeResults> {
  const witnesses = 5;
  const linesPerWitness = config.quick ? 96 : 480;
  const dir = path.join(tmpDir, "smoke-archive");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The same seed: identical broadcast-derived fields (and identical capture fields, which the
  // derivation ignores) for every witness.
  for (let w = 1; w <= witnesses; w++)
    writeSyntheticArchive(path.join(dir, `witness${w}.jsonl`), linesPerWitness);
  const runs: SmokeRun[] = [];
  const failures: SmokeResults["failures"] = [];
  try {
    for (const chain of ["in-process Hardhat network", "anvil"] as const) {
      try {
        const json = path.join(tmpDir, `smoke-${chain === "anvil" ? "anvil" : "hardhat"}.json`);
        const flags = ["--archive", dir, "--mode", "both", "--json", json];
        if (chain === "anvil")
          await run("bash", [
            path.join(ROOT, "scripts", "op-stack", "anvil-reality-smoke.sh"),
            ...flags,
          ]);
        else
          await run(process.execPath, [
            require.resolve("hardhat/internal/cli/cli"),
            "reality-smoke",
            ...flags,
          ]);
        const report = smokeReport.parse(JSON.parse(readFileSync(json, "utf8")));
        if (!report.ok)
          throw new Error(`bench: reality-smoke on ${chain} reported mismatches (${json})`);
        for (const mode of report.modes) {
          runs.push({
            chain,
            mode: mode.mode,
            finalized: mode.finalizedThisRun,
            transactions: mode.transactions,
            wallMs: mode.elapsedMs,
            finalizedPerSecond: (mode.finalizedThisRun / mode.elapsedMs) * 1000,
          });
          log(
            `reality-smoke ${chain} ${mode.mode}: ${mode.finalizedThisRun} finalized in ${(mode.elapsedMs / 1000).toFixed(1)} s`,
          );
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const lines = message.split("\n");
        const line = (lines.find((l) => /Error/.test(l)) ?? lines[0] ?? "").trim().slice(0, 400);
        failures.push({ chain, error: line });
        log(`reality-smoke on ${chain} failed: ${line}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { archive: { witnesses, linesPerWitness, quorum: 3 }, runs, failures };
}
