/**
 * How a relayer gathers witnesses' signatures over a report it proposes (`lib/ledger/report.ts`),
 * whatever carries them: in process (reality-smoke, tests) or over the relayer's HTTP exchange.
 *
 * - A witness node answers a proposal with `ReportCoSigner.coSign`: it signs only when every entry
 *   is the content it derived itself for that epoch, and otherwise refuses naming the slot.
 * - A relayer asks a `ReportCollector` for signatures over a report and submits it once a quorum
 *   of distinct witnesses signed.
 */
import type { Address, Hex } from "viem";

import type { ObservationReport } from "../ledger/report";

/** One witness's EIP-712 signature over a report. */
export interface ReportSignature {
  readonly witness: Address;
  readonly signature: Hex;
}

/** A witness's answer to a proposed report. */
export type CoSignResult =
  | ({ readonly signed: true } & ReportSignature)
  | {
      readonly signed: false;
      readonly witness: Address;
      /** One line: why the witness refused (names the slot and what differs). */
      readonly reason: string;
      /** The slot (`ObservationSlot`) of the first entry the witness refused, when one is at fault. */
      readonly slot?: Hex;
    };

/** The witness side: answers proposed reports. */
export interface ReportCoSigner {
  readonly witness: Address;
  coSign(report: ObservationReport): Promise<CoSignResult>;
}

export interface CollectReportParameters {
  /** How many distinct witnesses' signatures are enough. */
  readonly quorum: number;
  /** Give up waiting for more signatures after this long (milliseconds). */
  readonly timeoutMs: number;
}

/** The relayer side: gathers co-signatures over a proposed report. */
export interface ReportCollector {
  /**
   * Proposes `report` to the witnesses and resolves with the signatures gathered once `quorum`
   * distinct witnesses signed or `timeoutMs` passed (possibly fewer than the quorum), and the
   * refusals received.
   */
  collect(
    report: ObservationReport,
    parameters: CollectReportParameters,
  ): Promise<{
    readonly signatures: readonly ReportSignature[];
    readonly refusals: readonly Extract<CoSignResult, { signed: false }>[];
  }>;
}

/** A collector that asks in-process co-signers directly (reality-smoke, tests). */
export function inProcessCollector(coSigners: readonly ReportCoSigner[]): ReportCollector {
  return {
    async collect(report, { quorum }) {
      const signatures: ReportSignature[] = [];
      const refusals: Extract<CoSignResult, { signed: false }>[] = [];
      for (const coSigner of coSigners) {
        if (signatures.length >= quorum) break;
        const result = await coSigner.coSign(report);
        if (result.signed)
          signatures.push({ witness: result.witness, signature: result.signature });
        else refusals.push(result);
      }
      return { signatures, refusals };
    },
  };
}
