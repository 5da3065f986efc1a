/**
 * fast-check generators of the canonical types' TypeScript values, covering the boundaries:
 * empty and maximum-length strings and arrays, 0 and the maximum of every integer width, all-zero
 * and all-ones hashes, every broadcast standard and both signature schemes.
 */
import fc from "fast-check";
import { bytesToHex, type Hex } from "viem";

import type {
  BroadcastId,
  ChunkId,
  Manifest,
  ManifestBody,
  ManifestSignature,
  ManifestVariant,
  ObservationContent,
  ObservationHeader,
  SourceId,
  StreamControlAnnouncement,
  StreamDescriptor,
  StreamKey,
} from "../../lib/types/abi";

/** Longest string generated (in UTF-16 code units, up to 4 UTF-8 bytes each). */
export const MAX_STRING = 128;
/** Longest string array (variants, relay URLs) generated. */
export const MAX_LIST = 6;
/** Most variants per manifest generated. */
export const MAX_VARIANTS = 4;
/** Most chunks per variant generated. */
export const MAX_CHUNKS = 12;

const UINT64_MAX = 2n ** 64n - 1n;

export const bytes = (size: number): fc.Arbitrary<Hex> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(bytesToHex(new Uint8Array(size))) },
    { weight: 1, arbitrary: fc.constant(bytesToHex(new Uint8Array(size).fill(0xff))) },
    {
      weight: 6,
      arbitrary: fc.uint8Array({ minLength: size, maxLength: size }).map((b) => bytesToHex(b)),
    },
  );

export const bytes32 = bytes(32);

export const uint = (bits: 8 | 16 | 32): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(0, 1, 2 ** bits - 1), fc.integer({ min: 0, max: 2 ** bits - 1 }));

export const uint64: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 2n ** 53n, UINT64_MAX),
  fc.bigInt({ min: 0n, max: UINT64_MAX }),
);

export const text: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "grapheme", maxLength: 24 }),
  fc.string({ unit: "grapheme-ascii", minLength: MAX_STRING, maxLength: MAX_STRING }),
  fc.string({ unit: "binary", maxLength: 16 }),
);

/** Arrays of 0..max elements, with the empty and the maximum length weighted up. */
export function list<T>(item: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    fc.constant([] as T[]),
    fc.array(item, { minLength: max, maxLength: max }),
    fc.array(item, { maxLength: max }),
  );
}

const upper = fc.integer({ min: 0x41, max: 0x5a });

export const broadcastId: fc.Arbitrary<BroadcastId> = fc.record({
  standard: fc.integer({ min: 0, max: 5 }),
  region: fc.tuple(upper, upper).map(([a, b]) => bytesToHex(new Uint8Array([a, b]))),
  rfChannel: uint(16),
  transportStreamId: uint(16),
  programNumber: uint(16),
  majorChannel: uint(16),
  minorChannel: uint(16),
  callsign: text,
});

export const sourceId: fc.Arbitrary<SourceId> = fc.record({ nodeId: bytes32, device: text });

export const streamKey: fc.Arbitrary<StreamKey> = fc.record({
  broadcast: broadcastId,
  profile: text,
});

export const streamDescriptor: fc.Arbitrary<StreamDescriptor> = fc.record({
  stream: streamKey,
  source: sourceId,
  epochDurationMs: uint(32),
  variants: list(text, MAX_LIST),
  describedUnixMs: uint64,
});

export const controlAnnouncement: fc.Arbitrary<StreamControlAnnouncement> = fc.record({
  streamId: bytes32,
  source: sourceId,
  descriptorHash: bytes32,
  relayUrls: list(text, MAX_LIST),
  sequence: uint64,
  issuedUnixMs: uint64,
  expiresUnixMs: uint64,
});

export const chunkId: fc.Arbitrary<ChunkId> = fc.record({
  index: uint(32),
  size: uint(32),
  blake3: bytes32,
});

export const manifestVariant: fc.Arbitrary<ManifestVariant> = fc.record({
  name: text,
  chunks: list(chunkId, MAX_CHUNKS),
});

/** Any structurally valid body, including ones the protocol rules reject (no variants, ...). */
export const manifestBody: fc.Arbitrary<ManifestBody> = fc.record({
  streamId: bytes32,
  epochId: uint64,
  epochStartUnixMs: uint64,
  epochDurationMs: uint(32),
  variants: list(manifestVariant, MAX_VARIANTS),
  psipBlake3: bytes32,
  merkleRoot: bytes32,
  publisher: sourceId,
  createdUnixMs: uint64,
});

/** A variant that follows the protocol rules: 1..max chunks, indices 0..n-1, sizes > 0. */
export const wellFormedVariant: fc.Arbitrary<ManifestVariant> = fc.record({
  name: text,
  chunks: fc
    .oneof(
      fc.array(bytes32, { minLength: 1, maxLength: 1 }),
      fc.array(bytes32, { minLength: MAX_CHUNKS, maxLength: MAX_CHUNKS }),
      fc.array(bytes32, { minLength: 1, maxLength: MAX_CHUNKS }),
    )
    .chain((hashes) =>
      fc
        .array(
          fc.oneof(fc.constantFrom(1, 2 ** 32 - 1), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
          {
            minLength: hashes.length,
            maxLength: hashes.length,
          },
        )
        .map((sizes) =>
          hashes.map((blake3, index) => ({ index, size: sizes[index] ?? 1, blake3 })),
        ),
    ),
});

/** A body that follows the protocol rules (at least one well-formed variant, duration > 0). */
export const wellFormedBody: fc.Arbitrary<ManifestBody> = fc.record({
  streamId: bytes32,
  epochId: uint64,
  epochStartUnixMs: uint64,
  epochDurationMs: fc.oneof(
    fc.constantFrom(1, 2 ** 32 - 1),
    fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  ),
  variants: fc.array(wellFormedVariant, { minLength: 1, maxLength: MAX_VARIANTS }),
  psipBlake3: bytes32,
  merkleRoot: bytes32,
  publisher: sourceId,
  createdUnixMs: uint64,
});

export const manifestSignature: fc.Arbitrary<ManifestSignature> = fc.oneof(
  fc.record({ scheme: fc.constant(0), signer: bytes(32), signature: bytes(64) }),
  fc.record({
    scheme: fc.constant(1),
    signer: bytes(20),
    signature: fc.oneof(
      bytes(65),
      fc.integer({ min: 1, max: 300 }).chain((n) => bytes(n)),
    ),
  }),
);

export const manifest: fc.Arbitrary<Manifest> = fc.record({
  body: manifestBody,
  manifestId: bytes32,
  signatures: list(manifestSignature, MAX_LIST),
});

export const observationHeader: fc.Arbitrary<ObservationHeader> = fc.record({
  streamHash: bytes32,
  epochHash: bytes32,
  parentObservationHash: bytes32,
  dataRoot: bytes32,
  locatorHash: bytes32,
  observedUnixMs: uint64,
  sequence: uint64,
});

export const observationContent: fc.Arbitrary<ObservationContent> = fc.record({
  streamHash: bytes32,
  epochHash: bytes32,
  dataRoot: bytes32,
  locatorHash: bytes32,
  observedUnixMs: uint64,
});
