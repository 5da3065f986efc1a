/**
 * What a relayer runs (`relayer:run`): collect witness signatures (signature files from folders or
 * files, or offered in process), check each (schema, chain and ledger, content hash and slot, the
 * signature itself), and submit the useful ones in the order the ledger links them: stream by
 * stream, epoch by epoch. Items whose signers are all EOAs go through the compact path
 * (`submitCompactAttestations`), the others through `submitSignedAttestations`, in consecutive
 * runs so that the order holds across both.
 *
 * Ordering policy (`docs/operators.md`). The ledger links contents in the order they finalize, so
 * a later epoch that finalizes first makes an earlier one expire. The relayer therefore holds back
 * every content of a stream after an earlier slot that has no quorum yet but can still reach it
 * (its undecided witnesses could bring it), for at most `holdMs` after it first saw that slot:
 * an epoch whose quorum of signatures reaches the relayer within `holdMs` of a later epoch's
 * always finalizes; a damaged, missed or contested epoch delays the stream by at most `holdMs`.
 *
 * Report mode (`reports`, `docs/operators.md`). Of what is ready to send, the contents the collected
 * signatures show a quorum for are proposed, stream by stream in epoch order, as co-signed reports
 * (`lib/ledger/report.ts`) through a `ReportCollector`; a report that gathers a quorum of distinct
 * active witnesses' signatures goes through `submitReport` (one quorum for the whole run, no
 * per-slot storage). What a report does not cover (contents without a quorum yet, streams whose
 * report gathered too few signatures, contract witnesses' signatures) goes through the paths
 * above, after the reports.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { getAddress, zeroHash, type Address, type Hex, type PublicClient } from "viem";

import { contentHash, observationSlot } from "../commitments/observation";
import { createLedgerClient, type LedgerClient, type LedgerHead } from "../ledger/client";
import { MAX_REPORT_ENTRIES, reportOf } from "../ledger/report";
import { buildRelayBatch, type CollectedSignature } from "../ledger/relayBatch";
import { toCompactObservation } from "../ledger/compactSignatures";
import { isExpired, isInFuture } from "../ledger/rules";
import { observationTypedData, type ObservationLedgerDomain } from "../ledger/typedData";
import type { SignedObservation } from "../ledger/types";
import type { LedgerRef, RegistryRef } from "./contracts";
import type { OperatorWallet } from "./send";
import { readSignatureFile, type WitnessSignatureFile } from "./signature-files";
import type { ReportCollector } from "./cosign";

export interface RelayerCounters {
  /** Signatures accepted. */
  accepted: number;
  /** Signatures refused (unreadable, another chain or ledger, bad signature). */
  refused: number;
  batches: number;
  /** Observations finalized by this relayer's transactions. */
  finalized: number;
  /** Items sent through the compact path, and through the generic path. */
  compactItems: number;
  genericItems: number;
  /** Reports submitted (report mode), and the entries they carried. */
  reports: number;
  reportEntries: number;
  /** Reports proposed that gathered fewer signatures than the quorum (their contents went the other paths). */
  reportsShort: number;
  /** Gas used by this relayer's transactions. */
  gasUsed: bigint;
}

/** Report mode: how the relayer gathers co-signatures over the reports it proposes. */
export interface RelayerReportMode {
  collector: ReportCollector;
  /** How long to wait for co-signatures of one report (milliseconds). */
  timeoutMs: number;
}

export interface RelayerParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  ledger: LedgerRef;
  registry: RegistryRef;
  domain: ObservationLedgerDomain;
  /** Folders (every `*.json` inside) and files to collect from. */
  sources: readonly string[];
  /** Most observations per transaction. */
  maxBatch: number;
  /** How long later epochs of a stream wait for an earlier slot that can still reach quorum. */
  holdMs: number;
  dryRun: boolean;
  log: (line: string) => void;
  /** The clock of `holdMs` (tests move it). */
  now?: () => number;
  /** Report mode (see the file comment); off when undefined. */
  reports?: RelayerReportMode;
}

async function listSources(sources: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const source of sources) {
    let info;
    try {
      info = await stat(source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // not written yet
      throw error;
    }
    if (info.isDirectory()) {
      for (const name of (await readdir(source)).sort()) {
        if (name.endsWith(".json") && !name.startsWith(".")) files.push(path.join(source, name));
      }
    } else {
      files.push(source);
    }
  }
  return files;
}

