/**
 * What one witness derived from its own archive for one (stream, epoch) slot. The smoke never looks
 * inside an archive after loading it: everything downstream works on these records, so the
 * expected-outcome model, the witness simulation and the checker see the same derived data.
 */
import type { Hex } from "viem";

import type { ObservationHeader } from "../types/abi";

/** A stream's finalized head as the ledger reports it: zero hash before the first finalization. */
export interface ChainHead {
  /** Observation hash of the stream's last finalized observation (zero hash when none). */
  hash: Hex;
  /** `sequence` of that observation (0 when none). */
  sequence: bigint;
}

/** One witness's derivation of one epoch of one stream. */
export interface WitnessObservation {
  /** Index of the witness in the archive set (0-based, archive directory order). */
  witness: number;
  streamHash: Hex;
  epochHash: Hex;
  epochId: bigint;
  /** `observationSlot(streamHash, epochHash)`. */
  slot: Hex;
  /**
   * The header this witness attests when the stream's finalized head is `head`: the
   * broadcast-derived fields are fixed by the archive, `parentObservationHash` and `sequence`
   * follow the head.
   */
  header(head: ChainHead): ObservationHeader;
}

/** One witness: its name (archive folder or file) and its derived observations. */
export interface Witness {
  index: number;
  /** Archive name (folder or file name inside the archive directory). */
  name: string;
  observations: readonly WitnessObservation[];
}

/** The zero hash, the parent of every stream's first observation. */
export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/** The head of a stream nothing has been finalized on. */
export const GENESIS_HEAD: ChainHead = { hash: ZERO_HASH, sequence: 0n };

/** One stream's slots in epoch order, each with the observations witnesses derived for it. */
export interface StreamSlots {
  streamHash: Hex;
  slots: {
    slot: Hex;
    epochHash: Hex;
    epochId: bigint;
    observations: WitnessObservation[];
  }[];
}

/**
 * Groups every witness's observations per stream and per slot, streams in order of their hash and
 * slots in epoch order (the order in which a stream's epochs can finalize).
 */
export function groupByStream(witnesses: readonly Witness[]): StreamSlots[] {
  const streams = new Map<Hex, Map<Hex, StreamSlots["slots"][number]>>();
  for (const witness of witnesses) {
    for (const observation of witness.observations) {
      let slots = streams.get(observation.streamHash);
      if (slots === undefined) {
        slots = new Map();
        streams.set(observation.streamHash, slots);
      }
      let entry = slots.get(observation.slot);
      if (entry === undefined) {
        entry = {
          slot: observation.slot,
          epochHash: observation.epochHash,
          epochId: observation.epochId,
          observations: [],
        };
        slots.set(observation.slot, entry);
      }
      entry.observations.push(observation);
    }
  }
  return [...streams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([streamHash, slots]) => ({
      streamHash,
      slots: [...slots.values()]
        .sort((a, b) => (a.epochId < b.epochId ? -1 : a.epochId > b.epochId ? 1 : 0))
        .map((entry) => ({
          ...entry,
          observations: entry.observations.sort((a, b) => a.witness - b.witness),
        })),
    }));
}
