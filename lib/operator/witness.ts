/**
 * What a witness node runs (`witness:run`): follow the capture node's archive file as it grows,
 * resolve retries and repairs (`resolveWitnessEpochs`), derive each epoch's observation content
 * and attest it — by transaction, or by signing it for a relayer — exactly once per slot.
 *
 * The witness algorithm (`docs/operators.md`, `docs/ledger.md`). A witness attests what it derived
 * from its own capture, the `ObservationContent` of the epoch; it never names a parent or a
 * sequence (the ledger assigns them at finalization), so nothing it signs depends on the ledger's
 * state and it never has to sign a slot twice. Each epoch is attested as soon as it is resolved,
 * whatever happened to earlier epochs: a damaged, missed or contested epoch holds up nothing.
 * Skipped: an epoch at or before its stream's finalized head (it can never finalize), a slot
 * already finalized, and a content more than `MAX_FUTURE_MS` after the chain's time (the ledger
 * refuses it; the broadcast clock is wrong).
 *
 * Ordering (transaction mode). The ledger links contents in the order they finalize, so a later
 * epoch that finalizes first makes an earlier one expire. A witness sending transactions therefore
 * holds its attestation of a later epoch of a stream while an earlier slot it attested is still
 * open with active witnesses yet to attest in it, for at most `holdMs` after it attested that slot.
 * Every quorum of a later epoch shares a witness with every quorum of an earlier one (strict
 * majority), so an epoch whose quorum of honest attestations lands within `holdMs` always
 * finalizes before any later epoch; a damaged, missed or contested epoch delays its stream's later
 * epochs by at most `holdMs`. In signature mode the relayer applies the same policy.
 *
 * Exactly once. Before an attestation leaves the process it is written to the journal; a slot with
 * a journal record and an open slot where the ledger already counts this witness are never
 * attested again. A repair that arrives after the witness attested its slot is logged and not
 * attested: a second content in a slot would be an equivocation. After a restart the follower
 * resumes from its persisted cursor (kept before the first line not yet fully handled) and the
 * journal and the ledger say what was done: transactions journaled but not confirmed are sent
 * again with the same content.
 */
import path from "node:path";
import type { Hex, PublicClient } from "viem";

import type { WitnessEpoch } from "../archive/epochs";
import {
  resolveWitnessEpochs,
  archiveStreamLabel,
  type ArchiveEpochEvent,
} from "../archive/epochs";
import type { ArchiveRecord } from "../archive/reader";
import { checkArchiveLine } from "../archive/schema";
import { deriveObservationContent, type DerivedContent } from "../derive/observation";
import { readCursor, writeCursor, type FollowCursor } from "../follow/cursor";
import { followFile, type FollowedLine, type FollowEvent } from "../follow/follow-file";
import {
  attestedInSlot,
  createLedgerClient,
  type LedgerClient,
  type LedgerHead,
} from "../ledger/client";
import { isExpired, isInFuture, MAX_FUTURE_MS } from "../ledger/rules";
import { CostEstimationError } from "../opstack/l1-fee";
import type { ObservationContent } from "../types/abi";
import type { LedgerRef, RegistryRef } from "./contracts";
import { TransactionRevertedError } from "./send";
import { WitnessJournal, type JournalRecord } from "./witness-journal";

/** One attestation to send: the content with what the log and the journal name it by. */
export interface WitnessAttestation {
  content: ObservationContent;
  contentHash: Hex;
  slot: Hex;
  epochId: bigint;
}

/** Sends one attestation: a transaction (returns its hash) or a signature for a relayer. */
export interface WitnessAttestor {
  mode: "transaction" | "signature";
  attest(attestation: WitnessAttestation): Promise<Hex | undefined>;
}

export interface WitnessCounters {
  /** Epochs emitted by the archive resolver. */
  epochs: number;
  attested: number;
  /** Epochs whose slot this witness had already attested (journal or ledger). */
  alreadyAttested: number;
  /** Epochs whose slot was finalized, or at or behind the stream's head, before this witness got to them. */
  alreadyFinal: number;
  /** Epochs whose content differs from the one this witness attested in the slot (a late repair). */
  conflicting: number;
  /** Epochs observed more than `MAX_FUTURE_MS` after the chain's time. */
  inFuture: number;
  invalidLines: number;
  /** Transactions journaled but not confirmed, sent again after a restart. */
  resent: number;
}

