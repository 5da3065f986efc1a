/**
 * Co-signed reports (`docs/ledger.md`, "Reports"): one EIP-712 message by which a witness attests a
 * run of one stream's epochs at once. A report is a stream and its entries in strictly increasing
 * `observedUnixMs` order; entry `i` with the report's `streamHash` is the `ObservationContent` the
 * witness attests. The domain is the ledger's (`readObservationLedgerDomain`), so a report signed for
 * one chain or one ledger is worthless on another.
 *
 * Type string (its keccak256 is the ledger's `REPORT_TYPEHASH`):
 *   ObservationReport(bytes32 streamHash,ReportEntry[] entries)ReportEntry(bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)
 */
import { hashTypedData, type Hex, type TypedDataDefinition } from "viem";

import { signTypedDataWith, typedDataDefinition } from "../eip712/typedData";
import { InvalidFieldError } from "../errors";
import { observationContentComponents, type ObservationContent } from "../types/abi";
import type { ObservationLedgerDomain, ObservationSigner } from "./typedData";

/** The EIP-712 type string of a report entry. */
export const REPORT_ENTRY_TYPE =
  "ReportEntry(bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)";
/** The EIP-712 type string of a report (its own type, then the referenced `ReportEntry`). */
export const REPORT_TYPE = `ObservationReport(bytes32 streamHash,ReportEntry[] entries)${REPORT_ENTRY_TYPE}`;

/** The fields of a report entry: an `ObservationContent`'s after its `streamHash`. */
export const [, ...reportEntryComponents] = observationContentComponents;

/** The EIP-712 `types` of a report signature. */
export const reportTypes = {
  ObservationReport: [
    { name: "streamHash", type: "bytes32" },
    { name: "entries", type: "ReportEntry[]" },
  ],
  ReportEntry: reportEntryComponents,
} as const;

/** One epoch of a report: an `ObservationContent` without its stream. */
export interface ReportEntry {
  readonly epochHash: Hex;
  readonly dataRoot: Hex;
  readonly locatorHash: Hex;
  readonly observedUnixMs: bigint;
}

/** A run of one stream's epochs, strictly increasing in `observedUnixMs`. */
export interface ObservationReport {
  readonly streamHash: Hex;
  readonly entries: readonly ReportEntry[];
}

/** The most entries one report may carry (the ledger's `MAX_REPORT_ENTRIES`). */
export const MAX_REPORT_ENTRIES = 256;

export type ReportTypedData = TypedDataDefinition<typeof reportTypes, "ObservationReport">;

/**
 * The report of `contents`: one stream, at least one and at most `MAX_REPORT_ENTRIES` entries,
 * strictly increasing `observedUnixMs`. Throws `InvalidFieldError` naming the first content that
 * breaks a rule.
 */
export function reportOf(contents: readonly ObservationContent[]): ObservationReport {
  if (contents.length === 0)
    throw new InvalidFieldError("contents", "[]", "a report needs at least one content");
  if (contents.length > MAX_REPORT_ENTRIES)
    throw new InvalidFieldError(
      "contents",
      contents.length,
      `a report carries at most ${MAX_REPORT_ENTRIES} entries`,
    );
  const streamHash = contents[0]!.streamHash;
  contents.forEach((content, i) => {
    if (content.streamHash.toLowerCase() !== streamHash.toLowerCase())
      throw new InvalidFieldError(
        `contents[${i}].streamHash`,
        content.streamHash,
        `a report covers one stream (${streamHash})`,
      );
    if (i > 0 && content.observedUnixMs <= contents[i - 1]!.observedUnixMs)
      throw new InvalidFieldError(
        `contents[${i}].observedUnixMs`,
        content.observedUnixMs,
        `entries must be strictly increasing (previous ${contents[i - 1]!.observedUnixMs})`,
      );
  });
  return {
    streamHash,
    entries: contents.map(({ epochHash, dataRoot, locatorHash, observedUnixMs }) => ({
      epochHash,
      dataRoot,
      locatorHash,
      observedUnixMs,
    })),
  };
}

/** The contents a report attests, in its order. */
export function reportContents(report: ObservationReport): ObservationContent[] {
  return report.entries.map((entry) => ({ streamHash: report.streamHash, ...entry }));
}

/** The typed data a witness signs for `report` under the ledger's `domain`. */
export function reportTypedData(
  domain: ObservationLedgerDomain,
  report: ObservationReport,
): ReportTypedData {
  return typedDataDefinition(domain, reportTypes, "ObservationReport", {
    streamHash: report.streamHash,
    entries: report.entries.map((e) => ({ ...e })),
  });
}

/** The EIP-712 digest of `report` under `domain` (equals the ledger's `reportDigest`). */
export function reportDigest(domain: ObservationLedgerDomain, report: ObservationReport): Hex {
  return hashTypedData(reportTypedData(domain, report));
}

/** A witness's 65-byte EIP-712 signature over `report`. */
export async function signReport(
  signer: ObservationSigner,
  domain: ObservationLedgerDomain,
  report: ObservationReport,
): Promise<Hex> {
  return signTypedDataWith(signer, reportTypedData(domain, report));
}
