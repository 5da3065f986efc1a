import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  encodeFunctionData,
  getAddress,
  keccak256,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";

import { expectEvents } from "../support/events";
import { expectGasSnapshot } from "../support/gas";
import { expectRevert } from "../support/revert";

/** A deterministic address that is not one of the node's accounts. */
function addressOf(label: string): Address {
  return getAddress(keccak256(toHex(label)).slice(0, 42));
}

describe("EveryChannelWitnessRegistry", function () {
  async function deploy() {
    const [owner, stranger, next] = await hre.viem.getWalletClients();
    const publicClient = await hre.viem.getPublicClient();
    const witnesses = [1, 2, 3, 4, 5].map((i) => addressOf(`witness-${i}`));
    const registry = await hre.viem.deployContract("EveryChannelWitnessRegistry", [
      owner!.account.address,
      witnesses,
      3n,
    ]);
    const receiptOf = async (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
    return {
      owner: owner!,
      stranger: stranger!,
      next: next!,
      publicClient,
      witnesses,
      registry,
      receiptOf,
    };
  }

  describe("constructor", function () {
    it("registers the witnesses with indices in order, the quorum and the owner, with events", async function () {
      const { registry, witnesses, owner, publicClient } = await loadFixture(deploy);
      expect(await registry.read.owner()).to.equal(getAddress(owner.account.address));
      expect(await registry.read.witnesses()).to.deep.equal(witnesses);
      expect(await registry.read.quorum()).to.equal(3n);
      expect(await registry.read.witnessCount()).to.equal(5n);
      expect(await registry.read.indicesAssigned()).to.equal(5n);
      for (const [i, w] of witnesses.entries()) {
        expect(await registry.read.witnessIndex([w])).to.equal(BigInt(i));
        expect(await registry.read.witnessAt([BigInt(i)])).to.equal(w);
      }
      const logs = await publicClient.getContractEvents({
        address: registry.address,
        abi: registry.abi,
        fromBlock: 0n,
      });
      expectEvents(registry, logs, [
        {
          eventName: "OwnershipTransferred",
          args: { previousOwner: zeroAddress, newOwner: owner.account.address },
        },
        ...witnesses.map((w, i) => ({
          eventName: "WitnessAdded",
          args: { witness: w, index: BigInt(i) },
        })),
        { eventName: "QuorumChanged", args: { previousQuorum: 0n, newQuorum: 3n } },
      ]);
    });

    const cases: {
      name: string;
      witnesses: () => Address[];
      quorum: bigint;
      error: string;
      args: (w: Address[]) => unknown[];
    }[] = [
      {
        name: "a zero-address witness",
        witnesses: () => [addressOf("a"), zeroAddress],
        quorum: 1n,
        error: "ZeroAddressWitness",
        args: () => [],
      },
      {
        name: "a repeated witness",
        witnesses: () => [addressOf("a"), addressOf("a")],
        quorum: 1n,
        error: "WitnessAlreadyActive",
        args: (w) => [w[0]],
      },
      {
        name: "a zero quorum",
        witnesses: () => [addressOf("a"), addressOf("b"), addressOf("c")],
        quorum: 0n,
        error: "QuorumNotStrictMajority",
        args: () => [0n, 3n],
      },
      {
        name: "a quorum above the witness count",
        witnesses: () => [addressOf("a"), addressOf("b")],
        quorum: 3n,
        error: "QuorumExceedsWitnessCount",
        args: () => [3n, 2n],
      },
      {
        name: "a quorum that is not a strict majority",
        witnesses: () => [1, 2, 3, 4].map((i) => addressOf(`m${i}`)),
        quorum: 2n,
        error: "QuorumNotStrictMajority",
        args: () => [2n, 4n],
      },
      {
        name: "no witness and quorum 1",
        witnesses: () => [],
        quorum: 1n,
        error: "QuorumExceedsWitnessCount",
        args: () => [1n, 0n],
      },
      {
        name: "no witness and quorum 0",
        witnesses: () => [],
        quorum: 0n,
        error: "QuorumNotStrictMajority",
        args: () => [0n, 0n],
      },
      {
        name: "a quorum beyond 128",
        witnesses: () => [addressOf("a")],
        quorum: 300n,
        error: "QuorumExceedsWitnessCount",
        args: () => [300n, 1n],
      },
      {
        name: "more than 128 witnesses",
        witnesses: () => Array.from({ length: 129 }, (_, i) => addressOf(`many-${i}`)),
        quorum: 65n,
        error: "WitnessIndicesExhausted",
        args: (w) => [w[128], 128n],
      },
    ];
    for (const c of cases) {
      it(`reverts on ${c.name}`, async function () {
        const [owner] = await hre.viem.getWalletClients();
        const artifact = await hre.artifacts.readArtifact("EveryChannelWitnessRegistry");
        const w = c.witnesses();
        await expectRevert(
          hre.viem.deployContract("EveryChannelWitnessRegistry", [
            owner!.account.address,
            w,
            c.quorum,
          ]),
          { abi: artifact.abi },
          c.error,
          c.args(w),
        );
      });
    }

    it("reverts on a zero owner", async function () {
      const artifact = await hre.artifacts.readArtifact("EveryChannelWitnessRegistry");
      await expectRevert(
        hre.viem.deployContract("EveryChannelWitnessRegistry", [zeroAddress, [addressOf("a")], 1n]),
        { abi: artifact.abi },
        "OwnableInvalidOwner",
        [zeroAddress],
      );
    });
  });

  describe("addWitness", function () {
    it("adds a witness under a new index and emits WitnessAdded", async function () {
      const { registry, receiptOf } = await loadFixture(deploy);
      await registry.write.setQuorum([4n]).then(receiptOf);
      const added = addressOf("sixth");
      const receipt = await receiptOf(await registry.write.addWitness([added]));
      expectEvents(registry, receipt.logs, [
        { eventName: "WitnessAdded", args: { witness: added, index: 5n } },
      ]);
      expect(await registry.read.isWitness([added])).to.equal(true);
      expect(await registry.read.witnessCount()).to.equal(6n);
      expectGasSnapshot("registry", "addWitness: new index", receipt.gasUsed);
    });

    it("gives a re-added witness its old index back", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.removeWitness([witnesses[1]!]).then(receiptOf);
      const receipt = await receiptOf(await registry.write.addWitness([witnesses[1]!]));
      expectEvents(registry, receipt.logs, [
        { eventName: "WitnessAdded", args: { witness: witnesses[1]!, index: 1n } },
      ]);
      expect(await registry.read.indicesAssigned()).to.equal(5n);
      expectGasSnapshot("registry", "addWitness: re-added, old index", receipt.gasUsed);
    });

    it("reverts when called by another account than the owner", async function () {
      const { registry, stranger } = await loadFixture(deploy);
      await expectRevert(
        registry.write.addWitness([addressOf("x")], { account: stranger.account }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });

    it("reverts on the zero address", async function () {
      const { registry } = await loadFixture(deploy);
      await expectRevert(
        registry.write.addWitness([zeroAddress]),
        registry,
        "ZeroAddressWitness",
        [],
      );
    });

    it("reverts on an active witness", async function () {
      const { registry, witnesses } = await loadFixture(deploy);
      await expectRevert(
        registry.write.addWitness([witnesses[0]!]),
        registry,
        "WitnessAlreadyActive",
        [witnesses[0]!],
      );
    });

    it("reverts when the quorum would stop being a strict majority (3 of 6)", async function () {
      const { registry } = await loadFixture(deploy);
      await expectRevert(
        registry.write.addWitness([addressOf("sixth")]),
        registry,
        "QuorumNotStrictMajority",
        [3n, 6n],
      );
    });

    it("reverts when all 128 lifetime indices are assigned, even with active slots free", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      const more = Array.from({ length: 123 }, (_, i) => addressOf(`more-${i}`));
      await registry.write.updateWitnessSet([more, [], 65n]).then(receiptOf);
      expect(await registry.read.indicesAssigned()).to.equal(128n);
      await registry.write.updateWitnessSet([[], [witnesses[0]!], 64n]).then(receiptOf);
      const late = addressOf("late");
      await expectRevert(registry.write.addWitness([late]), registry, "WitnessIndicesExhausted", [
        late,
        128n,
      ]);
      // The removed witness can still come back under its own index.
      await registry.write.updateWitnessSet([[witnesses[0]!], [], 65n]).then(receiptOf);
      expect(await registry.read.isWitness([witnesses[0]!])).to.equal(true);
    });
  });

  describe("removeWitness", function () {
    it("removes a witness, keeps its index and emits WitnessRemoved", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      const receipt = await receiptOf(await registry.write.removeWitness([witnesses[4]!]));
      expectEvents(registry, receipt.logs, [
        { eventName: "WitnessRemoved", args: { witness: witnesses[4]!, index: 4n } },
      ]);
      expect(await registry.read.isWitness([witnesses[4]!])).to.equal(false);
      expect(await registry.read.witnessIndex([witnesses[4]!])).to.equal(4n);
      expect(await registry.read.witnessAt([4n])).to.equal(witnesses[4]!);
      expect(await registry.read.witnesses()).to.deep.equal(witnesses.slice(0, 4));
      expectGasSnapshot("registry", "removeWitness", receipt.gasUsed);
    });

    it("reverts when called by another account than the owner", async function () {
      const { registry, witnesses, stranger } = await loadFixture(deploy);
      await expectRevert(
        registry.write.removeWitness([witnesses[0]!], { account: stranger.account }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });

    it("reverts on an address that never was a witness", async function () {
      const { registry } = await loadFixture(deploy);
      const x = addressOf("x");
      await expectRevert(registry.write.removeWitness([x]), registry, "WitnessNotActive", [x]);
    });

    it("reverts on a witness already removed", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.removeWitness([witnesses[0]!]).then(receiptOf);
      await expectRevert(
        registry.write.removeWitness([witnesses[0]!]),
        registry,
        "WitnessNotActive",
        [witnesses[0]!],
      );
    });

    it("reverts when the quorum would exceed the witnesses left (3 of 2)", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.removeWitness([witnesses[4]!]).then(receiptOf);
      await registry.write.removeWitness([witnesses[3]!]).then(receiptOf);
      await expectRevert(
        registry.write.removeWitness([witnesses[2]!]),
        registry,
        "QuorumExceedsWitnessCount",
        [3n, 2n],
      );
    });

    it("reverts on removing the last witness", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.updateWitnessSet([[], witnesses.slice(1), 1n]).then(receiptOf);
      await expectRevert(
        registry.write.removeWitness([witnesses[0]!]),
        registry,
        "QuorumExceedsWitnessCount",
        [1n, 0n],
      );
    });
  });

  describe("rotateWitness", function () {
    it("gives the new key the old key's index, retires the old key for good, and emits WitnessRotated", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      const fresh = addressOf("fresh key");
      const before = await registry.read.membership();
      const receipt = await receiptOf(await registry.write.rotateWitness([witnesses[2]!, fresh]));
      expectEvents(registry, receipt.logs, [
        {
          eventName: "WitnessRotated",
          args: { previousKey: witnesses[2]!, newKey: fresh, index: 2n },
        },
      ]);
      expect(await registry.read.witnessIndex([fresh])).to.equal(2n);
      expect(await registry.read.witnessAt([2n])).to.equal(fresh);
      expect(await registry.read.isWitness([fresh])).to.equal(true);
      expect(await registry.read.isWitness([witnesses[2]!])).to.equal(false);
      expect(await registry.read.isRetired([witnesses[2]!])).to.equal(true);
      expect(await registry.read.indicesAssigned(), "no index used up").to.equal(5n);
      expect(await registry.read.membership(), "same active set and quorum").to.deep.equal(before);
      const [, , registered] = await registry.read.membershipOf([witnesses[2]!]);
      expect(registered).to.equal(false);
      await expectRevert(
        registry.read.witnessIndex([witnesses[2]!]),
        registry,
        "RetiredWitnessKey",
        [witnesses[2]!],
      );
      expectGasSnapshot("registry", "rotateWitness", receipt.gasUsed);
    });

    it("never lets a retired key back: adding it, or rotating to it, reverts with RetiredWitnessKey", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.rotateWitness([witnesses[0]!, addressOf("k2")]).then(receiptOf);
      await expectRevert(
        registry.write.addWitness([witnesses[0]!]),
        registry,
        "RetiredWitnessKey",
        [witnesses[0]!],
      );
      await expectRevert(
        registry.write.rotateWitness([witnesses[1]!, witnesses[0]!]),
        registry,
        "RetiredWitnessKey",
        [witnesses[0]!],
      );
      await expectRevert(
        registry.write.updateWitnessSet([[witnesses[0]!], [witnesses[1]!], 3n]),
        registry,
        "RetiredWitnessKey",
        [witnesses[0]!],
      );
    });

    it("rotates a rotated index again, keeping it", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.rotateWitness([witnesses[4]!, addressOf("k2")]).then(receiptOf);
      await registry.write.rotateWitness([addressOf("k2"), addressOf("k3")]).then(receiptOf);
      expect(await registry.read.witnessIndex([addressOf("k3")])).to.equal(4n);
      expect(await registry.read.isRetired([addressOf("k2")])).to.equal(true);
    });

    it("reverts for an old key that is not active, and for a new key that is zero or has an index", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await expectRevert(
        registry.write.rotateWitness([addressOf("nobody"), addressOf("k")]),
        registry,
        "WitnessNotActive",
        [addressOf("nobody")],
      );
      await registry.write.setQuorum([3n]).then(receiptOf);
      await registry.write.removeWitness([witnesses[3]!]).then(receiptOf);
      await expectRevert(
        registry.write.rotateWitness([witnesses[3]!, addressOf("k")]),
        registry,
        "WitnessNotActive",
        [witnesses[3]!],
      );
      await expectRevert(
        registry.write.rotateWitness([witnesses[0]!, zeroAddress]),
        registry,
        "ZeroAddressWitness",
        [],
      );
      await expectRevert(
        registry.write.rotateWitness([witnesses[0]!, witnesses[3]!]),
        registry,
        "WitnessKeyInUse",
        [witnesses[3]!, 3n],
      );
      await expectRevert(
        registry.write.rotateWitness([witnesses[0]!, witnesses[1]!]),
        registry,
        "WitnessKeyInUse",
        [witnesses[1]!, 1n],
      );
    });

    it("reverts when called by another account than the owner", async function () {
      const { registry, witnesses, stranger } = await loadFixture(deploy);
      await expectRevert(
        registry.write.rotateWitness([witnesses[0]!, addressOf("k")], {
          account: stranger.account,
        }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });
  });

  describe("setQuorum", function () {
    it("sets the quorum and emits QuorumChanged", async function () {
      const { registry, receiptOf } = await loadFixture(deploy);
      const receipt = await receiptOf(await registry.write.setQuorum([4n]));
      expectEvents(registry, receipt.logs, [
        { eventName: "QuorumChanged", args: { previousQuorum: 3n, newQuorum: 4n } },
      ]);
      expect(await registry.read.quorum()).to.equal(4n);
      expectGasSnapshot("registry", "setQuorum", receipt.gasUsed);
    });

    it("emits nothing when the quorum does not change", async function () {
      const { registry, receiptOf } = await loadFixture(deploy);
      const receipt = await receiptOf(await registry.write.setQuorum([3n]));
      expectEvents(registry, receipt.logs, []);
    });

    it("reverts when called by another account than the owner", async function () {
      const { registry, stranger } = await loadFixture(deploy);
      await expectRevert(
        registry.write.setQuorum([4n], { account: stranger.account }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });

    for (const [quorum, error, args] of [
      [6n, "QuorumExceedsWitnessCount", [6n, 5n]],
      [2n, "QuorumNotStrictMajority", [2n, 5n]],
      [0n, "QuorumNotStrictMajority", [0n, 5n]],
      [129n, "QuorumExceedsWitnessCount", [129n, 5n]],
      [2n ** 256n - 1n, "QuorumExceedsWitnessCount", [2n ** 256n - 1n, 5n]],
    ] as const) {
      it(`reverts with ${error} on quorum ${quorum} of 5`, async function () {
        const { registry } = await loadFixture(deploy);
        await expectRevert(registry.write.setQuorum([quorum]), registry, error, [...args]);
      });
    }
  });

  describe("updateWitnessSet", function () {
    it("moves 3 of 5 to 4 of 6 atomically: removals, additions, then the quorum", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      const added = [addressOf("sixth"), addressOf("seventh")];
      const receipt = await receiptOf(
        await registry.write.updateWitnessSet([added, [witnesses[0]!], 4n]),
      );
      expectEvents(registry, receipt.logs, [
        { eventName: "WitnessRemoved", args: { witness: witnesses[0]!, index: 0n } },
        { eventName: "WitnessAdded", args: { witness: added[0]!, index: 5n } },
        { eventName: "WitnessAdded", args: { witness: added[1]!, index: 6n } },
        { eventName: "QuorumChanged", args: { previousQuorum: 3n, newQuorum: 4n } },
      ]);
      expect(await registry.read.witnesses()).to.deep.equal([...witnesses.slice(1), ...added]);
      expect(await registry.read.membership()).to.deep.equal([0b1111110n, 4n]);
      expectGasSnapshot(
        "registry",
        "updateWitnessSet: 2 added, 1 removed, quorum changed",
        receipt.gasUsed,
      );
    });

    it("accepts an intermediate state that breaks the invariants when the result keeps them", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      // Removing three of five first would leave quorum 3 over 2 witnesses; the end state is 2 of 2.
      await registry.write.updateWitnessSet([[], witnesses.slice(2), 2n]).then(receiptOf);
      expect(await registry.read.membership()).to.deep.equal([0b11n, 2n]);
    });

    it("reverts when called by another account than the owner", async function () {
      const { registry, stranger } = await loadFixture(deploy);
      await expectRevert(
        registry.write.updateWitnessSet([[], [], 3n], { account: stranger.account }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });

    it("reverts with the error of the first failing step, naming its value", async function () {
      const { registry, witnesses } = await loadFixture(deploy);
      const x = addressOf("x");
      await expectRevert(
        registry.write.updateWitnessSet([[x, x], [], 4n]),
        registry,
        "WitnessAlreadyActive",
        [x],
      );
      await expectRevert(
        registry.write.updateWitnessSet([[], [x], 3n]),
        registry,
        "WitnessNotActive",
        [x],
      );
      await expectRevert(
        registry.write.updateWitnessSet([[zeroAddress], [], 3n]),
        registry,
        "ZeroAddressWitness",
        [],
      );
      await expectRevert(
        registry.write.updateWitnessSet([[x], [], 3n]),
        registry,
        "QuorumNotStrictMajority",
        [3n, 6n],
      );
      await expectRevert(
        registry.write.updateWitnessSet([[], [witnesses[0]!], 5n]),
        registry,
        "QuorumExceedsWitnessCount",
        [5n, 4n],
      );
    });
  });

  describe("views", function () {
    it("reports membership in one word and per account", async function () {
      const { registry, witnesses, receiptOf } = await loadFixture(deploy);
      await registry.write.removeWitness([witnesses[1]!]).then(receiptOf);
      expect(await registry.read.membership()).to.deep.equal([0b11101n, 3n]);
      expect(await registry.read.membershipOf([witnesses[1]!])).to.deep.equal([
        0b11101n,
        3n,
        true,
        1n,
      ]);
      expect(await registry.read.membershipOf([witnesses[4]!])).to.deep.equal([
        0b11101n,
        3n,
        true,
        4n,
      ]);
      expect(await registry.read.membershipOf([addressOf("x")])).to.deep.equal([
        0b11101n,
        3n,
        false,
        0n,
      ]);
      expect(await registry.read.isWitness([witnesses[1]!])).to.equal(false);
      expect(await registry.read.isWitness([witnesses[2]!])).to.equal(true);
      expect(await registry.read.isWitness([addressOf("x")])).to.equal(false);
      expect(await registry.read.MAX_WITNESS_INDICES()).to.equal(128n);
      expect(await registry.read.version()).to.equal("1.1.0");
    });

    it("reverts witnessIndex for an address that never was a witness", async function () {
      const { registry } = await loadFixture(deploy);
      const x = addressOf("x");
      await expectRevert(registry.read.witnessIndex([x]), registry, "NeverAWitness", [x]);
    });

    it("reverts witnessAt for an index not assigned yet", async function () {
      const { registry } = await loadFixture(deploy);
      await expectRevert(registry.read.witnessAt([5n]), registry, "UnassignedWitnessIndex", [
        5n,
        5n,
      ]);
    });

    it("costs a bounded amount of gas to read", async function () {
      const { registry, witnesses, publicClient } = await loadFixture(deploy);
      const reads = {
        isWitness: [witnesses[0]!],
        witnessIndex: [witnesses[0]!],
        witnessAt: [0n],
        witnessCount: [],
        quorum: [],
        indicesAssigned: [],
        witnesses: [],
        membership: [],
        membershipOf: [witnesses[0]!],
        MAX_WITNESS_INDICES: [],
        version: [],
      } as const;
      for (const [functionName, args] of Object.entries(reads)) {
        const gas = await publicClient.estimateGas({
          to: registry.address,
          data: encodeFunctionData({
            abi: registry.abi,
            functionName: functionName as "quorum",
            args: args as [],
          }),
        });
        expectGasSnapshot("registry", `view ${functionName} (eth_estimateGas)`, gas);
      }
    });
  });

  describe("two-step ownership", function () {
    it("transfers ownership only when the new owner accepts", async function () {
      const { registry, next, stranger, receiptOf } = await loadFixture(deploy);
      const offered = await receiptOf(
        await registry.write.transferOwnership([next.account.address]),
      );
      expectGasSnapshot("registry", "transferOwnership", offered.gasUsed);
      expect(await registry.read.pendingOwner()).to.equal(getAddress(next.account.address));
      await expectRevert(
        registry.write.acceptOwnership({ account: stranger.account }),
        registry,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
      const accepted = await receiptOf(
        await registry.write.acceptOwnership({ account: next.account }),
      );
      expectGasSnapshot("registry", "acceptOwnership", accepted.gasUsed);
      expect(await registry.read.owner()).to.equal(getAddress(next.account.address));
      await expectRevert(registry.write.setQuorum([4n]), registry, "OwnableUnauthorizedAccount", [
        (await hre.viem.getWalletClients())[0]!.account.address,
      ]);
    });

    it("lets the owner renounce, freezing the witness set", async function () {
      const { registry, owner, receiptOf } = await loadFixture(deploy);
      const receipt = await receiptOf(await registry.write.renounceOwnership());
      expectGasSnapshot("registry", "renounceOwnership", receipt.gasUsed);
      expect(await registry.read.owner()).to.equal(zeroAddress);
      await expectRevert(registry.write.setQuorum([4n]), registry, "OwnableUnauthorizedAccount", [
        owner.account.address,
      ]);
    });
  });
});
