// `leader:devnet`: several batchers posting to one leader-election inbox on an anvil L1, one killed
// part-way, the frame stream rebuilt by the reference derivation. The work is in lib/leader/; this
// file reads the compiled artifacts and prints the table.
import { task, types } from "hardhat/config";

import { reportErrors } from "./errors";

task(
  "leader:devnet",
  "Leader-election devnet on anvil: batcher processes share a round-robin inbox, one is killed part-way, the derivation rebuilds the frame stream",
)
  .addOptionalParam("batchers", "Batcher processes (one leader each)", undefined, types.int)
  .addOptionalParam("blocks", "L1 blocks to run for", undefined, types.int)
  .addOptionalParam("window", "L1 blocks per leader window", undefined, types.int)
  .addOptionalParam(
    "silence",
    "Silent blocks of a leader that open its window to the next leader",
    undefined,
    types.int,
  )
  .addOptionalParam("blockTime", "Milliseconds per L1 block", undefined, types.int)
  .addOptionalParam("framesPerPost", "Channel frames per batch transaction", undefined, types.int)
  .addOptionalParam("frameSize", "Bytes of data per frame", undefined, types.int)
  .addOptionalParam("framesPerChannel", "Frames per channel", undefined, types.int)
  .addOptionalParam(
    "kill",
    "Batcher (1-based) to kill part-way; 0 for none (default 2)",
    undefined,
    types.int,
  )
  .addOptionalParam(
    "killAt",
    "Run block after which it is killed (default 40% of --blocks)",
    undefined,
    types.int,
  )
  .addOptionalParam(
    "outOfTurnEvery",
    "Each batcher sends an out-of-turn probe every n-th block it may not post; 0 for never",
    undefined,
    types.int,
  )
  .addFlag(
    "keepReverted",
    "Derive without the receipt check (op-node today) to show what it prevents",
  )
  .addOptionalParam("seed", "Seed of the synthetic frame stream", undefined, types.string)
  .addOptionalParam("json", "Write the report as JSON to this file", undefined, types.string)
  .addFlag("events", "Print every batcher event")
  .setAction(async (args: Record<string, unknown>, hre) =>
    reportErrors(async () => {
      const { parseLeaderDevnetOptions } = await import("../lib/leader/devnet-options");
      const { formatDevnetTable, LeaderDevnetFailedError, runLeaderDevnet } = await import(
        "../lib/leader/devnet"
      );
      const options = parseLeaderDevnetOptions(args);
      const [inbox, registry] = await Promise.all([
        hre.artifacts.readArtifact("EveryChannelRoundRobinInbox"),
        hre.artifacts.readArtifact("EveryChannelInboxRegistry"),
      ]);
      const report = await runLeaderDevnet({
        options,
        root: hre.config.paths.root,
        artifacts: {
          inbox: { abi: inbox.abi, bytecode: inbox.bytecode as `0x${string}` },
          registry: { abi: registry.abi, bytecode: registry.bytecode as `0x${string}` },
        },
        log: (line) => process.stderr.write(`[leader:devnet] ${line}\n`),
      });
      process.stdout.write(`${formatDevnetTable(report)}\n`);
      if (!report.ok) throw new LeaderDevnetFailedError(report);
      return report;
    }),
  );
