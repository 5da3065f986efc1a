import { expect } from "chai";
import { zeroHash } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  bits,
  contentAt,
  equivocationEvent,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

describe("EveryChannelObservationLedger.reportEquivocation", function () {
  const a = contentAt(streamOf(1), 100n, 0);
  const b = contentAt(streamOf(1), 100n, 1);

  it("records two signatures of one witness over two contents of a slot, by anyone", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const receipt = await f.receiptOf(
      await f.ledger.write.reportEquivocation(
        [w.address, a, await f.signatureOf(a, w), b, await f.signatureOf(b, w)],
        { account: f.others[10]!.account },
      ),
    );
    expectEvents(f.ledger, receipt.logs, [equivocationEvent(a, w.address, hashOf(a), hashOf(b))]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
    // The witness's bit is now taken in the open slot: none of its attestations there counts any more.
    expect(await f.ledger.read.slotStatus([slotOf(a)])).to.deep.equal([
      SLOT_STATUS_VALUE.open,
      zeroHash,
      bits(0),
    ]);
    const again = await f.receiptOf(await (await f.ledgerAs(w)).write.attest([a]));
    expectEvents(f.ledger, again.logs, []);
    expect(await f.ledger.read.candidateStatus([a])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.unknown,
      0n,
      3n,
      true,
    ]);
  });

  it("keeps a counted attestation counted and records evidence after the slot finalized", async function () {
    const f = await loadLedgerFixture();
    await finalizeWithQuorum(f, a);
    const w = f.witnesses[0]!;
    await f.ledger.write.reportEquivocation([
      w.address,
      a,
      await f.signatureOf(a, w),
      b,
      await f.signatureOf(b, w),
    ]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(a)])).to.deep.equal([
      SLOT_STATUS_VALUE.finalized,
      hashOf(a),
      0n,
    ]);
  });

  it("accepts evidence against a witness removed since", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[4]!;
    const [sa, sb] = [await f.signatureOf(a, w), await f.signatureOf(b, w)];
    await f.registry.write.removeWitness([w.address]);
    await f.ledger.write.reportEquivocation([w.address, a, sa, b, sb]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
  });

  it("accepts evidence over two contents that differ only in observedUnixMs", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[1]!;
    const later = { ...a, observedUnixMs: a.observedUnixMs + 1n };
    expect(slotOf(later)).to.equal(slotOf(a));
    await f.ledger.write.reportEquivocation([
      w.address,
      a,
      await f.signatureOf(a, w),
      later,
      await f.signatureOf(later, w),
    ]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(later),
    ]);
  });

  it("reverts with DifferentSlots for contents of two slots", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const c = contentAt(streamOf(1), 101n);
    await expectRevert(
      f.ledger.write.reportEquivocation([
        w.address,
        a,
        await f.signatureOf(a, w),
        c,
        await f.signatureOf(c, w),
      ]),
      f.ledger,
      "DifferentSlots",
      [slotOf(a), slotOf(c)],
    );
  });

  it("reverts with SameObservation for the same content twice", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const s = await f.signatureOf(a, w);
    await expectRevert(
      f.ledger.write.reportEquivocation([w.address, a, s, a, s]),
      f.ledger,
      "SameObservation",
      [hashOf(a)],
    );
  });

  it("reverts with NotAWitness for an address that never was a witness", async function () {
    const f = await loadLedgerFixture();
    const stranger = hardhatAccount(9);
    const sa = await f.signatureOf(a, stranger);
    const sb = await f.signatureOf(b, stranger);
    await expectRevert(
      f.ledger.write.reportEquivocation([stranger.address, a, sa, b, sb]),
      f.ledger,
      "NotAWitness",
      [stranger.address],
    );
  });

  it("reverts with EquivocationAlreadyRecorded for a second report, and after automatic detection", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const args = [w.address, a, await f.signatureOf(a, w), b, await f.signatureOf(b, w)] as const;
    await f.ledger.write.reportEquivocation([...args]);
    await expectRevert(
      f.ledger.write.reportEquivocation([...args]),
      f.ledger,
      "EquivocationAlreadyRecorded",
      [slotOf(a), w.address],
    );
    const v = f.witnesses[1]!;
    await (await f.ledgerAs(v)).write.attest([a]);
    await (await f.ledgerAs(v)).write.attest([b]);
    await expectRevert(
      f.ledger.write.reportEquivocation([
        v.address,
        a,
        await f.signatureOf(a, v),
        b,
        await f.signatureOf(b, v),
      ]),
      f.ledger,
      "EquivocationAlreadyRecorded",
      [slotOf(a), v.address],
    );
  });

  it("reverts with InvalidSignature naming the content whose signature fails", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const [sa, sb] = [await f.signatureOf(a, w), await f.signatureOf(b, w)];
    const other = await f.signatureOf(a, f.witnesses[1]!);
    await expectRevert(
      f.ledger.write.reportEquivocation([w.address, a, other, b, sb]),
      f.ledger,
      "InvalidSignature",
      [w.address, hashOf(a)],
    );
    await expectRevert(
      f.ledger.write.reportEquivocation([w.address, a, sa, b, sa]),
      f.ledger,
      "InvalidSignature",
      [w.address, hashOf(b)],
    );
  });
});
