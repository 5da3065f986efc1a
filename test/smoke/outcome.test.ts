import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex, type Hex } from "viem";

import { observationHash, observationSlot } from "../../lib/commitments/observation";
import type { ChainHead, Witness, WitnessObservation } from "../../lib/smoke/observations";
import { ZERO_HASH } from "../../lib/smoke/observations";
import { expectedOutcome, strictMajority } from "../../lib/smoke/outcome";

/**
 * Witness sets drawn as: per epoch of one stream, for each witness either "absent" or the index of
 * the content variant it captured. Headers are built here from the variant alone (the model must
 * not care how they were derived), chained on whatever head the model gives.
 */
const STREAM = keccak256(toHex("stream"));

function witnessSet(epochs: readonly (readonly (number | null)[])[], witnesses: number): Witness[] {
  return Array.from({ length: witnesses }, (_, witness) => ({
    index: witness,
    name: `w${witness}`,
    observations: epochs.flatMap((captures, epoch): WitnessObservation[] => {
      const variant = captures[witness];
      if (variant === null || variant === undefined) return [];
      const epochHash = keccak256(toHex(`epoch ${epoch}`));
      return [
        {
          witness,
          streamHash: STREAM,
          epochHash,
          epochId: BigInt(epoch),
          slot: observationSlot(STREAM, epochHash),
          header: (head: ChainHead) => ({
            streamHash: STREAM,
            epochHash,
            parentObservationHash: head.hash,
            dataRoot: keccak256(toHex(`data ${epoch} ${variant}`)),
            locatorHash: keccak256(toHex(`locator ${epoch}`)),
            observedUnixMs: BigInt(1_000 + epoch),
            sequence: head.hash === ZERO_HASH ? 0n : head.sequence + 1n,
          }),
        },
      ];
    }),
  }));
}

const arbitrarySet = fc.integer({ min: 1, max: 9 }).chain((witnesses) =>
  fc.record({
    witnesses: fc.constant(witnesses),
    epochs: fc.array(
      fc.array(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), {
        minLength: witnesses,
        maxLength: witnesses,
      }),
      { minLength: 0, maxLength: 12 },
    ),
  }),
);

describe("reality-smoke outcome model", function () {
  it("finalizes a slot exactly when one group of identical headers reaches the strict-majority quorum", function () {
    fc.assert(
      fc.property(arbitrarySet, ({ witnesses, epochs }) => {
        const quorum = strictMajority(witnesses);
        const [stream] = expectedOutcome({ witnesses: witnessSet(epochs, witnesses), quorum });
        const captured = epochs.filter((e) => e.some((v) => v !== null)).length;
        expect(stream?.slots.length ?? 0).to.equal(captured);
        for (const slot of stream?.slots ?? []) {
          const largest = Math.max(...slot.candidates.map((c) => c.witnesses.length));
          expect(slot.outcome === "finalized").to.equal(largest >= quorum);
          expect(slot.candidates.filter((c) => c.witnesses.length >= quorum).length).to.be.at.most(
            1,
          );
          if (slot.outcome !== "finalized") {
            expect(slot.outcome).to.equal(slot.candidates.length > 1 ? "contested" : "open");
          }
          // Every candidate extends the head of the moment, and groups are by header hash.
          for (const c of slot.candidates) {
            expect(c.header.parentObservationHash).to.equal(slot.parent.hash);
            expect(observationHash(c.header)).to.equal(c.hash);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("chains each stream's finalized observations linearly, skipping unfinalized slots", function () {
    fc.assert(
      fc.property(arbitrarySet, ({ witnesses, epochs }) => {
        const quorum = strictMajority(witnesses);
        const [stream] = expectedOutcome({ witnesses: witnessSet(epochs, witnesses), quorum });
        if (stream === undefined) return;
        let head: ChainHead = { hash: ZERO_HASH, sequence: 0n };
        const chain: Hex[] = [];
        for (const slot of stream.slots) {
          expect(slot.parent).to.deep.equal(head);
          if (slot.finalizedHash !== undefined) {
            const winner = slot.candidates.find((c) => c.hash === slot.finalizedHash)!;
            expect(winner.header.sequence).to.equal(BigInt(chain.length));
            head = { hash: winner.hash, sequence: winner.header.sequence };
            chain.push(winner.hash);
          }
        }
        expect(stream.chain).to.deep.equal(chain);
        expect(stream.head).to.deep.equal(head);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a quorum that is not a positive integer, naming it", function () {
    expect(() => expectedOutcome({ witnesses: [], quorum: 0 })).to.throw(
      "quorum: must be a positive integer (got 0)",
    );
  });
});
