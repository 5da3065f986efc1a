/**
 * Observation derivation (`docs/derivation.md`): from one validated archive entry to the
 * `ObservationContent` a witness signs, its `ContentHash` and its slot; and, given the stream's
 * finalized head, the `ObservationHeader` the ledger finalizes it as. Only the broadcast-derived
 * fields of the entry (`stream`, `epoch`, `chunks`, `psip`) are read, never `manifest` or
 * `capture`. Stream ids are memoised by stream key (a value cache: same input, same output).
 */
import { zeroHash, type Hex } from "viem";

import { archiveStreamLabel } from "../archive/epochs";
import type { ArchiveEntry } from "../archive/schema";
import { contentHash, observationHash, observationSlot } from "../commitments/observation";
import { merkleRoot } from "../commitments/merkle";
import { epochHash, streamId } from "../commitments/stream";
import { InvalidFieldError } from "../errors";
import type { ObservationContent, ObservationHeader, StreamKey } from "../types/abi";
import {
  bytesToHex32,
  contentHashBytes,
  epochHashBytes,
  hashSeqBytes,
  hex32ToBytes,
  isBytes32Hex,
  isUint64,
  locatorHashBytes,
  merkleRootBytes,
  observationHashBytes,
  observationSlotBytes,
  writeHex32,
} from "./encoding";
import { epochLocator, locatorHash, type EpochLocator } from "./locator";
import { archiveStreamKey } from "./stream-key";

/** A stream's finalized head on the ledger: the observation hash and its sequence number. */
export interface ObservationHead {
  hash: Hex;
  sequence: bigint;
}

/** The content a witness signs (parent-independent), with the values it was computed from. */
export interface DerivedContent {
  streamKey: StreamKey;
  /** `stream-id-keccak256-v1` of `streamKey`. */
  streamHash: Hex;
  epochId: bigint;
  /** `epoch-abi-keccak256-v1` of (streamHash, epoch id, start, duration). */
  epochHash: Hex;
  /** `manifest-data-merkle-keccak256-v1` root over the chunk BLAKE3 hashes in index order. */
  dataRoot: Hex;
  locator: EpochLocator;
  /** `locator-iroh-hashseq-keccak256-v1` of `locator`. */
  locatorHash: Hex;
  /** `epoch.startUnixMs`: broadcast time. */
  observedUnixMs: bigint;
  /** `observation-slot-abi-keccak256-v1` = keccak256(abi.encode(streamHash, epochHash)). */
  slot: Hex;
  /** `observation-content-abi-keccak256-v1` of the five signed fields (`observationContent`). */
  contentHash: Hex;
}

/** A derived observation: the header, its hash and its slot. */
export interface DerivedObservation {
  content: DerivedContent;
  header: ObservationHeader;
  /** `observation-abi-keccak256-v1` of `header`. */
  hash: Hex;
  slot: Hex;
}

/** Streams seen recently → their key and hash (archives repeat a few streams many times). */
const streamCache = new Map<string, { streamKey: StreamKey; streamHash: Hex; bytes: Uint8Array }>();
const STREAM_CACHE_LIMIT = 4096;

function streamIdentity(stream: ArchiveEntry["stream"]): {
  streamKey: StreamKey;
  streamHash: Hex;
  bytes: Uint8Array;
} {
  const label = archiveStreamLabel(stream);
  let identity = streamCache.get(label);
  if (identity === undefined) {
    const streamKey = archiveStreamKey(stream);
    const streamHash = streamId(streamKey);
    identity = { streamKey, streamHash, bytes: hex32ToBytes(streamHash) };
    if (streamCache.size >= STREAM_CACHE_LIMIT) streamCache.clear();
    streamCache.set(label, identity);
  }
  // A fresh key for every caller, so that nobody can change the cached one.
  return {
    streamKey: {
      broadcast: { ...identity.streamKey.broadcast },
      profile: identity.streamKey.profile,
    },
    streamHash: identity.streamHash,
    bytes: identity.bytes,
  };
}

const UINT32_LIMIT = 0xffff_ffff;

function isUint32(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= UINT32_LIMIT
  );
}

/**
 * Whether the per-epoch fields of `entry` are in the domain of the fixed-layout encoders (always
 * so for an entry from the archive reader). Otherwise the viem/abi definitions run, and fail as
 * they always did.
 */
function encodable(entry: ArchiveEntry): boolean {
  const { epoch, chunks, psip } = entry;
  if (!isUint64(epoch.id) || !isUint64(epoch.startUnixMs) || !isUint32(epoch.durationMs))
    return false;
  if (!Array.isArray(chunks) || chunks.length === 0) return false;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (typeof chunk !== "object" || chunk === null) return false;
    if (!isBytes32Hex(chunk.blake3) || !isUint32(chunk.bytes)) return false;
  }
  if (psip === null) return true;
  return typeof psip === "object" && isBytes32Hex(psip.blake3);
}

/** The ABI `ObservationContent` (the five signed fields) of a derived content. */
export function observationContent(derived: DerivedContent): ObservationContent {
  return {
    streamHash: derived.streamHash,
    epochHash: derived.epochHash,
    dataRoot: derived.dataRoot,
    locatorHash: derived.locatorHash,
    observedUnixMs: derived.observedUnixMs,
  };
}

