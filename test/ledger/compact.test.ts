import { expect } from "chai";
import hre from "hardhat";
import {
  compactSignatureToSignature,
  getAddress,
  parseCompactSignature,
  recoverAddress,
  serializeSignature,
  size,
  zeroHash,
  type Hex,
} from "viem";

import {
  buildCompactRelayBatch,
  packCompactBatch,
  packCompactSignatures,
  toCompactSignature,
  unpackCompactBatch,
} from "../../lib/ledger/compactSignatures";
import { buildRelayBatch } from "../../lib/ledger/relayBatch";
import {
  observationDigest,
  signObservation,
  type ObservationLedgerDomain,
} from "../../lib/ledger/typedData";
import type { CompactObservation } from "../../lib/ledger/types";
import type { ObservationContent } from "../../lib/types/abi";
import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  collectSignatures,
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
  type LedgerFixture,
} from "./fixture";

const STREAM = streamOf(1);

/** The signer of a 64-byte compact signature over `hash`. */
async function recoverCompact(hash: Hex, compact: Hex): Promise<Hex> {
  const signature = serializeSignature(compactSignatureToSignature(parseCompactSignature(compact)));
  return recoverAddress({ hash, signature });
}

describe("EveryChannelObservationLedger.submitCompactAttestations", function () {
  it("finalizes a run of consecutive epochs in one transaction with one event per observation, each on the previous, and returns the count", async function () {
    const f = await loadLedgerFixture();
    const run = runOf(STREAM, 100n, 5);
    const items = await Promise.all(run.map((c) => f.compact(c, f.witnesses.slice(1, 4))));
    expect(size(items[0]!.signatures)).to.equal(192);
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(5n);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(packCompactBatch(items)),
    );
    const links = linksOn(run, undefined);
    expectEvents(
      f.ledger,
      receipt.logs,
      run.map((c, i) =>
        proposedAndFinalizedEvent(c, i === 0 ? undefined : links[i - 1], bits(1, 2, 3)),
      ),
    );
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(links[4]!));
    expect(await f.ledger.read.slotStatus([slotOf(run[2]!)])).to.deep.equal([
      SLOT_STATUS_VALUE.finalized,
      hashOf(run[2]!),
      0n,
    ]);
  });

  it("keeps a content below quorum open with one ObservationAttested per new witness, in registry index order", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const order = [f.witnesses[3]!, f.witnesses[1]!];
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis, order)]),
      ),
    );
    expectEvents(f.ledger, receipt.logs, [
      proposedEvent(genesis),
      attestedEvent(genesis, f.witnesses[1]!.address),
      attestedEvent(genesis, f.witnesses[3]!.address),
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(genesis)])).to.deep.equal([
      SLOT_STATUS_VALUE.open,
      zeroHash,
      bits(3, 1),
    ]);
    // The third signature finalizes the open content: ObservationFinalized, as on the other paths.
    const third = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis, [f.witnesses[0]!])]),
      ),
    );
    expectEvents(f.ledger, third.logs, [finalizedEvent(genesis, undefined, bits(0, 1, 3))]);
  });

  it("skips duplicates within an item and replays of counted signatures, without reverting", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const item = await f.compact(genesis, f.witnesses.slice(0, 2));
    const first = item.signatures.slice(0, 130) as Hex;
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([
          { content: genesis, signatures: `${item.signatures}${first.slice(2)}` as Hex },
        ]),
      ),
    );
    expectEvents(f.ledger, receipt.logs, [
      proposedEvent(genesis),
      ...f.witnesses.slice(0, 2).map((w) => attestedEvent(genesis, w.address)),
    ]);
    const replay = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(packCompactBatch([item])),
    );
    expectEvents(f.ledger, replay.logs, []);
    expect(await f.ledger.read.candidateStatus([genesis])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.open,
      2n,
      3n,
      true,
    ]);
  });

  it("skips an item whose slot is finalized, by itself or a rival, and goes on with the batch", async function () {
    const f = await loadLedgerFixture();
    const winner = contentAt(STREAM, 100n, 0);
    const rival = contentAt(STREAM, 100n, 1);
    const other = contentAt(streamOf(2), 100n, 0);
    await finalizeWithQuorum(f, winner);
    const items = [
      await f.compact(winner, f.witnesses.slice(2, 5)),
      await f.compact(rival, f.witnesses.slice(2, 5)),
      await f.compact(other, f.witnesses.slice(2, 5)),
    ];
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(1n);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(packCompactBatch(items)),
    );
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

  it("skips an item expired at quorum: given first, a later epoch finalizes and the earlier one writes nothing", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = runOf(STREAM, 100n, 2);
    const items = [
      await f.compact(b!, f.witnesses.slice(0, 3)),
      await f.compact(a!, f.witnesses.slice(0, 3)),
    ];
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(1n);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(packCompactBatch(items)),
    );
    expectEvents(f.ledger, receipt.logs, [proposedAndFinalizedEvent(b!, undefined, bits(0, 1, 2))]);
    expect(await f.ledger.read.slotStatus([slotOf(a!)])).to.deep.equal([
      SLOT_STATUS_VALUE.empty,
      zeroHash,
      0n,
    ]);
    expect((await f.ledger.read.candidateStatus([a!]))[0]).to.equal(CANDIDATE_STATUS_VALUE.expired);
  });

  it("finalizes epochs whose signatures were collected in any order once buildCompactRelayBatch orders them", async function () {
    const f = await loadLedgerFixture();
    const run = runOf(STREAM, 100n, 3);
    const batch = buildCompactRelayBatch({
      signatures: (await collectSignatures(f, run, [2, 3, 4])).reverse(),
      heads: new Map(),
    });
    expect(batch.map((item) => item.content)).to.deep.equal(run);
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(batch))).result,
    ).to.equal(3n);
  });

  it("records an equivocating signature as evidence, counts it nowhere and keeps the batch", async function () {
    const f = await loadLedgerFixture();
    const a = contentAt(STREAM, 100n, 0);
    const b = contentAt(STREAM, 100n, 1);
    const w = f.witnesses[0]!;
    await f.ledger.write.submitCompactAttestations(packCompactBatch([await f.compact(a, [w])]));
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(b, [w, f.witnesses[1]!])]),
      ),
    );
    expectEvents(f.ledger, receipt.logs, [
      equivocationEvent(a, w.address, zeroHash, hashOf(b)),
      proposedEvent(b),
      attestedEvent(b, f.witnesses[1]!.address),
    ]);
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      zeroHash,
      hashOf(b),
    ]);
    expect(await f.ledger.read.attestationsOf([hashOf(a)])).to.deep.equal([getAddress(w.address)]);
    // An item whose only signature is an equivocation adds nothing and emits nothing.
    const c = contentAt(STREAM, 100n, 2);
    const none = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(packCompactBatch([await f.compact(c, [w])])),
    );
    expectEvents(f.ledger, none.logs, []);
  });

  it("finalizes through the same state as submitSignedAttestations: the paths mix", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    await f.ledger.write.submitSignedAttestations([[await f.signed(genesis, [f.witnesses[0]!])]]);
    const receipt = await f.receiptOf(
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis, f.witnesses.slice(0, 3))]),
      ),
    );
    expectEvents(f.ledger, receipt.logs, [finalizedEvent(genesis, undefined, bits(0, 1, 2))]);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
      headOf(linkOn(genesis, undefined)),
    );
  });

  it("grows its per-call witness cache beyond eight distinct witnesses", async function () {
    const f = await loadLedgerFixture();
    const extra = [6, 7, 8, 9, 10, 11, 12].map((i) => hardhatAccount(i));
    await f.registry.write.updateWitnessSet([extra.map((a) => a.address), [], 7n]);
    const run = runOf(STREAM, 100n, 2);
    const all = [...f.witnesses, ...extra];
    const items = [
      await f.compact(run[0]!, all.slice(0, 7)),
      await f.compact(run[1]!, all.slice(5, 12)),
    ];
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(2n);
  });

  describe("reverts", function () {
    it("with EmptyBatch on no items", async function () {
      const f = await loadLedgerFixture();
      await expectRevert(
        f.ledger.write.submitCompactAttestations([[], "0x"]),
        f.ledger,
        "EmptyBatch",
        [],
      );
    });

    it("with MalformedCompactSignatures naming the content and offset where the groups do not fit the contents", async function () {
      const f = await loadLedgerFixture();
      const [genesis, next] = runOf(STREAM, 100n, 2);
      const item = await f.compact(genesis!, [f.witnesses[0]!]);
      const group = `0x01${item.signatures.slice(2)}` as Hex;
      const cases: [readonly ObservationContent[], Hex, bigint, bigint][] = [
        // No group at all, a zero count, a group cut short, a count above what is there.
        [[genesis!], "0x", 0n, 0n],
        [[genesis!], `0x00${item.signatures.slice(2)}`, 0n, 0n],
        [[genesis!], group.slice(0, 100) as Hex, 0n, 0n],
        [[genesis!], `0x02${item.signatures.slice(2)}`, 0n, 0n],
        // One group for two contents; bytes after the last group.
        [[genesis!, next!], group, 1n, 65n],
        [[genesis!], `${group}00`, 1n, 65n],
      ];
      for (const [contents, signatures, index, offset] of cases) {
        await expectRevert(
          f.ledger.write.submitCompactAttestations([contents, signatures]),
          f.ledger,
          "MalformedCompactSignatures",
          [index, offset],
        );
      }
    });

    it("with InvalidCompactSignature naming the position of a signature that recovers no signer", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const item = await f.compact(genesis, f.witnesses.slice(0, 2));
      const second = item.signatures.slice(130);
      // r = 0 or s = 0 recover no signer.
      const zeroR = `${"0".repeat(64)}${second.slice(64)}`;
      const zeroS = `${second.slice(0, 64)}8${"0".repeat(63)}`;
      // s just above n / 2 (the malleable twin's range, with the parity bit set) is refused too.
      const halfN = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
      const highS = `${second.slice(0, 64)}${((1n << 255n) | (halfN + 1n)).toString(16)}`;
      for (const bad of [zeroR, zeroS, highS]) {
        const signatures = `${item.signatures.slice(0, 130)}${bad}` as Hex;
        await expectRevert(
          f.ledger.write.submitCompactAttestations(
            packCompactBatch([{ content: genesis, signatures }]),
          ),
          f.ledger,
          "InvalidCompactSignature",
          [hashOf(genesis), 1n],
        );
      }
    });

    it("with ReservedContentHash for a hash below 2**128 when the item would finalize; below quorum it is recorded", async function () {
      const f = await loadLedgerFixture();
      const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
        f.registry.address,
      ]);
      const reserved = `0x${(2n ** 128n - 1n).toString(16).padStart(64, "0")}` as const;
      await harness.write.forceContentHash([reserved]);
      const genesis = contentAt(STREAM, 100n);
      const domain = { ...f.domain, verifyingContract: harness.address };
      await expectRevert(
        harness.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis, f.witnesses.slice(0, 3), domain)]),
        ),
        harness,
        "ReservedContentHash",
        [reserved],
      );
      await harness.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis, [f.witnesses[0]!], domain)]),
      );
      expect(await harness.read.attestationsOf([reserved])).to.deep.equal([
        f.witnesses[0]!.address,
      ]);
      await expectRevert(
        harness.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis, f.witnesses.slice(1, 3), domain)]),
        ),
        harness,
        "ReservedContentHash",
        [reserved],
      );
    });

    it("with NotAWitness naming a signer that never was a witness, or was removed", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const stranger = hardhatAccount(9);
      await expectRevert(
        f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis, [f.witnesses[0]!, stranger])]),
        ),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis, [f.witnesses[4]!])]),
        ),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("with NotAWitness naming the recovered address for a signature over another content, chain, contract, name or version", async function () {
      const f = await loadLedgerFixture();
      const genesis = contentAt(STREAM, 100n);
      const other = contentAt(STREAM, 100n, 1);
      const w = f.witnesses[0]!;
      const cases: { domain: ObservationLedgerDomain; signed: ObservationContent }[] = [
        { domain: f.domain, signed: other },
        { domain: f.domain, signed: { ...genesis, observedUnixMs: genesis.observedUnixMs + 1n } },
        { domain: { ...f.domain, chainId: 1n }, signed: genesis },
        { domain: { ...f.domain, verifyingContract: f.registry.address }, signed: genesis },
        { domain: { ...f.domain, name: "EveryChannelRail" }, signed: genesis },
        { domain: { ...f.domain, version: "1" }, signed: genesis },
      ];
      for (const { domain, signed } of cases) {
        const signatures = packCompactSignatures([await signObservation(w, domain, signed)]);
        const recovered = await recoverCompact(observationDigest(f.domain, genesis), signatures);
        expect(recovered).to.not.equal(getAddress(w.address));
        await expectRevert(
          f.ledger.write.submitCompactAttestations(
            packCompactBatch([{ content: genesis, signatures }]),
          ),
          f.ledger,
          "NotAWitness",
          [recovered],
        );
      }
    });
  });
});

