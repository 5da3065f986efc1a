import { blake3 } from "@noble/hashes/blake3";
import { expect } from "chai";
import fc from "fast-check";
import { concatHex, encodeAbiParameters, keccak256, toHex, zeroHash, type Hex } from "viem";

import { resolveWitnessEpochs } from "../../lib/archive/epochs";
import type { ArchiveRecord } from "../../lib/archive/reader";
import { checkArchiveLine, checkArchiveValue, type ArchiveEntry } from "../../lib/archive/schema";
import { merkleRoot } from "../../lib/commitments/merkle";
import { observationHash, observationSlot } from "../../lib/commitments/observation";
import { epochHash, streamId } from "../../lib/commitments/stream";
import { chunkHashSeq } from "../../lib/derive/locator";
import {
  deriveObservation,
  deriveObservationContent,
  deriveObservationRun,
  observationHead,
  type DerivedObservation,
} from "../../lib/derive/observation";
import { archiveStreamKey } from "../../lib/derive/stream-key";
import { InvalidFieldError } from "../../lib/errors";
import {
  broadcastPartArb,
  chunksArb,
  epochArb,
  hex32,
  lineWithNoise,
  localNoiseArb,
  psipArb,
  streamArb,
  toArchiveJson,
  type BroadcastPart,
  type LocalNoise,
} from "../support/archive-arbitraries";
import { sampleLine, withField } from "../support/archive-lines";

const RUNS = 200;

function parse(text: string): ArchiveEntry {
  const checked = checkArchiveLine(text);
  if (!checked.ok) throw new Error(`${checked.field}: ${checked.problem}`);
  return checked.entry;
}

function entryOf(line: Record<string, unknown>): ArchiveEntry {
  const checked = checkArchiveValue(line);
  if (!checked.ok) throw new Error(`${checked.field}: ${checked.problem}`);
  return checked.entry;
}

/** Writes `part` as a witness with `noise` would, and reads it back. */
function written(part: BroadcastPart, noise: LocalNoise): ArchiveEntry {
  return parse(
    toArchiveJson(lineWithNoise(part, noise), { seed: noise.shuffleSeed, spaced: noise.spaced }),
  );
}

const head = { hash: keccak256("0x01"), sequence: 41n };

