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
import type { ObservationHeader } from "../../lib/types/abi";
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

function proposedAndFinalized(h: ObservationHeader, witnesses: bigint) {
  return {
    eventName: "ObservationProposedAndFinalized",
    args: {
      observationHash: hashOf(h),
      streamHash: h.streamHash,
      epochHash: h.epochHash,
      parentObservationHash: h.parentObservationHash,
      dataRoot: h.dataRoot,
      locatorHash: h.locatorHash,
      observedUnixMs: h.observedUnixMs,
      sequence: h.sequence,
      witnesses,
    },
  };
}

async function signerOf(
  domain: ObservationLedgerDomain,
  header: ObservationHeader,
  compact: Hex,
): Promise<Hex> {
  return recoverCompact(observationDigest(domain, header), compact);
}

/** The signer of a 64-byte compact signature over `hash`. */
async function recoverCompact(hash: Hex, compact: Hex): Promise<Hex> {
  const signature = serializeSignature(compactSignatureToSignature(parseCompactSignature(compact)));
  return recoverAddress({ hash, signature });
}

describe("EveryChannelObservationLedger.submitCompactAttestations", function () {
  it("finalizes a run of consecutive epochs in one transaction with one event per observation and returns the count", async function () {
    const f = await loadLedgerFixture();
    const run = chainOf(streamOf(1), 100n, 5, undefined);
    const items = await Promise.all(run.map((h) => f.compact(h, f.witnesses.slice(1, 4))));
    expect(size(items[0]!.signatures)).to.equal(192);
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(5n);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(packCompactBatch(items)),
    });
    expectEvents(
      f.ledger,
      receipt.logs,
      run.map((h) => proposedAndFinalized(h, bits(1, 2, 3))),
    );
    expect(await f.ledger.read.finalizedHead([streamOf(1)])).to.deep.equal([
      hashOf(run[4]!),
      4n,
      run[4]!.observedUnixMs,
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(run[2]!)])).to.deep.equal([
      2,
      hashOf(run[2]!),
      0n,
    ]);
  });

  it("keeps a candidate below quorum open with one ObservationAttested per new witness, in registry index order", async function () {
    const f = await loadLedgerFixture();
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    const order = [f.witnesses[3]!, f.witnesses[1]!];
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis!, order)]),
      ),
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
      ...[f.witnesses[1]!, f.witnesses[3]!].map((w) => ({
        eventName: "ObservationAttested",
        args: { observationHash: hashOf(genesis!), witness: w.address },
      })),
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(genesis!)])).to.deep.equal([
      1,
      zeroHash,
      bits(3, 1),
    ]);
    // The third signature finalizes the open candidate: ObservationFinalized, as on the other paths.
    const third = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(genesis!, [f.witnesses[0]!])]),
      ),
    });
    expectEvents(f.ledger, third.logs, [
      {
        eventName: "ObservationFinalized",
        args: {
          observationHash: hashOf(genesis!),
          streamHash: genesis!.streamHash,
          slot: slotOf(genesis!),
          sequence: 0n,
          witnesses: bits(0, 1, 3),
        },
      },
    ]);
  });

  it("skips duplicates within an item and replays of counted signatures, without reverting", async function () {
    const f = await loadLedgerFixture();
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    const item = await f.compact(genesis!, f.witnesses.slice(0, 2));
    const first = item.signatures.slice(0, 130) as Hex;
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(
        packCompactBatch([
          { header: genesis!, signatures: `${item.signatures}${first.slice(2)}` as Hex },
        ]),
      ),
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
      ...f.witnesses.slice(0, 2).map((w) => ({
        eventName: "ObservationAttested",
        args: { observationHash: hashOf(genesis!), witness: w.address },
      })),
    ]);
    const replay = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(packCompactBatch([item])),
    });
    expectEvents(f.ledger, replay.logs, []);
    expect(await f.ledger.read.candidateStatus([slotOf(genesis!), hashOf(genesis!)])).to.deep.equal(
      [1, 2n, 3n],
    );
  });

  it("skips an item whose slot is finalized, by itself or a rival, and goes on with the batch", async function () {
    const f = await loadLedgerFixture();
    const winner = headerAt(streamOf(1), 100n, undefined, 0);
    const rival = headerAt(streamOf(1), 100n, undefined, 1);
    const other = headerAt(streamOf(2), 100n, undefined, 0);
    await finalizeWithQuorum(f, winner);
    const items = [
      await f.compact(winner, f.witnesses.slice(2, 5)),
      await f.compact(rival, f.witnesses.slice(2, 5)),
      await f.compact(other, f.witnesses.slice(2, 5)),
    ];
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(1n);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(packCompactBatch(items)),
    });
    expectEvents(f.ledger, receipt.logs, [proposedAndFinalized(other, bits(2, 3, 4))]);
    expect(await f.ledger.read.candidateStatus([slotOf(rival), hashOf(rival)])).to.deep.equal([
      3,
      0n,
      3n,
    ]);
  });

  it("keeps a child given before its parent open with its quorum and finalizes it when resubmitted", async function () {
    const f = await loadLedgerFixture();
    const [a, b] = chainOf(streamOf(1), 100n, 2, undefined);
    const items = [
      await f.compact(b!, f.witnesses.slice(0, 3)),
      await f.compact(a!, f.witnesses.slice(0, 3)),
    ];
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(items))).result,
    ).to.equal(1n);
    await f.ledger.write.submitCompactAttestations(packCompactBatch(items));
    expect(await f.ledger.read.candidateStatus([slotOf(b!), hashOf(b!)])).to.deep.equal([
      1,
      3n,
      3n,
    ]);
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(packCompactBatch([items[0]!])),
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

  it("finalizes a speculative chain within one batch ordered by sequence", async function () {
    const f = await loadLedgerFixture();
    const run = chainOf(streamOf(1), 100n, 3, undefined);
    const batch = buildCompactRelayBatch({
      signatures: (
        await Promise.all(
          [...run].reverse().map(async (header) =>
            Promise.all(
              f.witnesses.slice(2, 5).map(async (w) => ({
                header,
                witness: w.address,
                signature: await signObservation(w, f.domain, header),
              })),
            ),
          ),
        )
      ).flat(),
      heads: {},
    });
    expect(batch.map((item) => item.header)).to.deep.equal(run);
    expect(
      (await f.ledger.simulate.submitCompactAttestations(packCompactBatch(batch))).result,
    ).to.equal(3n);
  });

  it("records an equivocating signature as evidence, counts it nowhere and keeps the batch", async function () {
    const f = await loadLedgerFixture();
    const a = headerAt(streamOf(1), 100n, undefined, 0);
    const b = headerAt(streamOf(1), 100n, undefined, 1);
    const w = f.witnesses[0]!;
    await f.ledger.write.submitCompactAttestations(packCompactBatch([await f.compact(a, [w])]));
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(b, [w, f.witnesses[1]!])]),
      ),
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
    expect(await f.ledger.read.equivocation([slotOf(a), w.address])).to.deep.equal([
      zeroHash,
      hashOf(b),
    ]);
    expect(await f.ledger.read.attestationsOf([hashOf(a)])).to.deep.equal([getAddress(w.address)]);
    // An item whose only signature is an equivocation adds nothing and emits nothing.
    const c = headerAt(streamOf(1), 100n, undefined, 2);
    const none = await f.publicClient.waitForTransactionReceipt({
      hash: await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(c, [w])]),
      ),
    });
    expectEvents(f.ledger, none.logs, []);
  });

  it("finalizes through the same state as submitSignedAttestations: the paths mix", async function () {
    const f = await loadLedgerFixture();
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    await f.ledger.write.submitSignedAttestations([[await f.signed(genesis!, [f.witnesses[0]!])]]);
    expect(
      (
        await f.ledger.simulate.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis!, f.witnesses.slice(0, 3))]),
        )
      ).result,
    ).to.equal(1n);
  });

  it("grows its per-call witness cache beyond eight distinct witnesses", async function () {
    const f = await loadLedgerFixture();
    const extra = [6, 7, 8, 9, 10, 11, 12].map((i) => hardhatAccount(i));
    await f.registry.write.updateWitnessSet([extra.map((a) => a.address), [], 7n]);
    const run = chainOf(streamOf(1), 100n, 2, undefined);
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

    it("with MalformedCompactSignatures naming the header and offset where the groups do not fit the headers", async function () {
      const f = await loadLedgerFixture();
      const [genesis, next] = chainOf(streamOf(1), 100n, 2, undefined);
      const item = await f.compact(genesis!, [f.witnesses[0]!]);
      const group = `0x01${item.signatures.slice(2)}` as Hex;
      const cases: [readonly ObservationHeader[], Hex, bigint, bigint][] = [
        // No group at all, a zero count, a group cut short, a count above what is there.
        [[genesis!], "0x", 0n, 0n],
        [[genesis!], `0x00${item.signatures.slice(2)}`, 0n, 0n],
        [[genesis!], group.slice(0, 100) as Hex, 0n, 0n],
        [[genesis!], `0x02${item.signatures.slice(2)}`, 0n, 0n],
        // One group for two headers; bytes after the last group.
        [[genesis!, next!], group, 1n, 65n],
        [[genesis!], `${group}00`, 1n, 65n],
      ];
      for (const [headers, signatures, index, offset] of cases) {
        await expectRevert(
          f.ledger.write.submitCompactAttestations([headers, signatures]),
          f.ledger,
          "MalformedCompactSignatures",
          [index, offset],
        );
      }
    });

    it("with InvalidCompactSignature naming the position of a signature that recovers no signer", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const item = await f.compact(genesis!, f.witnesses.slice(0, 2));
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
            packCompactBatch([{ header: genesis!, signatures }]),
          ),
          f.ledger,
          "InvalidCompactSignature",
          [hashOf(genesis!), 1n],
        );
      }
    });

    it("with ReservedObservationHash for a hash below 2**128, whether the item finalizes or stays open", async function () {
      const f = await loadLedgerFixture();
      const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
        f.registry.address,
      ]);
      const reserved = `0x${(2n ** 128n - 1n).toString(16).padStart(64, "0")}` as const;
      await harness.write.forceObservationHash([reserved]);
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const domain = { ...f.domain, verifyingContract: harness.address };
      for (const signers of [f.witnesses.slice(0, 3), [f.witnesses[0]!]]) {
        await expectRevert(
          harness.write.submitCompactAttestations(
            packCompactBatch([await f.compact(genesis!, signers, domain)]),
          ),
          harness,
          "ReservedObservationHash",
          [reserved],
        );
      }
    });

    it("with NotAWitness naming a signer that never was a witness, or was removed", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const stranger = hardhatAccount(9);
      await expectRevert(
        f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis!, [f.witnesses[0]!, stranger])]),
        ),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
      await f.registry.write.removeWitness([f.witnesses[4]!.address]);
      await expectRevert(
        f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(genesis!, [f.witnesses[4]!])]),
        ),
        f.ledger,
        "NotAWitness",
        [f.witnesses[4]!.address],
      );
    });

    it("with NotAWitness naming the recovered address for a signature over another header, chain, contract, name or version", async function () {
      const f = await loadLedgerFixture();
      const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
      const other = headerAt(streamOf(1), 100n, undefined, 1);
      const w = f.witnesses[0]!;
      const cases: { domain: ObservationLedgerDomain; signed: ObservationHeader }[] = [
        { domain: f.domain, signed: other },
        { domain: { ...f.domain, chainId: 1n }, signed: genesis! },
        { domain: { ...f.domain, verifyingContract: f.registry.address }, signed: genesis! },
        { domain: { ...f.domain, name: "EveryChannelRail" }, signed: genesis! },
        { domain: { ...f.domain, version: "2" }, signed: genesis! },
      ];
      for (const { domain, signed } of cases) {
        const signatures = packCompactSignatures([await signObservation(w, domain, signed)]);
        const recovered = await recoverCompact(observationDigest(f.domain, genesis!), signatures);
        expect(recovered).to.not.equal(getAddress(w.address));
        await expectRevert(
          f.ledger.write.submitCompactAttestations(
            packCompactBatch([{ header: genesis!, signatures }]),
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
    const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
    const full = await Promise.all(
      f.witnesses.slice(0, 3).map((w) => signObservation(w, f.domain, genesis!)),
    );
    const packed = packCompactSignatures(full);
    expect(size(packed)).to.equal(192);
    for (let i = 0; i < 3; ++i) {
      const compact = `0x${packed.slice(2 + 128 * i, 2 + 128 * (i + 1))}` as Hex;
      expect(await signerOf(f.domain, genesis!, compact)).to.equal(
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

  it("packs items into headers and count-prefixed groups, and unpacks them back", async function () {
    const f = await loadLedgerFixture();
    const run = chainOf(streamOf(1), 100n, 3, undefined);
    const items = [
      await f.compact(run[0]!, f.witnesses.slice(0, 3)),
      await f.compact(run[1]!, [f.witnesses[4]!]),
      await f.compact(run[2]!, f.witnesses.slice(0, 5)),
    ];
    const [headers, signatures] = packCompactBatch(items);
    expect(headers).to.deep.equal(run);
    // 3 + 1 + 5 signatures of 64 bytes and one count byte per item.
    expect(size(signatures)).to.equal(9 * 64 + 3);
    expect(signatures.slice(0, 4)).to.equal("0x03");
    expect(signatures.slice(2 + 2 * (1 + 3 * 64), 4 + 2 * (1 + 3 * 64))).to.equal("01");
    expect(unpackCompactBatch(headers, signatures)).to.deep.equal(items);
  });

  it("refuses to pack an empty batch or an item whose signatures are not 1 to 255 compact signatures, naming the item", function () {
    const header = headerAt(streamOf(1), 100n, undefined);
    const one = `0x${"11".repeat(64)}` as Hex;
    expect(() => packCompactBatch([])).to.throw(/items.*no item/);
    expect(() => packCompactBatch([{ header, signatures: "0x" }])).to.throw(
      /items\[0\]\.signatures.*0 bytes/,
    );
    expect(() =>
      packCompactBatch([
        { header, signatures: one },
        { header, signatures: `${one}00` as Hex },
      ]),
    ).to.throw(/items\[1\]\.signatures.*65 bytes/);
    expect(() => packCompactBatch([{ header, signatures: "0xzz" as Hex }])).to.throw(
      /items\[0\]\.signatures.*not a hex/,
    );
    const many = `0x${"11".repeat(64 * 256)}` as Hex;
    expect(() => packCompactBatch([{ header, signatures: many }])).to.throw(
      /items\[0\]\.signatures.*at most 255/,
    );
  });

  it("refuses to unpack groups that do not fit the headers, naming the offset", function () {
    const header = headerAt(streamOf(1), 100n, undefined);
    const group = `0x01${"11".repeat(64)}` as Hex;
    expect(() => unpackCompactBatch([header, header], group)).to.throw(
      /signatures: no group for headers\[1\].*offset 65/,
    );
    expect(() => unpackCompactBatch([header], "0x00")).to.throw(
      /signatures: headers\[0\].*group of 0 signatures.*offset 0/,
    );
    expect(() => unpackCompactBatch([header], `0x02${"11".repeat(64)}`)).to.throw(
      /signatures: headers\[0\].*group of 2 signatures.*offset 0/,
    );
    expect(() => unpackCompactBatch([header], `${group}ff`)).to.throw(
      /signatures: 1 bytes after the last of 1 groups.*offset 65/,
    );
    expect(() => unpackCompactBatch([header], "0xzz" as Hex)).to.throw(/signatures.*not a hex/);
  });

  it("builds the same batch as buildRelayBatch with packed signatures", async function () {
    const f = await loadLedgerFixture();
    const run = chainOf(streamOf(1), 100n, 2, undefined);
    const collected = (
      await Promise.all(
        run.map(async (header) =>
          Promise.all(
            f.witnesses.slice(0, 3).map(async (w) => ({
              header,
              witness: w.address,
              signature: await signObservation(w, f.domain, header),
            })),
          ),
        ),
      )
    ).flat();
    const compact: CompactObservation[] = buildCompactRelayBatch({
      signatures: collected,
      heads: {},
    });
    const full = buildRelayBatch({ signatures: collected, heads: {} });
    expect(compact).to.deep.equal(
      full.map((item) => ({
        header: item.header,
        signatures: packCompactSignatures(item.signatures.map((s) => s.signature)),
      })),
    );
  });
});
