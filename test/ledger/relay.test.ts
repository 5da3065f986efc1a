import { expect } from "chai";
import hre from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
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
  proposedAndFinalizedEvent,
  proposedEvent,
  runOf,
  slotOf,
  streamOf,
} from "./fixture";

const STREAM = streamOf(1);

describe("EveryChannelObservationLedger.submitSignedAttestations", function () {
  it("finalizes a run of consecutive epochs of one stream in one transaction, each on the previous, and returns the count", async function () {
    const f = await loadLedgerFixture();
    const run = runOf(STREAM, 100n, 5);
    const items = await Promise.all(run.map((c) => f.signed(c, f.witnesses.slice(1, 4))));
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(5n);
    const receipt = await f.receiptOf(await f.ledger.write.submitSignedAttestations([items]));
    const links = linksOn(run, undefined);
    expectEvents(
      f.ledger,
      receipt.logs,
      run.map((c, i) =>
        proposedAndFinalizedEvent(c, i === 0 ? undefined : links[i - 1], bits(1, 2, 3)),
      ),
    );
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(links[4]!));
  });

  it("skips duplicates within an item and replays of counted signatures, without reverting", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const first = await f.signed(genesis, f.witnesses.slice(0, 2));
    const receipt = await f.receiptOf(
      await f.ledger.write.submitSignedAttestations([
        [{ ...first, signatures: [...first.signatures, first.signatures[0]!] }],
      ]),
    );
    expectEvents(f.ledger, receipt.logs, [
      proposedEvent(genesis),
      attestedEvent(genesis, f.witnesses[0]!.address),
      attestedEvent(genesis, f.witnesses[1]!.address),
    ]);
    // A racing relayer replays the same signatures: nothing changes, nothing is emitted.
    const replay = await f.receiptOf(await f.ledger.write.submitSignedAttestations([[first]]));
    expectEvents(f.ledger, replay.logs, []);
    expect(await f.ledger.read.candidateStatus([genesis])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.open,
      2n,
      3n,
      true,
    ]);
    // A replayed signature is skipped without being verified: garbage in its place changes nothing.
    const garbage = {
      ...first,
      signatures: [{ witness: f.witnesses[0]!.address, signature: "0x01" as Hex }],
    };
    expect((await f.ledger.simulate.submitSignedAttestations([[garbage]])).result).to.equal(0n);
  });

  it("skips an item whose slot is finalized, by itself or a rival, and goes on with the batch", async function () {
    const f = await loadLedgerFixture();
    const winner = contentAt(STREAM, 100n, 0);
    const rival = contentAt(STREAM, 100n, 1);
    const other = contentAt(streamOf(2), 100n, 0);
    await finalizeWithQuorum(f, winner);
    const items = [
      await f.signed(winner, f.witnesses.slice(2, 5)),
      await f.signed(rival, f.witnesses.slice(2, 5)),
      await f.signed(other, f.witnesses.slice(2, 5)),
    ];
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(1n);
    const receipt = await f.receiptOf(await f.ledger.write.submitSignedAttestations([items]));
    expectEvents(f.ledger, receipt.logs, [
      proposedAndFinalizedEvent(other, undefined, bits(2, 3, 4)),
    ]);
    expect(await f.ledger.read.candidateStatus([rival])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.superseded,
      0n,
      3n,
      false,
    ]);
  });

  it("finalizes an open content when the signature that brings its quorum is relayed, listing every counted witness", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await (await f.ledgerAs(f.witnesses[3]!)).write.attest([genesis]);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitSignedAttestations([
        [await f.signed(genesis, [f.witnesses[3]!, f.witnesses[0]!, f.witnesses[4]!])],
      ]),
    );
    expectEvents(f.ledger, receipt.logs, [finalizedEvent(genesis, undefined, bits(0, 3, 4))]);
  });

  it("records an equivocating signature as evidence, counts it nowhere and keeps the batch", async function () {
    const f = await loadLedgerFixture();
    const a = contentAt(STREAM, 100n, 0);
    const b = contentAt(STREAM, 100n, 1);
    const w = f.witnesses[0]!;
    await f.ledger.write.submitSignedAttestations([[await f.signed(a, [w])]]);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitSignedAttestations([[await f.signed(b, [w, f.witnesses[1]!])]]),
    );
    expectEvents(f.ledger, receipt.logs, [
      equivocationEvent(a, w.address, zeroHash, hashOf(b)),
      proposedEvent(b),
      attestedEvent(b, f.witnesses[1]!.address),
    ]);
    expect(await f.ledger.read.attestationsOf([hashOf(b)])).to.deep.equal([
      getAddress(f.witnesses[1]!.address),
    ]);
    expect(await f.ledger.read.attestationsOf([hashOf(a)])).to.deep.equal([getAddress(w.address)]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      zeroHash,
      hashOf(b),
    ]);
    // An item whose only signature is an equivocation adds nothing.
    const c = contentAt(STREAM, 100n, 2);
    expect(
      (await f.ledger.simulate.submitSignedAttestations([[await f.signed(c, [w])]])).result,
    ).to.equal(0n);
  });

  it("accepts an ERC-1271 wallet's signature and rejects one its key did not make", async function () {
    const f = await loadLedgerFixture();
    const key = hardhatAccount(8);
    const wallet = await hre.viem.deployContract("ERC1271WitnessMock", [key.address]);
    await f.registry.write.updateWitnessSet([[wallet.address], [], 4n]);
    const genesis = contentAt(STREAM, 100n);
    const byKey = await f.signatureOf(genesis, key);
    const byOther = await f.signatureOf(genesis, hardhatAccount(7));
    await expectRevert(
      f.ledger.write.submitSignedAttestations([
        [{ content: genesis, signatures: [{ witness: wallet.address, signature: byOther }] }],
      ]),
      f.ledger,
      "InvalidSignature",
      [wallet.address, hashOf(genesis)],
    );
    const item = { content: genesis, signatures: [{ witness: wallet.address, signature: byKey }] };
    await f.ledger.write.submitSignedAttestations([[item]]);
    expect(await f.ledger.read.attestationsOf([hashOf(genesis)])).to.deep.equal([
      getAddress(wallet.address),
    ]);
  });

  it("grows its per-call witness cache beyond eight distinct witnesses", async function () {
    const f = await loadLedgerFixture();
    const extra = [6, 7, 8, 9, 10, 11, 12].map((i) => hardhatAccount(i));
    await f.registry.write.updateWitnessSet([extra.map((a) => a.address), [], 7n]);
    const run = runOf(STREAM, 100n, 2);
    const all = [...f.witnesses, ...extra];
    const items = [
      await f.signed(run[0]!, all.slice(0, 7)),
      await f.signed(run[1]!, all.slice(5, 12)),
    ];
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(2n);
  });

  describe("reverts", function () {
    it("with EmptyBatch on no items", async function () {
      const f = await loadLedgerFixture();
      await expectRevert(f.ledger.write.submitSignedAttestations([[]]), f.ledger, "EmptyBatch", []);
    });

    it("with NoSignatures on an item without signatures", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[{ content: genesis, signatures: [] }]]),
        f.ledger,
        "NoSignatures",
        [hashOf(genesis)],
      );
    });

    it("with NotAWitness naming a signer that never was a witness, or was removed", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const stranger = hardhatAccount(9);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([
          [await f.signed(genesis, [f.witnesses[0]!, stranger])],
        ]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[await f.signed(genesis, [f.witnesses[4]!])]]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("with InvalidSignature when the signature is another key's, over another content, or malformed", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const other = contentAt(STREAM, 100n, 1);
      const w = f.witnesses[0]!;
      const wrongKey = await f.signatureOf(genesis, f.witnesses[1]!);
      const wrongContent = await f.signatureOf(other, w);
      const good = await f.signatureOf(genesis, w);
      const highS = (() => {
        const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        const s = BigInt(`0x${good.slice(66, 130)}`);
        const v = parseInt(good.slice(130, 132), 16);
        return `${good.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
      })();
      for (const signature of [
        wrongKey,
        wrongContent,
        "0x" as Hex,
        `${good}00` as Hex,
        good.slice(0, 130) as Hex,
        highS,
      ]) {
        await expectRevert(
          f.ledger.write.submitSignedAttestations([
            [{ content: genesis, signatures: [{ witness: w.address, signature }] }],
          ]),
          f.ledger,
          "InvalidSignature",
          [w.address, hashOf(genesis)],
        );
      }
    });

    it("with InvalidSignature for a signature over another chain id (EIP-712 domain)", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const item = await f.signed(genesis, [f.witnesses[0]!], { ...f.domain, chainId: 1n });
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "InvalidSignature",
        [f.witnesses[0]!.address, hashOf(genesis)],
      );
    });

    it("with InvalidSignature for a signature made for another ledger contract (replay across contracts)", async function () {
      const f = await loadLedgerFixture();
      const otherLedger = await hre.viem.deployContract("EveryChannelObservationLedger", [
        f.registry.address,
      ]);
      const genesis = contentAt(STREAM, 100n);
      const item = await f.signed(genesis, [f.witnesses[0]!], {
        ...f.domain,
        verifyingContract: otherLedger.address,
      });
      await otherLedger.write.submitSignedAttestations([[item]]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "InvalidSignature",
        [f.witnesses[0]!.address, hashOf(genesis)],
      );
    });

    it("with InvalidSignature for another domain name or version (version 1 is the previous ledger's)", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      for (const domain of [
        { ...f.domain, name: "EveryChannelRail" },
        { ...f.domain, version: "1" },
      ]) {
        const item = await f.signed(genesis, [f.witnesses[0]!], domain);
        await expectRevert(
          f.ledger.write.submitSignedAttestations([[item]]),
          f.ledger,
          "InvalidSignature",
          [f.witnesses[0]!.address, hashOf(genesis)],
        );
      }
    });
  });

  describe("signature lifetime", function () {
    it("has no expiry: a signature made long ago counts while its witness is active and its content is later than the head", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const item = await f.signed(genesis, f.witnesses.slice(0, 3));
      await time.increase(365 * 24 * 3600);
      await mine(1000);
      await f.ledger.write.submitSignedAttestations([[item]]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(genesis, undefined)),
      );
    });

    it("ends with the witness's membership: a removed witness's old signature is refused", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const item = await f.signed(genesis, [f.witnesses[0]!]);
      await f.registry.write.removeWitness([f.witnesses[0]!.address]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[0]!.address],
      );
    });

    it("cannot be replayed into a second count: a content finalizes once and its slot stays closed", async function () {
      const f = await loadLedgerFixture();
      const [genesis, next] = runOf(STREAM, 100n, 2);
      const item = await f.signed(genesis!, f.witnesses.slice(0, 3));
      await f.ledger.write.submitSignedAttestations([[item]]);
      await finalizeWithQuorum(f, next!);
      const replay = await f.receiptOf(await f.ledger.write.submitSignedAttestations([[item]]));
      expectEvents(f.ledger, replay.logs, []);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(next!, linkOn(genesis!, undefined))),
      );
      expect(await f.ledger.read.slotStatus([slotOf(genesis!)])).to.deep.equal([
        SLOT_STATUS_VALUE.finalized,
        hashOf(genesis!),
        0n,
      ]);
    });
  });
});
