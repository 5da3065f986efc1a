/**
 * Observation derivation (`docs/derivation.md`): from one validated archive entry and its stream's
 * finalized head on the ledger to the `ObservationHeader`, its hash and its slot. Pure: only the
 * broadcast-derived fields of the entry (`stream`, `epoch`, `chunks`, `psip`) are read, never
 * `manifest` or `capture`.
 */
import { zeroHash, type Hex } from "viem";

import { archiveStreamLabel } from "../archive/epochs";
import type { ArchiveEntry } from "../archive/schema";
import { observationHash, observationSlot } from "../commitments/observation";
import { merkleRoot } from "../commitments/merkle";
import { epochHash, streamId } from "../commitments/stream";
import { InvalidFieldError } from "../errors";
import type { ObservationHeader, StreamKey } from "../types/abi";
import { epochLocator, locatorHash, type EpochLocator } from "./locator";
import { archiveStreamKey } from "./stream-key";

/** A stream's finalized head on the ledger: the observation hash and its sequence number. */
export interface ObservationHead {
  hash: Hex;
  sequence: bigint;
}

/** The parent-independent part of a header, with the intermediate values it was computed from. */
export interface ObservationContent {
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
}

/** A derived observation: the header, its hash and its slot. */
export interface DerivedObservation {
  content: ObservationContent;
  header: ObservationHeader;
  /** `observation-abi-keccak256-v1` of `header`. */
  hash: Hex;
  slot: Hex;
}

/** Streams seen recently → their key and hash (archives repeat a few streams many times). */
const streamCache = new Map<string, { streamKey: StreamKey; streamHash: Hex }>();
const STREAM_CACHE_LIMIT = 4096;

function streamIdentity(stream: ArchiveEntry["stream"]): { streamKey: StreamKey; streamHash: Hex } {
  const label = archiveStreamLabel(stream);
  let identity = streamCache.get(label);
  if (identity === undefined) {
    const streamKey = archiveStreamKey(stream);
    identity = { streamKey, streamHash: streamId(streamKey) };
    if (streamCache.size >= STREAM_CACHE_LIMIT) streamCache.clear();
    streamCache.set(label, identity);
  }
  return { streamKey: structuredClone(identity.streamKey), streamHash: identity.streamHash };
}

/** Everything of the header that does not depend on the chain. */
export function deriveObservationContent(entry: ArchiveEntry): ObservationContent {
  const { streamKey, streamHash } = streamIdentity(entry.stream);
  const epoch = epochHash({
    streamHash,
    epochId: entry.epoch.id,
    startUnixMs: entry.epoch.startUnixMs,
    durationMs: entry.epoch.durationMs,
  });
  const locator = epochLocator(entry.chunks, entry.psip);
  return {
    streamKey,
    streamHash,
    epochId: entry.epoch.id,
    epochHash: epoch,
    dataRoot: merkleRoot(entry.chunks.map((c) => c.blake3)),
    locator,
    locatorHash: locatorHash(locator),
    observedUnixMs: entry.epoch.startUnixMs,
    slot: observationSlot(streamHash, epoch),
  };
}

/**
 * Links content to a head: parent = head hash and sequence = head sequence + 1, or the zero hash
 * and sequence 0 for a stream's first observation (`head` null).
 */
export function chainObservation(
  content: ObservationContent,
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
  return { content, header, hash: observationHash(header), slot: content.slot };
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
