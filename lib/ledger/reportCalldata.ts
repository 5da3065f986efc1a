/**
 * The calldata of `submitReport(streamHash, entries, signatures)` (`docs/ledger.md`, "Reports"):
 * the report's entries packed at 104 bytes each (`epochHash ‖ dataRoot ‖ locatorHash ‖ uint64
 * observedUnixMs`, big-endian) and its signers' 64-byte EIP-2098 signatures concatenated. The stream
 * is named once.
 */
import { concatHex, numberToHex, size, sliceHex, hexToBigInt, type Hex } from "viem";

import { InvalidFieldError } from "../errors";
import { packCompactSignatures } from "./compactSignatures";
import { MAX_REPORT_ENTRIES, type ObservationReport, type ReportEntry } from "./report";

/** Bytes of one packed report entry. */
export const REPORT_ENTRY_BYTES = 104;

/** The arguments of `submitReport`. */
export type ReportCallArguments = readonly [streamHash: Hex, entries: Hex, signatures: Hex];

/** The report's entries packed as `submitReport` and `reportDigest` take them. */
export function packReportEntries(report: ObservationReport): Hex {
  if (report.entries.length === 0 || report.entries.length > MAX_REPORT_ENTRIES)
    throw new InvalidFieldError(
      "report.entries",
      report.entries.length,
      `a report carries 1 to ${MAX_REPORT_ENTRIES} entries`,
    );
  return concatHex(
    report.entries.map((entry) =>
      concatHex([
        entry.epochHash,
        entry.dataRoot,
        entry.locatorHash,
        numberToHex(entry.observedUnixMs, { size: 8 }),
      ]),
    ),
  );
}

/** The entries of packed `entries` (the inverse of `packReportEntries`). */
export function unpackReportEntries(entries: Hex): ReportEntry[] {
  const length = size(entries);
  if (length === 0 || length % REPORT_ENTRY_BYTES !== 0)
    throw new InvalidFieldError(
      "entries",
      `${length} bytes`,
      `not a whole number of ${REPORT_ENTRY_BYTES}-byte entries`,
    );
  const out: ReportEntry[] = [];
  for (let at = 0; at < length; at += REPORT_ENTRY_BYTES) {
    out.push({
      epochHash: sliceHex(entries, at, at + 32),
      dataRoot: sliceHex(entries, at + 32, at + 64),
      locatorHash: sliceHex(entries, at + 64, at + 96),
      observedUnixMs: hexToBigInt(sliceHex(entries, at + 96, at + 104)),
    });
  }
  return out;
}

/**
 * The arguments of `submitReport` for `report` and its signers' signatures (65-byte ECDSA or 64-byte
 * compact, each turned into EIP-2098; EOAs only). `InvalidFieldError` names a bad signature.
 */
export function packReport(
  report: ObservationReport,
  signatures: readonly Hex[],
): ReportCallArguments {
  if (signatures.length === 0)
    throw new InvalidFieldError("signatures", "[]", "a report needs its signers' signatures");
  return [report.streamHash, packReportEntries(report), packCompactSignatures(signatures)];
}

/** Calldata bytes of `submitReport` with `entries` entries and `signers` signatures (ABI-encoded). */
export function reportCalldataBytes(entries: number, signers: number): number {
  const padded = (n: number) => Math.ceil(n / 32) * 32;
  return 4 + 32 * 3 + 32 + padded(entries * REPORT_ENTRY_BYTES) + 32 + padded(signers * 64);
}
