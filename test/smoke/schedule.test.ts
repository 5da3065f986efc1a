import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex, type Hex } from "viem";

import type { WitnessEpoch } from "../../lib/archive/epochs";
import type { DerivedContent } from "../../lib/derive/observation";
import type { ArchiveWitness, ResolvedEpoch } from "../../lib/smoke/archive-set";
import { scheduleRounds } from "../../lib/smoke/schedule";

/**
 * Archive sets drawn as: streams with their epoch duration, and per witness the epochs it holds
 * (by index). Only the fields the schedule reads are real (stream, start, duration, epoch id).
 */
interface Drawn {
  streams: { durationMs: number; epochs: number }[];
  holds: boolean[][][]; // witness → stream → epoch
}

const START = 1_734_000_000_000;

function witnessesOf(drawn: Drawn): ArchiveWitness[] {
  return drawn.holds.map((byStream, index) => ({
    index,
    name: `w${index}`,
    epochs: byStream.flatMap((held, s) =>
      held.flatMap((holds, e): ResolvedEpoch[] => {
        if (!holds) return [];
        const { durationMs } = drawn.streams[s]!;
        const streamHash = keccak256(toHex(`stream ${s}`));
        const content = {
          streamHash,
          epochId: BigInt(e),
          observedUnixMs: BigInt(START + e * durationMs),
          slot: keccak256(toHex(`slot ${s} ${e}`)),
        } as DerivedContent;
        const epoch = {
          entry: { epoch: { id: BigInt(e), startUnixMs: content.observedUnixMs, durationMs } },
        } as unknown as WitnessEpoch;
        return [{ epoch, content }];
      }),
    ),
  }));
}

const arbitrarySet: fc.Arbitrary<Drawn> = fc
  .record({
    witnesses: fc.integer({ min: 1, max: 6 }),
    streams: fc.array(
      fc.record({
        durationMs: fc.constantFrom(1000, 2000, 4000, 6000),
        epochs: fc.integer({ min: 0, max: 12 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .chain(({ witnesses, streams }) =>
    fc.record({
      streams: fc.constant(streams),
      holds: fc.array(
        fc.tuple(
          ...streams.map((s) =>
            fc.array(fc.boolean(), { minLength: s.epochs, maxLength: s.epochs }),
          ),
        ) as fc.Arbitrary<boolean[][]>,
        { minLength: witnesses, maxLength: witnesses },
      ),
    }),
  );

const key = (e: ResolvedEpoch): string => `${e.content.streamHash}/${e.content.epochId}`;

describe("reality-smoke schedule", function () {
  it("feeds every witness each of its epochs exactly once, each stream in epoch order", function () {
    fc.assert(
      fc.property(arbitrarySet, fc.boolean(), (drawn, relayed) => {
        const witnesses = witnessesOf(drawn);
        const { rounds } = scheduleRounds({
          witnesses,
          stepsPerRound: relayed ? 8 : 1,
          lateWitnesses: relayed,
        });
        for (const w of witnesses) {
          const fed = rounds.flatMap((r) =>
            r.feeds.filter((f) => f.witness === w.index).flatMap((f) => f.epochs),
          );
          expect(fed.map(key).sort()).to.deep.equal(w.epochs.map(key).sort());
          const last = new Map<Hex, bigint>();
          for (const e of fed) {
            const previous = last.get(e.content.streamHash);
            if (previous !== undefined) expect(e.content.epochId > previous).to.equal(true);
            last.set(e.content.streamHash, e.content.epochId);
          }
        }
        // Rounds run forward in broadcast time.
        for (let i = 1; i < rounds.length; i++)
          expect(rounds[i]!.endUnixMs >= rounds[i - 1]!.endUnixMs).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it("in transaction mode, runs each epoch in one round with no later epoch of its stream, after every earlier one", function () {
    fc.assert(
      fc.property(arbitrarySet, (drawn) => {
        const { rounds } = scheduleRounds({
          witnesses: witnessesOf(drawn),
          stepsPerRound: 1,
          lateWitnesses: false,
        });
        const roundOf = new Map<string, number>();
        rounds.forEach((round, i) => {
          const perStream = new Map<Hex, Set<bigint>>();
          for (const feed of round.feeds)
            for (const e of feed.epochs) {
              expect(roundOf.get(key(e)) ?? i, "one round per epoch").to.equal(i);
              roundOf.set(key(e), i);
              const ids = perStream.get(e.content.streamHash) ?? new Set<bigint>();
              ids.add(e.content.epochId);
              perStream.set(e.content.streamHash, ids);
            }
          for (const ids of perStream.values()) expect(ids.size).to.equal(1);
        });
        for (const [k, i] of roundOf) {
          const [stream, id] = k.split("/");
          for (const [other, j] of roundOf) {
            const [otherStream, otherId] = other.split("/");
            if (stream === otherStream && BigInt(otherId!) < BigInt(id!))
              expect(j).to.be.lessThan(i);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("in relayed mode, feeds a late witness one round late at most, never twice in a row, and varies the witness order", function () {
    const drawn: Drawn = {
      streams: [{ durationMs: 2000, epochs: 400 }],
      holds: Array.from({ length: 5 }, () => [Array<boolean>(400).fill(true)]),
    };
    const witnesses = witnessesOf(drawn);
    const { rounds, roundMs } = scheduleRounds({
      witnesses,
      stepsPerRound: 8,
      lateWitnesses: true,
    });
    expect(roundMs).to.equal(16_000n);
    let late = 0;
    const orders = new Set<string>();
    rounds.forEach((round, i) => {
      orders.add(round.feeds.map((f) => f.witness).join(","));
      for (const feed of round.feeds)
        for (const e of feed.epochs) {
          const end = e.content.observedUnixMs + 2000n;
          const own = rounds.findIndex((r) => end < r.endUnixMs);
          expect(i - own, `round ${i}`).to.be.within(0, 1);
          if (i - own === 1) late += 1;
        }
      for (const w of witnesses) {
        const absent = !round.feeds.some((f) => f.witness === w.index);
        const absentBefore = i > 0 && !rounds[i - 1]!.feeds.some((f) => f.witness === w.index);
        expect(absent && absentBefore, `witness ${w.index} late twice in a row`).to.equal(false);
      }
    });
    expect(late).to.be.greaterThan(0);
    expect(orders.size).to.be.greaterThan(10);
  });

  it("cuts time in steps of the shortest epoch", function () {
    const drawn: Drawn = {
      streams: [
        { durationMs: 6000, epochs: 3 },
        { durationMs: 2000, epochs: 9 },
      ],
      holds: [[Array<boolean>(3).fill(true), Array<boolean>(9).fill(true)]],
    };
    const schedule = scheduleRounds({
      witnesses: witnessesOf(drawn),
      stepsPerRound: 1,
      lateWitnesses: false,
    });
    expect(schedule.stepMs).to.equal(2000n);
    expect(schedule.rounds.length).to.equal(9);
    expect(schedule.rounds.map((r) => r.feeds[0]!.epochs.length)).to.deep.equal([
      1, 1, 2, 1, 1, 2, 1, 1, 2,
    ]);
  });

  it("refuses a round size that is not a positive integer", function () {
    expect(() =>
      scheduleRounds({ witnesses: [], stepsPerRound: 0, lateWitnesses: false }),
    ).to.throw("stepsPerRound must be a positive integer (got 0)");
  });
});
