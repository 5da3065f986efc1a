import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex, zeroHash, type Hex } from "viem";

import { contentHash, observationHash, observationSlot } from "../../lib/commitments/observation";
import type { DerivedContent } from "../../lib/derive/observation";
import { MAX_FUTURE_MS } from "../../lib/ledger/rules";
import {
  expectedOutcome,
  strictMajority,
  UndecidableOutcomeError,
  type WitnessContent,
} from "../../lib/smoke/outcome";

/**
 * Witness sets drawn as: per epoch of one stream, for each witness either absent (null) or the
 * index of the content variant it captured, and whether the epoch's start is far in the future.
 * Contents are built here from the variant alone; the expectations below come from these raw
 * captures, never from the model's own grouping.
 */
const STREAM = keccak256(toHex("stream"));
const CHAIN_TIME_MS = 1_734_100_000_000n;
const START_MS = 1_734_000_000_000n;
const FUTURE_MS = CHAIN_TIME_MS + MAX_FUTURE_MS + 1n;

function content(epoch: number, variant: number, future: boolean): DerivedContent {
  const observedUnixMs = future ? FUTURE_MS + BigInt(epoch) : START_MS + BigInt(epoch) * 6000n;
  const epochHash = keccak256(toHex(`epoch ${epoch} at ${observedUnixMs}`));
  const signed = {
    streamHash: STREAM,
    epochHash,
    dataRoot: keccak256(toHex(`data ${epoch} ${variant}`)),
    locatorHash: keccak256(toHex(`locator ${epoch}`)),
    observedUnixMs,
  };
  return {
    ...signed,
    streamKey: {
      broadcast: {
        standard: 0,
        region: "0x5553",
        rfChannel: 7,
        transportStreamId: 1,
        programNumber: 1,
        majorChannel: 7,
        minorChannel: 1,
        callsign: "TEST",
      },
      profile: "ts-original",
    },
    epochId: BigInt(epoch),
    locator: { hashSeq: zeroHash, psipPresent: false, psipBlake3: zeroHash, chunkBytes: [1] },
    slot: observationSlot(STREAM, epochHash),
    contentHash: contentHash(signed),
  };
}

interface Drawn {
  witnesses: number;
  epochs: { captures: (number | null)[]; future: boolean }[];
}

function contentsOf({ epochs }: Drawn): WitnessContent[] {
  return epochs.flatMap(({ captures, future }, epoch) =>
    captures.flatMap((variant, witness) =>
      variant === null ? [] : [{ witness, content: content(epoch, variant, future) }],
    ),
  );
}

const arbitrarySet: fc.Arbitrary<Drawn> = fc.integer({ min: 1, max: 9 }).chain((witnesses) =>
  fc.record({
    witnesses: fc.constant(witnesses),
    epochs: fc.array(
      fc.record({
        captures: fc.array(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), {
          minLength: witnesses,
          maxLength: witnesses,
        }),
        future: fc.oneof(
          { weight: 7, arbitrary: fc.constant(false) },
          { weight: 3, arbitrary: fc.constant(true) },
        ),
      }),
      { minLength: 0, maxLength: 14 },
    ),
  }),
);

