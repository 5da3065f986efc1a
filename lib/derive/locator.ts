/**
 * `locator-iroh-hashseq-keccak256-v1`: a commitment to the content-addressed locator of an epoch's
 * data, computed alike by every witness (see `docs/derivation.md`).
 */
import { blake3 } from "@noble/hashes/blake3";
import { encodeAbiParameters, hexToBytes, keccak256, toHex, zeroHash, type Hex } from "viem";

import type { ArchiveChunk, ArchivePsip } from "../archive/schema";

export const LOCATOR_COMMITMENT_ID = "locator-iroh-hashseq-keccak256-v1";

/**
 * The iroh-blobs HashSeq blob hash of the chunk list: BLAKE3 of the chunks' 32-byte BLAKE3 hashes
 * concatenated in index order. Fetching this hash-seq (format `HashSeq`) from any peer yields the
 * epoch's chunks, verified.
 */
export function chunkHashSeq(chunkHashes: readonly Hex[]): Hex {
  const bytes = new Uint8Array(chunkHashes.length * 32);
  chunkHashes.forEach((hash, i) => bytes.set(hexToBytes(hash, { size: 32 }), i * 32));
  return toHex(blake3(bytes));
}

export const locatorParameters = [
  { name: "hashSeq", type: "bytes32" },
  { name: "psipPresent", type: "bool" },
  { name: "psipBlake3", type: "bytes32" },
  { name: "chunkBytes", type: "uint32[]" },
] as const;

/** The values committed by {@link locatorHash}. */
export interface EpochLocator {
  /** {@link chunkHashSeq} of the chunk hashes. */
  hashSeq: Hex;
  /** Whether the epoch carries a PSIP/SI blob. */
  psipPresent: boolean;
  /** BLAKE3 of the PSIP/SI blob, the zero hash when absent. */
  psipBlake3: Hex;
  /** Chunk sizes in index order. */
  chunkBytes: readonly number[];
}

/** The locator of an epoch from its chunks and PSIP entry. */
export function epochLocator(
  chunks: readonly ArchiveChunk[],
  psip: ArchivePsip | null,
): EpochLocator {
  return {
    hashSeq: chunkHashSeq(chunks.map((c) => c.blake3)),
    psipPresent: psip !== null,
    psipBlake3: psip?.blake3 ?? zeroHash,
    chunkBytes: chunks.map((c) => c.bytes),
  };
}

/**
 * keccak256(abi.encode(bytes32 hashSeq, bool psipPresent, bytes32 psipBlake3, uint32[] chunkBytes)).
 */
export function locatorHash(locator: EpochLocator): Hex {
  return keccak256(
    encodeAbiParameters(locatorParameters, [
      locator.hashSeq,
      locator.psipPresent,
      locator.psipBlake3,
      locator.chunkBytes,
    ]),
  );
}
