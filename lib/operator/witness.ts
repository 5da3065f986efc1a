/**
 * What a witness node runs (`witness:run`): follow the capture node's archive file as it grows,
 * resolve retries and repairs (`resolveWitnessEpochs`), derive each epoch's observation and attest
 * it — by transaction, or by signing it for a relayer — exactly once per slot.
 *
 * Chaining. An epoch is derived on its stream's finalized head, or on this witness's own latest
 * attestation of the stream when that one can still finalize (speculation, so that consecutive
 * epochs need not wait for each other). An epoch whose predecessor is neither is held for
 * `gapWaitMs` (the predecessor may still finalize, or this witness may have missed it) and then
 * derived on the best parent known: the chain goes on across epochs nobody has.
 *
 * Exactly once. Before an attestation leaves the process it is written to the journal; a slot with
 * a journal record, a slot already finalized, and an open slot where the ledger already counts this
 * witness are never attested again. After a restart the follower resumes from its persisted cursor
 * (kept before the first line not yet fully handled) and the journal and the ledger say what was
 * done: transactions journaled but not confirmed are sent again with the same header.
 */
import path from "node:path";
import { zeroHash, type Hex, type PublicClient } from "viem";

import type { WitnessEpoch } from "../archive/epochs";
import {
  resolveWitnessEpochs,
  archiveStreamLabel,
  type ArchiveEpochEvent,
} from "../archive/epochs";
import type { ArchiveRecord } from "../archive/reader";
import { checkArchiveLine } from "../archive/schema";
import {
  chainObservation,
  deriveObservationContent,
  type DerivedObservation,
  type ObservationContent,
} from "../derive/observation";
import { readCursor, writeCursor, type FollowCursor } from "../follow/cursor";
import { followFile, type FollowedLine, type FollowEvent } from "../follow/follow-file";
import type { LedgerRef } from "./contracts";
import { attestedInSlot, readHead, readSlot, type LedgerHead } from "./ledger-view";
import { WitnessJournal, type JournalRecord } from "./witness-journal";

/** Sends one attestation: a transaction (returns its hash) or a signature for a relayer. */
export interface WitnessAttestor {
  mode: "transaction" | "signature";
  attest(observation: DerivedObservation): Promise<Hex | undefined>;
}

export interface WitnessCounters {
  /** Epochs emitted by the archive resolver. */
  epochs: number;
  attested: number;
  /** Epochs whose slot this witness had already attested (journal or ledger). */
  alreadyAttested: number;
  /** Epochs whose slot was finalized, or at or behind the stream's head, before this witness got to them. */
  alreadyFinal: number;
  invalidLines: number;
  /** Transactions journaled but not confirmed, sent again after a restart. */
  resent: number;
}

export interface WitnessPlannerParameters {
  client: PublicClient;
  ledger: LedgerRef;
  /** This witness's registry index (undefined when it was never a witness). */
  witnessIndex: bigint | undefined;
  journal: WitnessJournal;
  attestor: WitnessAttestor;
  gapWaitMs: number;
  log: (line: string) => void;
  now?: () => number;
}

interface Queued {
  epoch: WitnessEpoch;
  content: ObservationContent;
  queuedAt: number;
  done: () => void;
}

function record(
  observation: DerivedObservation,
  durationMs: number,
  mode: JournalRecord["mode"],
): JournalRecord {
  return {
    slot: observation.slot,
    hash: observation.hash,
    header: observation.header,
    epochId: observation.content.epochId,
    durationMs,
    mode,
  };
}

/** Decides, per stream and in epoch order, what to attest on which parent; see the file comment. */
export class WitnessPlanner {
  readonly counters: WitnessCounters = {
    epochs: 0,
    attested: 0,
    alreadyAttested: 0,
    alreadyFinal: 0,
    invalidLines: 0,
    resent: 0,
  };
  private readonly queues = new Map<Hex, Queued[]>();
  private readonly now: () => number;

  constructor(private readonly p: WitnessPlannerParameters) {
    this.now = p.now ?? Date.now;
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
    queue.push({ epoch, content, queuedAt: this.now(), done });
    this.queues.set(content.streamHash, queue);
  }

  /** Sends again the journaled transactions that were never confirmed (a crash between the two). */
  async resumeUnconfirmed(): Promise<void> {
    for (const rec of this.p.journal.unconfirmed()) {
      const slot = await readSlot(this.p.client, this.p.ledger, rec.slot);
      const counted =
        this.p.witnessIndex !== undefined && attestedInSlot(slot, this.p.witnessIndex);
      if (slot.status === "finalized" || counted || rec.mode === "signature") {
        await this.p.journal.recordConfirmation(rec.slot, rec.hash);
        continue;
      }
      const content = {
        streamHash: rec.header.streamHash,
        epochId: rec.epochId,
        slot: rec.slot,
      } as ObservationContent;
      const observation: DerivedObservation = {
        content,
        header: rec.header,
        hash: rec.hash,
        slot: rec.slot,
      };
      this.p.log(
        `resending journaled attestation of ${rec.hash} (slot ${rec.slot}, epoch ${rec.epochId})`,
      );
      const tx = await this.p.attestor.attest(observation);
      await this.p.journal.recordConfirmation(rec.slot, rec.hash, tx);
      this.counters.resent += 1;
    }
  }