/** The largest number of witnesses that captured one variant of an epoch. */
function largestAgreement(captures: readonly (number | null)[]): number {
  const counts = new Map<number, number>();
  for (const v of captures) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe("reality-smoke outcome model", function () {
  it("finalizes an epoch exactly when a quorum captured the same content in time, and expires the unfinalized ones a later finalization passes", function () {
    fc.assert(
      fc.property(arbitrarySet, (drawn) => {
        const quorum = strictMajority(drawn.witnesses);
        const [stream] = expectedOutcome({
          contents: contentsOf(drawn),
          quorum,
          chainTimeMs: CHAIN_TIME_MS,
        });
        const captured = drawn.epochs
          .map((e, epoch) => ({ ...e, epoch }))
          .filter((e) => e.captures.some((v) => v !== null));
        expect(stream?.slots.length ?? 0).to.equal(captured.length);
        // Slots in time order: the epochs in the present, then the far-future ones.
        const inOrder = [...captured].sort(
          (a, b) => Number(a.future) - Number(b.future) || a.epoch - b.epoch,
        );
        const finalizes = inOrder.map((e) => !e.future && largestAgreement(e.captures) >= quorum);
        inOrder.forEach((e, i) => {
          const slot = stream!.slots[i]!;
          expect(slot.epochId).to.equal(BigInt(e.epoch));
          const variants = new Set(e.captures.filter((v) => v !== null)).size;
          const outcome = e.future
            ? "refused"
            : finalizes[i]
              ? "finalized"
              : variants > 1
                ? "contested"
                : "open";
          expect(slot.outcome).to.equal(outcome);
          const laterFinalizes = finalizes.slice(i + 1).some(Boolean);
          expect(slot.expires).to.equal(
            (outcome === "contested" || outcome === "open") && laterFinalizes,
          );
          expect(slot.contents.length).to.equal(variants);
          expect(slot.contents.reduce((n, c) => n + c.witnesses.length, 0)).to.equal(
            e.captures.filter((v) => v !== null).length,
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  it("chains each stream's finalized observations as the ledger does: parent the previous head, sequence from 0", function () {
    fc.assert(
      fc.property(arbitrarySet, (drawn) => {
        const quorum = strictMajority(drawn.witnesses);
        const [stream] = expectedOutcome({
          contents: contentsOf(drawn),
          quorum,
          chainTimeMs: CHAIN_TIME_MS,
        });
        if (stream === undefined) return;
        let parent: Hex = zeroHash;
        let sequence = 0n;
        const chain: Hex[] = [];
        for (const slot of stream.slots) {
          expect(slot.parent.hash).to.equal(parent);
          if (slot.finalized === undefined) continue;
          const winner = slot.contents.find((c) => c.contentHash === slot.finalized!.contentHash)!;
          expect(winner.witnesses.length).to.be.at.least(quorum);
          const header = { ...winner.content, parentObservationHash: parent, sequence };
          expect(slot.finalized.observationHash).to.equal(observationHash(header));
          expect(slot.finalized.parentObservationHash).to.equal(parent);
          expect(slot.finalized.sequence).to.equal(sequence);
          parent = slot.finalized.observationHash;
          chain.push(parent);
          sequence += 1n;
        }
        expect(stream.chain).to.deep.equal(chain);
        expect(stream.head.hash).to.equal(parent);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a quorum that is not a positive integer, naming it", function () {
    expect(() => expectedOutcome({ contents: [], quorum: 0, chainTimeMs: 0n })).to.throw(
      "quorum: must be a positive integer (got 0)",
    );
  });

  it("refuses a quorum that lets two contents of one slot finalize", function () {
    const contents = [0, 1, 2, 3].map((witness) => ({
      witness,
      content: content(0, witness % 2, false),
    }));
    expect(() => expectedOutcome({ contents, quorum: 2, chainTimeMs: CHAIN_TIME_MS })).to.throw(
      /^quorum: lets 2 contents of slot 0x[0-9a-f]{64} \(epoch 0\) finalize/,
    );
  });

  it("refuses a witness that derived two contents of one slot", function () {
    const contents = [
      { witness: 0, content: content(0, 0, false) },
      { witness: 0, content: content(0, 1, false) },
    ];
    expect(() => expectedOutcome({ contents, quorum: 1, chainTimeMs: CHAIN_TIME_MS })).to.throw(
      /^witness 0: derived two contents for one slot/,
    );
  });

  it("says when two slots observed at the same time both reach quorum (arrival order decides)", function () {
    const a = content(0, 0, false);
    const b = { ...a, epochHash: keccak256(toHex("other timing")) };
    b.slot = observationSlot(STREAM, b.epochHash);
    b.contentHash = contentHash(b);
    const contents = [0, 1, 2].flatMap((witness) => [
      { witness, content: a },
      { witness, content: b },
    ]);
    expect(() => expectedOutcome({ contents, quorum: 2, chainTimeMs: CHAIN_TIME_MS }))
      .to.throw(UndecidableOutcomeError)
      .with.property("message")
      .that.matches(/both observed at 1734000000000 and both reach quorum/);
  });
});
