/**
 * `npm run bench` (= `hardhat run scripts/bench/index.ts`): measures gas, bytes, L1 data fee,
 * throughput and memory, and writes `reports/bench.json`, `reports/BENCH.md` and its SVG charts.
 * `BENCH_QUICK=1` shrinks the heavy series for fast iteration.
 */
import { cpus } from "node:os";
import path from "node:path";

import hre from "hardhat";

import { hardhatChain } from "./chain";
import { benchConfig } from "./config";
import { runOffchain } from "./offchain";
import { runOnchain, type OnchainResults } from "./onchain";
import { writeReport } from "./report";
import { runSmoke } from "./smoke";
import { evaluateTargets } from "./targets";

const ROOT = path.join(__dirname, "..", "..");

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<void> {
  const config = benchConfig();
  const started = Date.now();
  log(`${config.quick ? "quick" : "full"} run`);
  if (hre.network.name !== "hardhat")
    throw new Error(
      `bench: run on the in-process hardhat network (got --network ${hre.network.name})`,
    );
  const chain = hardhatChain(hre.network.provider as never, hre.network.config.chainId ?? 31337);
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
  const offchain = await runOffchain(config, path.join(ROOT, "reports", "tmp"), log);
  const smoke = await runSmoke(hre, config, log);
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
