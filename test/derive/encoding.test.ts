import { blake3 } from "@noble/hashes/blake3";
import { expect } from "chai";
import fc from "fast-check";
import { encodeAbiParameters, hexToBytes, keccak256, toHex, type Hex } from "viem";

import { checkArchiveValue, type ArchiveEntry } from "../../lib/archive/schema";
import { merkleRoot } from "../../lib/commitments/merkle";
import { contentHash, observationHash, observationSlot } from "../../lib/commitments/observation";
import { epochHash, streamId } from "../../lib/commitments/stream";
import {
  bytesToHex32,
  encodeStreamKeyFields,
  epochHashBytes,
  hashSeqBytes,
  hex32ToBytes,
  locatorHashBytes,
  merkleRootBytes,
  observationHashBytes,
  observationSlotBytes,
} from "../../lib/derive/encoding";
import { chunkHashSeq, epochLocator, locatorHash } from "../../lib/derive/locator";
import {
  chainObservation,
  deriveObservationContent,
  type DerivedContent,
  type ObservationHead,
} from "../../lib/derive/observation";
import { archiveStreamKey } from "../../lib/derive/stream-key";
import { abiParameters, type StreamKey } from "../../lib/types/abi";
import { bytes32, uint64 } from "../types/arbitraries";
import {
  broadcastPartArb,
  lineWithNoise,
  localNoiseArb,
  streamArb,
} from "../support/archive-arbitraries";

const RUNS = 300;

const uint32 = fc.oneof(
  fc.constantFrom(0, 1, 0xffff_ffff),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);
const leavesArb = fc.array(bytes32, { minLength: 1, maxLength: 40 });

function leafBytes(leaves: readonly Hex[]): Uint8Array {
  const out = new Uint8Array(32 * leaves.length);
  leaves.forEach((leaf, i) => out.set(hexToBytes(leaf), 32 * i));
  return out;
}

function entryOf(line: Record<string, unknown>): ArchiveEntry {
  const checked = checkArchiveValue(line);
  if (!checked.ok) throw new Error(`${checked.field}: ${checked.problem}`);
  return checked.entry;
}

/** A valid entry drawn from the arbitraries with a fixed seed. */
function sampleEntry(seed: number): ArchiveEntry {
  return entryOf(
    lineWithNoise(
      fc.sample(broadcastPartArb, { numRuns: 1, seed })[0]!,
      fc.sample(localNoiseArb, { numRuns: 1, seed })[0]!,
    ),
  );
}

/** The content through the viem/abi commitment functions only, as the derivation is specified. */
function contentByDefinitions(entry: ArchiveEntry): DerivedContent {
  const streamKey = archiveStreamKey(entry.stream);
  const streamHash = streamId(streamKey);
  const epoch = epochHash({
    streamHash,
    epochId: entry.epoch.id,
    startUnixMs: entry.epoch.startUnixMs,
    durationMs: entry.epoch.durationMs,
  });
  const locator = epochLocator(entry.chunks, entry.psip);
  const dataRoot = merkleRoot(entry.chunks.map((c) => c.blake3));
  const locatorCommitment = locatorHash(locator);
  return {
    streamKey,
    streamHash,
    epochId: entry.epoch.id,
    epochHash: epoch,
    dataRoot,
    locator,
    locatorHash: locatorCommitment,
    observedUnixMs: entry.epoch.startUnixMs,
    slot: observationSlot(streamHash, epoch),
    contentHash: contentHash({
      streamHash,
      epochHash: epoch,
      dataRoot,
      locatorHash: locatorCommitment,
      observedUnixMs: entry.epoch.startUnixMs,
    }),
  };
}

