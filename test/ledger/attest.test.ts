import { expect } from "chai";
import hre from "hardhat";
import { getAddress, zeroHash } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  bits,
  chainOf,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  headerAt,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

describe("EveryChannelObservationLedger.attest / attestMany", function () {
  describe("attest", function () {
    it("returns false below quorum and true for the attestation that finalizes", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      for (const [i, expected] of [
        [0, false],
        [1, false],
        [2, true],
      ] as const) {
        const as = await f.ledgerAs(f.witnesses[i]!);
        const { result } = await as.simulate.attest([genesis!], {
          account: f.witnesses[i]!.address,
        });
        expect(result).to.equal(expected);
        await f.publicClient.waitForTransactionReceipt({ hash: await as.write.attest([genesis!]) });
      }
    });

    it("reverts with NotAWitness for an account that never was a witness", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const stranger = hardhatAccount(9);
      await expectRevert(
        (await f.ledgerAs(stranger)).write.attest([genesis!]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
    });

    it("reverts with NotAWitness for a removed witness", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        (await f.ledgerAs(f.witnesses[4]!)).write.attest([genesis!]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("reverts with AlreadyAttested when a witness attests the same candidate twice", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const as = await f.ledgerAs(f.witnesses[0]!);
      await as.write.attest([genesis!]);
      await expectRevert(as.write.attest([genesis!]), f.ledger, "AlreadyAttested", [
        hashOf(genesis!),
        f.witnesses[0]!.address,
      ]);
    });

    it("reverts with SlotAlreadyFinalized for the finalized observation and for a rival of its slot", async function () {
      const f = await loadLedgerFixture();
      const winner = headerAt(streamOf(1), 100n, undefined, 0);
      const rival = headerAt(streamOf(1), 100n, undefined, 1);
      await finalizeWithQuorum(f, winner);
      const as = await f.ledgerAs(f.witnesses[4]!);
      for (const header of [winner, rival]) {
        await expectRevert(as.write.attest([header]), f.ledger, "SlotAlreadyFinalized", [
          slotOf(winner),
          hashOf(winner),
        ]);
      }
    });

    it("records an equivocation instead of counting a witness's second candidate in a slot", async function () {
      const f = await loadLedgerFixture();
      const a = headerAt(streamOf(1), 100n, undefined, 0);
      const b = headerAt(streamOf(1), 100n, undefined, 1);
      const c = headerAt(streamOf(1), 100n, undefined, 2);
      const as = await f.ledgerAs(f.witnesses[0]!);
      await as.write.attest([a]);
      expect((await as.simulate.attest([b], { account: f.witnesses[0]!.address })).result).to.equal(
        false,
      );
      const receipt = await f.publicClient.waitForTransactionReceipt({
        hash: await as.write.attest([b]),
      });
      expectEvents(f.ledger, receipt.logs, [
        {
          eventName: "EquivocationRecorded",
          args: {
            slot: slotOf(a),
            witness: f.witnesses[0]!.address,
            observationA: zeroHash,
            observationB: hashOf(b),
          },
        },
      ]);
      expect(await f.ledger.read.equivocation([slotOf(a), f.witnesses[0]!.address])).to.deep.equal([
        zeroHash,
        hashOf(b),
      ]);
      expect(await f.ledger.read.candidateStatus([slotOf(b), hashOf(b)])).to.deep.equal([
        0,
        0n,
        3n,
      ]);
      expect(await f.ledger.read.candidateStatus([slotOf(a), hashOf(a)])).to.deep.equal([
        1,
        1n,
        3n,
      ]);
      // A third candidate: nothing counted, nothing recorded again.
      const again = await f.publicClient.waitForTransactionReceipt({
        hash: await as.write.attest([c]),
      });
      expectEvents(f.ledger, again.logs, []);
      expect(await f.ledger.read.equivocation([slotOf(a), f.witnesses[0]!.address])).to.deep.equal([
        zeroHash,
        hashOf(b),
      ]);
    });

    it("accepts a contract witness (ERC-1271 wallet) attesting by transaction", async function () {
      const f = await loadLedgerFixture();
      const wallet = await hre.viem.deployContract("ERC1271WitnessMock", [
        hardhatAccount(8).address,
      ]);
      await f.registry.write.updateWitnessSet([[wallet.address], [], 4n]);
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const receipt = await f.publicClient.waitForTransactionReceipt({
        hash: await wallet.write.attest([f.ledger.address, genesis!]),
      });
      expectEvents(f.ledger, receipt.logs, [
        {
          eventName: "ObservationProposed",
          args: {
            observationHash: hashOf(genesis!),
            streamHash: genesis!.streamHash,
            slot: slotOf(genesis!),
            header: genesis!,
          },
        },
        {
          eventName: "ObservationAttested",
          args: { observationHash: hashOf(genesis!), witness: wallet.address },
        },
      ]);
      expect(await f.ledger.read.attestationsOf([hashOf(genesis!)])).to.deep.equal([
        getAddress(wallet.address),
      ]);
    });

    it("reverts with ReservedObservationHash for a hash below 2**128", async function () {
      const f = await loadLedgerFixture();
      const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
        f.registry.address,
      ]);
      const reserved = `0x${(2n ** 128n - 1n).toString(16).padStart(64, "0")}` as const;
      await harness.write.forceObservationHash([reserved]);
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const as = await hre.viem.getContractAt(
        "EveryChannelObservationLedgerHarness",
        harness.address,
        {
          client: { wallet: (await hre.viem.getWalletClients())[1]! },
        },
      );
      await expectRevert(as.write.attest([genesis!]), harness, "ReservedObservationHash", [
        reserved,
      ]);
      // The smallest hash outside the reserved range is accepted.
      const smallest = `0x${(2n ** 128n).toString(16).padStart(64, "0")}` as const;
      await harness.write.forceObservationHash([smallest]);
      await as.write.attest([genesis!]);
      expect(await harness.read.attestationsOf([smallest])).to.deep.equal([
        f.witnesses[0]!.address,
      ]);
    });
  });

  describe("attestMany", function () {
    it("attests several headers in order and returns how many it finalized", async function () {
      const f = await loadLedgerFixture();
      const run = chainOf(streamOf(1), 100n, 3, undefined);
      for (const i of [0, 1]) await (await f.ledgerAs(f.witnesses[i]!)).write.attestMany([run]);
      const as = await f.ledgerAs(f.witnesses[2]!);
      expect(
        (await as.simulate.attestMany([run], { account: f.witnesses[2]!.address })).result,
      ).to.equal(3n);
      const receipt = await f.publicClient.waitForTransactionReceipt({
        hash: await as.write.attestMany([run]),
      });
      expectEvents(
        f.ledger,
        receipt.logs,
        run.map((h) => ({
          eventName: "ObservationFinalized",
          args: {
            observationHash: hashOf(h),
            streamHash: h.streamHash,
            slot: slotOf(h),
            sequence: h.sequence,
            witnesses: bits(0, 1, 2),
          },
        })),
      );
      expect((await f.ledger.read.finalizedHead([streamOf(1)]))[1]).to.equal(2n);
    });

    it("reverts with EmptyBatch on no headers", async function () {
      const f = await loadLedgerFixture();
      await expectRevert(
        (await f.ledgerAs(f.witnesses[0]!)).write.attestMany([[]]),
        f.ledger,
        "EmptyBatch",
        [],
      );
    });

    it("reverts with NotAWitness for a stranger", async function () {
      const f = await loadLedgerFixture();
      const stranger = hardhatAccount(9);
      await expectRevert(
        (await f.ledgerAs(stranger)).write.attestMany([chainOf(streamOf(1), 100n, 2, undefined)]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
    });

    it("reverts as a whole when one header fails (AlreadyAttested)", async function () {
      const f = await loadLedgerFixture();
      const run = chainOf(streamOf(1), 100n, 2, undefined);
      const as = await f.ledgerAs(f.witnesses[0]!);
      await as.write.attest([run[1]!]);
      await expectRevert(as.write.attestMany([run]), f.ledger, "AlreadyAttested", [
        hashOf(run[1]!),
        f.witnesses[0]!.address,
      ]);
      expect(await f.ledger.read.attestationsOf([hashOf(run[0]!)])).to.deep.equal([]);
    });
  });
});