  /** Attests every queued epoch that can be attested now. */
  async step(): Promise<void> {
    for (const [streamHash, queue] of this.queues) {
      if (queue.length === 0) continue;
      const head = await readHead(this.p.client, this.p.ledger, streamHash);
      while (queue.length > 0) {
        const item = queue[0]!;
        const outcome = await this.consider(item, head);
        if (outcome === "wait") break;
        queue.shift();
        item.done();
      }
    }
  }

  /** The latest own attestation of the stream that can still finalize, earlier than `before`. */
  private viableTip(streamHash: Hex, head: LedgerHead, before: bigint): JournalRecord | undefined {
    const records = this.p.journal
      .recordsOf(streamHash)
      .filter(
        (r) => r.header.observedUnixMs > head.observedUnixMs && r.header.observedUnixMs < before,
      );
    const viable = (r: JournalRecord, depth: number): boolean => {
      if (depth > records.length) return false;
      if (r.header.parentObservationHash === head.hash) return true;
      const parent = this.p.journal.recordByHash(r.header.parentObservationHash);
      return (
        parent !== undefined &&
        parent.header.observedUnixMs > head.observedUnixMs &&
        viable(parent, depth + 1)
      );
    };
    for (let i = records.length - 1; i >= 0; i -= 1) {
      const candidate = records[i]!;
      if (viable(candidate, 0)) return candidate;
    }
    return undefined;
  }

  private async consider(item: Queued, head: LedgerHead): Promise<"done" | "wait"> {
    const { content, epoch } = item;
    const label = `${archiveStreamLabel(epoch.entry.stream)} epoch ${content.epochId}`;
    if (head.hash !== zeroHash && content.observedUnixMs <= head.observedUnixMs) {
      this.counters.alreadyFinal += 1;
      this.p.log(
        `${label}: at or behind the stream's finalized head (sequence ${head.sequence}); nothing to attest`,
      );
      return "done";
    }
    const journaled = this.p.journal.recordOf(content.slot);
    if (journaled !== undefined) {
      this.counters.alreadyAttested += 1;
      this.p.log(`${label}: already attested ${journaled.hash} (journal)`);
      return "done";
    }
    const slot = await readSlot(this.p.client, this.p.ledger, content.slot);
    if (slot.status === "finalized") {
      this.counters.alreadyFinal += 1;
      this.p.log(`${label}: slot already finalized (${slot.observationHash})`);
      return "done";
    }
    if (this.p.witnessIndex !== undefined && attestedInSlot(slot, this.p.witnessIndex)) {
      this.counters.alreadyAttested += 1;
      this.p.log(`${label}: the ledger already counts this witness in slot ${content.slot}`);
      return "done";
    }
    const durationMs = BigInt(epoch.entry.epoch.durationMs);
    const tip = this.viableTip(content.streamHash, head, content.observedUnixMs);
    const headIsPredecessor =
      head.hash !== zeroHash && head.observedUnixMs + durationMs === content.observedUnixMs;
    const tipIsPredecessor =
      tip !== undefined && tip.header.observedUnixMs + durationMs === content.observedUnixMs;
    if (!headIsPredecessor && !tipIsPredecessor && this.now() - item.queuedAt < this.p.gapWaitMs)
      return "wait";
    const parent =
      tip !== undefined
        ? { hash: tip.hash, sequence: tip.header.sequence }
        : head.hash === zeroHash
          ? null
          : { hash: head.hash, sequence: head.sequence };
    const observation = chainObservation(content, parent);
    await this.p.journal.recordAttestation(
      record(observation, epoch.entry.epoch.durationMs, this.p.attestor.mode),
    );
    const tx = await this.p.attestor.attest(observation);
    await this.p.journal.recordConfirmation(observation.slot, observation.hash, tx);
    this.counters.attested += 1;
    this.p.log(
      `${label}: attested ${observation.hash} (sequence ${observation.header.sequence}, parent ${observation.header.parentObservationHash.slice(0, 10)}…)${tx === undefined ? "" : ` in ${tx}`}`,
    );
    return "done";
  }
}

export interface RunWitnessParameters extends Omit<WitnessPlannerParameters, "journal"> {
  /** The archive file to follow. */
  archive: string;
  /** Folder for the cursor and the journal. */
  stateDir: string;
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
  const journal = await WitnessJournal.open(path.join(parameters.stateDir, "journal.jsonl"));
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
