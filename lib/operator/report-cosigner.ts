/**
 * The witness side of co-signed reports (`lib/operator/cosign.ts`, `docs/ledger.md`, "Reports"): a
 * witness node answers a proposed report from its journal, the record of every content it derived
 * and attested (`WitnessPlanner`). It signs only when every entry is exactly the content it
 * attested for that epoch's slot; it refuses, naming the first slot at fault, an entry whose content
 * differs from its own (a tampered or rival entry: signing it would be an equivocation), and an entry
 * of a slot it never attested (an epoch it did not capture, or one it refused to attest: beyond the
 * time tolerance, already final). A report signature therefore never says more than the witness's
 * single attestations already said, so it can never make an honest witness an equivocator.
 */
import type { Address } from "viem";

import { contentHash, observationSlot } from "../commitments/observation";
import { reportContents, signReport, type ObservationReport } from "../ledger/report";
import type { ObservationLedgerDomain, ObservationSigner } from "../ledger/typedData";
import type { CoSignResult, ReportCoSigner } from "./cosign";
import type { WitnessJournal } from "./witness-journal";

export interface WitnessReportCoSignerParameters {
  /** The witness's address (the signer's). */
  witness: Address;
  /** Signs the report (a local account or a wallet client holding the witness's key). */
  signer: ObservationSigner;
  /** The ledger's EIP-712 domain (`readObservationLedgerDomain`). */
  domain: ObservationLedgerDomain;
  /** The witness node's journal: what it attested, slot by slot. */
  journal: WitnessJournal;
  log?: (line: string) => void;
}

/** A `ReportCoSigner` over a witness node's journal; see the file comment. */
export function witnessReportCoSigner(parameters: WitnessReportCoSignerParameters): ReportCoSigner {
  const { witness, journal } = parameters;
  const refuse = (reason: string, slot?: `0x${string}`): CoSignResult => {
    parameters.log?.(`report refused: ${reason}`);
    return slot === undefined
      ? { signed: false, witness, reason }
      : { signed: false, witness, reason, slot };
  };
  return {
    witness,
    async coSign(report: ObservationReport): Promise<CoSignResult> {
      const contents = reportContents(report);
      if (contents.length === 0) return refuse("the report has no entries");
      for (const [i, content] of contents.entries()) {
        if (i > 0 && content.observedUnixMs <= contents[i - 1]!.observedUnixMs)
          return refuse(
            `entries[${i}].observedUnixMs ${content.observedUnixMs} is not after the previous entry's`,
          );
        const slot = observationSlot(content.streamHash, content.epochHash);
        const own = journal.recordOf(slot);
        if (own === undefined)
          return refuse(
            `entries[${i}] (slot ${slot}): this witness attested no content in this slot (not captured, or refused)`,
            slot,
          );
        const hash = contentHash(content);
        if (own.contentHash !== hash)
          return refuse(
            `entries[${i}] (slot ${slot}): content ${hash} differs from ${own.contentHash}, the one this witness derived`,
            slot,
          );
      }
      const signature = await signReport(parameters.signer, parameters.domain, report);
      parameters.log?.(
        `signed the report of ${contents.length} entries of stream ${report.streamHash}`,
      );
      return { signed: true, witness, signature };
    },
  };
}
