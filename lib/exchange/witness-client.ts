/**
 * A witness node's side of the exchange (`witness:run --exchange <url>`):
 *
 * - `exchangeAttestor`: attests by signing the content (EIP-712) and posting the signature file's
 *   content to the relayer, instead of writing it into a shared folder. A request that did not get
 *   an answer, or was answered 429 or 5xx, is tried again (after `Retry-After`, else with a growing
 *   delay) until the relayer took it; any other refusal stops the node with the relayer's line.
 * - `runReportCoSigning`: polls the relayer's report proposals (a long poll) and answers each with
 *   the node's `ReportCoSigner` (a signature, or a refusal naming the slot): `witness:run` and
 *   reality-smoke answer with `witnessReportCoSigner` (`lib/operator/report-cosigner.ts`) over the
 *   node's own journal.
 */
import type { Hex } from "viem";

import { signObservation, type ObservationLedgerDomain } from "../ledger/typedData";
import type { ReportCoSigner } from "../operator/cosign";
import type { OperatorWallet } from "../operator/send";
import type { WitnessAttestation, WitnessAttestor } from "../operator/witness";
import { ExchangeRequestError, type ExchangeClient } from "./client";

export interface RetryParameters {
  log: (line: string) => void;
  signal?: AbortSignal;
  /** First delay after a failure (default 250 ms); doubles up to `maxDelayMs` (default 30,000). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Runs `request` until it succeeds or fails for good (a refusal that is not transient). */
export async function withRetries<T>(
  what: string,
  request: () => Promise<T>,
  parameters: RetryParameters,
): Promise<T> {
  let delay = parameters.initialDelayMs ?? 250;
  const maxDelayMs = parameters.maxDelayMs ?? 30_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ExchangeRequestError) || !error.transient) throw error;
      if (parameters.signal?.aborted === true) throw error;
      const wait = Math.min(maxDelayMs, error.retryAfterMs ?? delay);
      parameters.log(`${what}: ${error.shortMessage}; trying again in ${wait} ms`);
      await sleep(wait, parameters.signal);
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}

export interface ExchangeAttestorParameters {
  wallet: OperatorWallet;
  domain: ObservationLedgerDomain;
  client: ExchangeClient;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Attests by signing the content and posting it to the relayer's exchange. */
export function exchangeAttestor(parameters: ExchangeAttestorParameters): WitnessAttestor {
  const { wallet, domain, client, log, signal } = parameters;
  return {
    mode: "signature",
    async attest(attestation: WitnessAttestation): Promise<Hex | undefined> {
      const signature = await signObservation(wallet, domain, attestation.content);
      const answer = await withRetries(
        `posting ${attestation.contentHash}`,
        () =>
          client.postSignature(
            {
              chainId: domain.chainId,
              ledger: domain.verifyingContract,
              witness: wallet.account.address,
              contentHash: attestation.contentHash,
              slot: attestation.slot,
              content: attestation.content,
              signature,
            },
            signal,
          ),
        { log, signal },
      );
      log(
        `signed ${attestation.contentHash} to ${client.base.origin} (${answer.status === "accepted" ? "accepted" : "already accepted"})`,
      );
      return undefined;
    },
  };
}

export interface RunReportCoSigningParameters {
  client: ExchangeClient;
  coSigner: ReportCoSigner;
  domain: Pick<ObservationLedgerDomain, "chainId" | "verifyingContract">;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Long-poll length (default 25,000 ms). */
  waitMs?: number;
}

export interface ReportCoSigningCounters {
  signed: number;
  refused: number;
  /** Proposals for another chain or ledger, left unanswered. */
  foreign: number;
}

/** Answers the relayer's proposals until `signal` aborts. */
export async function runReportCoSigning(
  parameters: RunReportCoSigningParameters,
): Promise<ReportCoSigningCounters> {
  const { client, coSigner, domain, log, signal } = parameters;
  const counters: ReportCoSigningCounters = { signed: 0, refused: 0, foreign: 0 };
  const answered = new Set<Hex>();
  let since = 0;
  while (!signal.aborted) {
    let list;
    try {
      list = await withRetries(
        "polling report proposals",
        () =>
          client.proposals(
            { since, waitMs: parameters.waitMs ?? 25_000, witness: coSigner.witness },
            signal,
          ),
        { log, signal },
      );
    } catch (error) {
      if (signal.aborted) break;
      throw error;
    }
    // Everything listed is handled below (answered, or left as another ledger's): the next poll
    // asks for later proposals only. After a restart `witness` leaves out what was answered.
    since = Math.max(since, ...list.proposals.map((p) => p.seq));
    for (const proposal of list.proposals) {
      if (signal.aborted) break;
      if (answered.has(proposal.id)) continue;
      if (proposal.chainId !== domain.chainId || proposal.ledger !== domain.verifyingContract) {
        counters.foreign += 1;
        answered.add(proposal.id);
        log(
          `proposal ${proposal.id}: for chain ${proposal.chainId} ledger ${proposal.ledger}, not this witness's; not answered`,
        );
        continue;
      }
      const result = await coSigner.coSign(proposal.report);
      try {
        await withRetries(
          `answering proposal ${proposal.id}`,
          () => client.postCoSignature(proposal.id, domain, result, signal),
          { log, signal },
        );
      } catch (error) {
        if (signal.aborted) break;
        // Closed meanwhile (410) or refused: the relayer's line says why; nothing to retry.
        log(`proposal ${proposal.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      answered.add(proposal.id);
      if (result.signed) counters.signed += 1;
      else counters.refused += 1;
      log(
        `proposal ${proposal.id} (${proposal.report.entries.length} entries): ${result.signed ? "signed" : `refused: ${result.reason}`}`,
      );
    }
  }
  return counters;
}
