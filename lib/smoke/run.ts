/**
 * The reality smoke (ECP-0093 "Real-data validation"): every witness derives from its own archive
 * and attests on a deployed ledger, in transaction mode and/or relayed mode, then the chain is
 * checked slot by slot against what reality dictates. Deployment and accounts are prepared by the
 * caller (the Hardhat task); this module only needs the ledger ports and accounts.
 */
import type { Address } from "viem";

import { checkOutcome } from "./check";
import type { LedgerPort } from "./ledger-port";
import { groupByStream, ZERO_HASH, type StreamSlots, type Witness } from "./observations";
import { expectStream, type StreamExpectation } from "./outcome";
import { silentProgress, type Progress } from "./progress";
import { runRelayedMode } from "./relayed-mode";
import { REPORT_SCHEMA, type ModeReport, type SmokeMode, type SmokeReport } from "./report";
import { runTxMode } from "./tx-mode";

/** One mode to run, on its own ledger. */
export interface SmokeTarget {
  mode: SmokeMode;
  ledger: LedgerPort;
  registry: Address;
}

export interface RunRealitySmokeParameters {
  /** The witnesses and their derived observations (`loadArchiveSet`). */
  witnesses: readonly Witness[];
  /** The archive directory, for the report. */
  archive: string;
  quorum: number;
  /** The modes to run, each on its own ledger (sharing a registry is fine). */
  targets: readonly SmokeTarget[];
  /** Each witness's account, by witness index. */
  accounts: readonly Address[];
  /** The relayer's account (relayed mode). */
  relayer: Address;
  network: string;
  chainId: number;
  progress?: Progress;
  /** Stop each mode after this many transactions, as a killed run would (resume tests). */
  maxTransactions?: number;
  /** Relayed mode: epochs per stream signed ahead. */
  lookahead?: number;
  /** Relayed mode: signatures per batch at most. */
  maxSignatures?: number;
}

export interface RunRealitySmokeReturnType {
  report: SmokeReport;
  expectations: StreamExpectation[];
  /** True when a mode stopped at `maxTransactions`. */
  stopped: boolean;
}

async function finalizedCount(
  ledger: LedgerPort,
  streams: readonly StreamSlots[],
): Promise<number> {
  let count = 0;
  for (const stream of streams) {
    const head = await ledger.finalizedHead(stream.streamHash);
    if (head.hash !== ZERO_HASH) count += Number(head.sequence) + 1;
  }
  return count;
}

/** Runs every target's mode, checks each ledger, and returns the report. */
export async function runRealitySmoke(
  parameters: RunRealitySmokeParameters,
): Promise<RunRealitySmokeReturnType> {
  const progress = parameters.progress ?? silentProgress;
  const streams = groupByStream(parameters.witnesses);
  const expectations = streams.map((stream) => expectStream(stream, parameters.quorum));
  const slotCount = streams.reduce((n, s) => n + s.slots.length, 0);
  const modes: ModeReport[] = [];
  let stopped = false;
  for (const target of parameters.targets) {
    const before = await finalizedCount(target.ledger, streams);
    const started = Date.now();
    progress.start(`reality-smoke ${target.mode}`, slotCount);
    const common = {
      ledger: target.ledger,
      streams,
      accounts: parameters.accounts,
      progress,
      ...(parameters.maxTransactions === undefined
        ? {}
        : { maxTransactions: parameters.maxTransactions }),
    };
    const stats =
      target.mode === "tx"
        ? await runTxMode(common)
        : await runRelayedMode({
            ...common,
            relayer: parameters.relayer,
            quorum: parameters.quorum,
            ...(parameters.lookahead === undefined ? {} : { lookahead: parameters.lookahead }),
            ...(parameters.maxSignatures === undefined
              ? {}
              : { maxSignatures: parameters.maxSignatures }),
          });
    progress.stop();
    const elapsedMs = Date.now() - started;
    stopped ||= stats.stopped;
    const check = await checkOutcome({
      ledger: target.ledger,
      expectations,
      witnessAccounts: parameters.accounts,
      quorum: parameters.quorum,
    });
    const finalizedThisRun = (await finalizedCount(target.ledger, streams)) - before;
    modes.push({
      mode: target.mode,
      registry: target.registry,
      ledger: target.ledger.address,
      streams: streams.length,
      epochs: slotCount,
      finalized: check.counts.finalized,
      contested: check.counts.contested,
      open: check.counts.open,
      unobserved: check.counts.unobserved,
      equivocations: check.equivocations,
      attestations: check.attestations,
      submitted: stats.submitted,
      skipped: stats.skipped,
      resigned: stats.resigned,
      transactions: stats.transactions,
      gasUsed: stats.gasUsed,
      finalizedThisRun,
      gasPerFinalizedObservation:
        finalizedThisRun > 0 ? stats.gasUsed / BigInt(finalizedThisRun) : null,
      elapsedMs,
      observationsPerSecond: elapsedMs > 0 ? (stats.submitted * 1000) / elapsedMs : 0,
      mismatches: check.mismatches,
    });
  }
  const report: SmokeReport = {
    schema: REPORT_SCHEMA,
    ok: !stopped && modes.every((m) => m.mismatches.length === 0),
    network: parameters.network,
    chainId: parameters.chainId,
    archive: parameters.archive,
    witnesses: parameters.witnesses.map((w) => w.name),
    quorum: parameters.quorum,
    modes,
  };
  return { report, expectations, stopped };
}
