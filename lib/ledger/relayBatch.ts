/**
 * Groups witness signatures into the `SignedObservation[]` a relayer submits with
 * `submitSignedAttestations` (or, packed, `submitCompactAttestations`), in the order the ledger
 * finalizes them: by stream, then by epoch time.
 */
import { getAddress, isHex, type Address, type Hex } from "viem";

import { contentHash } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { ObservationContent } from "../types/abi";
import type { SignedObservation, WitnessSignature } from "./types";

/** One witness's signature over one content, as collected from witnesses. */
export interface CollectedSignature {
  readonly content: ObservationContent;
  readonly witness: Address;
  readonly signature: Hex;
}

export interface BuildRelayBatchParameters {
  /** Signatures in any order; repeats of a (witness, content) pair are dropped. */
  readonly signatures: readonly CollectedSignature[];
  /**
   * The `observedUnixMs` of each stream's finalized head (`finalizedHead(streamHash)`); a stream
   * that is absent has no head yet. Contents at or before their stream's head can never finalize
   * (they are expired) and are left out.
   */
  readonly heads: ReadonlyMap<Hex, bigint>;
}

export type BuildRelayBatchReturnType = SignedObservation[];

interface Candidate {
  readonly hash: Hex;
  readonly content: ObservationContent;
  readonly signatures: WitnessSignature[];
  readonly witnesses: Set<Address>;
}

function compare(a: Candidate, b: Candidate): number {
  if (a.content.observedUnixMs !== b.content.observedUnixMs)
    return a.content.observedUnixMs < b.content.observedUnixMs ? -1 : 1;
  // Rival contents of one epoch: the best supported first, so that it is the one that finalizes.
  if (a.signatures.length !== b.signatures.length) return b.signatures.length - a.signatures.length;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

/**
 * Builds the relay batch: one item per content with each witness's signature once, streams in
 * ascending `streamHash` order, each stream's items by ascending `observedUnixMs` (the order in
 * which the ledger links them), expired contents left out. The result does not depend on the order
 * of the input.
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
    const hash = contentHash(collected.content);
    let candidate = candidates.get(hash);
    if (candidate === undefined) {
      candidate = { hash, content: collected.content, signatures: [], witnesses: new Set() };
      candidates.set(hash, candidate);
    }
    if (candidate.witnesses.has(witness)) return;
    candidate.witnesses.add(witness);
    candidate.signatures.push({ witness, signature: collected.signature });
  });

  const heads = new Map<string, bigint>();
  for (const [stream, observedUnixMs] of parameters.heads)
    heads.set(stream.toLowerCase(), observedUnixMs);
  const byStream = new Map<string, Candidate[]>();
  for (const candidate of candidates.values()) {
    const stream = candidate.content.streamHash.toLowerCase();
    const head = heads.get(stream);
    if (head !== undefined && candidate.content.observedUnixMs <= head) continue;
    const list = byStream.get(stream) ?? [];
    list.push(candidate);
    byStream.set(stream, list);
  }

  const items: SignedObservation[] = [];
  for (const stream of [...byStream.keys()].sort()) {
    for (const candidate of byStream.get(stream)!.sort(compare)) {
      candidate.signatures.sort((a, b) =>
        a.witness < b.witness ? -1 : a.witness > b.witness ? 1 : 0,
      );
      items.push({ content: candidate.content, signatures: candidate.signatures });
    }
  }
  return items;
}
