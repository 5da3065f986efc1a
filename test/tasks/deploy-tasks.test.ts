// The glue of deploy:plan (the deploy's dry run, also printed by `deploy` before it sends): no
// deployment record, a record without code at its address, and nothing sent. Bad secrets need a
// live network: test/tasks/cli.test.ts has them refused on the command line.
import { expect } from "chai";
import hre from "hardhat";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { expectNothingSent, NO_CODE, refusal, runTask } from "./support";

describe("deploy tasks", function () {
  beforeEach(async function () {
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger", "Rail"]);
  });

  it("deploy:plan reuses what is recorded and deployed, and sends nothing", async function () {
    const lines = await expectNothingSent(() => runTask("deploy:plan", {}));
    expect(lines[0]).to.equal("deploy plan on hardhat:");
    for (const name of Object.values(DEPLOYMENTS)) {
      const { address } = await hre.deployments.get(name);
      expect(lines).to.include(`  ${name}: unchanged at ${address} (no transaction)`);
    }
  });

  it("deploy:plan plans a deployment for each missing record", async function () {
    await hre.deployments.delete(DEPLOYMENTS.WitnessRegistry);
    await hre.deployments.delete(DEPLOYMENTS.Rail);
    const lines = await expectNothingSent(() => runTask("deploy:plan", {}));
    const planned = lines.filter((line) => / deploy to 0x[0-9a-fA-F]{40}$/.test(line));
    // The ledger's argument is the registry's new address: it is deployed again too.
    expect(planned.map((line) => line.trim().split(":")[0])).to.have.members([
      DEPLOYMENTS.WitnessRegistry,
      DEPLOYMENTS.ObservationLedger,
      DEPLOYMENTS.Rail,
    ]);
    expect(lines.filter((line) => /^ {4}L2 gas: \d+/.test(line))).to.have.length(3);
  });

  it("deploy:plan refuses a record whose address holds no code, naming the record", async function () {
    const record = await hre.deployments.get(DEPLOYMENTS.Rail);
    await hre.deployments.save(DEPLOYMENTS.Rail, { ...record, address: NO_CODE });
    expect(await refusal("deploy:plan", {})).to.match(
      new RegExp(
        `^hardhat: the EveryChannelRail deployment record \\(\\S*EveryChannelRail\\.json\\) names ${NO_CODE}, but there is no contract code at ${NO_CODE} on network hardhat; delete the record`,
      ),
    );
  });
});
