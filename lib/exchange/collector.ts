/**
 * The relayer's `ReportCollector` over the exchange: proposes the report (witnesses polling
 * `GET /v1/proposals` see it), then waits until `quorum` distinct active witnesses signed it, every
 * active witness answered, or `timeoutMs` passed, and closes the proposal. The answers come back
 * whatever the outcome: possibly fewer signatures than the quorum, and the refusals received.
 */
import { EveryChannelError } from "../errors";
import type { ReportCollector } from "../operator/cosign";
import type { Exchange } from "./exchange";
import type { WitnessSet } from "./verify";

/**
 * How long `relayer:run --reports` waits for co-signatures of one report by default: witnesses
 * long-poll the proposals, so an online witness answers within a round trip and a signing.
 */
export const DEFAULT_REPORT_TIMEOUT_MS = 10_000;

export interface ExchangeCollectorParameters {
  /**
   * The exchange, or a function returning it once it is open: the relayer is made first (opening
   * the exchange replays its journal's signatures into the relayer), the exchange after it.
   */
  exchange: Exchange | (() => Exchange | undefined);
  /** The registry's active witnesses (whose answers end the wait early). */
  witnesses: WitnessSet;
  now?: () => number;
}

/** A `ReportCollector` that gathers co-signatures through `exchange`. */
export function exchangeCollector(parameters: ExchangeCollectorParameters): ReportCollector {
  const { witnesses } = parameters;
  const now = parameters.now ?? Date.now;
  return {
    async collect(report, { quorum, timeoutMs }) {
      const exchange =
        typeof parameters.exchange === "function" ? parameters.exchange() : parameters.exchange;
      if (exchange === undefined)
        throw new EveryChannelError("report: the exchange is not open; nothing was proposed", {});
      const id = await exchange.propose(report, { quorum, timeoutMs });
      const deadline = now() + timeoutMs;
      for (;;) {
        if (exchange.isClosed)
          throw new EveryChannelError(`report ${id}: the exchange closed while collecting`, { id });
        // Nothing may await between reading the answers and `changed` listening: an answer that
        // lands in between would wake no one.
        const active = await witnesses.active();
        const answers = exchange.answers(id)!;
        const signed = answers.signatures.filter((s) => active.has(s.witness));
        const answered = new Set([
          ...signed.map((s) => s.witness),
          ...answers.refusals.map((r) => r.witness),
        ]);
        const everyone = [...active].every((w) => answered.has(w));
        const left = deadline - now();
        if (signed.length >= quorum || everyone || left <= 0) {
          await exchange.closeProposal(id);
          return {
            signatures: signed,
            refusals: answers.refusals.filter((r) => !signed.some((s) => s.witness === r.witness)),
          };
        }
        await exchange.changed(left);
      }
    },
  };
}
