/**
 * The expected-outcome model: what reality dictates for every slot, computed from the contents the
 * witnesses derived from their own archives by one explicit rule (docs/reality-smoke.md, "The
 * outcome rule"), the ledger's rule replayed on the archives alone:
 *
 * For each stream, take its slots in epoch order (`observedUnixMs`, then epoch id), starting from
 * the genesis head. At each slot, group the witnesses that captured the epoch by the content they
 * derived (`ContentHash`).
 * - A content more than `MAX_FUTURE_MS` after the chain's time is refused by its witnesses: the
 *   slot is `refused` and nothing is attested there.
 * - A group of at least `quorum` witnesses finalizes: the slot is `finalized` with that content,
 *   the ledger chains it on the model's head (`chainObservation(content, head)`: parent = the head,
 *   sequence = the head's + 1) and the head moves to it. With a strict-majority quorum at most one
 *   group can qualify.
 * - Otherwise the slot does not finalize: `contested` when witnesses derived two or more contents,
 *   `open` when they all derived the same one. Once a later slot of the stream finalizes, its
 *   contents are expired (the head is at or past them) and it can never finalize.
 */
import { zeroHash, type Hex } from "viem";

import { chainObservation, observationContent, type DerivedContent } from "../derive/observation";
import { EveryChannelError, InvalidFieldError } from "../errors";
import { isInFuture } from "../ledger/rules";
import type { ObservationContent } from "../types/abi";

export type SlotOutcome = "finalized" | "contested" | "open" | "refused";

/** A stream's head in the model: zero hash before its first finalization. */
export interface ModelHead {
  hash: Hex;
  sequence: bigint;
  observedUnixMs: bigint;
}

/** The genesis head: no observation finalized yet. */
export const GENESIS_HEAD: ModelHead = { hash: zeroHash, sequence: 0n, observedUnixMs: 0n };

/** One witness's derivation of one epoch. */
export interface WitnessContent {
  /** The witness (archive order, 0-based). */
  witness: number;
  content: DerivedContent;
}

/** One content the witnesses derived for a slot. */
export interface ExpectedContent {
  contentHash: Hex;
  content: ObservationContent;
  /** Witnesses that derived it, ascending. */
  witnesses: number[];
}

/** The observation the ledger finalizes in a slot. */
export interface ExpectedFinalization {
  contentHash: Hex;
  /** The finalized header's `ObservationHash`. */
  observationHash: Hex;
  parentObservationHash: Hex;
  sequence: bigint;
}

/** What reality dictates for one slot. */
export interface SlotExpectation {
  streamHash: Hex;
  slot: Hex;
  epochHash: Hex;
  epochId: bigint;
  observedUnixMs: bigint;
  outcome: SlotOutcome;
  /** Not finalized, and a later slot of its stream finalizes: its contents end `Expired`. */
  expires: boolean;
  /** The finalized observation (outcome `finalized`). */
  finalized: ExpectedFinalization | undefined;
  /** The stream's head when the slot comes up: what the ledger would chain it on. */
  parent: ModelHead;
  /** Contents, the largest group first (ties: by hash). */
  contents: ExpectedContent[];
}

/** What reality dictates for one stream. */
export interface StreamExpectation {
  streamHash: Hex;
  slots: SlotExpectation[];
  /** `ObservationHash`es of the finalized observations, in chain order. */
  chain: Hex[];
  /** The head after the last slot. */
  head: ModelHead;
}

export interface ExpectedOutcomeParameters {
  /** Every witness's contents, in any order. */
  contents: readonly WitnessContent[];
  /** Attestations a content needs to finalize. */
  quorum: number;
  /** The chain's time (ms) the witnesses compare `observedUnixMs` with. */
  chainTimeMs: bigint;
}

/** The model cannot say what the ledger concludes (the archives leave it to arrival order). */
export class UndecidableOutcomeError extends EveryChannelError {
  override name = "UndecidableOutcomeError";
}

/** Smallest strict majority of `witnessCount` witnesses. */
export function strictMajority(witnessCount: number): number {
  return Math.floor(witnessCount / 2) + 1;
}

const byHash = (a: Hex, b: Hex): number => (a < b ? -1 : a > b ? 1 : 0);

interface SlotInput {
  slot: Hex;
  epochHash: Hex;
  epochId: bigint;
  observedUnixMs: bigint;
  byContent: Map<Hex, { derived: DerivedContent; witnesses: number[] }>;
}

