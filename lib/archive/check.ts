/**
 * Reading a whole archive directory the way commands do: every witness archive, validated line by
 * line, retries and repairs resolved, with one summary per witness. Default: the first invalid line
 * throws its {@link ArchiveLineError}; with `skipInvalid` every invalid line is logged and skipped
 * and the number skipped is logged at the end.
 */
import {
  createArchiveEpochReport,
  resolveWitnessEpochs,
  type ArchiveEpochEvent,
  type ArchiveEpochReport,
  type WitnessEpoch,
} from "./epochs";
import type { ArchiveLineError } from "./errors";
import { listWitnessArchives, type WitnessArchive } from "./layout";
import { createArchiveReadReport, readArchiveFiles, type ArchiveReadReport } from "./reader";

export interface ReadWitnessEpochsOptions {
  skipInvalid?: boolean;
  onInvalid?: (error: ArchiveLineError) => void;
  onEvent?: (event: ArchiveEpochEvent) => void;
  window?: number;
  report?: ArchiveReadReport;
  epochReport?: ArchiveEpochReport;
}

/** One witness's epochs: its files read in order, validated, retries and repairs resolved. */
export function readWitnessEpochs(
  archive: WitnessArchive,
  options: ReadWitnessEpochsOptions = {},
): AsyncGenerator<WitnessEpoch, ArchiveEpochReport, undefined> {
  const records = readArchiveFiles(archive.files, {
    ...(options.skipInvalid === undefined ? {} : { skipInvalid: options.skipInvalid }),
    ...(options.onInvalid === undefined ? {} : { onInvalid: options.onInvalid }),
    ...(options.report === undefined ? {} : { report: options.report }),
  });
  return resolveWitnessEpochs(records, {
    ...(options.window === undefined ? {} : { window: options.window }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.epochReport === undefined ? {} : { report: options.epochReport }),
  });
}

export interface WitnessArchiveSummary {
  witness: string;
  files: string[];
  read: Omit<ArchiveReadReport, "errors">;
  epochs: ArchiveEpochReport;
  /** Distinct streams in the witness's archive. */
  streams: number;
}

export interface CheckArchiveDirectoryOptions {
  skipInvalid?: boolean;
  window?: number;
  /** Receives one line per skipped line, repair, late line and witness summary. */
  log?: (line: string) => void;
}

export interface ArchiveDirectorySummary {
  witnesses: WitnessArchiveSummary[];
  /** Invalid lines skipped over all witnesses (0 unless `skipInvalid`). */
  skipped: number;
}

/** Reads and checks every witness archive of `dir`; see the module comment. */
export async function checkArchiveDirectory(
  dir: string,
  options: CheckArchiveDirectoryOptions = {},
): Promise<ArchiveDirectorySummary> {
  const log = options.log ?? (() => undefined);
  const witnesses: WitnessArchiveSummary[] = [];
  for (const archive of await listWitnessArchives(dir)) {
    const report = createArchiveReadReport();
    const epochReport = createArchiveEpochReport();
    const streams = new Set<string>();
    const epochs = readWitnessEpochs(archive, {
      skipInvalid: options.skipInvalid ?? false,
      onInvalid: (error) => log(error.message),
      onEvent: (event) => {
        if (event.kind !== "retry" && event.kind !== "late-retry")
          log(
            `${event.at.file}:${event.at.line}: ${event.kind} of ${event.stream} epoch ${event.epochId}` +
              (event.previous === undefined
                ? ""
                : ` (earlier line ${event.previous.file}:${event.previous.line})`),
          );
      },
      report,
      epochReport,
      ...(options.window === undefined ? {} : { window: options.window }),
    });
    for await (const epoch of epochs) streams.add(epoch.stream);
    const { errors: _errors, ...read } = report;
    witnesses.push({
      witness: archive.witness,
      files: archive.files,
      read,
      epochs: epochReport,
      streams: streams.size,
    });
    log(
      `${archive.witness}: ${read.entries} entries in ${read.files} file(s), ${epochReport.emitted} epochs of ${streams.size} stream(s), ` +
        `${epochReport.retries + epochReport.lateRetries} retries, ${epochReport.repairs} repairs, ` +
        `${epochReport.lateRepairs + epochReport.lateEpochs} late lines dropped` +
        (read.skipped > 0 ? `, ${read.skipped} invalid lines skipped` : ""),
    );
  }
  const skipped = witnesses.reduce((n, w) => n + w.read.skipped, 0);
  if (options.skipInvalid) log(`${skipped} invalid line(s) skipped`);
  return { witnesses, skipped };
}