/** Everything of the header that does not depend on the chain. */
export function deriveObservationContent(entry: ArchiveEntry): DerivedContent {
  const { streamKey, streamHash, bytes: streamBytes } = streamIdentity(entry.stream);
  if (!encodable(entry)) return deriveWithDefinitions(entry, streamKey, streamHash);
  const { epoch, chunks, psip } = entry;
  const epochBytes = epochHashBytes(streamBytes, epoch.id, epoch.startUnixMs, epoch.durationMs);
  const n = chunks.length;
  const leaves = new Uint8Array(32 * n);
  const chunkBytes: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const chunk = chunks[i]!;
    writeHex32(leaves, 32 * i, chunk.blake3, 2);
    chunkBytes[i] = chunk.bytes;
  }
  const hashSeq = hashSeqBytes(leaves);
  const psipBytes = psip === null ? null : hex32ToBytes(psip.blake3);
  const dataRootBytes = merkleRootBytes(leaves, n);
  const locatorBytes = locatorHashBytes(hashSeq, psip !== null, psipBytes, chunkBytes);
  const locator: EpochLocator = {
    hashSeq: bytesToHex32(hashSeq),
    psipPresent: psip !== null,
    psipBlake3: psip?.blake3 ?? zeroHash,
    chunkBytes,
  };
  return {
    streamKey,
    streamHash,
    epochId: epoch.id,
    epochHash: bytesToHex32(epochBytes),
    dataRoot: bytesToHex32(dataRootBytes),
    locator,
    locatorHash: bytesToHex32(locatorBytes),
    observedUnixMs: epoch.startUnixMs,
    slot: bytesToHex32(observationSlotBytes(streamBytes, epochBytes)),
    contentHash: bytesToHex32(
      contentHashBytes(streamBytes, epochBytes, dataRootBytes, locatorBytes, epoch.startUnixMs),
    ),
  };
}

/** The same content through the viem/abi commitment functions, with their checks. */
function deriveWithDefinitions(
  entry: ArchiveEntry,
  streamKey: StreamKey,
  streamHash: Hex,
): DerivedContent {
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

/**
 * Links content to a head: parent = head hash and sequence = head sequence + 1, or the zero hash
 * and sequence 0 for a stream's first observation (`head` null).
 */
export function chainObservation(
  content: DerivedContent,
  head: ObservationHead | null,
): DerivedObservation {
  if (head !== null) checkHead(head);
  const header: ObservationHeader = {
    streamHash: content.streamHash,
    epochHash: content.epochHash,
    parentObservationHash: head === null ? zeroHash : head.hash,
    dataRoot: content.dataRoot,
    locatorHash: content.locatorHash,
    observedUnixMs: content.observedUnixMs,
    sequence: head === null ? 0n : head.sequence + 1n,
  };
  const fast =
    isBytes32Hex(header.streamHash) &&
    isBytes32Hex(header.epochHash) &&
    isBytes32Hex(header.parentObservationHash) &&
    isBytes32Hex(header.dataRoot) &&
    isBytes32Hex(header.locatorHash) &&
    isUint64(header.observedUnixMs) &&
    isUint64(header.sequence);
  const hash = fast
    ? bytesToHex32(
        observationHashBytes(
          header.streamHash,
          header.epochHash,
          header.parentObservationHash,
          header.dataRoot,
          header.locatorHash,
          header.observedUnixMs,
          header.sequence,
        ),
      )
    : observationHash(header);
  return { content, header, hash, slot: content.slot };
}

const UINT64_MAX = 2n ** 64n - 1n;

function checkHead(head: ObservationHead): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(head.hash))
    throw new InvalidFieldError("head.hash", head.hash, "must be 32 bytes of 0x-prefixed hex");
  if (typeof head.sequence !== "bigint" || head.sequence < 0n || head.sequence > UINT64_MAX)
    throw new InvalidFieldError("head.sequence", head.sequence, "must be a uint64 bigint");
  if (head.sequence === UINT64_MAX)
    throw new InvalidFieldError(
      "head.sequence",
      head.sequence,
      "is the largest uint64: the stream's chain can grow no further",
    );
}

/** Derives the observation of `entry` on top of its stream's finalized `head` (null: none yet). */
export function deriveObservation(
  entry: ArchiveEntry,
  head: ObservationHead | null,
): DerivedObservation {
  return chainObservation(deriveObservationContent(entry), head);
}

/** The head a derived observation becomes once finalized. */
export function observationHead(observation: DerivedObservation): ObservationHead {
  return { hash: observation.hash, sequence: observation.header.sequence };
}

/**
 * Speculative derivation: consecutive epochs of one stream, each chained on the one before as if it
 * had been finalized (the first on `head`). `entries` must share one stream and have strictly
 * increasing epoch ids. If an earlier observation is not finalized as derived, every later one must
 * be derived again from the real head.
 */
export function deriveObservationRun(
  entries: readonly ArchiveEntry[],
  head: ObservationHead | null,
): DerivedObservation[] {
  const out: DerivedObservation[] = [];
  let current = head;
  for (const [i, entry] of entries.entries()) {
    const content = deriveObservationContent(entry);
    const previous = out.at(-1);
    if (previous !== undefined) {
      if (content.streamHash !== previous.content.streamHash)
        throw new InvalidFieldError(
          `entries[${i}].stream`,
          entry.stream,
          `differs from the stream of entries[0] (a run covers one stream)`,
        );
      if (content.epochId <= previous.content.epochId)
        throw new InvalidFieldError(
          `entries[${i}].epoch.id`,
          content.epochId,
          `must be greater than the previous epoch id ${previous.content.epochId}`,
        );
    }
    const derived = chainObservation(content, current);
    out.push(derived);
    current = observationHead(derived);
  }
  return out;
}