/** The outcome of `f`: its value, or the error's class and message. */
function outcome<T>(f: () => T): { value: T } | { error: string } {
  try {
    return { value: f() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe("fixed-layout encodings of the derivation", function () {
  it("encode a StreamKey exactly as abi.encode(StreamKey) (empty, Unicode and 1024-character strings)", function () {
    fc.assert(
      fc.property(streamArb, (stream) => {
        const key: StreamKey = archiveStreamKey(stream);
        const expected = encodeAbiParameters([abiParameters.StreamKey], [key]);
        const bytes = encodeStreamKeyFields({
          ...key.broadcast,
          region: hexToBytes(key.broadcast.region),
          profile: key.profile,
        });
        expect(toHex(bytes)).to.equal(expected);
        expect(bytesToHex32(keccak256(bytes, "bytes"))).to.equal(streamId(key));
      }),
      { numRuns: RUNS },
    );
  });

  it("hash the epoch tuple as epoch-abi-keccak256-v1", function () {
    fc.assert(
      fc.property(
        bytes32,
        uint64,
        uint64,
        uint32,
        (streamHash, epochId, startUnixMs, durationMs) => {
          expect(
            bytesToHex32(epochHashBytes(hexToBytes(streamHash), epochId, startUnixMs, durationMs)),
          ).to.equal(epochHash({ streamHash, epochId, startUnixMs, durationMs }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("give the manifest-data-merkle root and the HashSeq of 1 to 40 leaves", function () {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const bytes = leafBytes(leaves);
        expect(bytesToHex32(merkleRootBytes(bytes, leaves.length))).to.equal(merkleRoot(leaves));
        expect(bytesToHex32(hashSeqBytes(bytes))).to.equal(chunkHashSeq(leaves));
        expect(bytesToHex32(hashSeqBytes(bytes))).to.equal(toHex(blake3(bytes)));
      }),
      { numRuns: RUNS },
    );
  });

  it("hash the locator as locator-iroh-hashseq-keccak256-v1, with and without PSIP", function () {
    fc.assert(
      fc.property(
        bytes32,
        fc.option(bytes32, { nil: null }),
        fc.array(uint32, { minLength: 0, maxLength: 40 }),
        (hashSeq, psip, chunkBytes) => {
          const expected = locatorHash({
            hashSeq,
            psipPresent: psip !== null,
            psipBlake3: psip ?? `0x${"00".repeat(32)}`,
            chunkBytes,
          });
          const psipBytes = psip === null ? null : hexToBytes(psip);
          expect(
            bytesToHex32(
              locatorHashBytes(hexToBytes(hashSeq), psip !== null, psipBytes, chunkBytes),
            ),
          ).to.equal(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("hash the slot and the observation header as their commitments", function () {
    fc.assert(
      fc.property(
        fc.tuple(bytes32, bytes32, bytes32, bytes32, bytes32),
        uint64,
        uint64,
        ([streamHash, epoch, parent, dataRoot, locator], observedUnixMs, sequence) => {
          expect(
            bytesToHex32(observationSlotBytes(hexToBytes(streamHash), hexToBytes(epoch))),
          ).to.equal(observationSlot(streamHash, epoch));
          // Upper-case hex is read like lower-case, as the ABI encoder does.
          const upper = parent.toUpperCase().replace("0X", "0x") as Hex;
          expect(
            bytesToHex32(
              observationHashBytes(
                streamHash,
                epoch,
                upper,
                dataRoot,
                locator,
                observedUnixMs,
                sequence,
              ),
            ),
          ).to.equal(
            observationHash({
              streamHash,
              epochHash: epoch,
              parentObservationHash: parent,
              dataRoot,
              locatorHash: locator,
              observedUnixMs,
              sequence,
            }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("convert between 32 bytes and lower-case 0x hex both ways", function () {
    fc.assert(
      fc.property(bytes32, (hex) => {
        expect(bytesToHex32(hex32ToBytes(hex))).to.equal(hex.toLowerCase());
        expect(bytesToHex32(hex32ToBytes(hex.toUpperCase().replace("0X", "0x") as Hex))).to.equal(
          hex.toLowerCase(),
        );
      }),
      { numRuns: RUNS },
    );
  });

  describe("the derivation on them", function () {
    const headArb: fc.Arbitrary<ObservationHead | null> = fc.option(
      fc.record({
        hash: bytes32,
        sequence: fc.oneof(
          fc.constantFrom(0n, 2n ** 64n - 2n),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
        ),
      }),
      { nil: null },
    );

    it("derives exactly the content and hash of the viem/abi definitions", function () {
      fc.assert(
        fc.property(broadcastPartArb, localNoiseArb, headArb, (part, noise, head) => {
          const entry = entryOf(lineWithNoise(part, noise));
          const content = deriveObservationContent(entry);
          expect(content).to.deep.equal(contentByDefinitions(entry));
          const derived = chainObservation(content, head);
          expect(derived.hash).to.equal(observationHash(derived.header));
        }),
        { numRuns: RUNS },
      );
    });

    it("gives the same values or the same errors as the definitions on hand-built entries outside the archive rules", function () {
      const odd: ((e: ArchiveEntry) => void)[] = [
        (e) => (e.epoch.durationMs = 0),
        (e) => (e.epoch.durationMs = 1.5),
        (e) => (e.epoch.durationMs = 2 ** 32),
        (e) => (e.epoch.id = -1n),
        (e) => (e.epoch.startUnixMs = 2n ** 64n),
        (e) => (e.chunks = []),
        (e) => (e.chunks[0]!.blake3 = "0x12" as Hex),
        (e) => (e.chunks[0]!.blake3 = `0x${"AB".repeat(32)}`),
        (e) => (e.chunks[0]!.bytes = 0),
        (e) => (e.chunks[0]!.bytes = 2 ** 32),
        (e) => (e.psip = { blake3: `0x${"CD".repeat(32)}` }),
        (e) => (e.psip = { blake3: "0x00" as Hex }),
        (e) => (e.psip = undefined as unknown as null),
      ];
      for (const [i, change] of odd.entries()) {
        const entry = sampleEntry(7);
        change(entry);
        const fast = outcome(() => deriveObservationContent(entry));
        const reference = outcome(() => contentByDefinitions(entry));
        expect(fast, `change ${i}`).to.deep.equal(reference);
      }
    });

    it("hashes a hand-built header outside the ABI domain as the definition does", function () {
      const entry = sampleEntry(11);
      const content = deriveObservationContent(entry);
      for (const change of [
        { observedUnixMs: -1n },
        { observedUnixMs: 2n ** 64n },
        { dataRoot: "0x1234" as Hex },
        { locatorHash: `0x${"EF".repeat(32)}` as Hex },
      ]) {
        const odd = { ...content, ...change };
        const fast = outcome(() => chainObservation(odd, null).hash);
        const header = {
          streamHash: odd.streamHash,
          epochHash: odd.epochHash,
          parentObservationHash: `0x${"00".repeat(32)}` as Hex,
          dataRoot: odd.dataRoot,
          locatorHash: odd.locatorHash,
          observedUnixMs: odd.observedUnixMs,
          sequence: 0n,
        };
        expect(fast).to.deep.equal(outcome(() => observationHash(header)));
      }
    });
  });
});
