/** reality-smoke throughput: observations finalized per second per mode, in process and on anvil. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import type { BenchConfig } from "./config";

export interface SmokeRun {
  chain: string;
  mode: string;
  finalized: number;
  wallMs: number;
  finalizedPerSecond: number;
}

export interface SmokeResults {
  notMeasured?: string;
  runs: SmokeRun[];
}

export async function runSmoke(
  hre: HardhatRuntimeEnvironment,
  _config: BenchConfig,
  log: (line: string) => void,
): Promise<SmokeResults> {
  if (!("reality-smoke" in hre.tasks)) {
    const notMeasured = "not measured: the `reality-smoke` task is not on this branch yet";
    log(notMeasured);
    return { notMeasured, runs: [] };
  }
  throw new Error("bench: the reality-smoke task exists but the bench does not drive it yet");
}
