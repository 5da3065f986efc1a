/**
 * Groups witness signatures into the `SignedObservation[]` a relayer submits with
 * `submitSignedAttestations`, ordered so that one transaction finalizes as much as it can.
 */
import { getAddress, isHex, zeroHash, type Address, type Hex } from "viem";

import { observationHash } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { ObservationHeader } from "../types/abi";
import type { SignedObservation, WitnessSignature } from "./types";

/** One witness's signature over one header, as collected from witnesses. */
export interface CollectedSignature {
  readonly header: ObservationHeader;
  readonly witness: Address;
  readonly signature: Hex;
}

export interface BuildRelayBatchParameters {
  /** Signatures in any order; repeats of a (witness, observation) pair are dropped. */
  readonly signatures: readonly CollectedSignature[];
  /**
   * The ledger's finalized head per stream (`finalizedHead(streamHash).observationHash`); a stream
   * that is absent or maps to the zero hash has no head yet.
   */
  readonly heads: ReadonlyMap<Hex, Hex> | Readonly<Record<Hex, Hex>>;
}

export type BuildRelayBatchReturnType = SignedObservation[];

interface Candidate {
  readonly hash: Hex;
  readonly header: ObservationHeader;
  readonly signatures: WitnessSignature[];
  readonly witnesses: Set<Address>;
}

function headOf(heads: BuildRelayBatchParameters["heads"], streamHash: Hex): Hex {
  const key = streamHash.toLowerCase() as Hex;
  if (heads instanceof Map) {
    for (const [stream, head] of heads)
      if (stream.toLowerCase() === key) return head.toLowerCase() as Hex;
    return zeroHash;
  }
  for (const [stream, head] of Object.entries(heads))
    if (stream.toLowerCase() === key) return head.toLowerCase() as Hex;
  return zeroHash;
}

/**
 * Builds the relay batch: one item per candidate observation with each witness's signature once,
 * streams in ascending `streamHash` order, each stream's items by ascending `sequence` (then hash).
 * A candidate is kept only when its parent is the stream's head or an earlier kept item of the
 * batch, so that items are in an order the ledger can finalize one after the other; the others
 * could not finalize in this transaction and are left out.
 */
export function buildRelayBatch(parameters: BuildRelayBatchParameters): BuildRelayBatchReturnType {
  const candidates = new Map<Hex, Candidate>();
  parameters.signatures.forEach((collected, i) => {
    if (!isHex(collected.signature) || collected.signature.length <= 2)
      throw new InvalidFieldError(
        `signatures[${i}].signature`,
        collected.signature,
        "not a non-empty hex string",
      );
    let witness: Address;
    try {
      witness = getAddress(collected.witness);
    } catch (cause) {
      throw new InvalidFieldError(
        `signatures[${i}].witness`,
        collected.witness,
        `not an address (${String(cause)})`,
      );
    }
    const hash = observationHash(collected.header);
    let candidate = candidates.get(hash);
    if (candidate === undefined) {
      candidate = { hash, header: collected.header, signatures: [], witnesses: new Set() };
      candidates.set(hash, candidate);
    }
    if (candidate.witnesses.has(witness)) return;
    candidate.witnesses.add(witness);
    candidate.signatures.push({ witness, signature: collected.signature });
  });

  const byStream = new Map<Hex, Candidate[]>();
  for (const candidate of candidates.values()) {
    const stream = candidate.header.streamHash.toLowerCase() as Hex;
    const list = byStream.get(stream) ?? [];
    list.push(candidate);
    byStream.set(stream, list);
  }

  const items: SignedObservation[] = [];
  for (const stream of [...byStream.keys()].sort()) {
    const list = byStream.get(stream) ?? [];
    list.sort((a, b) =>
      a.header.sequence !== b.header.sequence
        ? a.header.sequence < b.header.sequence
          ? -1
          : 1
        : a.hash < b.hash
          ? -1
          : a.hash > b.hash
            ? 1
            : 0,
    );
    const reachable = new Set<Hex>([headOf(parameters.heads, stream)]);
    for (const candidate of list) {
      if (!reachable.has(candidate.header.parentObservationHash.toLowerCase() as Hex)) continue;
      reachable.add(candidate.hash.toLowerCase() as Hex);
      items.push({ header: candidate.header, signatures: candidate.signatures });
    }
  }
  return items;
}