/** Headroom per item of a batch (see `sendPlanned`'s `extraGas`). */
const ITEM_EXTRA_GAS = 30_000n;

interface SlotView {
  streamHash: Hex;
  observedUnixMs: bigint;
  /** Signers of each content: recorded on the ledger, or pending here. */
  votes: Map<Hex, Set<Address>>;
  /** The ledger's bitmap of witnesses that attested in the slot. */
  attested: bigint;
}

interface Pending {
  signature: WitnessSignatureFile;
  /** Where it came from (a file path, or a label). */
  source: string;
}

/** Collects, checks and submits signatures; one `collectAndSubmit` call is one round. */
export class Relayer {
  readonly counters: RelayerCounters = {
    accepted: 0,
    refused: 0,
    batches: 0,
    finalized: 0,
    compactItems: 0,
    genericItems: 0,
    reports: 0,
    reportEntries: 0,
    reportsShort: 0,
    gasUsed: 0n,
  };
  /** Accepted signatures not yet settled, by (witness, slot). */
  private readonly pending = new Map<string, Pending>();
  /** Files read (by path and modification time), so each is checked once per version. */
  private readonly seen = new Map<string, number>();
  /** When each slot was first seen (for `holdMs`). */
  private readonly firstSeen = new Map<Hex, number>();
  private readonly eoa = new Map<Address, boolean>();
  private readonly now: () => number;
  private readonly chain: LedgerClient;

  constructor(private readonly p: RelayerParameters) {
    this.now = p.now ?? Date.now;
    this.chain = createLedgerClient({ ...p, walletClient: p.wallet });
  }

  private refuse(reason: string): void {
    this.counters.refused += 1;
    this.p.log(`relayer: ${reason}; signature ignored`);
  }

  /**
   * Checks a signature and keeps it for the next submission; returns whether it was accepted.
   * `source` names it in messages.
   */
  async offer(signature: WitnessSignatureFile, source: string): Promise<boolean> {
    if (
      signature.chainId !== this.p.domain.chainId ||
      signature.ledger !== getAddress(this.p.domain.verifyingContract)
    ) {
      this.refuse(
        `${source}: for chain ${signature.chainId} ledger ${signature.ledger}, not chain ${this.p.domain.chainId} ledger ${this.p.domain.verifyingContract}`,
      );
      return false;
    }
    const valid = await this.p.publicClient.verifyTypedData({
      address: signature.witness,
      signature: signature.signature,
      ...observationTypedData(this.p.domain, signature.content),
    });
    if (!valid) {
      this.refuse(
        `${source}: signature: not ${signature.witness}'s signature over ${signature.contentHash}`,
      );
      return false;
    }
    const key = `${signature.witness}:${signature.slot}`;
    const existing = this.pending.get(key);
    if (existing !== undefined && existing.signature.contentHash !== signature.contentHash)
      this.p.log(
        `relayer: ${source}: ${signature.witness} signed ${signature.contentHash} and ${existing.signature.contentHash} in slot ${signature.slot} (equivocation); both relayed`,
      );
    this.pending.set(
      existing !== undefined && existing.signature.contentHash !== signature.contentHash
        ? `${key}:${signature.contentHash}`
        : key,
      { signature, source },
    );
    if (!this.firstSeen.has(signature.slot)) this.firstSeen.set(signature.slot, this.now());
    this.counters.accepted += 1;
    return true;
  }

  /** Reads new files, then submits what can be recorded or finalized now. */
  async collectAndSubmit(): Promise<number> {
    for (const file of await listSources(this.p.sources)) {
      let mtime: number;
      try {
        mtime = (await stat(file)).mtimeMs;
      } catch {
        continue; // removed meanwhile
      }
      if (this.seen.get(file) === mtime) continue;
      this.seen.set(file, mtime);
      let signature: WitnessSignatureFile;
      try {
        signature = await readSignatureFile(file);
      } catch (error) {
        this.refuse(error instanceof Error ? error.message : String(error));
        continue;
      }
      await this.offer(signature, file);
    }
    return this.submit();
  }

