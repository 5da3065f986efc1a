/**
 * Relayed mode: witnesses sign EIP-712 `Observation`s with their own keys and a relayer submits
 * them in batches through `submitSignedAttestations`.
 *
 * Each round:
 * 1. Every witness reads its streams' heads and derives its next `lookahead` unattested epochs
 *    per stream ahead of time, speculatively: the first from the real head, each later one on top
 *    of the one before (the hash the witness expects to finalize).
 * 2. The relayer orders the observations by stream, then epoch, and replays the ledger's rule on a
 *    simulated head per stream: a slot's observations go in when every one of them extends the
 *    simulated head; a candidate reaching quorum (with what the chain already holds) moves the
 *    simulated head. At the first slot where an observation extends anything else (a witness's
 *    speculation failed: the candidate it built on did not finalize), that stream's part of the
 *    batch ends. Candidates of a slot go in minority first, so the divergent ones are recorded
 *    before the slot finalizes.
 * 3. The witnesses sign what goes in (EIP-712, their own keys), the relayer submits the batch, and
 *    everything else is dropped. In the next round a witness derives those epochs again from the
 *    real head (counted as re-signed when its header changed). ECDSA signing is deterministic, so
 *    signing only what is presented changes nothing on chain; a witness never has two signatures
 *    for one slot presented on chain.
 */
import type { Address, Hex } from "viem";

import { observationHash } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { SignedObservation } from "../ledger/types";
import type { ObservationHeader } from "../types/abi";
import { hasBit, type LedgerHead, type SlotState } from "./ledger-port";
import type { ChainHead, StreamSlots, WitnessObservation } from "./observations";
import { createModeRunStats, recordTransaction } from "./stats";
import type { ModeRunReturnType, RunModeParameters } from "./tx-mode";

export interface RunRelayedModeParameters extends RunModeParameters {
  /** The account that submits the batches. */
  relayer: Address;
  /** The registry's quorum. */
  quorum: number;
  /** Epochs per stream a witness signs ahead (default 8). */
  lookahead?: number;
  /** Signatures per batch at most (default 160); a slot's signatures are never split. */
  maxSignatures?: number;
}

interface Signed {
  observation: WitnessObservation;
  header: ObservationHeader;
  hash: Hex;
  account: Address;
}

interface StreamCursor {
  stream: StreamSlots;
  /** Index of the first slot that is not done (finalized, or attested by all its witnesses). */
  next: number;
}

