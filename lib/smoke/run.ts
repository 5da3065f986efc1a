/**
 * The reality smoke (ECP-0093 "Real-data validation") on the operators' own code: one witness node
 * (`WitnessPlanner`, as `witness:run` runs it) per archive witness, each with its own wallet and
 * journal, fed its resolved archive epochs round by round in broadcast time (lib/smoke/schedule.ts);
 * in transaction mode each node attests with `transactionAttestor`, in relayed mode it signs with
 * `signatureAttestor` into a signature folder and one `Relayer` (as `relayer:run` runs it) collects
 * and submits after every round; in report mode the same relayer, in its report mode, proposes the
 * runs its signatures show a quorum for as co-signed reports over its HTTP exchange (lib/exchange/,
 * as `relayer:run --listen --reports` serves it, on 127.0.0.1 and a free port), and every node
 * answers them with its report co-signer (`witnessReportCoSigner` over the node's journal) from
 * `runReportCoSigning`, as `witness:run --exchange` does; the relayer falls back to the compact path
 * for the rest. Then the chain is checked slot by slot against what the archives dictate
 * (lib/smoke/outcome.ts, lib/smoke/check.ts).
 *
 * Deployment, wallets and the witness set are prepared by the caller (the Hardhat task). Each mode
 * keeps its nodes' state (journals, signature files) in a fresh temporary folder: what a run
 * resumes from is what the ledger holds, which each node reads before attesting.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { getAddress, type Hex, type PublicClient } from "viem";

import { EveryChannelError } from "../errors";
import { ExchangeClient } from "../exchange/client";
import { exchangeCollector } from "../exchange/collector";
import { Exchange } from "../exchange/exchange";
import { startExchangeServer, type ExchangeServer } from "../exchange/server";
import { registryWitnesses } from "../exchange/verify";
import { runReportCoSigning, type ReportCoSigningCounters } from "../exchange/witness-client";
import { createLedgerClient, isEmptyHead, type LedgerClient } from "../ledger/client";
import { signatureAttestor, transactionAttestor } from "../operator/attestors";
import type { LedgerRef, RegistryRef } from "../operator/contracts";
import type { ReportCoSigner } from "../operator/cosign";
import { Relayer } from "../operator/relayer";
import { witnessReportCoSigner } from "../operator/report-cosigner";
import type { OperatorWallet } from "../operator/send";
import {
  WitnessPlanner,
  type WitnessAttestation,
  type WitnessAttestor,
  emptyWitnessCounters,
  type WitnessCounters,
} from "../operator/witness";
import { WitnessJournal } from "../operator/witness-journal";
import type { ArchiveWitness } from "./archive-set";
import { checkOutcome, type CheckWitness } from "./check";
import { expectedOutcome, outcomeCounts, type StreamExpectation } from "./outcome";
import { silentProgress, type Progress } from "./progress";
import { REPORT_SCHEMA, type ModeReport, type SmokeMode, type SmokeReport } from "./report";
import { scheduleRounds } from "./schedule";

/** One mode to run, on its own ledger. */
export interface SmokeTarget {
  mode: SmokeMode;
  ledger: LedgerRef;
  registry: RegistryRef;
  /** The ledger's deployment block (events are read from there). */
  fromBlock: bigint;
}

/** Broadcast-time steps per relayed round (lib/smoke/schedule.ts). */
export const RELAYED_STEPS_PER_ROUND = 8;
/** Most observations per relayed transaction (the relayer's `--max-batch`). */
export const RELAYED_MAX_BATCH = 50;
/**
 * Report mode: how long the relayer waits for co-signatures of one report (`--report-timeout`). The
 * wait ends as soon as every witness answered, so it only matters when one does not.
 */
export const REPORT_TIMEOUT_MS = 30_000;
/**
 * Report mode: the exchange's rate limit. Every witness node reaches it from 127.0.0.1, one client
 * address, so the per-address default (`EXCHANGE_DEFAULTS`) would throttle them together.
 */
const LOOPBACK_RATE_PER_SECOND = 100_000;