  /** Signatures accepted and not yet settled (finalized, expired or counted). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private async isEoa(witness: Address): Promise<boolean> {
    let value = this.eoa.get(witness);
    if (value === undefined) {
      const code = await this.p.publicClient.getCode({ address: witness });
      value = code === undefined || code === "0x";
      this.eoa.set(witness, value);
    }
    return value;
  }

  /** Submits what can be recorded or finalized now; returns how many observations finalized. */
  async submit(): Promise<number> {
    const { chain } = this;
    if (this.pending.size === 0) return 0;
    const [activeList, quorum, chainTimeMs] = await Promise.all([
      chain.activeWitnesses(),
      chain.quorum(),
      chain.chainTimeMs(),
    ]);
    const active = new Set(activeList);
    const heads = new Map<Hex, LedgerHead>();
    const recorded = new Map<Hex, Set<Address>>();
    const slots = new Map<Hex, SlotView>();
    const collected: (CollectedSignature & { slot: Hex })[] = [];
    for (const [key, { signature }] of this.pending) {
      const { content, slot, contentHash, witness } = signature;
      let head = heads.get(content.streamHash);
      if (head === undefined) {
        head = await chain.head(content.streamHash);
        heads.set(content.streamHash, head);
      }
      if (isExpired(content.observedUnixMs, head)) {
        this.pending.delete(key);
        continue;
      }
      let entry = slots.get(slot);
      if (entry === undefined) {
        const state = await chain.slot(slot);
        if (state.status === "finalized") {
          this.pending.delete(key);
          continue;
        }
        entry = {
          streamHash: content.streamHash,
          observedUnixMs: content.observedUnixMs,
          votes: new Map(),
          attested: state.status === "open" ? state.attestedWitnesses : 0n,
        };
        slots.set(slot, entry);
      }
      let counted = recorded.get(contentHash);
      if (counted === undefined) {
        counted =
          entry.attested === 0n
            ? new Set<Address>()
            : new Set(await chain.attestationsOf(contentHash));
        recorded.set(contentHash, counted);
      }
      const votes = entry.votes.get(contentHash) ?? new Set(counted);
      entry.votes.set(contentHash, votes);
      if (counted.has(witness)) {
        this.pending.delete(key); // the ledger counts it already
        continue;
      }
      if (isInFuture(content.observedUnixMs, chainTimeMs)) continue; // the ledger would revert
      if (!active.has(witness)) continue; // would revert the batch (NotAWitness); kept for later
      votes.add(witness);
      collected.push({ content, witness, signature: signature.signature, slot });
    }
    if (collected.length === 0) return 0;

    // Hold back, per stream, everything after a slot that can still reach quorum without having it.
    const held = new Set<Hex>();
    const now = this.now();
    const byStream = new Map<Hex, [Hex, SlotView][]>();
    for (const [slot, entry] of slots) {
      const list = byStream.get(entry.streamHash) ?? [];
      list.push([slot, entry]);
      byStream.set(entry.streamHash, list);
    }
    for (const list of byStream.values()) {
      list.sort(([, a], [, b]) => (a.observedUnixMs < b.observedUnixMs ? -1 : 1));
      let holding = false;
      for (const [slot, entry] of list) {
        if (holding) {
          held.add(slot);
          continue;
        }
        const voted = new Set<Address>();
        for (const signers of entry.votes.values()) for (const w of signers) voted.add(w);
        let best = 0;
        for (const signers of entry.votes.values())
          best = Math.max(best, [...signers].filter((w) => active.has(w)).length);
        if (best >= Number(quorum)) continue;
        const undecided = [...active].filter((w) => !voted.has(w)).length;
        const reachable = best + undecided >= Number(quorum);
        const waited = now - (this.firstSeen.get(slot) ?? now);
        if (reachable && waited < this.p.holdMs) holding = true;
      }
    }
    const ready = collected.filter((c) => !held.has(c.slot));
    if (held.size > 0)
      this.p.log(
        `relayer: holding ${held.size} slots behind an earlier slot that can still reach quorum`,
      );
    const items = buildRelayBatch({
      signatures: ready,
      heads: new Map(
        [...heads].filter(([, h]) => h.hash !== zeroHash).map(([s, h]) => [s, h.observedUnixMs]),
      ),
    });
    if (this.p.reports === undefined) return this.send(items);
    // Report mode: the contents with a quorum of active signers, per stream in epoch order.
    const withQuorum = new Map<Hex, SignedObservation[]>();
    const decided = new Set<Hex>();
    for (const item of items) {
      const slot = observationSlot(item.content.streamHash, item.content.epochHash);
      if (decided.has(slot)) continue;
      const votes = slots.get(slot)?.votes.get(contentHash(item.content)) ?? new Set();
      if ([...votes].filter((w) => active.has(w)).length < Number(quorum)) continue;
      decided.add(slot);
      const list = withQuorum.get(item.content.streamHash) ?? [];
      list.push(item);
      withQuorum.set(item.content.streamHash, list);
    }
    let finalized = 0;
    const covered = new Set<SignedObservation>();
    for (const list of withQuorum.values())
      for (let at = 0; at < list.length; at += MAX_REPORT_ENTRIES) {
        const run = list.slice(at, at + MAX_REPORT_ENTRIES);
        const sent = await this.sendReport(
          run.map((i) => i.content),
          Number(quorum),
          active,
        );
        if (sent === undefined) continue;
        finalized += sent;
        for (const item of run) covered.add(item);
      }
    return finalized + (await this.send(items.filter((item) => !covered.has(item))));
  }

