/**
 * Observation headers for the bench: per stream, a chain of epochs 6 s apart, each header's parent
 * the previous header's hash, so that the ledger can finalize them in order. Hashes are keccak of
 * fixed labels: their bytes look like real commitments (incompressible), which matters for the
 * FastLZ-based L1 fee.
 */
import { encodeAbiParameters, keccak256, toHex, type Hex } from "viem";

import { observationHash } from "../../lib/commitments/observation";
import { abiParameters, type ObservationHeader } from "../../lib/types/abi";

/** The epoch length of the bench's streams (one observation per stream every 6 s). */
export const EPOCH_MS = 6000n;
const FIRST_EPOCH_START_MS = 1_734_000_000_000n;
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export interface HeaderChainCursor {
  streamHash: Hex;
  /** Hash of the last header handed out (the parent of the next), zero before the first. */
  parent: Hex;
  /** Sequence of the next header. */
  sequence: bigint;
}

export function streamCursor(stream: number | string): HeaderChainCursor {
  return {
    streamHash: keccak256(toHex(`bench stream ${stream}`)),
    parent: ZERO_HASH,
    sequence: 0n,
  };
}

/** The next header of the stream; advances the cursor as if it were finalized. */
export function nextHeader(cursor: HeaderChainCursor): { header: ObservationHeader; hash: Hex } {
  const epochId = cursor.sequence;
  const start = FIRST_EPOCH_START_MS + epochId * EPOCH_MS;
  const epochHash = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint32" }],
      [cursor.streamHash, epochId, start, Number(EPOCH_MS)],
    ),
  );
  const header: ObservationHeader = {
    streamHash: cursor.streamHash,
    epochHash,
    parentObservationHash: cursor.parent,
    dataRoot: keccak256(toHex(`data ${cursor.streamHash} ${epochId}`)),
    locatorHash: keccak256(toHex(`locator ${cursor.streamHash} ${epochId}`)),
    observedUnixMs: start,
    sequence: cursor.sequence,
  };
  const hash = observationHash(header);
  cursor.parent = hash;
  cursor.sequence += 1n;
  return { header, hash };
}

/** The 224-byte ABI encoding of a header (what an EAS attestation carries as `data`). */
export function encodeHeader(header: ObservationHeader): Hex {
  return encodeAbiParameters([abiParameters.ObservationHeader], [header]);
}
