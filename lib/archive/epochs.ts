/**
 * Retries and repairs within one witness's archive. The same (stream, epoch id) may appear more
 * than once: a repeat with the same broadcast-derived content (`stream`, `epoch`, `chunks`, `psip`)
 * is a retry and is dropped, whatever its source-local fields; a repeat with different content is a
 * repair and supersedes the earlier line.
 *
 * Memory stays bounded with a per-stream window: at most `window` distinct epochs of a stream are
 * held back; when one more arrives, the lowest epoch id is emitted. So the output of each stream is
 * in strictly increasing epoch-id order, a repair is honoured while its epoch is still in the window,
 * and reordering of up to `window` epochs is undone. A line for an epoch id at or below the last one
 * emitted for its stream is late: it is reported and dropped (an emitted epoch may already have been
 * attested, and a witness never attests two observations in one slot).
 */
import { blake3 } from "@noble/hashes/blake3";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

import type { ArchiveRecord } from "./reader";
import type { ArchiveEntry, ArchiveStream } from "./schema";

/** Default number of pending epochs held per stream. */
export const DEFAULT_EPOCH_WINDOW = 32;

/** What happened to a repeated or late line. */
export type ArchiveEpochEventKind =
  /** Same content as the pending line of its epoch: dropped. */
  | "retry"
  /** Different content from the pending line of its epoch: supersedes it. */
  | "repair"
  /** Same content as an already emitted epoch: dropped. */
  | "late-retry"
  /** Different content from an already emitted epoch: dropped (the emitted line stands). */
  | "late-repair"
  /** An epoch id not above the last emitted one of its stream, not seen recently: dropped. */
  | "late-epoch";

export interface ArchiveEpochEvent {
  kind: ArchiveEpochEventKind;
  /** The stream, as {@link archiveStreamLabel}. */
  stream: string;
  epochId: bigint;
  /** The line that repeated, repaired or came late. */
  at: { file: string; line: number };
  /** The line it repeated or superseded, when still known. */
  previous?: { file: string; line: number };
}

/** One epoch of one stream as the witness finally holds it. */
export interface WitnessEpoch extends ArchiveRecord {
  /** The stream, as {@link archiveStreamLabel}. */
  stream: string;
  /** How many earlier lines of this epoch this one superseded (repairs). */
  repairs: number;
}

export interface ArchiveEpochReport {
  emitted: number;
  retries: number;
  repairs: number;
  lateRetries: number;
  lateRepairs: number;
  lateEpochs: number;
}

export interface ResolveEpochsOptions {
  /** Pending epochs held per stream (default {@link DEFAULT_EPOCH_WINDOW}), at least 1. */
  window?: number;
  /** Called for every retry, repair and late line. */
  onEvent?: (event: ArchiveEpochEvent) => void;
  /** Counters to update. */
  report?: ArchiveEpochReport;
}

export function createArchiveEpochReport(): ArchiveEpochReport {
  return { emitted: 0, retries: 0, repairs: 0, lateRetries: 0, lateRepairs: 0, lateEpochs: 0 };
}

/**
 * A canonical, human-readable identity of an archive stream: every StreamKey field, strings
 * JSON-quoted. Equal labels ⇔ equal stream keys.
 */
export function archiveStreamLabel(stream: ArchiveStream): string {
  const b = stream.broadcast;
  return [
    b.standard,
    b.region,
    b.rfChannel,
    b.transportStreamId,
    b.programNumber,
    `${b.majorChannel}.${b.minorChannel}`,
    JSON.stringify(b.callsign),
    JSON.stringify(stream.profile),
  ].join("/");
}

/**
 * The broadcast-derived content of an entry other than the stream key, as one string: equal
 * strings ⇔ equal content. {@link archiveContentDigest} hashes it.
 */
function archiveContentText(entry: ArchiveEntry): string {
  const content = [
    entry.epoch.id.toString(),
    entry.epoch.startUnixMs.toString(),
    entry.epoch.durationMs,
    entry.chunks.map((c) => [c.index, c.blake3, c.bytes]),
    entry.psip?.blake3 ?? null,
  ];
  return JSON.stringify(content);
}

