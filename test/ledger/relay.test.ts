import { expect } from "chai";
import hre from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, zeroHash, type Hex } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  bits,
  chainOf,
  finalizeWithQuorum,
  hardhatAccount,
  hashOf,
  headerAt,
  linkOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

describe("EveryChannelObservationLedger.submitSignedAttestations", function () {
  it("finalizes a run of consecutive epochs of one stream in one transaction and returns the count", async function () {
    const f = await loadLedgerFixture();
    const run = chainOf(streamOf(1), 100n, 5, undefined);
    const items = await Promise.all(run.map((h) => f.signed(h, f.witnesses.slice(1, 4))));
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(5n);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([items]),
    });
    expectEvents(
      f.ledger,
      receipt.logs,
      run.flatMap((h) => [
        {
          eventName: "ObservationProposed",
          args: {
            observationHash: hashOf(h),
            streamHash: h.streamHash,
            slot: slotOf(h),
            header: h,
          },
        },
        {
          eventName: "ObservationFinalized",
          args: {
            observationHash: hashOf(h),
            streamHash: h.streamHash,
            slot: slotOf(h),
            sequence: h.sequence,
            witnesses: bits(1, 2, 3),
          },
        },
      ]),
    );
    expect(await f.ledger.read.finalizedHead([streamOf(1)])).to.deep.equal([
      hashOf(run[4]!),
      4n,
      run[4]!.observedUnixMs,
    ]);
  });

  it("skips duplicates within an item and replays of counted signatures, without reverting", async function () {
    const f = await loadLedgerFixture();
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    const first = await f.signed(genesis!, f.witnesses.slice(0, 2));
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([
        [{ ...first, signatures: [...first.signatures, first.signatures[0]!] }],
      ]),
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
        args: { observationHash: hashOf(genesis!), witness: f.witnesses[0]!.address },
      },
      {
        eventName: "ObservationAttested",
        args: { observationHash: hashOf(genesis!), witness: f.witnesses[1]!.address },
      },
    ]);
    // A racing relayer replays the same signatures: nothing changes, nothing is emitted.
    const replay = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([[first]]),
    });
    expectEvents(f.ledger, replay.logs, []);
    expect(await f.ledger.read.candidateStatus([slotOf(genesis!), hashOf(genesis!)])).to.deep.equal(
      [1, 2n, 3n],
    );
    // A replayed signature is skipped without being verified: garbage in its place changes nothing.
    const garbage = {
      ...first,
      signatures: [{ witness: f.witnesses[0]!.address, signature: "0x01" as Hex }],
    };
    expect((await f.ledger.simulate.submitSignedAttestations([[garbage]])).result).to.equal(0n);
  });

  it("skips an item whose slot is finalized, by itself or a rival, and goes on with the batch", async function () {
    const f = await loadLedgerFixture();
    const winner = headerAt(streamOf(1), 100n, undefined, 0);
    const rival = headerAt(streamOf(1), 100n, undefined, 1);
    const other = headerAt(streamOf(2), 100n, undefined, 0);
    await finalizeWithQuorum(f, winner);
    const items = [
      await f.signed(winner, f.witnesses.slice(2, 5)),
      await f.signed(rival, f.witnesses.slice(2, 5)),
      await f.signed(other, f.witnesses.slice(2, 5)),
    ];
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(1n);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([items]),
    });
    expect(receipt.status).to.equal("success");
    expect(await f.ledger.read.candidateStatus([slotOf(rival), hashOf(rival)])).to.deep.equal([
      3,
      0n,
      3n,
    ]);
    expect((await f.ledger.read.finalizedHead([streamOf(2)]))[0]).to.equal(hashOf(other));
  });

  it("finalizes items given child first: the child keeps its quorum and finalizes when resubmitted", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = chainOf(streamOf(1), 100n, 2, undefined);
    const items = [
      await f.signed(b!, f.witnesses.slice(0, 3)),
      await f.signed(a!, f.witnesses.slice(0, 3)),
    ];
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(1n);
    await f.ledger.write.submitSignedAttestations([items]);
    expect(await f.ledger.read.candidateStatus([slotOf(b!), hashOf(b!)])).to.deep.equal([
      1,
      3n,
      3n,
    ]);
    // Resubmitting the child's (already counted) signatures finalizes it now that its parent is the head.
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([[items[0]!]]),
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
    expect(await f.ledger.read.attestationsOf([hashOf(b!)])).to.deep.equal([]);
  });

  it("records an equivocating signature as evidence, counts it nowhere and keeps the batch", async function () {
    const f = await loadLedgerFixture();
    const a = headerAt(streamOf(1), 100n, undefined, 0);
    const b = headerAt(streamOf(1), 100n, undefined, 1);
    const w = f.witnesses[0]!;
    await f.ledger.write.submitSignedAttestations([[await f.signed(a, [w])]]);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitSignedAttestations([
        [await f.signed(b, [w, f.witnesses[1]!])],
      ]),
    });
    expectEvents(f.ledger, receipt.logs, [
      {
        eventName: "EquivocationRecorded",
        args: {
          slot: slotOf(a),
          witness: w.address,
          observationA: zeroHash,
          observationB: hashOf(b),
        },
      },
      {
        eventName: "ObservationProposed",
        args: { observationHash: hashOf(b), streamHash: b.streamHash, slot: slotOf(b), header: b },
      },
      {
        eventName: "ObservationAttested",
        args: { observationHash: hashOf(b), witness: f.witnesses[1]!.address },
      },
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
    const c = headerAt(streamOf(1), 100n, undefined, 2);
    expect(
      (await f.ledger.simulate.submitSignedAttestations([[await f.signed(c, [w])]])).result,
    ).to.equal(0n);
  });

  it("accepts an ERC-1271 wallet's signature and rejects one its key did not make", async function () {
    const f = await loadLedgerFixture();
    const key = hardhatAccount(8);
    const wallet = await hre.viem.deployContract("ERC1271WitnessMock", [key.address]);
    await f.registry.write.updateWitnessSet([[wallet.address], [], 4n]);
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    const byKey = (await f.signed(genesis!, [key])).signatures[0]!.signature;
    const byOther = (await f.signed(genesis!, [hardhatAccount(7)])).signatures[0]!.signature;
    await expectRevert(
      f.ledger.write.submitSignedAttestations([
        [{ header: genesis!, signatures: [{ witness: wallet.address, signature: byOther }] }],
      ]),
      f.ledger,
      "InvalidSignature",
      [wallet.address, hashOf(genesis!)],
    );
    const item = { header: genesis!, signatures: [{ witness: wallet.address, signature: byKey }] };
    await f.ledger.write.submitSignedAttestations([[item]]);
    expect(await f.ledger.read.attestationsOf([hashOf(genesis!)])).to.deep.equal([
      getAddress(wallet.address),
    ]);
  });

  describe("reverts", function () {
    it("with EmptyBatch on no items", async function () {
      const f = await loadLedgerFixture();
      await expectRevert(f.ledger.write.submitSignedAttestations([[]]), f.ledger, "EmptyBatch", []);
    });

    it("with NoSignatures on an item without signatures", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[{ header: genesis!, signatures: [] }]]),
        f.ledger,
        "NoSignatures",
        [hashOf(genesis!)],
      );
    });

    it("with NotAWitness naming a signer that never was a witness, or was removed", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const stranger = hardhatAccount(9);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([
          [await f.signed(genesis!, [f.witnesses[0]!, stranger])],
        ]),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[await f.signed(genesis!, [f.witnesses[4]!])]]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("with InvalidSignature when the signature is another key's, over another header, or malformed", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const other = headerAt(streamOf(1), 100n, undefined, 1);
      const w = f.witnesses[0]!;
      const wrongKey = (await f.signed(genesis!, [f.witnesses[1]!])).signatures[0]!.signature;
      const wrongHeader = (await f.signed(other, [w])).signatures[0]!.signature;
      const good = (await f.signed(genesis!, [w])).signatures[0]!.signature;
      const highS = (() => {
        const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        const s = BigInt(`0x${good.slice(66, 130)}`);
        const v = parseInt(good.slice(130, 132), 16);
        return `${good.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
      })();
      for (const signature of [
        wrongKey,
        wrongHeader,
        "0x" as Hex,
        `${good}00` as Hex,
        good.slice(0, 130) as Hex,
        highS,
      ]) {
        await expectRevert(
          f.ledger.write.submitSignedAttestations([
            [{ header: genesis!, signatures: [{ witness: w.address, signature }] }],
          ]),
          f.ledger,
          "InvalidSignature",
          [w.address, hashOf(genesis!)],
        );
      }
    });

    it("with InvalidSignature for a signature over another chain id (EIP-712 domain)", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const item = await f.signed(genesis!, [f.witnesses[0]!], { ...f.domain, chainId: 1n });
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "InvalidSignature",
        [f.witnesses[0]!.address, hashOf(genesis!)],
      );
    });

    it("with InvalidSignature for a signature made for another ledger contract (replay across contracts)", async function () {
      const f = await loadLedgerFixture();
      const otherLedger = await hre.viem.deployContract("EveryChannelObservationLedger", [
        f.registry.address,
      ]);
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const item = await f.signed(genesis!, [f.witnesses[0]!], {
        ...f.domain,
        verifyingContract: otherLedger.address,
      });
      await otherLedger.write.submitSignedAttestations([[item]]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "InvalidSignature",
        [f.witnesses[0]!.address, hashOf(genesis!)],
      );
    });

    it("with InvalidSignature for another domain name or version", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      for (const domain of [
        { ...f.domain, name: "EveryChannelRail" },
        { ...f.domain, version: "2" },
      ]) {
        const item = await f.signed(genesis!, [f.witnesses[0]!], domain);
        await expectRevert(
          f.ledger.write.submitSignedAttestations([[item]]),
          f.ledger,
          "InvalidSignature",
          [f.witnesses[0]!.address, hashOf(genesis!)],
        );
      }
    });
  });

  describe("signature lifetime", function () {
    it("has no expiry: a signature made long ago counts while its witness is active", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const item = await f.signed(genesis!, f.witnesses.slice(0, 3));
      await time.increase(365 * 24 * 3600);
      await mine(1000);
      await f.ledger.write.submitSignedAttestations([[item]]);
      expect((await f.ledger.read.finalizedHead([streamOf(1)]))[0]).to.equal(hashOf(genesis!));
    });

    it("ends with the witness's membership: a removed witness's old signature is refused", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const item = await f.signed(genesis!, [f.witnesses[0]!]);
      await f.registry.write.removeWitness([f.witnesses[0]!.address]);
      await expectRevert(
        f.ledger.write.submitSignedAttestations([[item]]),
        f.ledger,
        "NotAWitness",
        [f.witnesses[0]!.address],
      );
    });

    it("cannot be replayed into a second count: an observation finalizes once and its slot stays closed", async function () {
      const f = await loadLedgerFixture();
      const [genesis, next] = chainOf(streamOf(1), 100n, 2, undefined);
      const item = await f.signed(genesis!, f.witnesses.slice(0, 3));
      await f.ledger.write.submitSignedAttestations([[item]]);
      await finalizeWithQuorum(f, next!);
      const replay = await f.publicClient.waitForTransactionReceipt({
        hash: await f.ledger.write.submitSignedAttestations([[item]]),
      });
      expectEvents(f.ledger, replay.logs, []);
      expect(await f.ledger.read.finalizedHead([streamOf(1)])).to.deep.equal([
        hashOf(next!),
        1n,
        next!.observedUnixMs,
      ]);
      expect(linkOf(genesis!).hash).to.equal(hashOf(genesis!));
    });
  });

  it("grows its per-call witness cache beyond eight distinct witnesses", async function () {
    const f = await loadLedgerFixture();
    const extra = [6, 7, 8, 9, 10, 11, 12].map((i) => hardhatAccount(i));
    await f.registry.write.updateWitnessSet([extra.map((a) => a.address), [], 7n]);
    const run = chainOf(streamOf(1), 100n, 2, undefined);
    const all = [...f.witnesses, ...extra];
    const items = [
      await f.signed(run[0]!, all.slice(0, 7)),
      await f.signed(run[1]!, all.slice(5, 12)),
    ];
    expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(2n);
  });
});