/** Counters that have counted nothing yet. */
export function emptyWitnessCounters(): WitnessCounters {
  return {
    epochs: 0,
    attested: 0,
    alreadyAttested: 0,
    alreadyFinal: 0,
    conflicting: 0,
    inFuture: 0,
    invalidLines: 0,
    resent: 0,
  };
}

export interface WitnessPlannerParameters {
  client: PublicClient;
  ledger: LedgerRef;
  /** This witness's registry index (undefined when it was never a witness). */
  witnessIndex: bigint | undefined;
  journal: WitnessJournal;
  attestor: WitnessAttestor;
  log: (line: string) => void;
  /**
   * Transaction mode: how long a later epoch waits behind an earlier slot this witness attested
   * that is still open with active witnesses yet to attest (0: no wait; needs `registry`).
   */
  holdMs?: number;
  /** The witness registry (for the active set of the hold). */
  registry?: RegistryRef;
  /** The clock of `holdMs` (tests move it). */
  now?: () => number;
}

interface Queued {
  epoch: WitnessEpoch;
  content: DerivedContent;
  done: () => void;
}

function attestationOf(record: JournalRecord): WitnessAttestation {
  return {
    content: record.content,
    contentHash: record.contentHash,
    slot: record.slot,
    epochId: record.epochId,
  };
}

/** Decides, epoch by epoch, what to attest; see the file comment. */
export class WitnessPlanner {
  readonly counters: WitnessCounters = emptyWitnessCounters();
  private readonly queues = new Map<Hex, Queued[]>();
  /** When this process attested each slot it may still hold later epochs behind. */
  private readonly attestedAt = new Map<Hex, number>();
  private readonly now: () => number;
  private readonly chain: LedgerClient;

  constructor(private readonly p: WitnessPlannerParameters) {
    this.now = p.now ?? Date.now;
    this.chain = createLedgerClient({ ...p, publicClient: p.client });
    if ((p.holdMs ?? 0) > 0 && p.registry === undefined)
      throw new Error("WitnessPlanner: holdMs needs the registry");
  }

