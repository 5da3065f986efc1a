// The glue of the registry tasks: bad input, no deployment record, no code at the address, dry run.
import { expect } from "chai";
import hre from "hardhat";
import { getAddress, type Address } from "viem";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { expectNothingSent, NO_CODE, refusal, runTask } from "./support";

/** Each registry task with arguments that are good apart from what a case changes. */
const REGISTRY_TASKS: readonly (readonly [string, Record<string, unknown>])[] = [
  ["witness:add", { witness: "witness4", quorum: "3", from: "owner", dryRun: true }],
  ["witness:remove", { witness: "witness3", from: "owner", dryRun: true }],
  [
    "witness:rotate",
    {
      witness: "witness3",
      newKey: "0x00000000000000000000000000000000000000c3",
      from: "owner",
      dryRun: true,
    },
  ],
  ["quorum:set", { quorum: "3", from: "owner", dryRun: true }],
  ["ownership:transfer", { to: "witness4", from: "owner", dryRun: true }],
  ["ownership:accept", { from: "witness4", dryRun: true }],
  ["registry:show", { json: false }],
];

describe("registry tasks", function () {
  beforeEach(async function () {
    await hre.deployments.fixture(["WitnessRegistry"]);
  });

  it("refuse bad input in one line naming the field and the value, sending nothing", async function () {
    await expectNothingSent(async () => {
      expect(await refusal("witness:add", { witness: "nobody", from: "owner" })).to.match(
        /^witness: is neither an address nor a named account \(.*\) \(got "nobody"\)$/,
      );
      expect(
        await refusal("witness:remove", { witness: "witness3", quorum: "two", from: "owner" }),
      ).to.equal('quorum: is not a whole number (got "two")');
      expect(
        await refusal("witness:rotate", { witness: "witness3", newKey: "0x12", from: "owner" }),
      ).to.equal('new-key: is not an address (got "0x12")');
      expect(
        await refusal("witness:rotate", { witness: "witness3", newKey: "witness2", from: "owner" }),
      ).to.match(/^new-key: is already an active witness \(got "0x[0-9a-fA-F]{40}"\)$/);
      expect(
        await refusal("witness:rotate", { witness: "witness4", newKey: "witness5", from: "owner" }),
      ).to.match(/^witness: is not an active witness \(got "0x[0-9a-fA-F]{40}"\)$/);
      expect(await refusal("quorum:set", { quorum: "0", from: "owner" })).to.equal(
        'quorum: must be at least 1 (got "0")',
      );
      expect(await refusal("ownership:transfer", { to: "0x1234", from: "owner" })).to.equal(
        'to: is not an address (got "0x1234")',
      );
      expect(await refusal("ownership:accept", { from: "0xzz" })).to.equal(
        'from: is not an address (got "0xzz")',
      );
      expect(await refusal("registry:show", { registry: "0x12", json: false })).to.equal(
        'registry: is not an address (got "0x12")',
      );
      expect(
        await refusal("witness:add", { witness: "witness4", registry: "0x0", from: "owner" }),
      ).to.equal('registry: is not an address (got "0x0")');
    });
  });

  it("refuse without a deployment record, naming the network, the record and --registry", async function () {
    await hre.deployments.delete(DEPLOYMENTS.WitnessRegistry);
    for (const [name, args] of REGISTRY_TASKS) {
      expect(await refusal(name, args), name).to.match(
        /^hardhat: no EveryChannelWitnessRegistry deployment record \(\S*hardhat[/\\]EveryChannelWitnessRegistry\.json\); .*, or pass --registry <address>$/,
      );
    }
  });

  it("refuse an address without contract code, from --registry or from the record", async function () {
    for (const [name, args] of REGISTRY_TASKS) {
      expect(await refusal(name, { ...args, registry: NO_CODE }), name).to.equal(
        `registry: no contract code at ${NO_CODE} on network hardhat`,
      );
    }
    const record = await hre.deployments.get(DEPLOYMENTS.WitnessRegistry);
    await hre.deployments.save(DEPLOYMENTS.WitnessRegistry, { ...record, address: NO_CODE });
    expect(await refusal("registry:show", { json: true })).to.match(
      new RegExp(
        `^hardhat: the EveryChannelWitnessRegistry deployment record \\(\\S+\\) names ${NO_CODE}, but there is no contract code at ${NO_CODE} on network hardhat; .*, or pass --registry <address>$`,
      ),
    );
  });

  it("with --dry-run print the transaction and its cost and send nothing", async function () {
    await expectNothingSent(async () => {
      for (const [name, args] of REGISTRY_TASKS.slice(0, 5)) {
        const lines = await runTask(name, args);
        expect(
          lines.some((line) => / from 0x[0-9a-fA-F]{40} to 0x[0-9a-fA-F]{40}$/.test(line)),
          `${name}: ${lines.join("\n")}`,
        ).to.equal(true);
        expect(
          lines.filter((line) => /^ {2}L2 gas: \d+/.test(line)),
          name,
        ).to.have.length(1);
        expect(lines.at(-1), name).to.equal("  dry run: nothing sent");
      }
      // Nothing to accept yet: refused before any estimate.
      expect(await refusal("ownership:accept", { from: "witness4", dryRun: true })).to.match(
        /^pendingOwner: no ownership transfer is pending/,
      );
    });
    await runTask("ownership:transfer", { to: "witness4", from: "owner", dryRun: false });
    await expectNothingSent(async () => {
      const lines = await runTask("ownership:accept", { from: "witness4", dryRun: true });
      expect(lines.filter((line) => /^ {2}L2 gas: \d+/.test(line))).to.have.length(1);
      expect(lines.at(-1)).to.equal("  dry run: nothing sent");
    });
  });

  it("registry:show prints the owner, the witnesses and the quorum, as text or JSON", async function () {
    const { owner, witness1 } = await hre.getNamedAccounts();
    const json = JSON.parse((await runTask("registry:show", { json: true })).join("\n")) as {
      owner: Address;
      witnesses: Address[];
      quorum: string;
    };
    expect(getAddress(json.owner)).to.equal(getAddress(owner!));
    expect(json.witnesses.map((w) => getAddress(w))).to.include(getAddress(witness1!));
    expect(json.quorum).to.equal("2");
    const text = await runTask("registry:show", { json: false });
    expect(text[1]).to.equal(`  owner: ${getAddress(owner!)}`);
    expect(text[2]).to.equal("  quorum: 2 of 3 witnesses");
  });
});