export interface RunRealitySmokeParameters {
  /** The witnesses and their resolved epochs (`loadArchiveSet`). */
  witnesses: readonly ArchiveWitness[];
  /** The archive directory, for the report. */
  archive: string;
  quorum: number;
  /** The modes to run, each on its own ledger (sharing a registry is fine). */
  targets: readonly SmokeTarget[];
  publicClient: PublicClient;
  /** Each witness's wallet, by witness index. */
  witnessWallets: readonly OperatorWallet[];
  /** The relayer's wallet (relayed mode). */
  relayerWallet: OperatorWallet;
  network: string;
  chainId: number;
  progress?: Progress;
  /** Where the witness nodes and the relayer log (default: nowhere). */
  log?: (line: string) => void;
  /** Stop each mode once it has sent this many transactions, as a killed run would. */
  maxTransactions?: number;
}

export interface RunRealitySmokeReturnType {
  report: SmokeReport;
  expectations: Map<SmokeMode, StreamExpectation[]>;
  /** True when a mode stopped at `maxTransactions`. */
  stopped: boolean;
}

/** A mode reached `maxTransactions`. */
class StopRun extends EveryChannelError {
  override name = "StopRun";
}

/** Finalized observations on `ledger` over the given streams (each head's sequence + 1). */
async function finalizedCount(
  ledger: LedgerClient,
  streams: readonly StreamExpectation[],
): Promise<number> {
  let count = 0;
  for (const stream of streams) {
    const head = await ledger.head(stream.streamHash);
    if (!isEmptyHead(head)) count += Number(head.sequence) + 1;
  }
  return count;
}

interface SentCounter {
  transactions: number;
  gasUsed: bigint;
}

/**
 * The operators' transaction attestor, watched: each transaction it sends is counted with its gas,
 * and once `limit` transactions went out the next attestation stops the run (after the witness
 * journaled it, as a process killed at that moment would).
 */
function watched(
  attestor: WitnessAttestor,
  client: PublicClient,
  sent: SentCounter,
  limit: number,
): WitnessAttestor {
  return {
    mode: attestor.mode,
    async attest(attestation: WitnessAttestation): Promise<Hex | undefined> {
      if (sent.transactions >= limit)
        throw new StopRun(`stopped after ${limit} transactions`, { limit });
      const hash = await attestor.attest(attestation);
      if (hash !== undefined) {
        const receipt = await client.getTransactionReceipt({ hash });
        sent.transactions += 1;
        sent.gasUsed += receipt.gasUsed;
      }
      return hash;
    },
  };
}

function addCounters(total: WitnessCounters, counters: WitnessCounters): void {
  for (const key of Object.keys(total) as (keyof WitnessCounters)[]) total[key] += counters[key];
}

interface ModeRun {
  report: ModeReport;
  expectations: StreamExpectation[];
  stopped: boolean;
}