describe("observation derivation", function () {
  describe("header fields", function () {
    const entry = entryOf(sampleLine());

    it("converts the archive stream to the canonical StreamKey (standard code, ASCII region bytes)", function () {
      expect(archiveStreamKey(entry.stream)).to.deep.equal({
        broadcast: {
          standard: 0,
          region: "0x5553",
          rfChannel: 7,
          transportStreamId: 2113,
          programNumber: 3,
          majorChannel: 7,
          minorChannel: 1,
          callsign: "KGO-HD",
        },
        profile: "ts-original",
      });
      const ip = entryOf(withField(sampleLine(), ["stream", "broadcast", "standard"], "ip"));
      expect(archiveStreamKey(ip.stream).broadcast.standard).to.equal(5);
    });

    it("computes every header field from the commitments named in docs/derivation.md", function () {
      const streamHash = streamId(archiveStreamKey(entry.stream));
      const epoch = epochHash({
        streamHash,
        epochId: 289000000n,
        startUnixMs: 1734000000000n,
        durationMs: 6000,
      });
      const leaves = entry.chunks.map((c) => c.blake3);
      const hashSeq = toHex(blake3(Buffer.from(concatHex(leaves).slice(2), "hex")));
      const locator = keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "bool" }, { type: "bytes32" }, { type: "uint32[]" }],
          [hashSeq, true, entry.psip!.blake3, entry.chunks.map((c) => c.bytes)],
        ),
      );
      const derived = deriveObservation(entry, null);
      expect(derived.header).to.deep.equal({
        streamHash,
        epochHash: epoch,
        parentObservationHash: zeroHash,
        dataRoot: merkleRoot(leaves),
        locatorHash: locator,
        observedUnixMs: 1734000000000n,
        sequence: 0n,
      });
      expect(derived.hash).to.equal(observationHash(derived.header));
      expect(derived.slot).to.equal(observationSlot(streamHash, epoch));
      expect(derived.content.locator.hashSeq).to.equal(hashSeq);
    });

    it("chains on a finalized head: parent = head hash, sequence = head sequence + 1", function () {
      const derived = deriveObservation(entry, head);
      expect(derived.header.parentObservationHash).to.equal(head.hash);
      expect(derived.header.sequence).to.equal(42n);
      expect(observationHead(derived)).to.deep.equal({ hash: derived.hash, sequence: 42n });
    });

    it("rejects a head that is not 32 bytes of hex or whose sequence has no successor", function () {
      expectInvalidField(
        () => deriveObservation(entry, { hash: "0x1234", sequence: 0n }),
        "head.hash",
        "0x1234",
      );
      expectInvalidField(
        () => deriveObservation(entry, { hash: head.hash, sequence: 2n ** 64n - 1n }),
        "head.sequence",
        2n ** 64n - 1n,
      );
      expectInvalidField(
        () => deriveObservation(entry, { hash: head.hash, sequence: -1n }),
        "head.sequence",
        -1n,
      );
      expect(
        deriveObservation(entry, { hash: head.hash, sequence: 2n ** 64n - 2n }).header.sequence,
      ).to.equal(2n ** 64n - 1n);
    });

    it("commits an absent PSIP as psipPresent = false with the zero hash", function () {
      const none = deriveObservationContent(entryOf(sampleLine({ psip: false })));
      expect(none.locator).to.include({ psipPresent: false, psipBlake3: zeroHash });
      const zeroPsip = deriveObservationContent(
        entryOf(withField(sampleLine(), ["psip", "blake3"], "00".repeat(32))),
      );
      expect(zeroPsip.locator).to.include({ psipPresent: true, psipBlake3: zeroHash });
      expect(zeroPsip.locatorHash).to.not.equal(none.locatorHash);
    });

    it("hash-seq of one chunk is BLAKE3 of its 32-byte hash", function () {
      const h = `0x${"ab".repeat(32)}` as Hex;
      expect(chunkHashSeq([h])).to.equal(toHex(blake3(Buffer.from("ab".repeat(32), "hex"))));
    });
  });

  describe("speculative runs", function () {
    const run = [1, 2, 5].map((id) => entryOf(sampleLine({ epochId: id })));

    it("chains each epoch on the one before as if it had finalized", function () {
      const derived = deriveObservationRun(run, head);
      expect(derived.map((d) => d.header.sequence)).to.deep.equal([42n, 43n, 44n]);
      expect(derived[0]!.header.parentObservationHash).to.equal(head.hash);
      expect(derived[1]!.header.parentObservationHash).to.equal(derived[0]!.hash);
      expect(derived[2]!.header.parentObservationHash).to.equal(derived[1]!.hash);
      let current: { hash: Hex; sequence: bigint } | null = head;
      for (const [i, e] of run.entries()) {
        const one = deriveObservation(e, current);
        expect(one.hash).to.equal(derived[i]!.hash);
        current = observationHead(one);
      }
    });

    it("returns nothing for no entries", function () {
      expect(deriveObservationRun([], null)).to.deep.equal([]);
    });

    it("rejects a run that mixes streams", function () {
      const other = entryOf(
        withField(sampleLine({ epochId: 3 }), ["stream", "profile"], "ts-720p"),
      );
      expectInvalidField(() => deriveObservationRun([run[0]!, other], null), "entries[1].stream");
    });

    it("rejects a run whose epoch ids do not increase", function () {
      expectInvalidField(
        () => deriveObservationRun([run[1]!, run[0]!], null),
        "entries[1].epoch.id",
        1n,
      );
      expectInvalidField(
        () => deriveObservationRun([run[0]!, run[0]!], null),
        "entries[1].epoch.id",
        1n,
      );
    });
  });

  describe("agreement", function () {
    it("gives the same header to witnesses that differ only in source-local fields and formatting", function () {
      fc.assert(
        fc.property(broadcastPartArb, localNoiseArb, localNoiseArb, (part, a, b) => {
          const x = deriveObservation(written(part, a), head);
          const y = deriveObservation(written(part, b), head);
          expect(y.header).to.deep.equal(x.header);
          expect(y.hash).to.equal(x.hash);
        }),
        { numRuns: RUNS },
      );
    });

    it("gives the same chains to witnesses whatever their line order, retries and noise", async function () {
      const archiveArb = fc
        .record({
          stream: streamArb,
          start: fc.bigInt({ min: 0n, max: (2n ** 64n - 1n) / 2000n - 401n }),
          epochs: fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 0, maxLength: 30 }),
          second: streamArb,
        })
        .chain(({ stream, start, epochs, second }) =>
          fc.record({
            parts: fc.tuple(
              ...epochs.map((e, i) =>
                fc.record({ chunks: chunksArb, psip: psipArb }).map(
                  (c): BroadcastPart => ({
                    // Every third epoch goes to a second stream so that streams interleave.
                    stream: i % 3 === 2 ? second : stream,
                    epoch: {
                      id: start + BigInt(e),
                      startUnixMs: (start + BigInt(e)) * 2000n,
                      durationMs: 2000,
                    },
                    ...c,
                  }),
                ),
              ),
            ),
            witnesses: fc.array(
              fc.record({
                noise: fc.array(localNoiseArb, { minLength: 1, maxLength: 4 }),
                order: fc.array(fc.integer({ min: -5, max: 5 }), {
                  minLength: epochs.length,
                  maxLength: epochs.length,
                }),
                retries: fc.array(fc.nat(), { maxLength: 6 }),
              }),
              { minLength: 2, maxLength: 3 },
            ),
          }),
        );
      await fc.assert(
        fc.asyncProperty(archiveArb, async ({ parts, witnesses }) => {
          const results: string[][] = [];
          for (const w of witnesses) {
            // Sort by true epoch order plus a bounded displacement (within the reader window).
            const order = parts
              .map((p, i) => ({ p, key: i + (w.order[i] ?? 0) }))
              .sort((x, y) => x.key - y.key)
              .map((x) => x.p);
            const lines: BroadcastPart[] = [...order];
            for (const r of w.retries)
              if (lines.length > 0)
                lines.splice(r % (lines.length + 1), 0, order[r % order.length]!);
            const records: ArchiveRecord[] = lines.map((p, i) => ({
              file: "w.jsonl",
              line: i + 1,
              entry: written(p, w.noise[i % w.noise.length]!),
            }));
            const byStream = new Map<string, ArchiveEntry[]>();
            for await (const e of resolveWitnessEpochs(records))
              byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.entry]);
            const hashes = [...byStream.values()].flatMap((entries) =>
              deriveObservationRun(entries, null).map((d) => d.hash),
            );
            results.push(hashes.sort());
          }
          for (const r of results.slice(1)) expect(r).to.deep.equal(results[0]);
          expect(results[0]).to.have.length(
            parts.length === 0
              ? 0
              : new Set(parts.map((p) => `${JSON.stringify(p.stream)}|${p.epoch.id}`)).size,
          );
        }),
        { numRuns: 100 },
      );
    });
  });

  describe("sensitivity", function () {
    type Mutation = (part: BroadcastPart) => fc.Arbitrary<BroadcastPart>;
    const clone = (p: BroadcastPart): BroadcastPart => ({
      stream: { broadcast: { ...p.stream.broadcast }, profile: p.stream.profile },
      epoch: { ...p.epoch },
      chunks: p.chunks.map((c) => ({ ...c })),
      psip: p.psip === null ? null : { ...p.psip },
    });
    const differentFrom = <T>(arb: fc.Arbitrary<T>, value: T): fc.Arbitrary<T> =>
      arb.filter(
        (x) =>
          JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v)) !==
          JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v)),
      );

    const mutations: Record<string, Mutation> = {
      "one chunk hash differs": (p) =>
        fc.tuple(fc.nat(), differentFrom(hex32, "")).map(([i, h]) => {
          const q = clone(p);
          const c = q.chunks[i % q.chunks.length]!;
          if (c.blake3 === h) c.blake3 = h.replace(/^./, h[0] === "0" ? "1" : "0");
          else c.blake3 = h;
          return q;
        }),
      "one chunk size differs": (p) =>
        fc.tuple(fc.nat(), fc.integer({ min: 1, max: 0xffff_ffff })).map(([i, n]) => {
          const q = clone(p);
          const c = q.chunks[i % q.chunks.length]!;
          c.bytes = c.bytes === n ? (n === 1 ? 2 : n - 1) : n;
          return q;
        }),
      "the last chunk is missing (or a second chunk appears)": (p) =>
        fc.constant(
          p.chunks.length === 1
            ? {
                ...clone(p),
                chunks: [...p.chunks, { index: 1, blake3: "ab".repeat(32), bytes: 1 }],
              }
            : { ...clone(p), chunks: p.chunks.slice(0, -1).map((c) => ({ ...c })) },
        ),
      "an extra chunk is appended": (p) =>
        fc.tuple(hex32, fc.integer({ min: 1, max: 0xffff_ffff })).map(([h, n]) => ({
          ...clone(p),
          chunks: [
            ...p.chunks.map((c) => ({ ...c })),
            { index: p.chunks.length, blake3: h, bytes: n },
          ],
        })),
      "two chunks are swapped": (p) =>
        fc.constant(
          p.chunks.length >= 2 && p.chunks[0]!.blake3 !== p.chunks[1]!.blake3
            ? {
                ...clone(p),
                chunks: [
                  { ...p.chunks[1]!, index: 0 },
                  { ...p.chunks[0]!, index: 1 },
                  ...p.chunks.slice(2).map((c) => ({ ...c })),
                ],
              }
            : {
                ...clone(p),
                chunks: [
                  {
                    ...p.chunks[0]!,
                    blake3:
                      p.chunks[0]!.blake3 === "ab".repeat(32) ? "cd".repeat(32) : "ab".repeat(32),
                  },
                  ...p.chunks.slice(1),
                ],
              },
        ),
      "the epoch id, start or duration differs": (p) =>
        differentFrom(epochArb, p.epoch).map((epoch) => ({ ...clone(p), epoch })),
      "the duration differs by 1 ms": (p) =>
        fc.constant({
          ...clone(p),
          epoch: { ...p.epoch, durationMs: p.epoch.durationMs === 1 ? 2 : p.epoch.durationMs - 1 },
        }),
      "the PSIP hash or its presence differs": (p) =>
        differentFrom(psipArb, p.psip).map((psip) => ({ ...clone(p), psip })),
      "any stream key field differs": (p) =>
        differentFrom(streamArb, p.stream).map((stream) => ({ ...clone(p), stream })),
    };

    for (const [name, mutate] of Object.entries(mutations)) {
      it(`changes the observation hash when ${name}`, function () {
        fc.assert(
          fc.property(
            broadcastPartArb.chain((p) => fc.tuple(fc.constant(p), mutate(p))),
            localNoiseArb,
            localNoiseArb,
            ([original, changed], a, b) => {
              const x: DerivedObservation = deriveObservation(written(original, a), head);
              const y = deriveObservation(written(changed, b), head);
              expect(y.hash).to.not.equal(x.hash);
            },
          ),
          { numRuns: RUNS },
        );
      });
    }

    it("changes the observation hash when the parent or the sequence changes", function () {
      fc.assert(
        fc.property(
          broadcastPartArb,
          localNoiseArb,
          hex32,
          fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
          (part, noise, parent, sequence) => {
            const entry = written(part, noise);
            const a = deriveObservation(entry, { hash: `0x${parent}`, sequence });
            const other = `0x${parent.replace(/^./, parent[0] === "0" ? "1" : "0")}` as Hex;
            expect(deriveObservation(entry, { hash: other, sequence }).hash).to.not.equal(a.hash);
            expect(
              deriveObservation(entry, {
                hash: `0x${parent}`,
                sequence: sequence === 0n ? 1n : sequence - 1n,
              }).hash,
            ).to.not.equal(a.hash);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});

function expectInvalidField(run: () => unknown, field: string, value?: unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidFieldError);
    expect((error as InvalidFieldError).field).to.equal(field);
    if (value !== undefined) expect((error as InvalidFieldError).value).to.equal(value);
    return;
  }
  expect.fail(`no InvalidFieldError for ${field}`);
}
