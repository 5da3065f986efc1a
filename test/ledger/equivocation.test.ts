import { expect } from "chai";
import { type Hex } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  bits,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  headerAt,
  loadLedgerFixture,
  slotOf,
  streamOf,
  type LedgerFixture,
} from "./fixture";
import type { ObservationHeader } from "../../lib/types/abi";

describe("EveryChannelObservationLedger.reportEquivocation", function () {
  const a = headerAt(streamOf(1), 100n, undefined, 0);
  const b = headerAt(streamOf(1), 100n, undefined, 1);

  async function signatureOf(
    f: LedgerFixture,
    header: ObservationHeader,
    witness = 0,
  ): Promise<Hex> {
    return (await f.signed(header, [f.witnesses[witness]!])).signatures[0]!.signature;
  }

  it("records two signatures of one witness for two candidates of a slot, by anyone", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.reportEquivocation(
        [w.address, a, await signatureOf(f, a), b, await signatureOf(f, b)],
        { account: f.others[10]!.account },
      ),
    });
    expectEvents(f.ledger, receipt.logs, [
      {
        eventName: "EquivocationRecorded",
        args: {
          slot: slotOf(a),
          witness: w.address,
          observationA: hashOf(a),
          observationB: hashOf(b),
        },
      },
    ]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
    // The witness's bit is now taken in the open slot: none of its attestations there counts any more.
    expect(await f.ledger.read.slotStatus([slotOf(a)])).to.deep.equal([
      1,
      `0x${"0".repeat(64)}`,
      bits(0),
    ]);
    const again = await f.publicClient.waitForTransactionReceipt({
      hash: await (await f.ledgerAs(w)).write.attest([a]),
    });
    expectEvents(f.ledger, again.logs, []);
    expect(await f.ledger.read.candidateStatus([slotOf(a), hashOf(a)])).to.deep.equal([0, 0n, 3n]);
  });

  it("keeps a counted attestation counted and records evidence after the slot finalized", async function () {
    const f = await loadLedgerFixture();
    await finalizeWithQuorum(f, a);
    const w = f.witnesses[0]!;
    await f.ledger.write.reportEquivocation([
      w.address,
      a,
      await signatureOf(f, a),
      b,
      await signatureOf(f, b),
    ]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(a)])).to.deep.equal([2, hashOf(a), 0n]);
  });

  it("accepts evidence against a witness removed since", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[4]!;
    const [sa, sb] = [await signatureOf(f, a, 4), await signatureOf(f, b, 4)];
    await f.registry.write.removeWitness([w.address]);
    await f.ledger.write.reportEquivocation([w.address, a, sa, b, sb]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      hashOf(a),
      hashOf(b),
    ]);
  });

  it("reverts with DifferentSlots for headers of two slots", async function () {
    const f = await loadLedgerFixture();
    const c = headerAt(streamOf(1), 101n, undefined);
    await expectRevert(
      f.ledger.write.reportEquivocation([
        f.witnesses[0]!.address,
        a,
        await signatureOf(f, a),
        c,
        await signatureOf(f, c),
      ]),
      f.ledger,
      "DifferentSlots",
      [slotOf(a), slotOf(c)],
    );
  });

  it("reverts with SameObservation for the same header twice", async function () {
    const f = await loadLedgerFixture();
    const s = await signatureOf(f, a);
    await expectRevert(
      f.ledger.write.reportEquivocation([f.witnesses[0]!.address, a, s, a, s]),
      f.ledger,
      "SameObservation",
      [hashOf(a)],
    );
  });

  it("reverts with NotAWitness for an address that never was a witness", async function () {
    const f = await loadLedgerFixture();
    const stranger = hardhatAccount(9);
    const sa = (await f.signed(a, [stranger])).signatures[0]!.signature;
    const sb = (await f.signed(b, [stranger])).signatures[0]!.signature;
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
    const args = [w.address, a, await signatureOf(f, a), b, await signatureOf(f, b)] as const;
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
        await signatureOf(f, a, 1),
        b,
        await signatureOf(f, b, 1),
      ]),
      f.ledger,
      "EquivocationAlreadyRecorded",
      [slotOf(a), v.address],
    );
  });

  it("reverts with InvalidSignature naming the header whose signature fails", async function () {
    const f = await loadLedgerFixture();
    const w = f.witnesses[0]!;
    const [sa, sb] = [await signatureOf(f, a), await signatureOf(f, b)];
    const other = await signatureOf(f, a, 1);
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
