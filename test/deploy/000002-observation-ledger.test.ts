import { expect } from "chai";
import hre from "hardhat";
import { getAddress } from "viem";

import { expectGasSnapshot } from "../support/gas";
import { deployed, deployFixture, expectRedeploySendsNothing } from "./support";

describe("deploy/000002-observation-ledger", function () {
  beforeEach(async function () {
    await deployFixture(["ObservationLedger"]);
  });

  it("deploys the ledger over the deployed registry, registry first", async function () {
    const registry = await deployed("WitnessRegistry");
    const { address, gasUsed } = await deployed("ObservationLedger");
    const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", address);
    expect(await ledger.read.registry()).to.equal(getAddress(registry.address));
    const domain = await ledger.read.eip712Domain();
    expect([domain[1], domain[2], domain[3], domain[4]]).to.deep.equal([
      "EveryChannelObservationLedger",
      "2",
      31337n,
      getAddress(address),
    ]);
    expect(await ledger.read.version()).to.match(/^\d+\.\d+\.\d+$/);
    expectGasSnapshot("deploy", "EveryChannelObservationLedger", gasUsed);
  });

  it("sends no transaction when run again with nothing changed", async function () {
    await expectRedeploySendsNothing(["WitnessRegistry", "ObservationLedger"]);
  });
});
