/**
 * The checker: compares what the ledger holds with what reality dictates (lib/smoke/outcome.ts),
 * slot by slot and stream by stream, and lists every difference. Nothing is assumed about how the
 * chain got into its state: the same check runs after a fresh run, a resumed one, or against a
 * ledger someone else wrote to.
 */
import { getAddress, type Address, type Hex } from "viem";

import type { ObservationHeader } from "../types/abi";
import type { LedgerPort } from "./ledger-port";
import { ZERO_HASH } from "./observations";
import type { SlotExpectation, SlotOutcome, StreamExpectation } from "./outcome";

export type MismatchKind =
  /** The slot's outcome (finalized / contested / open / unobserved) is not the expected one. */
  | "slot-outcome"
  /** The slot finalized another candidate than the expected one. */
  | "finalized-hash"
  /** A candidate that must not be finalized is. */
  | "minority-finalized"
  /** A witness attested a candidate other than the one it derived from reality. */
  | "witness-candidate"
  /** A witness attested two different candidates of one slot. */
  | "equivocation"
  /** The same attestation is recorded twice. */
  | "duplicate-attestation"
  /** A witness that captured the slot has no attestation there. */
  | "missing-attestation"
  /** A slot finalized with fewer witnesses than the quorum. */
  | "finalizing-witnesses"
  /** The stream's finalized head is not the expected one. */
  | "stream-head"
  /** The stream's finalized observations are not one linear chain, or not the expected one. */
  | "stream-chain";

export interface Mismatch {
  kind: MismatchKind;
  streamHash: Hex;
  slot: Hex | undefined;
  epochId: bigint | undefined;
  expected: string;
  actual: string;
  /** One line: where, what was expected and what the chain holds. */
  message: string;
}

/** A slot's outcome on chain; `unobserved` when no witness attested anything there. */
export type ActualOutcome = SlotOutcome | "unobserved";

export interface CheckOutcomeParameters {
  ledger: LedgerPort;
  expectations: readonly StreamExpectation[];
  /** Account of each witness, by witness index. */
  witnessAccounts: readonly Address[];
  quorum: number;
}

export interface CheckOutcomeReturnType {
  mismatches: Mismatch[];
  /** Slots per actual outcome, over the expected slots. */
  counts: Record<ActualOutcome, number>;
  /** (slot, witness) pairs with two or more different candidates on chain. */
  equivocations: number;
  /** Attestations on chain for the expected slots. */
  attestations: number;
}

const short = (hash: Hex | undefined): string =>
  hash === undefined ? "none" : `${hash.slice(0, 10)}…${hash.slice(-4)}`;

function mismatch(
  kind: MismatchKind,
  where: { streamHash: Hex; slot?: SlotExpectation },
  expected: string,
  actual: string,
): Mismatch {
  const place =
    where.slot === undefined
      ? `stream ${short(where.streamHash)}`
      : `stream ${short(where.streamHash)} epoch ${where.slot.epochId} slot ${short(where.slot.slot)}`;
  return {
    kind,
    streamHash: where.streamHash,
    slot: where.slot?.slot,
    epochId: where.slot?.epochId,
    expected,
    actual,
    message: `${place}: ${kind}: expected ${expected}, chain has ${actual}`,
  };
}