  get pending(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** Queues an epoch; `done` is called once it is attested or found to need nothing. */
  enqueue(epoch: WitnessEpoch, done: () => void = () => undefined): void {
    this.counters.epochs += 1;
    const content = deriveObservationContent(epoch.entry);
    const queue = this.queues.get(content.streamHash) ?? [];
    queue.push({ epoch, content, done });
    this.queues.set(content.streamHash, queue);
  }

  /** Sends again the journaled transactions that were never confirmed (a crash between the two). */
  async resumeUnconfirmed(): Promise<void> {
    for (const rec of this.p.journal.unconfirmed()) {
      const slot = await this.chain.slot(rec.slot);
      const counted =
        this.p.witnessIndex !== undefined && attestedInSlot(slot, this.p.witnessIndex);
      const head = await this.chain.head(rec.content.streamHash);
      if (slot.status === "finalized" || counted || isExpired(rec.content.observedUnixMs, head)) {
        await this.p.journal.recordConfirmation(rec.slot);
        continue;
      }
      this.p.log(
        `resending journaled attestation of ${rec.contentHash} (slot ${rec.slot}, epoch ${rec.epochId})`,
      );
      const tx = await this.send(attestationOf(rec));
      await this.p.journal.recordConfirmation(rec.slot, tx);
      this.counters.resent += 1;
    }
  }

  /**
   * Sends one journaled attestation. An attestation the ledger already holds or no longer needs
   * (an earlier send that landed, a slot finalized or expired meanwhile) is a success, not an error.
   */
  private async send(attestation: WitnessAttestation): Promise<Hex | undefined> {
    try {
      return await this.p.attestor.attest(attestation);
    } catch (error) {
      if (
        error instanceof CostEstimationError &&
        error.revertsWith("AlreadyAttested", "SlotAlreadyFinalized", "ObservationExpired")
      ) {
        this.p.log(
          `attestation of ${attestation.contentHash} is not needed any more (${error.shortMessage})`,
        );
        return undefined;
      }
      // Estimated before another witness's transaction landed: the ledger says whether it matters.
      if (error instanceof TransactionRevertedError && (await this.settledOnLedger(attestation))) {
        this.p.log(
          `attestation of ${attestation.contentHash} reverted because the ledger no longer needs it (slot finalized, expired or already counting this witness)`,
        );
        return undefined;
      }
      throw error;
    }
  }

  /** Whether the ledger needs nothing more from this witness for `attestation`. */
  private async settledOnLedger(attestation: WitnessAttestation): Promise<boolean> {
    const slot = await this.chain.slot(attestation.slot);
    if (slot.status === "finalized") return true;
    if (this.p.witnessIndex !== undefined && attestedInSlot(slot, this.p.witnessIndex)) return true;
    const head = await this.chain.head(attestation.content.streamHash);
    return isExpired(attestation.content.observedUnixMs, head);
  }

  /** Attests every queued epoch that is not held (see the file comment). */
  async step(): Promise<void> {
    if (this.pending === 0) return;
    const chainTimeMs = await this.chain.chainTimeMs();
    let active: bigint | undefined;
    for (const [streamHash, queue] of this.queues) {
      if (queue.length === 0) continue;
      const head = await this.chain.head(streamHash);
      while (queue.length > 0) {
        const item = queue[0]!;
        if ((this.p.holdMs ?? 0) > 0 && this.p.attestor.mode === "transaction") {
          active ??= await this.activeWitnesses();
          if (await this.held(item, head, active)) break;
        }
        queue.shift();
        await this.consider(item, head, chainTimeMs);
        item.done();
      }
    }
  }

  private async activeWitnesses(): Promise<bigint> {
    return this.chain.membership();
  }

  /** Whether `item` waits behind an earlier slot of its stream that this witness attested. */
  private async held(item: Queued, head: LedgerHead, active: bigint): Promise<boolean> {
    const now = this.now();
    for (const [slot, at] of this.attestedAt) {
      const record = this.p.journal.recordOf(slot);
      if (
        record === undefined ||
        record.content.streamHash !== item.content.streamHash ||
        record.content.observedUnixMs >= item.content.observedUnixMs
      )
        continue;
      // Settled slots (past the hold, expired, finalized, or attested by every active witness)
      // hold nothing any more.
      if (now - at >= this.p.holdMs! || isExpired(record.content.observedUnixMs, head)) {
        this.attestedAt.delete(slot);
        continue;
      }
      const state = await this.chain.slot(slot);
      if (state.status !== "open" || (active & ~state.attestedWitnesses) === 0n) {
        this.attestedAt.delete(slot);
        continue;
      }
      return true;
    }
    return false;
  }

  private async consider(item: Queued, head: LedgerHead, chainTimeMs: bigint): Promise<void> {
    const { content, epoch } = item;
    const label = `${archiveStreamLabel(epoch.entry.stream)} epoch ${content.epochId}`;
    const journaled = this.p.journal.recordOf(content.slot);
    if (journaled !== undefined) {
      if (journaled.contentHash === content.contentHash) {
        this.counters.alreadyAttested += 1;
        this.p.log(`${label}: already attested ${journaled.contentHash} (journal)`);
      } else {
        this.counters.conflicting += 1;
        this.p.log(
          `${label}: the archive's content ${content.contentHash} differs from ${journaled.contentHash}, which this witness attested in slot ${content.slot}; not attested (a second content in a slot is an equivocation)`,
        );
      }
      return;
    }
    if (isInFuture(content.observedUnixMs, chainTimeMs)) {
      this.counters.inFuture += 1;
      this.p.log(
        `${label}: epoch.startUnixMs ${content.observedUnixMs} is more than ${MAX_FUTURE_MS} ms after the chain's time ${chainTimeMs}; not attested (the broadcast clock is wrong)`,
      );
      return;
    }
    if (isExpired(content.observedUnixMs, head)) {
      this.counters.alreadyFinal += 1;
      this.p.log(
        `${label}: at or behind the stream's finalized head (sequence ${head.sequence}); it can never finalize, nothing to attest`,
      );
      return;
    }
    const slot = await this.chain.slot(content.slot);
    if (slot.status === "finalized") {
      this.counters.alreadyFinal += 1;
      this.p.log(`${label}: slot already finalized (content ${slot.contentHash})`);
      return;
    }
    if (this.p.witnessIndex !== undefined && attestedInSlot(slot, this.p.witnessIndex)) {
      this.counters.alreadyAttested += 1;
      this.p.log(`${label}: the ledger already counts this witness in slot ${content.slot}`);
      return;
    }
    const attestation: WitnessAttestation = {
      content: {
        streamHash: content.streamHash,
        epochHash: content.epochHash,
        dataRoot: content.dataRoot,
        locatorHash: content.locatorHash,
        observedUnixMs: content.observedUnixMs,
      },
      contentHash: content.contentHash,
      slot: content.slot,
      epochId: content.epochId,
    };
    await this.p.journal.recordAttestation({
      ...attestation,
      durationMs: epoch.entry.epoch.durationMs,
      mode: this.p.attestor.mode,
    });
    const tx = await this.send(attestation);
    await this.p.journal.recordConfirmation(content.slot, tx);
    if ((this.p.holdMs ?? 0) > 0) this.attestedAt.set(content.slot, this.now());
    this.counters.attested += 1;
    this.p.log(`${label}: attested ${content.contentHash}${tx === undefined ? "" : ` in ${tx}`}`);
  }
}

export interface RunWitnessParameters extends Omit<WitnessPlannerParameters, "journal"> {
  /** The archive file to follow. */
  archive: string;
  /** Folder for the cursor and the journal. */
  stateDir: string;
  /**
   * The journal, already open (`WitnessJournal.open(<stateDir>/journal.jsonl)`), when something else
   * reads it while the node runs (the report co-signer of `witness:run --exchange`); opened here
   * when undefined.
   */
  journal?: WitnessJournal;
  /** Epochs held per stream for repairs (see `resolveWitnessEpochs`). */
  window: number;
  /** Release held epochs after the archive has been idle this long (undefined: only the window releases). */
  idleFlushMs?: number;
  pollIntervalMs?: number;
  /** Return once the file is read to its end and nothing is left to attest. */
  stopAtEnd?: boolean;
  signal?: AbortSignal;
}

export interface RunWitnessReturnType {
  counters: WitnessCounters;
  /** The cursor persisted last. */
  cursor: FollowCursor | undefined;
}

function sleep(ms: number): Promise<"idle"> {
  return new Promise((resolve) => setTimeout(() => resolve("idle"), ms));
}

/** Follows the archive and attests until stopped (or, with `stopAtEnd`, until done). */
export async function runWitness(parameters: RunWitnessParameters): Promise<RunWitnessReturnType> {
  const { log, signal } = parameters;
  const journal =
    parameters.journal ??
    (await WitnessJournal.open(path.join(parameters.stateDir, "journal.jsonl")));
  const cursorFile = path.join(parameters.stateDir, "cursor.json");
  const resumeFrom = await readCursor(cursorFile);
  const planner = new WitnessPlanner({ ...parameters, journal });
  const pollIntervalMs = parameters.pollIntervalMs ?? 250;
  log(
    `witness: following ${parameters.archive} (${resumeFrom === undefined ? "from the start" : `resuming after line ${resumeFrom.lineNumber}`}; journal ${journal.size} attestations)`,
  );
  await planner.resumeUnconfirmed();

  let generation = 0;
  const onFollowEvent = (event: FollowEvent): void => {
    if (event.type === "rotated" || event.type === "truncated") {
      generation += 1;
      log(`witness: archive ${event.type}; reading the new content from its start`);
    }
  };
  const lines = followFile({
    path: parameters.archive,
    from: resumeFrom,
    pollIntervalMs,
    signal,
    stopAtEnd: parameters.stopAtEnd,
    onEvent: onFollowEvent,
  })[Symbol.asyncIterator]();

  // Lines read but not fully handled, by `file:line`, with the cursor just before each.
  let sequence = 0;
  const inflight = new Map<string, { seq: number; before: FollowCursor | undefined }>();
  let lastCursor: FollowCursor | undefined = resumeFrom;
  let persisted: FollowCursor | undefined = resumeFrom;
  const persist = async (): Promise<void> => {
    let target = lastCursor;
    let min = Number.POSITIVE_INFINITY;
    for (const value of inflight.values()) {
      if (value.seq < min) {
        min = value.seq;
        target = value.before;
      }
    }
    if (
      target === undefined ||
      (persisted !== undefined &&
        target.offset === persisted.offset &&
        target.ino === persisted.ino &&
        target.dev === persisted.dev)
    )
      return;
    await writeCursor(cursorFile, target);
    persisted = target;
  };
  const handled = (key: string): void => {
    inflight.delete(key);
  };
  const fileLabel = (): string =>
    generation === 0 ? parameters.archive : `${parameters.archive} (file ${generation + 1})`;
  const onResolverEvent = (event: ArchiveEpochEvent): void => {
    log(
      `witness: ${event.at.file}:${event.at.line}: ${event.kind} of ${event.stream} epoch ${event.epochId}${event.previous === undefined ? "" : ` (earlier line ${event.previous.line})`}`,
    );
    if (event.kind === "repair" && event.previous !== undefined)
      handled(`${event.previous.file}:${event.previous.line}`);
    else if (event.kind !== "repair") handled(`${event.at.file}:${event.at.line}`);
  };

  let pendingNext: Promise<IteratorResult<FollowedLine>> | undefined;
  let ended = false;
  const tickMs = Math.min(pollIntervalMs, parameters.idleFlushMs ?? pollIntervalMs);

  async function* input(): AsyncGenerator<ArchiveRecord> {
    let idleSince = Date.now();
    for (;;) {
      if (signal?.aborted) {
        ended = true;
        return;
      }
      pendingNext ??= lines.next();
      const result = await Promise.race([pendingNext, sleep(tickMs)]);
      if (result === "idle") {
        await planner.step();
        await persist();
        const flush =
          parameters.idleFlushMs !== undefined && Date.now() - idleSince >= parameters.idleFlushMs;
        if (flush && inflight.size > planner.pending) return; // release the epochs the resolver holds
        continue;
      }
      pendingNext = undefined;
      idleSince = Date.now();
      if (result.done) {
        ended = true;
        return;
      }
      const line = result.value;
      const before =
        lastCursor !== undefined &&
        lastCursor.ino === line.cursor.ino &&
        lastCursor.dev === line.cursor.dev &&
        lastCursor.offset <= line.cursor.offset
          ? lastCursor
          : undefined;
      lastCursor = line.cursor;
      if (line.text.trim() === "") continue;
      const checked = checkArchiveLine(line.text);
      const file = fileLabel();
      if (!checked.ok) {
        planner.counters.invalidLines += 1;
        log(
          `witness: ${file}:${line.lineNumber}: ${checked.field}: ${checked.problem} (line skipped)`,
        );
        continue;
      }
      const key = `${file}:${line.lineNumber}`;
      sequence += 1;
      inflight.set(key, {
        seq: sequence,
        before: before ?? { ...line.cursor, offset: 0, lineNumber: 0 },
      });
      yield { file, line: line.lineNumber, entry: checked.entry };
    }
  }

  while (!ended) {
    for await (const epoch of resolveWitnessEpochs(input(), {
      window: parameters.window,
      onEvent: onResolverEvent,
    })) {
      const key = `${epoch.file}:${epoch.line}`;
      planner.enqueue(epoch, () => handled(key));
      await planner.step();
      await persist();
    }
  }
  // Input ended (stop requested, or end of file with stopAtEnd): attest what is left.
  while (planner.pending > 0 && !signal?.aborted) {
    await planner.step();
    await persist();
    if (planner.pending > 0) await sleep(tickMs);
  }
  await persist();
  return { counters: planner.counters, cursor: persisted };
}
