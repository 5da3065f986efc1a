import { expect } from "chai";
import hre from "hardhat";
import { getAddress, zeroHash, type Hex } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  attestedEvent,
  bits,
  contentAt,
  equivocationEvent,
  finalizedEvent,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  headOf,
  linkOn,
  linksOn,
  loadLedgerFixture,
  proposedEvent,
  runOf,
  slotOf,
  streamOf,
} from "./fixture";

const STREAM = streamOf(1);

function word(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, "0")}`;
}

describe("EveryChannelObservationLedger.attest / attestMany", function () {
  describe("attest", function () {
    it("returns false below quorum and true for the attestation that finalizes", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      for (const [i, expected] of [
        [0, false],
        [1, false],
        [2, true],
      ] as const) {
        const as = await f.ledgerAs(f.witnesses[i]!);
        const { result } = await as.simulate.attest([genesis], {
          account: f.witnesses[i]!.address,
        });
        expect(result).to.equal(expected);
        await f.receiptOf(await as.write.attest([genesis]));
      }
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(genesis, undefined)),
      );
    });

    it("emits ObservationProposed and ObservationAttested for the first attestation, ObservationAttested for the next, ObservationFinalized with the assigned parent and sequence for the last", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      await finalizeWithQuorum(f, genesis);
      const head = linkOn(genesis, undefined);
      const next = contentAt(STREAM, 101n);
      const [w2, w3, w4] = f.witnesses.slice(2);
      const logs = [];
      for (const w of [w2!, w3!, w4!])
        logs.push(...(await f.receiptOf(await (await f.ledgerAs(w)).write.attest([next]))).logs);
      expectEvents(f.ledger, logs, [
        proposedEvent(next),
        attestedEvent(next, w2!.address),
        attestedEvent(next, w3!.address),
        finalizedEvent(next, head, bits(2, 3, 4)),
      ]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(linkOn(next, head)));
    });

    it("reverts with NotAWitness for an account that never was a witness", async function () {
      const f = await loadLedgerFixture();
      const stranger = hardhatAccount(9);
      await expectRevert(
        (await f.ledgerAs(stranger)).write.attest([contentAt(STREAM, 100n)]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
    });

    it("reverts with NotAWitness for a removed witness", async function () {
      const f = await loadLedgerFixture();
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        (await f.ledgerAs(f.witnesses[4]!)).write.attest([contentAt(STREAM, 100n)]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("reverts with AlreadyAttested when a witness attests the same content twice", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const as = await f.ledgerAs(f.witnesses[0]!);
      await as.write.attest([genesis]);
      await expectRevert(as.write.attest([genesis]), f.ledger, "AlreadyAttested", [
        hashOf(genesis),
        f.witnesses[0]!.address,
      ]);
    });

    it("reverts with SlotAlreadyFinalized for the finalized content and for a rival of its slot", async function () {
      const f = await loadLedgerFixture();
      const winner = contentAt(STREAM, 100n, 0);
      const rival = contentAt(STREAM, 100n, 1);
      await finalizeWithQuorum(f, winner);
      const as = await f.ledgerAs(f.witnesses[4]!);
      for (const content of [winner, rival]) {
        await expectRevert(as.write.attest([content]), f.ledger, "SlotAlreadyFinalized", [
          slotOf(winner),
          hashOf(winner),
        ]);
      }
    });

    it("records a vote on a content at or before the head, and reverts with ObservationExpired the one that would bring its quorum", async function () {
      const f = await loadLedgerFixture();
      const head = contentAt(STREAM, 100n);
      await finalizeWithQuorum(f, head);
      // An earlier epoch, and a later epoch whose content claims the head's very time.
      const earlier = contentAt(STREAM, 99n);
      const sameTime = { ...contentAt(STREAM, 101n), observedUnixMs: head.observedUnixMs };
      for (const content of [earlier, sameTime]) {
        const [w0, w1, w2] = f.witnesses;
        const logs = [];
        for (const w of [w0!, w1!])
          logs.push(
            ...(await f.receiptOf(await (await f.ledgerAs(w)).write.attest([content]))).logs,
          );
        expectEvents(f.ledger, logs, [
          proposedEvent(content),
          attestedEvent(content, w0!.address),
          attestedEvent(content, w1!.address),
        ]);
        await expectRevert(
          (await f.ledgerAs(w2!)).write.attest([content]),
          f.ledger,
          "ObservationExpired",
          [hashOf(content), content.observedUnixMs, head.observedUnixMs],
        );
        expect(await f.ledger.read.candidateStatus([content])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.expired,
          2n,
          3n,
          false,
        ]);
      }
      // One millisecond later than the head extends it.
      const justLater = { ...contentAt(STREAM, 102n), observedUnixMs: head.observedUnixMs + 1n };
      await finalizeWithQuorum(f, justLater);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(justLater, linkOn(head, undefined))),
      );
    });

    it("records an equivocation instead of counting a witness's second content in a slot", async function () {
      const f = await loadLedgerFixture();
      const a = contentAt(STREAM, 100n, 0);
      const b = contentAt(STREAM, 100n, 1);
      const c = contentAt(STREAM, 100n, 2);
      const w = f.witnesses[0]!;
      const as = await f.ledgerAs(w);
      await as.write.attest([a]);
      expect((await as.simulate.attest([b], { account: w.address })).result).to.equal(false);
      const receipt = await f.receiptOf(await as.write.attest([b]));
      expectEvents(f.ledger, receipt.logs, [equivocationEvent(a, w.address, zeroHash, hashOf(b))]);
      expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
        zeroHash,
        hashOf(b),
      ]);
      expect(await f.ledger.read.candidateStatus([b])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.unknown,
        0n,
        3n,
        true,
      ]);
      expect(await f.ledger.read.candidateStatus([a])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.open,
        1n,
        3n,
        true,
      ]);
      // A third content: nothing counted, nothing recorded again.
      const again = await f.receiptOf(await as.write.attest([c]));
      expectEvents(f.ledger, again.logs, []);
      expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
        zeroHash,
        hashOf(b),
      ]);
      // Its counted vote stands.
      expect(await f.ledger.read.attestationsOf([hashOf(a)])).to.deep.equal([w.address]);
    });

    it("accepts a contract witness (ERC-1271 wallet) attesting by transaction", async function () {
      const f = await loadLedgerFixture();
      const wallet = await hre.viem.deployContract("ERC1271WitnessMock", [
        hardhatAccount(8).address,
      ]);
      await f.registry.write.updateWitnessSet([[wallet.address], [], 4n]);
      const genesis = contentAt(STREAM, 100n);
      const receipt = await f.receiptOf(await wallet.write.attest([f.ledger.address, genesis]));
      expectEvents(f.ledger, receipt.logs, [
        proposedEvent(genesis),
        attestedEvent(genesis, wallet.address),
      ]);
      expect(await f.ledger.read.attestationsOf([hashOf(genesis)])).to.deep.equal([
        getAddress(wallet.address),
      ]);
    });

    it("records a content hashing below 2**128 while it stays open, and reverts with ReservedContentHash when it would finalize", async function () {
      const f = await loadLedgerFixture();
      const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
        f.registry.address,
      ]);
      const as = async (i: number) =>
        hre.viem.getContractAt("EveryChannelObservationLedgerHarness", harness.address, {
          client: { wallet: (await hre.viem.getWalletClients())[i + 1]! },
        });
      const reserved = word(2n ** 128n - 1n);
      await harness.write.forceContentHash([reserved]);
      const genesis = contentAt(STREAM, 100n);
      for (const i of [0, 1]) await (await as(i)).write.attest([genesis]);
      expect(await harness.read.attestationsOf([reserved])).to.deep.equal(
        f.witnesses.slice(0, 2).map((w) => w.address),
      );
      await expectRevert((await as(2)).write.attest([genesis]), harness, "ReservedContentHash", [
        reserved,
      ]);
      // The smallest hash outside the reserved range finalizes (another slot: its votes are new).
      const smallest = word(2n ** 128n);
      await harness.write.forceContentHash([smallest]);
      const other = contentAt(STREAM, 101n);
      for (const i of [0, 1, 2]) await (await as(i)).write.attest([other]);
      expect(await harness.read.slotStatus([slotOf(other)])).to.deep.equal([
        SLOT_STATUS_VALUE.finalized,
        smallest,
        0n,
      ]);
    });
  });

  describe("attestMany", function () {
    it("attests several contents in order, finalizing each on the previous, and returns (counted, finalized)", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 100n, 3);
      for (const i of [0, 1]) {
        const as = await f.ledgerAs(f.witnesses[i]!);
        expect(
          (await as.simulate.attestMany([run], { account: f.witnesses[i]!.address })).result,
        ).to.deep.equal([3n, 0n]);
        await as.write.attestMany([run]);
      }
      const as = await f.ledgerAs(f.witnesses[2]!);
      expect(
        (await as.simulate.attestMany([run], { account: f.witnesses[2]!.address })).result,
      ).to.deep.equal([3n, 3n]);
      const receipt = await f.receiptOf(await as.write.attestMany([run]));
      const links = linksOn(run, undefined);
      expectEvents(
        f.ledger,
        receipt.logs,
        run.map((c, i) => finalizedEvent(c, i === 0 ? undefined : links[i - 1], bits(0, 1, 2))),
      );
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(links[2]!));
    });

    it("reverts with EmptyBatch on no contents", async function () {
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
        (await f.ledgerAs(stranger)).write.attestMany([runOf(STREAM, 100n, 2)]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
    });

    it("records an equivocation in a batch, counts it nowhere and goes on", async function () {
      const f = await loadLedgerFixture();
      const w = f.witnesses[0]!;
      const a = contentAt(STREAM, 100n, 0);
      const b = contentAt(STREAM, 100n, 1);
      const next = contentAt(STREAM, 101n);
      const as = await f.ledgerAs(w);
      await as.write.attest([a]);
      expect(
        (await as.simulate.attestMany([[b, next]], { account: w.address })).result,
      ).to.deep.equal([1n, 0n]);
      const receipt = await f.receiptOf(await as.write.attestMany([[b, next]]));
      expectEvents(f.ledger, receipt.logs, [
        equivocationEvent(a, w.address, zeroHash, hashOf(b)),
        proposedEvent(next),
        attestedEvent(next, w.address),
      ]);
    });

    it("skips, within one batch, a content it just attested (a duplicate in the list)", async function () {
      const f = await loadLedgerFixture();
      const w = f.witnesses[0]!;
      const content = contentAt(STREAM, 100n);
      const as = await f.ledgerAs(w);
      expect(
        (await as.simulate.attestMany([[content, content]], { account: w.address })).result,
      ).to.deep.equal([1n, 0n]);
      const receipt = await f.receiptOf(await as.write.attestMany([[content, content]]));
      expectEvents(f.ledger, receipt.logs, [
        proposedEvent(content),
        attestedEvent(content, w.address),
      ]);
    });
  });
});