async function runMode(
  parameters: RunRealitySmokeParameters,
  target: SmokeTarget,
  stateDir: string,
): Promise<ModeRun> {
  const { publicClient: client, witnesses, quorum } = parameters;
  const { ledger, registry, mode } = target;
  const log = parameters.log ?? (() => undefined);
  const progress = parameters.progress ?? silentProgress;
  const limit = parameters.maxTransactions ?? Number.POSITIVE_INFINITY;

  const chain = createLedgerClient({ publicClient: client, ledger, registry });
  const chainTimeMs = await chain.chainTimeMs();
  const expectations = expectedOutcome({
    contents: witnesses.flatMap((w) =>
      w.epochs.map((e) => ({ witness: w.index, content: e.content })),
    ),
    quorum,
    chainTimeMs,
  });
  const before = await finalizedCount(chain, expectations);
  const domain = await chain.domain();
  const outbox = path.join(stateDir, "signatures");
  await mkdir(outbox, { recursive: true });
  // Report mode: the relayer's exchange, opened once the relayer it hands signatures to exists.
  let exchange: Exchange | undefined;

  const sent: SentCounter = { transactions: 0, gasUsed: 0n };
  const checkWitnesses: CheckWitness[] = [];
  const planners: WitnessPlanner[] = [];
  const coSigners: ReportCoSigner[] = [];
  for (const witness of witnesses) {
    const wallet = parameters.witnessWallets[witness.index];
    if (wallet === undefined)
      throw new EveryChannelError(`reality-smoke: no wallet for witness ${witness.name}`, {
        witness: witness.name,
      });
    const address = getAddress(wallet.account.address);
    const witnessLog = (line: string): void => log(`${mode} ${witness.name}: ${line}`);
    const journal = await WitnessJournal.open(
      path.join(stateDir, "witnesses", witness.name, "journal.jsonl"),
    );
    const attestor =
      mode === "tx"
        ? watched(
            transactionAttestor({
              ledger: createLedgerClient({ publicClient: client, walletClient: wallet, ledger }),
              log: witnessLog,
            }),
            client,
            sent,
            limit,
          )
        : signatureAttestor({ wallet, domain, outbox, log: witnessLog });
    const registryIndex = await chain.witnessIndex(address);
    coSigners.push(
      witnessReportCoSigner({ witness: address, signer: wallet, domain, journal, log: witnessLog }),
    );
    planners[witness.index] = new WitnessPlanner({
      client,
      ledger,
      witnessIndex: registryIndex,
      journal,
      attestor,
      log: witnessLog,
    });
    checkWitnesses.push({
      index: witness.index,
      name: witness.name,
      address,
      registryIndex,
      journal,
    });
  }

  const schedule = scheduleRounds({
    witnesses,
    stepsPerRound: mode === "tx" ? 1 : RELAYED_STEPS_PER_ROUND,
    lateWitnesses: mode !== "tx",
  });
  // The relayer's hold policy runs on broadcast time, two rounds long: a late witness's signature
  // (one round late at most) always arrives within it.
  let clock = 0;
  const holdMs = 2 * Number(schedule.roundMs);
  const relayer =
    mode !== "tx"
      ? new Relayer({
          publicClient: client,
          wallet: parameters.relayerWallet,
          ledger,
          registry,
          domain,
          sources: [outbox],
          maxBatch: RELAYED_MAX_BATCH,
          holdMs,
          dryRun: false,
          log: (line) => log(`${mode} ${line}`),
          now: () => clock,
          reports:
            mode === "report"
              ? {
                  collector: exchangeCollector({
                    exchange: () => exchange,
                    witnesses: registryWitnesses({ client, registry }),
                  }),
                  timeoutMs: REPORT_TIMEOUT_MS,
                }
              : undefined,
        })
      : undefined;

  let server: ExchangeServer | undefined;
  const stopCoSigning = new AbortController();
  const coSigning: Promise<ReportCoSigningCounters>[] = [];
  if (mode === "report") {
    exchange = await Exchange.open({
      client,
      domain,
      witnesses: registryWitnesses({ client, registry }),
      sink: relayer!,
      journalFile: path.join(stateDir, "relayer", "exchange-journal.jsonl"),
      log: (line) => log(`${mode} ${line}`),
      relayerPending: () => relayer!.pendingCount,
    });
    server = await startExchangeServer({
      exchange,
      host: "127.0.0.1",
      port: 0,
      ratePerSecond: LOOPBACK_RATE_PER_SECOND,
      burst: 4 * LOOPBACK_RATE_PER_SECOND,
      log: (line) => log(`${mode} ${line}`),
    }).catch(async (error: unknown) => {
      await exchange!.close();
      throw error;
    });
    log(`${mode} relayer: exchange listening on ${server.url}`);
    for (const [i, coSigner] of coSigners.entries())
      coSigning.push(
        runReportCoSigning({
          client: new ExchangeClient({ url: server.url }),
          coSigner,
          domain,
          log: (line) => log(`${mode} ${witnesses[i]!.name}: ${line}`),
          signal: stopCoSigning.signal,
        }),
      );
  }

  const total = witnesses.reduce((n, w) => n + w.epochs.length, 0);
  const started = Date.now();
  progress.start(
    `reality-smoke ${mode}${server === undefined ? "" : ` (exchange ${server.url})`}`,
    total,
  );
  let stopped = false;
  let answered: ReportCoSigningCounters[] = [];
  let loopFailure: PromiseRejectedResult | undefined;
  let exchangeUse: ModeReport["exchange"] = null;
  try {
    for (const round of schedule.rounds) {
      for (const feed of round.feeds) {
        const planner = planners[feed.witness]!;
        for (const e of feed.epochs) planner.enqueue(e.epoch, () => progress.advance());
        await planner.step();
      }
      if (relayer !== undefined) {
        clock = Number(round.endUnixMs);
        await relayer.collectAndSubmit();
        if (relayer.counters.batches + relayer.counters.reports >= limit)
          throw new StopRun("stopped", { limit });
      }
    }
    if (relayer !== undefined) {
      // Whatever is still held goes out once its hold is over.
      let pending = Number.POSITIVE_INFINITY;
      while (relayer.pendingCount > 0 && relayer.pendingCount < pending) {
        pending = relayer.pendingCount;
        clock += holdMs + 1;
        await relayer.collectAndSubmit();
        if (relayer.counters.batches + relayer.counters.reports >= limit)
          throw new StopRun("stopped", { limit });
      }
    }
  } catch (error) {
    if (!(error instanceof StopRun)) throw error;
    stopped = true;
  } finally {
    progress.stop();
    // The witnesses' co-signing loops, then the server, then the exchange: nothing left running.
    stopCoSigning.abort();
    const loops = await Promise.allSettled(coSigning);
    if (exchange !== undefined && server !== undefined) {
      const status = exchange.status();
      exchangeUse = {
        url: server.url,
        proposals: relayer!.counters.reports + relayer!.counters.reportsShort,
        coSignatures: status.coSignatures,
        refusals: status.refusals,
      };
    }
    await server?.close();
    await exchange?.close();
    answered = loops.flatMap((l) => (l.status === "fulfilled" ? [l.value] : []));
    loopFailure = loops.find((l) => l.status === "rejected");
  }
  // A co-signing loop that stopped by itself (a refusal it could not get past) fails the run.
  if (loopFailure !== undefined) throw loopFailure.reason;
  const elapsedMs = Date.now() - started;
  if (exchangeUse !== null)
    log(
      `${mode} relayer: exchange ${exchangeUse.url}: ${exchangeUse.proposals} proposals, ${exchangeUse.coSignatures} co-signatures, ${exchangeUse.refusals} refusals; witnesses answered ${answered.map((a) => a.signed + a.refused).join(" / ")}`,
    );

  const counters: WitnessCounters = emptyWitnessCounters();
  for (const planner of planners) addCounters(counters, planner.counters);
  const check = await checkOutcome({
    ledger: chain,
    fromBlock: target.fromBlock,
    expectations,
    witnesses: checkWitnesses,
    quorum,
    mode,
    counters,
    relayer: relayer?.counters,
    relayerPending: relayer?.pendingCount ?? 0,
  });
  const finalizedThisRun = (await finalizedCount(chain, expectations)) - before;
  const transactions =
    relayer === undefined ? sent.transactions : relayer.counters.batches + relayer.counters.reports;
  const gasUsed = relayer === undefined ? sent.gasUsed : relayer.counters.gasUsed;
  const expected = outcomeCounts(expectations);
  const report: ModeReport = {
    mode,
    registry: registry.address,
    ledger: ledger.address,
    streams: expectations.length,
    slots: expected.slots,
    finalized: check.counts.finalized,
    contested: expected.contested,
    open: check.counts.open,
    expired: check.counts.expired,
    refused: expected.refused,
    empty: check.counts.empty,
    equivocations: check.equivocations,
    attestations: check.attestations,
    witnessEpochs: counters.epochs,
    attested: counters.attested,
    notNeeded: counters.alreadyAttested + counters.alreadyFinal,
    inFuture: counters.inFuture,
    compactItems: relayer?.counters.compactItems ?? 0,
    genericItems: relayer?.counters.genericItems ?? 0,
    reports: relayer?.counters.reports ?? 0,
    reportEntries: relayer?.counters.reportEntries ?? 0,
    exchange: exchangeUse,
    transactions,
    gasUsed,
    finalizedThisRun,
    gasPerFinalizedObservation: finalizedThisRun > 0 ? gasUsed / BigInt(finalizedThisRun) : null,
    elapsedMs,
    finalizedPerSecond: elapsedMs > 0 ? (finalizedThisRun * 1000) / elapsedMs : 0,
    mismatches: check.mismatches,
  };
  return { report, expectations, stopped };
}

/** Runs every target's mode, checks each ledger, and returns the report. */
export async function runRealitySmoke(
  parameters: RunRealitySmokeParameters,
): Promise<RunRealitySmokeReturnType> {
  const modes: ModeReport[] = [];
  const expectations = new Map<SmokeMode, StreamExpectation[]>();
  let stopped = false;
  for (const target of parameters.targets) {
    const stateDir = await mkdtemp(path.join(tmpdir(), `reality-smoke-${target.mode}-`));
    try {
      const run = await runMode(parameters, target, stateDir);
      modes.push(run.report);
      expectations.set(target.mode, run.expectations);
      stopped ||= run.stopped;
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
    if (stopped) break;
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
