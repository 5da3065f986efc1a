// `deploy` (hardhat-deploy) checks the network first — secrets present and well formed, RPC URL
// reachable, chain id as configured, deploy parameters valid — and prints what it will send (each
// new contract's L2 gas and L1 data fee; unchanged ones are reused without a transaction). Nothing
// is sent when a check fails. `deploy:plan` prints the same and sends nothing (the dry run).
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { printLines } from "../lib/cli/output";
import { formatDeploymentPlan, planDeployments } from "../lib/deploy/plan";
import { checkNetwork, publicClient } from "./context";
import { taskAction } from "./options";

async function printPlan(hre: HardhatRuntimeEnvironment): Promise<void> {
  await checkNetwork(hre, ["DEPLOYER_PRIVATE_KEY"]);
  const plans = await planDeployments(hre, await publicClient(hre));
  await printLines(formatDeploymentPlan(hre.network.name, plans));
}

task("deploy").setAction(
  taskAction(async (args: Record<string, unknown>, hre, runSuper) => {
    // The in-process chain starts empty on every run: nothing to plan there.
    if (hre.network.name !== "hardhat") await printPlan(hre);
    return runSuper(args);
  }),
);

task(
  "deploy:plan",
  "Prints what `deploy` would send (L2 gas and L1 data fee per new contract) and sends nothing",
).setAction(taskAction((_args: Record<string, unknown>, hre) => printPlan(hre)));
