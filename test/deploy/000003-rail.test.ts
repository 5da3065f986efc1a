import { expect } from "chai";
import hre from "hardhat";

import { expectGasSnapshot } from "../support/gas";
import { deployed, deployFixture, expectRedeploySendsNothing } from "./support";

describe("deploy/000003-rail", function () {
  beforeEach(async function () {
    await deployFixture(["Rail"]);
  });

  it("deploys the rail from the deployer", async function () {
    const { address, gasUsed } = await deployed("Rail");
    const rail = await hre.viem.getContractAt("EveryChannelRail", address);
    expect(await rail.read.version()).to.equal("1.0.0");
    const domain = await rail.read.eip712Domain();
    expect(domain[1]).to.equal("EveryChannelRail");
    expect(domain[3]).to.equal(31337n);
    const { deployer } = await hre.getNamedAccounts();
    const deployment = await hre.deployments.get("EveryChannelRail");
    expect(deployment.receipt?.from.toLowerCase()).to.equal(deployer?.toLowerCase());
    expectGasSnapshot("deploy", "EveryChannelRail", gasUsed);
  });

  it("sends no transaction when run again with nothing changed", async function () {
    await expectRedeploySendsNothing(["Rail"]);
  });
});