/** Runs relayed mode over every slot; returns what the relayer sent. */
export async function runRelayedMode(
  parameters: RunRelayedModeParameters,
): Promise<ModeRunReturnType> {
  const { ledger, accounts, progress, quorum } = parameters;
  const lookahead = parameters.lookahead ?? 8;
  const maxSignatures = parameters.maxSignatures ?? 160;
  if (!Number.isSafeInteger(lookahead) || lookahead < 1) {
    throw new InvalidFieldError("lookahead", lookahead, "must be a positive integer");
  }
  if (!Number.isSafeInteger(maxSignatures) || maxSignatures < 1) {
    throw new InvalidFieldError("maxSignatures", maxSignatures, "must be a positive integer");
  }
  const limit = parameters.maxTransactions ?? Number.POSITIVE_INFINITY;
  const stats = createModeRunStats();
  const indices = await Promise.all(accounts.map((account) => ledger.witnessIndex(account)));
  const accountOf = (witness: number): Address => {
    const account = accounts[witness];
    if (account === undefined) throw new InvalidFieldError("witness", witness, "has no account");
    return account;
  };
  const indexOf = (witness: number): bigint => indices[witness] ?? -1n;
  /** The hash each witness last signed per slot, to count re-signed speculations. */
  const lastSigned = new Map<string, Hex>();
  /** Signatures already made, by witness and observation hash (a witness signs a header once). */
  const signatures = new Map<string, Hex>();

  /** (witness, slot) pairs this run presented on chain. */
  const presented = new Set<string>();
  const cursors: StreamCursor[] = parameters.streams.map((stream) => ({ stream, next: 0 }));

  for (;;) {
    // Advance every cursor past done slots, reading the window's slot states.
    const states = new Map<Hex, SlotState>();
    const heads = new Map<Hex, LedgerHead>();
    for (const cursor of cursors) {
      const { slots } = cursor.stream;
      while (cursor.next < slots.length) {
        const entry = slots[cursor.next]!;
        const state = await ledger.slotStatus(entry.slot);
        const done =
          state.status === "finalized" ||
          entry.observations.every((o) => hasBit(state.attestedWitnesses, indexOf(o.witness)));
        if (!done) {
          states.set(entry.slot, state);
          break;
        }
        // Observations this run did not present: on chain already (resumed run).
        stats.skipped += entry.observations.filter(
          (o) => !presented.has(`${o.witness}/${entry.slot}`),
        ).length;
        cursor.next += 1;
        progress.advance();
      }
      for (let i = cursor.next + 1; i < Math.min(slots.length, cursor.next + lookahead); i++) {
        const entry = slots[i]!;
        states.set(entry.slot, await ledger.slotStatus(entry.slot));
      }
      heads.set(cursor.stream.streamHash, await ledger.finalizedHead(cursor.stream.streamHash));
    }
    if (cursors.every((c) => c.next >= c.stream.slots.length)) break;
    if (stats.transactions >= limit) return { ...stats, stopped: true };

    // 1. Witnesses sign ahead, each from the real head, speculating on its own observations.
    const signedBySlot = new Map<Hex, Signed[]>();
    for (let witness = 0; witness < accounts.length; witness++) {
      for (const cursor of cursors) {
        let head: ChainHead = heads.get(cursor.stream.streamHash)!;
        const window = cursor.stream.slots.slice(cursor.next, cursor.next + lookahead);
        for (const entry of window) {
          const observation = entry.observations.find((o) => o.witness === witness);
          if (observation === undefined) continue;
          const state = states.get(entry.slot);
          if (state === undefined || state.status === "finalized") continue;
          if (hasBit(state.attestedWitnesses, indexOf(witness))) continue;
          const header = observation.header(head);
          const hash = observationHash(header);
          const key = `${witness}/${entry.slot}`;
          const previous = lastSigned.get(key);
          if (previous !== undefined && previous !== hash) stats.resigned += 1;
          lastSigned.set(key, hash);
          const signed: Signed = { observation, header, hash, account: accountOf(witness) };
          signedBySlot.set(entry.slot, [...(signedBySlot.get(entry.slot) ?? []), signed]);
          head = { hash, sequence: header.sequence };
        }
      }
    }

    // 2. The relayer builds the batch on simulated heads.
    const batch: { slot: Hex; group: Signed[] }[] = [];
    let batchSignatures = 0;
    let full = false;
    for (const cursor of cursors) {
      if (full) break;
      let head: ChainHead = heads.get(cursor.stream.streamHash)!;
      const window = cursor.stream.slots.slice(cursor.next, cursor.next + lookahead);
      for (const entry of window) {
        const signed = signedBySlot.get(entry.slot) ?? [];
        if (signed.length === 0) continue;
        if (signed.some((s) => s.header.parentObservationHash !== head.hash)) break;
        if (batchSignatures + signed.length > maxSignatures && batchSignatures > 0) {
          full = true;
          break;
        }
        const groups = new Map<Hex, Signed[]>();
        for (const s of signed) groups.set(s.hash, [...(groups.get(s.hash) ?? []), s]);
        const state = states.get(entry.slot)!;
        let winner: Signed | undefined;
        const ordered: { hash: Hex; group: Signed[]; total: bigint }[] = [];
        for (const [hash, group] of groups) {
          const onChain =
            state.status === "open"
              ? (await ledger.candidateStatus(entry.slot, hash)).attestations
              : 0n;
          const total = onChain + BigInt(group.length);
          ordered.push({ hash, group, total });
          if (total >= BigInt(quorum)) winner = group[0];
        }
        ordered.sort((a, b) =>
          a.total !== b.total ? (a.total < b.total ? -1 : 1) : a.hash < b.hash ? -1 : 1,
        );
        for (const { group } of ordered) batch.push({ slot: entry.slot, group });
        batchSignatures += signed.length;
        if (winner === undefined) {
          // The slot stays open: the head does not move, so later speculations cannot extend it.
          continue;
        }
        head = { hash: winner.hash, sequence: winner.header.sequence };
      }
    }
    if (batch.length === 0) {
      throw new InvalidFieldError(
        "relayed batch",
        cursors.map((c) => c.next),
        "no signature extends a stream's head (no progress possible)",
      );
    }

    // 3. Submit. Witnesses sign only what goes in (signing is deterministic, so signatures made
    // for dropped speculations are never needed).
    const items: SignedObservation[] = [];
    for (const { group } of batch) {
      const first = group[0]!;
      const sigs = [];
      for (const s of group) {
        const key = `${s.account}/${s.hash}`;
        let signature = signatures.get(key);
        if (signature === undefined) {
          signature = await ledger.signObservation(s.account, s.header);
          signatures.set(key, signature);
        }
        sigs.push({ witness: s.account, signature });
        presented.add(`${s.observation.witness}/${s.observation.slot}`);
      }
      items.push({ header: first.header, signatures: sigs });
    }
    const tx = await ledger.submitSignedAttestations(parameters.relayer, items);
    recordTransaction(stats, tx);
    stats.submitted += batchSignatures;
  }
  return { ...stats, stopped: false };
}
