import { expect } from "chai";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  bits,
  contentAt,
  finalizedEvent,
  finalizeWithQuorum,
  hashOf,
  headOf,
  linkOn,
  loadLedgerFixture,
  slotOf,
  streamOf,
  type LedgerFixture,
} from "./fixture";
import type { ObservationContent } from "../../lib/types/abi";

const STREAM = streamOf(1);

describe("EveryChannelObservationLedger.finalize", function () {
  /** Records attestations of `signers` (witness indices) on `content` in one relayed item. */
  async function record(f: LedgerFixture, content: ObservationContent, signers: number[]) {
    await f.receiptOf(
      await f.ledger.write.submitSignedAttestations([
        [
          await f.signed(
            content,
            signers.map((i) => f.witnesses[i]!),
          ),
        ],
      ]),
    );
  }

  it("finalizes, by anyone, a recorded content that reached quorum when a removed witness came back, on the head, and returns true", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await finalizeWithQuorum(f, genesis);
    const head = linkOn(genesis, undefined);
    const next = contentAt(STREAM, 101n);
    await record(f, next, [0, 1]);
    await f.registry.write.removeWitness([f.witnesses[0]!.address]);
    await record(f, next, [2]);
    await f.registry.write.addWitness([f.witnesses[0]!.address]);
    const anyone = f.others[10]!;
    expect(
      (await f.ledger.simulate.finalize([next], { account: anyone.account.address })).result,
    ).to.equal(true);
    const receipt = await f.receiptOf(
      await f.ledger.write.finalize([next], { account: anyone.account.address }),
    );
    expectEvents(f.ledger, receipt.logs, [finalizedEvent(next, head, bits(0, 1, 2))]);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(linkOn(next, head)));
    expect(await f.ledger.read.attestationsOf([hashOf(next)])).to.deep.equal([]);
  });

  it("finalizes with the lowered quorum a content that was below the old one", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await record(f, genesis, [0, 1]);
    await f.registry.write.updateWitnessSet([
      [],
      [f.witnesses[3]!.address, f.witnesses[4]!.address],
      2n,
    ]);
    const receipt = await f.receiptOf(await f.ledger.write.finalize([genesis]));
    expectEvents(f.ledger, receipt.logs, [finalizedEvent(genesis, undefined, bits(0, 1))]);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
      headOf(linkOn(genesis, undefined)),
    );
  });

  it("reverts with SlotAlreadyFinalized once the slot has a finalized content", async function () {
    const f = await loadLedgerFixture();
    const winner = contentAt(STREAM, 100n, 0);
    const rival = contentAt(STREAM, 100n, 1);
    await record(f, rival, [3, 4]);
    await finalizeWithQuorum(f, winner);
    for (const content of [winner, rival]) {
      await expectRevert(f.ledger.write.finalize([content]), f.ledger, "SlotAlreadyFinalized", [
        slotOf(winner),
        hashOf(winner),
      ]);
    }
  });

  it("reverts with UnknownObservation for a content without recorded attestations", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await expectRevert(f.ledger.write.finalize([genesis]), f.ledger, "UnknownObservation", [
      hashOf(genesis),
    ]);
  });

  it("reverts with QuorumNotReached below quorum, counting only active witnesses", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await record(f, genesis, [0, 1]);
    await expectRevert(f.ledger.write.finalize([genesis]), f.ledger, "QuorumNotReached", [
      hashOf(genesis),
      2n,
      3n,
    ]);
    await f.registry.write.removeWitness([f.witnesses[0]!.address]);
    await expectRevert(f.ledger.write.finalize([genesis]), f.ledger, "QuorumNotReached", [
      hashOf(genesis),
      1n,
      3n,
    ]);
  });

  it("reverts with QuorumNotReached when the quorum rose above a content's attestations", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await record(f, genesis, [0, 1]);
    await f.registry.write.removeWitness([f.witnesses[0]!.address]);
    await record(f, genesis, [2]);
    await f.registry.write.updateWitnessSet([[f.witnesses[0]!.address], [], 4n]);
    await expectRevert(f.ledger.write.finalize([genesis]), f.ledger, "QuorumNotReached", [
      hashOf(genesis),
      3n,
      4n,
    ]);
  });

  it("reverts with ObservationExpired for a content with quorum at or before the head", async function () {
    const f = await loadLedgerFixture();
    const later = contentAt(STREAM, 102n);
    const earlier = contentAt(STREAM, 101n);
    await record(f, earlier, [0, 1]);
    await finalizeWithQuorum(f, later);
    await f.registry.write.updateWitnessSet([
      [],
      [f.witnesses[3]!.address, f.witnesses[4]!.address],
      2n,
    ]);
    await expectRevert(f.ledger.write.finalize([earlier]), f.ledger, "ObservationExpired", [
      hashOf(earlier),
      earlier.observedUnixMs,
      later.observedUnixMs,
    ]);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
      headOf(linkOn(later, undefined)),
    );
  });

  it("links a content after a gap in epochs directly to the head", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await finalizeWithQuorum(f, genesis);
    const afterGap = contentAt(STREAM, 140n);
    await record(f, afterGap, [0, 1]);
    await f.registry.write.updateWitnessSet([
      [],
      [f.witnesses[3]!.address, f.witnesses[4]!.address],
      2n,
    ]);
    await f.ledger.write.finalize([afterGap]);
    const link = linkOn(afterGap, linkOn(genesis, undefined));
    expect(link.sequence).to.equal(1n);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(link));
  });
});
