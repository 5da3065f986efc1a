/**
 * The expected-outcome model: what reality dictates for every slot, computed from the witnesses'
 * derived observations by one explicit rule (docs/reality-smoke.md, "The outcome rule"):
 *
 * For each stream, walk its slots in epoch order, starting from the genesis head. At each slot,
 * every witness that captured the epoch derives its header from the model's current head; the
 * witnesses are grouped by the resulting observation hash.
 * - A group of at least `quorum` witnesses finalizes: the slot is `finalized` with that hash and the
 *   stream's head moves to it. With a strict-majority quorum at most one group can qualify.
 * - Otherwise the slot stays unfinalized and the head does not move: `contested` when witnesses
 *   derived two or more different hashes, `open` when they all derived the same one.
 * Every candidate other than the finalized one must not be finalized. Each stream's finalized
 * observations form one linear chain: each one's parent is the one finalized before it.
 */
import type { Hex } from "viem";

import { observationHash } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { ObservationHeader } from "../types/abi";
import {
  GENESIS_HEAD,
  groupByStream,
  type ChainHead,
  type StreamSlots,
  type Witness,
} from "./observations";

export type SlotOutcome = "finalized" | "contested" | "open";

/** One candidate the witnesses derived for a slot, from the model's head. */
export interface ExpectedCandidate {
  hash: Hex;
  header: ObservationHeader;
  /** Witness indices that derived this candidate, ascending. */
  witnesses: number[];
}

/** What reality dictates for one slot. */
export interface SlotExpectation {
  streamHash: Hex;
  slot: Hex;
  epochHash: Hex;
  epochId: bigint;
  outcome: SlotOutcome;
  /** The finalized candidate's hash, when `outcome` is `finalized`. */
  finalizedHash: Hex | undefined;
  /** The head the candidates extend (the stream's finalized head when the slot comes up). */
  parent: ChainHead;
  /** Candidates, the largest group first (ties: by hash). */
  candidates: ExpectedCandidate[];
}

/** What reality dictates for one stream. */
export interface StreamExpectation {
  streamHash: Hex;
  slots: SlotExpectation[];
  /** Hashes of the finalized observations, in chain order. */
  chain: Hex[];
  /** The head after the last slot. */
  head: ChainHead;
}

export interface ExpectedOutcomeParameters {
  witnesses: readonly Witness[];
  /** Attestations a candidate needs to finalize. */
  quorum: number;
}

/** Smallest strict majority of `witnessCount` witnesses. */
export function strictMajority(witnessCount: number): number {
  return Math.floor(witnessCount / 2) + 1;
}

/** Applies the outcome rule to one stream's slots. */
export function expectStream(stream: StreamSlots, quorum: number): StreamExpectation {
  let head: ChainHead = GENESIS_HEAD;
  const chain: Hex[] = [];
  const slots: SlotExpectation[] = [];
  for (const entry of stream.slots) {
    const groups = new Map<Hex, ExpectedCandidate>();
    for (const observation of entry.observations) {
      const header = observation.header(head);
      const hash = observationHash(header);
      const group = groups.get(hash);
      if (group === undefined) groups.set(hash, { hash, header, witnesses: [observation.witness] });
      else group.witnesses.push(observation.witness);
    }
    const candidates = [...groups.values()].sort(
      (a, b) => b.witnesses.length - a.witnesses.length || (a.hash < b.hash ? -1 : 1),
    );
    const winner = candidates.find((candidate) => candidate.witnesses.length >= quorum);
    const parent = head;
    if (winner !== undefined) {
      head = { hash: winner.hash, sequence: winner.header.sequence };
      chain.push(winner.hash);
    }
    slots.push({
      streamHash: stream.streamHash,
      slot: entry.slot,
      epochHash: entry.epochHash,
      epochId: entry.epochId,
      outcome: winner !== undefined ? "finalized" : candidates.length > 1 ? "contested" : "open",
      finalizedHash: winner?.hash,
      parent,
      candidates,
    });
  }
  return { streamHash: stream.streamHash, slots, chain, head };
}

/** Applies the outcome rule to every stream of an archive set. */
export function expectedOutcome(parameters: ExpectedOutcomeParameters): StreamExpectation[] {
  if (!Number.isSafeInteger(parameters.quorum) || parameters.quorum < 1) {
    throw new InvalidFieldError("quorum", parameters.quorum, "must be a positive integer");
  }
  return groupByStream(parameters.witnesses).map((stream) =>
    expectStream(stream, parameters.quorum),
  );
}
