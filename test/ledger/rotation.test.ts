import { expect } from "chai";

import { packCompactBatch } from "../../lib/ledger/compactSignatures";
import { expectRevert } from "../support/revert";
import {
  contentAt,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

describe("EveryChannelObservationLedger after a key rotation (registry rotateWitness)", function () {
  const stream = streamOf(40);

  it("counts the new key under the old index and refuses the retired key's signatures on every path", async function () {
    const f = await loadLedgerFixture();
    const [w0, w1, w2] = f.witnesses;
    const fresh = hardhatAccount(12);
    await f.receiptOf(await f.registry.write.rotateWitness([w2!.address, fresh.address]));
    const e0 = contentAt(stream, 0n);
    await expectRevert(
      f.ledger.write.submitSignedAttestations([[await f.signed(e0, [w0!, w1!, w2!])]]),
      f.ledger,
      "NotAWitness",
      [w2!.address],
    );
    await expectRevert(
      f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(e0, [w0!, w1!, w2!])]),
      ),
      f.ledger,
      "NotAWitness",
      [w2!.address],
    );
    const [witnessesBefore] = await f.registry.read.membership();
    await f.receiptOf(
      await f.ledger.write.submitSignedAttestations([[await f.signed(e0, [w0!, w1!, fresh])]]),
    );
    const [status, finalizedContent] = await f.ledger.read.slotStatus([slotOf(e0)]);
    expect(status).to.equal(2);
    expect(finalizedContent).to.equal(hashOf(e0));
    expect((await f.registry.read.membership())[0]).to.equal(witnessesBefore);
  });

  it("keeps the retired key's vote recorded in a slot still open under the index, where the new key's same vote is a duplicate", async function () {
    const f = await loadLedgerFixture();
    const [w0, , w2] = f.witnesses;
    const fresh = hardhatAccount(13);
    const e1 = contentAt(stream, 1n);
    await finalizeWithQuorum(f, contentAt(stream, 0n));
    await f.receiptOf(await (await f.ledgerAs(w2!)).write.attest([e1]));
    await f.receiptOf(await f.registry.write.rotateWitness([w2!.address, fresh.address]));
    // Same index: the new key's attestation of the same content is already counted.
    await expectRevert((await f.ledgerAs(fresh)).write.attest([e1]), f.ledger, "AlreadyAttested", [
      hashOf(e1),
      fresh.address,
    ]);
    await f.receiptOf(await (await f.ledgerAs(w0!)).write.attest([e1]));
    const [status] = await f.ledger.read.slotStatus([slotOf(e1)]);
    expect(status, "two of three counted: still open").to.equal(1);
    expect(await f.ledger.read.attestationsOf([hashOf(e1)])).to.deep.equal([
      w0!.address,
      fresh.address,
    ]);
  });
});
