/** Counters of one mode's run, filled in by the witness simulation. */
import type { SentTransaction } from "./ledger-port";

export interface ModeRunStats {
  /** Attestations this run put on chain. */
  submitted: number;
  /** Attestations found on chain already (a resumed run). */
  skipped: number;
  /** Speculative signatures dropped because their parent did not become the head (relayed mode). */
  resigned: number;
  transactions: number;
  gasUsed: bigint;
}

export function createModeRunStats(): ModeRunStats {
  return { submitted: 0, skipped: 0, resigned: 0, transactions: 0, gasUsed: 0n };
}

export function recordTransaction(stats: ModeRunStats, tx: SentTransaction): void {
  stats.transactions += 1;
  stats.gasUsed += tx.gasUsed;
}
