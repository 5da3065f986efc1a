import { expect } from "chai";
import hre from "hardhat";
import { getAddress, type Address, type PublicClient } from "viem";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { InvalidFieldError } from "../../lib/errors";
import { NoSigningKeyError } from "../../lib/operator/accounts";
import {
  changeRegistry,
  formatRegistry,
  readRegistry,
  RegistryChangeError,
  type RegistryChange,
} from "../../lib/operator/registry";
import type { OperatorWallet } from "../../lib/operator/send";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("registry operations", function () {
  let registry: {
    address: Address;
    abi: Awaited<ReturnType<typeof hre.viem.getContractAt<"EveryChannelWitnessRegistry">>>["abi"];
  };
  let client: PublicClient;
  let named: Record<string, Address>;
  let lines: string[];

  beforeEach(async function () {
    await hre.deployments.fixture(["WitnessRegistry"]);
    const address = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry)).address as Address;
    const contract = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
    registry = { address, abi: contract.abi };
    client = (await hre.viem.getPublicClient()) as PublicClient;
    named = Object.fromEntries(
      Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
    ) as Record<string, Address>;
    lines = [];
  });

  async function wallet(name: string): Promise<OperatorWallet> {
    return (await hre.viem.getWalletClient(named[name]!)) as OperatorWallet;
  }

  async function change(c: RegistryChange, from = "owner", dryRun = false) {
    return changeRegistry({
      publicClient: client,
      wallet: await wallet(from),
      registry,
      change: c,
      dryRun,
      log: (l) => lines.push(l),
    });
  }

  it("adds a witness with the quorum moved in the same call, then removes it", async function () {
    const result = await change({ kind: "witnesses", add: [named.witness4!], quorum: 3n });
    expect(result.sent).to.equal(true);
    expect(lines[0]).to.equal("after the change: quorum 3 of 4 witnesses");
    expect(lines[1]).to.match(
      /^updateWitnessSet\(add \[0x[0-9a-fA-F]{40}\], remove \[\], quorum 3\): from /,
    );
    expect(lines[2]).to.match(/^  L2 gas: \d+ \(at most [0-9.]+ ETH at [0-9.]+ gwei\)$/);
    expect(lines[3]).to.equal(
      "  L1 data fee: none expected (no GasPriceOracle predeploy on this chain)",
    );
    let state = await readRegistry(client, registry);
    expect(state.witnesses).to.deep.equal([
      named.witness1,
      named.witness2,
      named.witness3,
      named.witness4,
    ]);
    expect(state.quorum).to.equal(3n);

    await change({ kind: "witnesses", remove: [named.witness2!], quorum: 2n });
    state = await readRegistry(client, registry);
    expect(state.witnesses).to.have.members([named.witness1, named.witness3, named.witness4]);
    expect(state.quorum).to.equal(2n);
  });

  it("refuses a change that breaks the strict-majority quorum before sending, suggesting a quorum", async function () {
    const before = await client.getBlockNumber();
    const error = await rejection(change({ kind: "witnesses", add: [named.witness4!] }));
    expect(error).to.be.instanceOf(RegistryChangeError);
    expect(error.message).to.equal(
      "quorum 2 would not be a strict majority of 4 witnesses (needs 2 × quorum > 4); pass --quorum with a value from 3 to 4",
    );
    const tooHigh = await rejection(change({ kind: "witnesses", quorum: 4n }));
    expect(tooHigh.message).to.equal("quorum 4 would exceed the 3 witnesses left");
    expect(await client.getBlockNumber()).to.equal(before);
  });

  it("refuses to add an active witness, remove an inactive one, or act as a non-owner", async function () {
    const active = await rejection(
      change({ kind: "witnesses", add: [named.witness1!], quorum: 3n }),
    );
    expect(active).to.be.instanceOf(InvalidFieldError).with.property("field", "witness");
    expect(active.message).to.match(/is already an active witness of 0x/);
    const inactive = await rejection(change({ kind: "witnesses", remove: [named.witness5!] }));
    expect(inactive.message).to.match(/is not an active witness of 0x/);
    const notOwner = await rejection(change({ kind: "witnesses", quorum: 3n }, "relayer"));
    expect(notOwner.message).to.equal(
      `from: is not the registry owner (${named.owner}); owner changes need the owner's key (got "${named.relayer}")`,
    );
  });

  it("prints the estimate and sends nothing on a dry run", async function () {
    const before = await client.getBlockNumber();
    const result = await change(
      { kind: "witnesses", quorum: 3n, add: [named.witness4!] },
      "owner",
      true,
    );
    expect(result.sent).to.equal(false);
    expect(lines.at(-1)).to.equal("  dry run: nothing sent");
    expect(await client.getBlockNumber()).to.equal(before);
  });

  it("rotates a witness's key in one transaction, keeping its index and the quorum", async function () {
    const before = await readRegistry(client, registry);
    const index = await client.readContract({
      address: registry.address,
      abi: registry.abi,
      functionName: "witnessIndex",
      args: [named.witness2!],
    });
    await change({ kind: "rotate", previousKey: named.witness2!, newKey: named.witness5! });
    const after = await readRegistry(client, registry);
    expect(after.witnesses).to.deep.equal(
      before.witnesses.map((w) => (w === named.witness2 ? named.witness5 : w)),
    );
    expect(after.quorum).to.equal(before.quorum);
    expect(after.indicesAssigned).to.equal(before.indicesAssigned);
    expect(
      await client.readContract({
        address: registry.address,
        abi: registry.abi,
        functionName: "witnessIndex",
        args: [named.witness5!],
      }),
    ).to.equal(index);
    const again = await rejection(
      change({ kind: "witnesses", add: [named.witness2!], quorum: 3n }),
    );
    expect(again.message).to.match(/RetiredWitnessKey/);
  });

  it("hands ownership over in two steps", async function () {
    await change({ kind: "transfer-ownership", newOwner: named.publisher! });
    let state = await readRegistry(client, registry);
    expect([state.owner, state.pendingOwner]).to.deep.equal([named.owner, named.publisher]);
    const wrong = await rejection(change({ kind: "accept-ownership" }, "relayer"));
    expect(wrong.message).to.match(/^from: is not the pending owner/);
    await change({ kind: "accept-ownership" }, "publisher");
    state = await readRegistry(client, registry);
    expect(state.owner).to.equal(named.publisher);
    expect(formatRegistry(state)[1]).to.equal(`  owner: ${named.publisher}`);
  });

  it("runs as tasks, refusing bad input before anything is sent", async function () {
    const before = await client.getBlockNumber();
    const bad = await rejection(
      hre.run("witness:add", { witness: "0x1234", from: "owner", dryRun: false }),
    );
    expect(bad.message).to.equal('witness: is not an address (got "0x1234")');
    const badQuorum = await rejection(
      hre.run("quorum:set", { quorum: "two", from: "owner", dryRun: false }),
    );
    expect(badQuorum.message).to.equal('quorum: is not a whole number (got "two")');
    const unknown = await rejection(
      hre.run("witness:remove", { witness: "nobody", from: "owner", dryRun: false }),
    );
    expect(unknown.message).to.match(
      /^witness: is neither an address nor a named account \(deployer, owner/,
    );
    const noKey = await rejection(
      hre.run("quorum:set", {
        quorum: "3",
        from: "0x000000000000000000000000000000000000dEaD",
        dryRun: false,
      }),
    );
    expect((noKey as { parent?: unknown }).parent).to.be.instanceOf(NoSigningKeyError);
    expect(await client.getBlockNumber()).to.equal(before);
    await hre.run("witness:add", {
      witness: "witness4",
      quorum: "3",
      from: "owner",
      dryRun: false,
    });
    expect((await readRegistry(client, registry)).witnesses).to.include(named.witness4);
  });
});
