/**
 * Transaction mode: every witness sends `attest(header)` from its own account (ECP-0093's first
 * tranche). Each stream's epochs are processed in order and all witnesses attest epoch k before
 * epoch k+1, so every witness derives from the head the ledger really has. Within an epoch the
 * witnesses take turns in index order. A witness reads the chain before sending: it does not send
 * when it already attested in the slot (a resumed run) or when the slot is already finalized (a
 * finalized slot accepts no attestation). All state comes from the chain, so a killed run resumes.
 */
import type { Address } from "viem";

import { hasBit, type LedgerPort } from "./ledger-port";
import type { StreamSlots } from "./observations";
import type { Progress } from "./progress";
import { InvalidFieldError } from "../errors";
import { createModeRunStats, type ModeRunStats } from "./stats";

export interface RunModeParameters {
  ledger: LedgerPort;
  streams: readonly StreamSlots[];
  /** Each witness's account, by witness index. */
  accounts: readonly Address[];
  progress: Progress;
  /** Stop after this many transactions, as a killed run would (resume tests). */
  maxTransactions?: number;
}

export interface ModeRunReturnType extends ModeRunStats {
  /** True when `maxTransactions` stopped the run before it finished. */
  stopped: boolean;
}

/**
 * Runs transaction mode over every slot; returns what it sent. Streams are independent on chain
 * (own slots, own head), so they are worked on concurrently; within a stream everything is in
 * order, which keeps every slot's outcome and every transaction's gas deterministic.
 */
export async function runTxMode(parameters: RunModeParameters): Promise<ModeRunReturnType> {
  const { ledger, accounts, progress } = parameters;
  const stats = createModeRunStats();
  const indices = await Promise.all(accounts.map((account) => ledger.witnessIndex(account)));
  const limit = parameters.maxTransactions ?? Number.POSITIVE_INFINITY;
  let stopped = false;

  const runStream = async (stream: StreamSlots): Promise<void> => {
    for (const entry of stream.slots) {
      for (const observation of entry.observations) {
        const account = accounts[observation.witness];
        const index = indices[observation.witness];
        if (account === undefined || index === undefined) {
          throw new InvalidFieldError("witness", observation.witness, "has no account");
        }
        const slot = await ledger.slotStatus(entry.slot);
        if (slot.status === "finalized" || hasBit(slot.attestedWitnesses, index)) {
          stats.skipped += 1;
          continue;
        }
        if (stopped || stats.transactions >= limit) {
          stopped = true;
          return;
        }
        const head = await ledger.finalizedHead(stream.streamHash);
        // Counted before sending, so that concurrent streams never exceed the limit.
        stats.transactions += 1;
        const tx = await ledger.attest(account, observation.header(head));
        stats.gasUsed += tx.gasUsed;
        stats.submitted += 1;
      }
      progress.advance();
    }
  };
  await Promise.all(parameters.streams.map(runStream));
  return { ...stats, stopped };
}