/** BLAKE3 digest of the broadcast-derived content of an entry other than the stream key. */
export function archiveContentDigest(entry: ArchiveEntry): string {
  return bytesToHex(blake3(utf8ToBytes(archiveContentText(entry))));
}

/**
 * Retries and repairs are told apart by comparing content texts ({@link archiveContentText}, the
 * preimage of {@link archiveContentDigest}) instead of their digests: the same equality, without a
 * hash per line.
 */
interface Pending {
  record: ArchiveRecord;
  content: string;
  repairs: number;
}

interface StreamState {
  label: string;
  pending: Map<bigint, Pending>;
  lastEmitted: bigint | null;
  /** Content texts of the last `window` emitted epochs, oldest first. */
  recent: Map<bigint, { content: string; file: string; line: number }>;
}

/**
 * Resolves retries and repairs of one witness's records (in file order) into one line per
 * (stream, epoch), each stream in increasing epoch order. Streams interleave in the output.
 */
export async function* resolveWitnessEpochs(
  records: AsyncIterable<ArchiveRecord> | Iterable<ArchiveRecord>,
  options: ResolveEpochsOptions = {},
): AsyncGenerator<WitnessEpoch, ArchiveEpochReport, undefined> {
  const window = options.window ?? DEFAULT_EPOCH_WINDOW;
  if (!Number.isSafeInteger(window) || window < 1)
    throw new RangeError(`window must be a positive integer (got ${window})`);
  const report = options.report ?? createArchiveEpochReport();
  const streams = new Map<string, StreamState>();

  const emit = (state: StreamState, id: bigint): WitnessEpoch => {
    const pending = state.pending.get(id)!;
    state.pending.delete(id);
    state.lastEmitted = id;
    state.recent.set(id, {
      content: pending.content,
      file: pending.record.file,
      line: pending.record.line,
    });
    if (state.recent.size > window) state.recent.delete(state.recent.keys().next().value!);
    report.emitted++;
    return { ...pending.record, stream: state.label, repairs: pending.repairs };
  };
  const lowest = (state: StreamState): bigint => {
    let min: bigint | undefined;
    for (const id of state.pending.keys()) if (min === undefined || id < min) min = id;
    return min!;
  };
  const event = (e: ArchiveEpochEvent): void => options.onEvent?.(e);

  for await (const record of records) {
    const label = archiveStreamLabel(record.entry.stream);
    let state = streams.get(label);
    if (state === undefined) {
      state = { label, pending: new Map(), lastEmitted: null, recent: new Map() };
      streams.set(label, state);
    }
    const id = record.entry.epoch.id;
    const content = archiveContentText(record.entry);
    const at = { file: record.file, line: record.line };

    if (state.lastEmitted !== null && id <= state.lastEmitted) {
      const seen = state.recent.get(id);
      const previous = seen === undefined ? undefined : { file: seen.file, line: seen.line };
      if (seen === undefined) {
        report.lateEpochs++;
        event({ kind: "late-epoch", stream: label, epochId: id, at });
      } else if (seen.content === content) {
        report.lateRetries++;
        event({ kind: "late-retry", stream: label, epochId: id, at, previous: previous! });
      } else {
        report.lateRepairs++;
        event({ kind: "late-repair", stream: label, epochId: id, at, previous: previous! });
      }
      continue;
    }

    const pending = state.pending.get(id);
    if (pending !== undefined) {
      const previous = { file: pending.record.file, line: pending.record.line };
      if (pending.content === content) {
        report.retries++;
        event({ kind: "retry", stream: label, epochId: id, at, previous });
      } else {
        report.repairs++;
        event({ kind: "repair", stream: label, epochId: id, at, previous });
        state.pending.set(id, { record, content, repairs: pending.repairs + 1 });
      }
      continue;
    }

    state.pending.set(id, { record, content, repairs: 0 });
    if (state.pending.size > window) yield emit(state, lowest(state));
  }

  for (const state of streams.values()) {
    const ids = [...state.pending.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ids) yield emit(state, id);
  }
  return report;
}
