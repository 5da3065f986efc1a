import { expect } from "chai";
import hre from "hardhat";
import { getAddress } from "viem";

import { expectGasSnapshot } from "../support/gas";
import { deployed, deployFixture, expectRedeploySendsNothing } from "./support";

describe("deploy/000001-witness-registry", function () {
  beforeEach(async function () {
    await deployFixture(["WitnessRegistry"]);
  });

  it("deploys the registry with the network's owner, witnesses and quorum", async function () {
    const { address, gasUsed } = await deployed("WitnessRegistry");
    const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
    const named = await hre.getNamedAccounts();
    expect(await registry.read.owner()).to.equal(getAddress(named.owner!));
    expect(await registry.read.witnesses()).to.deep.equal(
      [named.witness1, named.witness2, named.witness3].map((a) => getAddress(a!)),
    );
    expect(await registry.read.quorum()).to.equal(2n);
    expect(await registry.read.version()).to.match(/^\d+\.\d+\.\d+$/);
    expectGasSnapshot("deploy", "EveryChannelWitnessRegistry", gasUsed);
  });

  it("sends no transaction when run again with nothing changed", async function () {
    await expectRedeploySendsNothing(["WitnessRegistry"]);
  });
});