describe("lib/ledger/compactSignatures", function () {
  it("packs 65-byte signatures into 64-byte EIP-2098 signatures that recover the same signer", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const full = await Promise.all(f.witnesses.slice(0, 3).map((w) => f.signatureOf(genesis, w)));
    const packed = packCompactSignatures(full);
    expect(size(packed)).to.equal(192);
    for (let i = 0; i < 3; ++i) {
      const compact = `0x${packed.slice(2 + 128 * i, 2 + 128 * (i + 1))}` as Hex;
      expect(await recoverCompact(observationDigest(f.domain, genesis), compact)).to.equal(
        getAddress(f.witnesses[i]!.address),
      );
      expect(toCompactSignature(full[i]!)).to.equal(compact);
      expect(toCompactSignature(compact)).to.equal(compact);
    }
  });

  it("refuses an empty list, a non-hex value, a wrong length and an unparsable signature, naming the field", function () {
    expect(() => packCompactSignatures([])).to.throw(/signatures.*no signature/);
    expect(() => packCompactSignatures(["0xzz" as Hex])).to.throw(/signatures\[0\].*not a hex/);
    expect(() => packCompactSignatures([`0x${"11".repeat(66)}`])).to.throw(
      /signatures\[0\].*66 bytes/,
    );
    expect(() => packCompactSignatures([`0x${"11".repeat(64)}05`])).to.throw(
      /signatures\[0\].*not an ECDSA signature/,
    );
  });

  it("packs items into contents and count-prefixed groups, and unpacks them back", async function () {
    const f = await loadLedgerFixture();
    const run = runOf(STREAM, 100n, 3);
    const items: CompactObservation[] = [
      await f.compact(run[0]!, f.witnesses.slice(0, 3)),
      await f.compact(run[1]!, [f.witnesses[4]!]),
      await f.compact(run[2]!, f.witnesses.slice(0, 5)),
    ];
    const [contents, signatures] = packCompactBatch(items);
    expect(contents).to.deep.equal(run);
    // 3 + 1 + 5 signatures of 64 bytes and one count byte per item.
    expect(size(signatures)).to.equal(9 * 64 + 3);
    expect(signatures.slice(0, 4)).to.equal("0x03");
    expect(signatures.slice(2 + 2 * (1 + 3 * 64), 4 + 2 * (1 + 3 * 64))).to.equal("01");
    expect(unpackCompactBatch(contents, signatures)).to.deep.equal(items);
  });

  it("refuses to pack an empty batch or an item whose signatures are not 1 to 255 compact signatures, naming the item", function () {
    const content = contentAt(STREAM, 100n);
    const one = `0x${"11".repeat(64)}` as Hex;
    expect(() => packCompactBatch([])).to.throw(/items.*no item/);
    expect(() => packCompactBatch([{ content, signatures: "0x" }])).to.throw(
      /items\[0\]\.signatures.*0 bytes/,
    );
    expect(() =>
      packCompactBatch([
        { content, signatures: one },
        { content, signatures: `${one}00` as Hex },
      ]),
    ).to.throw(/items\[1\]\.signatures.*65 bytes/);
    expect(() => packCompactBatch([{ content, signatures: "0xzz" as Hex }])).to.throw(
      /items\[0\]\.signatures.*not a hex/,
    );
    const many = `0x${"11".repeat(64 * 256)}` as Hex;
    expect(() => packCompactBatch([{ content, signatures: many }])).to.throw(
      /items\[0\]\.signatures.*at most 255/,
    );
  });

  it("refuses to unpack groups that do not fit the contents, naming the offset", function () {
    const content = contentAt(STREAM, 100n);
    const group = `0x01${"11".repeat(64)}` as Hex;
    expect(() => unpackCompactBatch([content, content], group)).to.throw(
      /signatures: no group for contents\[1\].*offset 65/,
    );
    expect(() => unpackCompactBatch([content], "0x00")).to.throw(
      /signatures: contents\[0\].*group of 0 signatures.*offset 0/,
    );
    expect(() => unpackCompactBatch([content], `0x02${"11".repeat(64)}`)).to.throw(
      /signatures: contents\[0\].*group of 2 signatures.*offset 0/,
    );
    expect(() => unpackCompactBatch([content], `${group}ff`)).to.throw(
      /signatures: 1 bytes after the last of 1 groups.*offset 65/,
    );
    expect(() => unpackCompactBatch([content], "0xzz" as Hex)).to.throw(/signatures.*not a hex/);
  });

  it("builds the same batch as buildRelayBatch with packed signatures", async function () {
    const f = await loadLedgerFixture();
    const run = runOf(STREAM, 100n, 2);
    const collected = await collectSignatures(f, run, [0, 1, 2]);
    const compact = buildCompactRelayBatch({ signatures: collected, heads: new Map() });
    const full = buildRelayBatch({ signatures: collected, heads: new Map() });
    expect(compact).to.deep.equal(
      full.map((item) => ({
        content: item.content,
        signatures: packCompactSignatures(item.signatures.map((s) => s.signature)),
      })),
    );
  });
});
