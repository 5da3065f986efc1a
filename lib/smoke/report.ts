/**
 * The smoke's report: one summary per mode, printed as a table and written as JSON
 * (`every.channel/reality-smoke/report/v2`, fields in docs/reality-smoke.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Address } from "viem";

import type { Mismatch } from "./check";

export const REPORT_SCHEMA = "every.channel/reality-smoke/report/v2";

export type SmokeMode = "tx" | "relayed" | "report";

/** One mode's run against one ledger. */
export interface ModeReport {
  mode: SmokeMode;
  registry: Address;
  ledger: Address;
  streams: number;
  /** (stream, epoch) slots any witness captured. */
  slots: number;
  /** Slots finalized on chain. */
  finalized: number;
  /** Slots where witnesses derived two or more contents and none finalized. */
  contested: number;
  /** Slots still open on chain (not finalized, not passed by their stream's head). */
  open: number;
  /** Slots that did not finalize and that their stream's head passed (`Expired`). */
  expired: number;
  /** Slots whose content is beyond the ledger's time tolerance (refused by their witnesses). */
  refused: number;
  /** Slots with no attestation on chain (expected: exactly the refused ones). */
  empty: number;
  /** Equivocations the ledger recorded (expected: none). */
  equivocations: number;
  /** Attestations the ledger recorded in these slots (all runs). */
  attestations: number;
  /** Epochs fed to the witness nodes (all witnesses). */
  witnessEpochs: number;
  /** Attestations the witness nodes made in this run (transactions or signatures). */
  attested: number;
  /** Epochs the nodes found already attested by them, finalized or expired: nothing to send. */
  notNeeded: number;
  /** Epochs the nodes refused: observed more than `MAX_FUTURE_MS` after the chain's time. */
  inFuture: number;
  /** Relayed mode: observations sent through the compact path and through the generic path. */
  compactItems: number;
  genericItems: number;
  /** Report mode: co-signed reports submitted, and the entries they carried. */
  reports: number;
  reportEntries: number;
  /**
   * Report mode: the relayer's exchange the witnesses answered over (its URL), the reports it
   * proposed there, and the co-signatures and refusals the witnesses posted (null in other modes).
   */
  exchange: ExchangeUse | null;
  /** Transactions this run sent (attestations, or relayer batches). */
  transactions: number;
  /** Gas those transactions used. */
  gasUsed: bigint;
  /** Slots this run finalized. */
  finalizedThisRun: number;
  /** `gasUsed / finalizedThisRun` (null when this run finalized nothing). */
  gasPerFinalizedObservation: bigint | null;
  elapsedMs: number;
  /** `finalizedThisRun` per second of `elapsedMs`. */
  finalizedPerSecond: number;
  mismatches: Mismatch[];
}

/** How report mode used the relayer's exchange. */
export interface ExchangeUse {
  url: string;
  proposals: number;
  coSignatures: number;
  refusals: number;
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
  ["slots", (m) => String(m.slots)],
  ["slots finalized", (m) => String(m.finalized)],
  ["slots contested", (m) => String(m.contested)],
  ["slots expired", (m) => String(m.expired)],
  ["slots open", (m) => String(m.open)],
  ["slots refused (in the future)", (m) => String(m.refused)],
  ["equivocations", (m) => String(m.equivocations)],
  ["attestations on chain", (m) => String(m.attestations)],
  ["epochs fed to witness nodes", (m) => String(m.witnessEpochs)],
  ["attestations made", (m) => String(m.attested)],
  ["epochs needing nothing", (m) => String(m.notNeeded)],
  ["epochs refused (in the future)", (m) => String(m.inFuture)],
  [
    "compact / generic items",
    (m) => (m.mode === "tx" ? "-" : `${m.compactItems} / ${m.genericItems}`),
  ],
  ["reports / entries", (m) => (m.mode === "report" ? `${m.reports} / ${m.reportEntries}` : "-")],
  [
    "exchange proposals / co-signatures / refusals",
    (m) =>
      m.exchange === null
        ? "-"
        : `${m.exchange.proposals} / ${m.exchange.coSignatures} / ${m.exchange.refusals}`,
  ],
  ["transactions", (m) => String(m.transactions)],
  ["gas used", (m) => m.gasUsed.toString()],
  [
    "gas per finalized observation",
    (m) => (m.gasPerFinalizedObservation === null ? "-" : m.gasPerFinalizedObservation.toString()),
  ],
  ["finalized per second", (m) => m.finalizedPerSecond.toFixed(1)],
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
    ...report.modes.flatMap((m) =>
      m.exchange === null
        ? []
        : [`${m.mode}: witnesses co-signed over the relayer's exchange at ${m.exchange.url}`],
    ),
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