function expectStream(
  streamHash: Hex,
  inputs: SlotInput[],
  quorum: number,
  chainTimeMs: bigint,
): StreamExpectation {
  inputs.sort(
    (a, b) =>
      (a.observedUnixMs < b.observedUnixMs ? -1 : a.observedUnixMs > b.observedUnixMs ? 1 : 0) ||
      (a.epochId < b.epochId ? -1 : a.epochId > b.epochId ? 1 : 0) ||
      byHash(a.slot, b.slot),
  );
  let head = GENESIS_HEAD;
  let headSlot: SlotExpectation | undefined;
  const chain: Hex[] = [];
  const slots: SlotExpectation[] = [];
  for (const input of inputs) {
    const groups = [...input.byContent.entries()]
      .map(([contentHash, { derived, witnesses }]) => ({
        contentHash,
        derived,
        witnesses: witnesses.sort((x, y) => x - y),
      }))
      .sort(
        (a, b) => b.witnesses.length - a.witnesses.length || byHash(a.contentHash, b.contentHash),
      );
    const contents: ExpectedContent[] = groups.map((g) => ({
      contentHash: g.contentHash,
      content: observationContent(g.derived),
      witnesses: g.witnesses,
    }));
    const parent = head;
    const refused = isInFuture(input.observedUnixMs, chainTimeMs);
    const winners = refused ? [] : groups.filter((g) => g.witnesses.length >= quorum);
    if (winners.length > 1) {
      throw new InvalidFieldError(
        "quorum",
        quorum,
        `lets ${winners.length} contents of slot ${input.slot} (epoch ${input.epochId}) finalize: it must be a strict majority of the witnesses`,
      );
    }
    const winner = winners[0];
    const behindHead = head.hash !== zeroHash && input.observedUnixMs <= head.observedUnixMs;
    if (winner !== undefined && behindHead) {
      throw new UndecidableOutcomeError(
        `stream ${streamHash}: epochs ${headSlot?.epochId} and ${input.epochId} are both observed at ${input.observedUnixMs} and both reach quorum; which one finalizes depends on the order attestations arrive in`,
        { streamHash, slots: [headSlot?.slot, input.slot] },
      );
    }
    const expectation: SlotExpectation = {
      streamHash,
      slot: input.slot,
      epochHash: input.epochHash,
      epochId: input.epochId,
      observedUnixMs: input.observedUnixMs,
      outcome: refused
        ? "refused"
        : winner !== undefined
          ? "finalized"
          : contents.length > 1
            ? "contested"
            : "open",
      expires: false,
      finalized: undefined,
      parent,
      contents,
    };
    if (winner !== undefined) {
      const observation = chainObservation(
        winner.derived,
        head.hash === zeroHash ? null : { hash: head.hash, sequence: head.sequence },
      );
      expectation.finalized = {
        contentHash: winner.contentHash,
        observationHash: observation.hash,
        parentObservationHash: observation.header.parentObservationHash,
        sequence: observation.header.sequence,
      };
      head = {
        hash: observation.hash,
        sequence: observation.header.sequence,
        observedUnixMs: input.observedUnixMs,
      };
      headSlot = expectation;
      chain.push(observation.hash);
      // The head passes every slot observed at or before it that did not finalize.
      for (const earlier of slots)
        if (
          (earlier.outcome === "contested" || earlier.outcome === "open") &&
          earlier.observedUnixMs <= head.observedUnixMs
        )
          earlier.expires = true;
    } else if (!refused && behindHead) {
      expectation.expires = true;
    }
    slots.push(expectation);
  }
  return { streamHash, slots, chain, head };
}

/** Applies the outcome rule to every stream of an archive set; streams in order of their hash. */
export function expectedOutcome(parameters: ExpectedOutcomeParameters): StreamExpectation[] {
  if (!Number.isSafeInteger(parameters.quorum) || parameters.quorum < 1) {
    throw new InvalidFieldError("quorum", parameters.quorum, "must be a positive integer");
  }
  const streams = new Map<Hex, Map<Hex, SlotInput>>();
  for (const { witness, content } of parameters.contents) {
    let slots = streams.get(content.streamHash);
    if (slots === undefined) {
      slots = new Map();
      streams.set(content.streamHash, slots);
    }
    let slot = slots.get(content.slot);
    if (slot === undefined) {
      slot = {
        slot: content.slot,
        epochHash: content.epochHash,
        epochId: content.epochId,
        observedUnixMs: content.observedUnixMs,
        byContent: new Map(),
      };
      slots.set(content.slot, slot);
    }
    for (const group of slot.byContent.values()) {
      if (group.witnesses.includes(witness))
        throw new InvalidFieldError(
          `witness ${witness}`,
          content.slot,
          "derived two contents for one slot (an archive set resolves each epoch once per witness)",
        );
    }
    const group = slot.byContent.get(content.contentHash) ?? { derived: content, witnesses: [] };
    group.witnesses.push(witness);
    slot.byContent.set(content.contentHash, group);
  }
  return [...streams.entries()]
    .sort(([a], [b]) => byHash(a, b))
    .map(([streamHash, slots]) =>
      expectStream(streamHash, [...slots.values()], parameters.quorum, parameters.chainTimeMs),
    );
}

/** Counts of an expectation's slots per outcome, and of those that end expired. */
export function outcomeCounts(
  streams: readonly StreamExpectation[],
): Record<SlotOutcome | "expired" | "slots", number> {
  const counts = { slots: 0, finalized: 0, contested: 0, open: 0, refused: 0, expired: 0 };
  for (const stream of streams)
    for (const slot of stream.slots) {
      counts.slots += 1;
      counts[slot.outcome] += 1;
      if (slot.expires) counts.expired += 1;
    }
  return counts;
}