  /**
   * Proposes the report of `contents` to the co-signers and submits it when a quorum of distinct
   * active witnesses signed; returns how many observations it finalized, or undefined when it was
   * not sent (too few signatures, or a dry run).
   */
  private async sendReport(
    contents: SignedObservation["content"][],
    quorum: number,
    active: ReadonlySet<Address>,
  ): Promise<number | undefined> {
    const mode = this.p.reports!;
    const report = reportOf(contents);
    const { signatures, refusals } = await mode.collector.collect(report, {
      quorum,
      timeoutMs: mode.timeoutMs,
    });
    for (const refusal of refusals)
      this.p.log(
        `relayer: report of ${contents.length} entries: ${refusal.witness} refused: ${refusal.reason}`,
      );
    const signers = new Map<Address, Hex>();
    for (const s of signatures)
      if (active.has(getAddress(s.witness))) signers.set(getAddress(s.witness), s.signature);
    if (signers.size < quorum) {
      this.counters.reportsShort += 1;
      this.p.log(
        `relayer: report of ${contents.length} entries of stream ${report.streamHash}: ${signers.size} of ${quorum} signatures; sent on the other paths`,
      );
      return undefined;
    }
    const result = await this.chain.submitReport(report, [...signers.values()].slice(0, quorum), {
      description: `submitReport: ${contents.length} observations, ${signers.size} signatures`,
      dryRun: this.p.dryRun,
      log: this.p.log,
    });
    if (!result.sent) return undefined;
    this.counters.reports += 1;
    this.counters.reportEntries += contents.length;
    this.counters.gasUsed += result.receipt.gasUsed;
    const count = result.finalizations.length;
    this.counters.finalized += count;
    this.p.log(`relayer: report finalized ${count} observations`);
    return count;
  }

  /** Sends `items` in order, in runs of one path each, `maxBatch` items per transaction. */
  private async send(items: SignedObservation[]): Promise<number> {
    const runs: { compact: boolean; items: SignedObservation[] }[] = [];
    for (const item of items) {
      let compact = true;
      for (const s of item.signatures)
        if ((s.signature.length - 2) / 2 !== 65 || !(await this.isEoa(s.witness))) compact = false;
      const last = runs.at(-1);
      if (last !== undefined && last.compact === compact && last.items.length < this.p.maxBatch)
        last.items.push(item);
      else runs.push({ compact, items: [item] });
    }
    let finalized = 0;
    for (const run of runs) {
      const signatures = run.items.reduce((n, item) => n + item.signatures.length, 0);
      const options = {
        description: `${run.compact ? "submitCompactAttestations" : "submitSignedAttestations"}: ${run.items.length} observations, ${signatures} signatures`,
        dryRun: this.p.dryRun,
        log: this.p.log,
        // Another relayer's batch landing first can turn an item that was open into a finalizing one.
        extraGas: ITEM_EXTRA_GAS * BigInt(run.items.length),
      };
      const result = run.compact
        ? await this.chain.submitCompact(run.items.map(toCompactObservation), options)
        : await this.chain.submitSigned(run.items, options);
      if (!result.sent) continue;
      this.counters.batches += 1;
      if (run.compact) this.counters.compactItems += run.items.length;
      else this.counters.genericItems += run.items.length;
      this.counters.gasUsed += result.receipt.gasUsed;
      const count = result.finalizations.length;
      finalized += count;
      this.p.log(`relayer: batch finalized ${count} observations`);
    }
    this.counters.finalized += finalized;
    return finalized;
  }
}
