/**
 * The smoke's report: one summary per mode, printed as a table and written as JSON
 * (`every.channel/reality-smoke/report/v1`, fields in docs/reality-smoke.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Address } from "viem";

import type { Mismatch } from "./check";

export const REPORT_SCHEMA = "every.channel/reality-smoke/report/v1";

export type SmokeMode = "tx" | "relayed";

/** One mode's run against one ledger. */
export interface ModeReport {
  mode: SmokeMode;
  registry: Address;
  ledger: Address;
  streams: number;
  /** (stream, epoch) slots any witness captured. */
  epochs: number;
  finalized: number;
  contested: number;
  open: number;
  /** Slots with no attestation on chain (expected: none). */
  unobserved: number;
  /** Witnesses seen on chain attesting two different candidates of one slot. */
  equivocations: number;
  /** Attestations the ledger holds for this archive set (all runs). */
  attestations: number;
  /** Attestations submitted by this run (a resumed run skips what is on chain). */
  submitted: number;
  /** Attestations not sent: the witness had already attested there, or the slot was final. */
  skipped: number;
  /** Speculative signatures discarded and signed again from the real head (relayed mode). */
  resigned: number;
  /** Transactions this run sent (attestations, batches, finalizations). */
  transactions: number;
  /** Gas those transactions used. */
  gasUsed: bigint;
  /** Slots this run finalized. */
  finalizedThisRun: number;
  /** `gasUsed / finalizedThisRun` (null when this run finalized nothing). */
  gasPerFinalizedObservation: bigint | null;
  elapsedMs: number;
  /** `submitted` per second of `elapsedMs`. */
  observationsPerSecond: number;
  mismatches: Mismatch[];
}

export interface SmokeReport {
  schema: typeof REPORT_SCHEMA;
  ok: boolean;
  network: string;
  chainId: number;
  archive: string;
  witnesses: string[];
  quorum: number;
  modes: ModeReport[];
}

const ROWS: [label: string, value: (mode: ModeReport) => string][] = [
  ["streams", (m) => String(m.streams)],
  ["epochs", (m) => String(m.epochs)],
  ["slots finalized", (m) => String(m.finalized)],
  ["slots contested", (m) => String(m.contested)],
  ["slots open", (m) => String(m.open)],
  ["slots unobserved", (m) => String(m.unobserved)],
  ["equivocations", (m) => String(m.equivocations)],
  ["attestations on chain", (m) => String(m.attestations)],
  ["attestations submitted", (m) => String(m.submitted)],
  ["attestations not needed", (m) => String(m.skipped)],
  ["re-signed speculations", (m) => String(m.resigned)],
  ["transactions", (m) => String(m.transactions)],
  ["gas used", (m) => m.gasUsed.toString()],
  [
    "gas per finalized observation",
    (m) => (m.gasPerFinalizedObservation === null ? "-" : m.gasPerFinalizedObservation.toString()),
  ],
  ["observations per second", (m) => m.observationsPerSecond.toFixed(1)],
  ["seconds", (m) => (m.elapsedMs / 1000).toFixed(1)],
  ["mismatches", (m) => String(m.mismatches.length)],
];

/** The summary table: one row per figure, one column per mode. */
export function formatSummaryTable(report: SmokeReport): string {
  const header = ["", ...report.modes.map((m) => m.mode)];
  const rows = [header, ...ROWS.map(([label, value]) => [label, ...report.modes.map(value)])];
  const widths = header.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (row: string[]): string =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [
    `reality-smoke on ${report.network} (chain ${report.chainId}): ${report.witnesses.length} witnesses, quorum ${report.quorum}, archive ${report.archive}`,
    line(header),
    rule,
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** Every mismatch on its own line, prefixed by its mode. */
export function formatMismatches(report: SmokeReport): string {
  return report.modes
    .flatMap((m) => m.mismatches.map((mismatch) => `${m.mode}: ${mismatch.message}`))
    .join("\n");
}

/** The report as JSON (bigints as decimal strings). */
export function reportToJson(report: SmokeReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`;
}

/** Writes the JSON report, creating its directory. */
export function writeReport(file: string, report: SmokeReport): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, reportToJson(report));
}
