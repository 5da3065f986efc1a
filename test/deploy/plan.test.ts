import { expect } from "chai";
import hre from "hardhat";
import { getAddress, type PublicClient } from "viem";

import { formatDeploymentPlan, planDeployments } from "../../lib/deploy/plan";

describe("deploy plan", function () {
  it("estimates each contract to deploy and the address it will get, sending nothing", async function () {
    // Forget the records of an earlier deploy: the plan then deploys everything again.
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger", "Rail"]);
    for (const name of [
      "EveryChannelWitnessRegistry",
      "EveryChannelObservationLedger",
      "EveryChannelRail",
    ]) {
      await hre.deployments.delete(name);
    }
    const client = (await hre.viem.getPublicClient()) as PublicClient;
    const block = await client.getBlockNumber();
    const plans = await planDeployments(hre, client);
    expect(plans.map((p) => [p.name, p.reused])).to.deep.equal([
      ["EveryChannelWitnessRegistry", false],
      ["EveryChannelObservationLedger", false],
      ["EveryChannelRail", false],
    ]);
    expect(await client.getBlockNumber()).to.equal(block);
    const lines = formatDeploymentPlan("hardhat", plans);
    expect(lines.filter((l) => /^ {4}L2 gas: \d+/.test(l))).to.have.length(3);
    expect(
      lines.filter(
        (l) => l === "    L1 data fee: none expected (no GasPriceOracle predeploy on this chain)",
      ),
    ).to.have.length(3);
    await hre.deployments.run(["WitnessRegistry", "ObservationLedger", "Rail"], {
      resetMemory: false,
      deletePreviousDeployments: false,
      writeDeploymentsToFiles: false,
    });
    const deployed = await Promise.all(
      plans.map(async (p) => getAddress((await hre.deployments.get(p.name)).address)),
    );
    expect(plans.map((p) => p.address)).to.deep.equal(deployed);
  });

  it("reports unchanged deployments as reused, without a transaction", async function () {
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger", "Rail"]);
    const plans = await planDeployments(hre, (await hre.viem.getPublicClient()) as PublicClient);
    expect(plans.every((p) => p.reused)).to.equal(true);
    expect(formatDeploymentPlan("hardhat", plans)[1]).to.match(
      /^ {2}EveryChannelWitnessRegistry: unchanged at 0x[0-9a-fA-F]{40} \(no transaction\)$/,
    );
  });
});
