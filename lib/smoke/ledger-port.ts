/**
 * What the smoke needs from an observation ledger (`IEveryChannelObservationLedger`), as plain
 * async functions over plain values. `createViemLedgerPort` (lib/smoke/viem-ledger.ts) implements it
 * over the deployed contract; the witness simulation and the checker depend only on this shape.
 */
import type { Address, Hex } from "viem";

import type { SignedObservation } from "../ledger/types";
import type { ObservationHeader } from "../types/abi";
import type { ChainHead } from "./observations";

/** A stream's head with the epoch time the next finalization must exceed. */
export interface LedgerHead extends ChainHead {
  observedUnixMs: bigint;
}

export type SlotStatusName = "empty" | "open" | "finalized";

/** `slotStatus(slot)`. */
export interface SlotState {
  status: SlotStatusName;
  /** The finalized observation (undefined unless finalized). */
  finalizedHash: Hex | undefined;
  /** While open: bitmap by registry index of the witnesses that attested in the slot. */
  attestedWitnesses: bigint;
}

export type CandidateStatusName = "unknown" | "open" | "finalized" | "superseded";

/** `candidateStatus(slot, hash)`. */
export interface CandidateState {
  status: CandidateStatusName;
  /** Attestations from active witnesses (0 once finalized). */
  attestations: bigint;
}

/** A transaction the smoke sent, with what it cost. */
export interface SentTransaction {
  hash: Hex;
  gasUsed: bigint;
}

/** The ledger's events over the archive's slots, as the checker reads them. */
export interface LedgerEvents {
  /** `ObservationProposed`: every candidate the ledger recorded, with its header. */
  proposed: { observationHash: Hex; slot: Hex; header: ObservationHeader }[];
  /** `ObservationAttested`: attestations recorded on candidates that stayed open. */
  attested: { observationHash: Hex; witness: Address }[];
  /** `ObservationFinalized`, in chain order, with the finalizing witnesses resolved to addresses. */
  finalized: {
    observationHash: Hex;
    streamHash: Hex;
    slot: Hex;
    sequence: bigint;
    witnesses: Address[];
  }[];
  /** `EquivocationRecorded`. */
  equivocations: { slot: Hex; witness: Address; observationA: Hex; observationB: Hex }[];
}

export interface LedgerPort {
  address: Address;
  finalizedHead(streamHash: Hex): Promise<LedgerHead>;
  slotStatus(slot: Hex): Promise<SlotState>;
  candidateStatus(slot: Hex, observationHash: Hex): Promise<CandidateState>;
  /** The registry index of `witness` (bit position in the ledger's bitmaps). */
  witnessIndex(witness: Address): Promise<bigint>;
  /** `attest(header)` sent from `witness`'s own account. */
  attest(witness: Address, header: ObservationHeader): Promise<SentTransaction>;
  /** `witness`'s EIP-712 signature over `header`, made with its own key. */
  signObservation(witness: Address, header: ObservationHeader): Promise<Hex>;
  /** `submitSignedAttestations(items)` sent from `relayer`. */
  submitSignedAttestations(
    relayer: Address,
    items: readonly SignedObservation[],
  ): Promise<SentTransaction>;
  /** Every event the ledger emitted. */
  events(): Promise<LedgerEvents>;
}

/** Whether bit `index` of `bitmap` is set. */
export function hasBit(bitmap: bigint, index: bigint): boolean {
  return ((bitmap >> index) & 1n) === 1n;
}
