import { expect } from "chai";
import { zeroHash } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  bits,
  chainOf,
  finalizeWithQuorum,
  hashOf,
  headerAt,
  linkOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
  type LedgerFixture,
} from "./fixture";
import type { ObservationHeader } from "../../lib/types/abi";

describe("EveryChannelObservationLedger.finalize", function () {
  /** Records attestations of `signers` (witness indices) on `header` without finalizing anything else. */
  async function record(f: LedgerFixture, header: ObservationHeader, signers: number[]) {
    await f.ledger.write.submitSignedAttestations([
      [
        await f.signed(
          header,
          signers.map((i) => f.witnesses[i]!),
        ),
      ],
    ]);
  }

  it("finalizes a speculative candidate once its parent is the head, by anyone, and returns true", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = chainOf(streamOf(1), 100n, 2, undefined);
    await record(f, b!, [0, 1, 2]);
    await finalizeWithQuorum(f, a!);
    const anyone = f.others[10]!;
    expect(
      (await f.ledger.simulate.finalize([b!], { account: anyone.account.address })).result,
    ).to.equal(true);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.finalize([b!], { account: anyone.account.address }),
    });
    expectEvents(f.ledger, receipt.logs, [
      {
        eventName: "ObservationFinalized",
        args: {
          observationHash: hashOf(b!),
          streamHash: b!.streamHash,
          slot: slotOf(b!),
          sequence: 1n,
          witnesses: bits(0, 1, 2),
        },
      },
    ]);
    expect(await f.ledger.read.finalizedHead([streamOf(1)])).to.deep.equal([
      hashOf(b!),
      1n,
      b!.observedUnixMs,
    ]);
    expect(await f.ledger.read.attestationsOf([hashOf(b!)])).to.deep.equal([]);
  });

  it("finalizes with the lowered quorum a candidate that was below the old one", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await record(f, a!, [0, 1]);
    await f.registry.write.updateWitnessSet([
      [],
      [f.witnesses[3]!.address, f.witnesses[4]!.address],
      2n,
    ]);
    await f.ledger.write.finalize([a!]);
    expect((await f.ledger.read.finalizedHead([streamOf(1)]))[0]).to.equal(hashOf(a!));
  });

  it("reverts with SlotAlreadyFinalized once the slot has a finalized observation", async function () {
    const f = await loadLedgerFixture();
    const winner = headerAt(streamOf(1), 100n, undefined, 0);
    const rival = headerAt(streamOf(1), 100n, undefined, 1);
    await record(f, rival, [3, 4]);
    await finalizeWithQuorum(f, winner);
    for (const header of [winner, rival]) {
      await expectRevert(f.ledger.write.finalize([header]), f.ledger, "SlotAlreadyFinalized", [
        slotOf(winner),
        hashOf(winner),
      ]);
    }
  });

  it("reverts with UnknownObservation for a candidate without recorded attestations", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await expectRevert(f.ledger.write.finalize([a!]), f.ledger, "UnknownObservation", [hashOf(a!)]);
  });

  it("reverts with QuorumNotReached below quorum, counting only active witnesses", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await record(f, a!, [0, 1]);
    await expectRevert(f.ledger.write.finalize([a!]), f.ledger, "QuorumNotReached", [
      hashOf(a!),
      2n,
      3n,
    ]);
    await f.registry.write.removeWitness([f.witnesses[0]!.address]);
    await expectRevert(f.ledger.write.finalize([a!]), f.ledger, "QuorumNotReached", [
      hashOf(a!),
      1n,
      3n,
    ]);
  });

  it("reverts with QuorumNotReached when the quorum rose above a speculative candidate's attestations", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = chainOf(streamOf(1), 100n, 2, undefined);
    await record(f, b!, [0, 1, 2]);
    await finalizeWithQuorum(f, a!);
    await f.registry.write.setQuorum([4n]);
    await expectRevert(f.ledger.write.finalize([b!]), f.ledger, "QuorumNotReached", [
      hashOf(b!),
      3n,
      4n,
    ]);
  });

  it("reverts with ParentNotHead when the parent is not the stream's head", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = chainOf(streamOf(1), 100n, 2, undefined);
    await record(f, b!, [0, 1, 2]);
    await expectRevert(f.ledger.write.finalize([b!]), f.ledger, "ParentNotHead", [
      streamOf(1),
      hashOf(a!),
      zeroHash,
    ]);
    const stale = headerAt(streamOf(1), 105n, { hash: hashOf(b!), sequence: 1n });
    await finalizeWithQuorum(f, a!);
    await record(f, stale, [0, 1, 2]);
    await expectRevert(f.ledger.write.finalize([stale]), f.ledger, "ParentNotHead", [
      streamOf(1),
      hashOf(b!),
      hashOf(a!),
    ]);
  });

  it("reverts with SequenceNotNext for a first observation with a sequence other than 0", async function () {
    const f = await loadLedgerFixture();
    const first = { ...headerAt(streamOf(1), 100n, undefined), sequence: 1n };
    await record(f, first, [0, 1, 2]);
    await expectRevert(f.ledger.write.finalize([first]), f.ledger, "SequenceNotNext", [
      streamOf(1),
      1n,
      0n,
    ]);
  });

  it("reverts with SequenceNotNext for a sequence other than the head's plus one", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await finalizeWithQuorum(f, a!);
    for (const [k, sequence] of [0n, 2n, 2n ** 64n - 1n].entries()) {
      const b = { ...headerAt(streamOf(1), 101n + BigInt(k), linkOf(a!)), sequence };
      await record(f, b, [0, 1, 2]);
      await expectRevert(f.ledger.write.finalize([b]), f.ledger, "SequenceNotNext", [
        streamOf(1),
        sequence,
        1n,
      ]);
    }
  });

  it("reverts with EpochNotLater when the epoch is not later than the head's", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await finalizeWithQuorum(f, a!);
    for (const [k, observedUnixMs] of [a!.observedUnixMs, a!.observedUnixMs - 1n, 0n].entries()) {
      const b = { ...headerAt(streamOf(1), 101n + BigInt(k), linkOf(a!)), observedUnixMs };
      await record(f, b, [0, 1, 2]);
      await expectRevert(f.ledger.write.finalize([b]), f.ledger, "EpochNotLater", [
        streamOf(1),
        observedUnixMs,
        a!.observedUnixMs,
      ]);
    }
  });

  it("accepts a gap in epochs: the chain continues from the last finalized epoch", async function () {
    const f = await loadLedgerFixture();
    const [a] = chainOf(streamOf(1), 100n, 1, undefined);
    await finalizeWithQuorum(f, a!);
    const afterGap = headerAt(streamOf(1), 140n, linkOf(a!));
    await finalizeWithQuorum(f, afterGap);
    expect(await f.ledger.read.finalizedHead([streamOf(1)])).to.deep.equal([
      hashOf(afterGap),
      1n,
      afterGap.observedUnixMs,
    ]);
  });
});