/** Checks every expected slot and stream against the ledger; returns all mismatches. */
export async function checkOutcome(
  parameters: CheckOutcomeParameters,
): Promise<CheckOutcomeReturnType> {
  const { ledger, expectations, quorum } = parameters;
  const accountOf = parameters.witnessAccounts.map((a) => getAddress(a));
  const witnessOf = new Map(accountOf.map((address, index) => [address, index] as const));
  const label = (account: Address): string => {
    const index = witnessOf.get(account);
    return index === undefined ? account : `witness ${index}`;
  };
  const mismatches: Mismatch[] = [];
  const counts: Record<ActualOutcome, number> = {
    finalized: 0,
    contested: 0,
    open: 0,
    unobserved: 0,
  };

  const events = await ledger.events();
  const slotOf = new Map<Hex, Hex>();
  const headerOf = new Map<Hex, ObservationHeader>();
  const candidatesBySlot = new Map<Hex, Set<Hex>>();
  for (const p of events.proposed) {
    slotOf.set(p.observationHash, p.slot);
    headerOf.set(p.observationHash, p.header);
    const set = candidatesBySlot.get(p.slot) ?? new Set<Hex>();
    set.add(p.observationHash);
    candidatesBySlot.set(p.slot, set);
  }
  // Every attestation the ledger recorded, per slot and witness: open ones from
  // `ObservationAttested`, finalizing ones from `ObservationFinalized.witnesses` (which repeats the
  // earlier attestations of the finalized candidate: a union, not a sum). An `ObservationAttested`
  // seen twice for one witness and candidate is a duplicate.
  const attestationsBySlot = new Map<Hex, Map<Address, Set<Hex>>>();
  const duplicatesBySlot = new Map<Hex, { witness: Address; hash: Hex }[]>();
  const seenAttested = new Set<string>();
  const addAttestation = (slot: Hex | undefined, hash: Hex, witness: Address): void => {
    if (slot === undefined) return;
    const byWitness = attestationsBySlot.get(slot) ?? new Map<Address, Set<Hex>>();
    byWitness.set(witness, (byWitness.get(witness) ?? new Set<Hex>()).add(hash));
    attestationsBySlot.set(slot, byWitness);
  };
  for (const a of events.attested) {
    const slot = slotOf.get(a.observationHash);
    const key = `${a.witness}/${a.observationHash}`;
    if (seenAttested.has(key) && slot !== undefined) {
      duplicatesBySlot.set(slot, [
        ...(duplicatesBySlot.get(slot) ?? []),
        { witness: a.witness, hash: a.observationHash },
      ]);
    }
    seenAttested.add(key);
    addAttestation(slot, a.observationHash, a.witness);
  }
  const finalizedBySlot = new Map<Hex, (typeof events.finalized)[number]>();
  for (const f of events.finalized) {
    finalizedBySlot.set(f.slot, f);
    for (const witness of f.witnesses) addAttestation(f.slot, f.observationHash, witness);
  }
  const equivocationsBySlot = new Map<Hex, (typeof events.equivocations)[number][]>();
  for (const e of events.equivocations) {
    equivocationsBySlot.set(e.slot, [...(equivocationsBySlot.get(e.slot) ?? []), e]);
  }

  let equivocations = 0;
  let attestations = 0;
  for (const stream of expectations) {
    for (const slot of stream.slots) {
      const where = { streamHash: stream.streamHash, slot };
      const state = await ledger.slotStatus(slot.slot);
      const seen = attestationsBySlot.get(slot.slot) ?? new Map<Address, Set<Hex>>();
      for (const hashes of seen.values()) attestations += hashes.size;
      const proposed = candidatesBySlot.get(slot.slot) ?? new Set<Hex>();
      const actual: ActualOutcome =
        state.status === "finalized"
          ? "finalized"
          : proposed.size > 1
            ? "contested"
            : proposed.size === 1
              ? "open"
              : "unobserved";
      counts[actual] += 1;
      if (actual !== slot.outcome) {
        mismatches.push(mismatch("slot-outcome", where, slot.outcome, actual));
      }
      if (slot.finalizedHash !== state.finalizedHash) {
        mismatches.push(
          mismatch("finalized-hash", where, short(slot.finalizedHash), short(state.finalizedHash)),
        );
      }
      for (const candidate of slot.candidates) {
        if (candidate.hash === slot.finalizedHash) continue;
        const candidateState = await ledger.candidateStatus(slot.slot, candidate.hash);
        if (candidateState.status === "finalized") {
          mismatches.push(
            mismatch(
              "minority-finalized",
              where,
              `candidate ${short(candidate.hash)} of witnesses ${candidate.witnesses.join(",")} not finalized`,
              "it finalized",
            ),
          );
        }
      }
      const finalization = finalizedBySlot.get(slot.slot);
      if (finalization !== undefined && finalization.witnesses.length < quorum) {
        mismatches.push(
          mismatch(
            "finalizing-witnesses",
            where,
            `at least ${quorum} finalizing witnesses`,
            `${finalization.witnesses.length}`,
          ),
        );
      }

      // Every witness attested at most once, and only what it derived from its own archive.
      const derivedBy = new Map<number, Hex>();
      for (const candidate of slot.candidates) {
        for (const witness of candidate.witnesses) derivedBy.set(witness, candidate.hash);
      }
      for (const d of duplicatesBySlot.get(slot.slot) ?? []) {
        mismatches.push(
          mismatch(
            "duplicate-attestation",
            where,
            `${label(d.witness)}: one attestation`,
            `${short(d.hash)} twice`,
          ),
        );
      }
      for (const [witness, hashes] of seen) {
        const index = witnessOf.get(witness);
        const derived = index === undefined ? undefined : derivedBy.get(index);
        for (const hash of hashes) {
          if (hash !== derived) {
            mismatches.push(
              mismatch(
                "witness-candidate",
                where,
                `${label(witness)}: ${derived === undefined ? "no attestation" : short(derived)}`,
                short(hash),
              ),
            );
          }
        }
      }
      for (const e of equivocationsBySlot.get(slot.slot) ?? []) {
        equivocations += 1;
        mismatches.push(
          mismatch(
            "equivocation",
            where,
            `${label(e.witness)}: one candidate`,
            `${short(e.observationA)} and ${short(e.observationB)}`,
          ),
        );
      }
      // A slot that never finalizes accepts every witness's attestation: all must be there.
      if (state.status !== "finalized") {
        for (const [witness, derived] of derivedBy) {
          const account = accountOf[witness];
          if (account === undefined || !seen.has(account)) {
            mismatches.push(
              mismatch(
                "missing-attestation",
                where,
                `witness ${witness}: ${short(derived)}`,
                "none",
              ),
            );
          }
        }
      }
    }

    // The stream's head, and its finalized observations as one linear chain.
    const head = await ledger.finalizedHead(stream.streamHash);
    if (head.hash !== stream.head.hash || head.sequence !== stream.head.sequence) {
      mismatches.push(
        mismatch(
          "stream-head",
          { streamHash: stream.streamHash },
          `${short(stream.head.hash)} #${stream.head.sequence}`,
          `${short(head.hash)} #${head.sequence}`,
        ),
      );
    }
    const chain = events.finalized.filter((f) => f.streamHash === stream.streamHash);
    let parent: Hex = ZERO_HASH;
    chain.forEach((link, position) => {
      const header = headerOf.get(link.observationHash);
      const actualParent = header?.parentObservationHash;
      if (actualParent !== parent || link.sequence !== BigInt(position)) {
        mismatches.push(
          mismatch(
            "stream-chain",
            { streamHash: stream.streamHash },
            `finalization #${position} extends ${short(parent)} with sequence ${position}`,
            `it extends ${short(actualParent)} with sequence ${link.sequence}`,
          ),
        );
      }
      parent = link.observationHash;
    });
    const actualChain = chain.map((link) => link.observationHash);
    if (actualChain.join() !== stream.chain.join()) {
      const at = Math.max(
        0,
        stream.chain.findIndex((hash, i) => actualChain[i] !== hash),
      );
      mismatches.push(
        mismatch(
          "stream-chain",
          { streamHash: stream.streamHash },
          `${stream.chain.length} finalizations, #${at} = ${short(stream.chain[at])}`,
          `${actualChain.length} finalizations, #${at} = ${short(actualChain[at])}`,
        ),
      );
    }
  }
  return { mismatches, counts, equivocations, attestations };
}
