/**
 * Streaming reader of archive files (`every.channel/archive/epoch/v1`). Memory stays bounded
 * whatever the file size: one line at a time (see `readFileLines`), plus at most `maxKeptErrors`
 * kept errors.
 */
import { ArchiveLineError } from "./errors";
import { readFileLines } from "./lines";
import { checkArchiveLine, type ArchiveEntry } from "./schema";

/** One valid archive line and where it came from (1-based line number). */
export interface ArchiveRecord {
  file: string;
  line: number;
  entry: ArchiveEntry;
}

/** Counters of one read (or of several reads sharing the object). */
export interface ArchiveReadReport {
  /** Files opened. */
  files: number;
  /** Lines seen, blank ones included. */
  lines: number;
  /** Lines holding only whitespace: ignored, never an error. */
  blankLines: number;
  /** Valid entries yielded. */
  entries: number;
  /** Invalid lines skipped (only with `skipInvalid`). */
  skipped: number;
  /** The first `maxKeptErrors` skipped lines' errors. */
  errors: ArchiveLineError[];
}

export interface ReadArchiveOptions {
  /** Report invalid lines (to `onInvalid` and `report`) and go on, instead of throwing at the first. */
  skipInvalid?: boolean;
  /** Called for every invalid line when `skipInvalid` is set. */
  onInvalid?: (error: ArchiveLineError) => void;
  /** Counters to update; pass the same object to several reads to add them up. */
  report?: ArchiveReadReport;
  /** Longest accepted line in bytes (default 1 MiB). */
  maxLineBytes?: number;
  /** How many skipped-line errors `report.errors` keeps (default 1000); the count is always exact. */
  maxKeptErrors?: number;
}

export function createArchiveReadReport(): ArchiveReadReport {
  return { files: 0, lines: 0, blankLines: 0, entries: 0, skipped: 0, errors: [] };
}

const BLANK = /^[ \t\r\n]*$/;

/**
 * Reads one archive file as an async iterator of its valid entries, in file order.
 *
 * An invalid line throws {@link ArchiveLineError} (`file:line: field: problem`) unless `skipInvalid`
 * is set. Blank (whitespace-only) lines are ignored but keep their line numbers.
 */
export async function* readArchive(
  file: string,
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveRecord, ArchiveReadReport, undefined> {
  const report = options.report ?? createArchiveReadReport();
  const maxKeptErrors = options.maxKeptErrors ?? 1000;
  report.files++;
  const lineOptions =
    options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes };
  for await (const raw of readFileLines(file, lineOptions)) {
    report.lines++;
    let error: ArchiveLineError;
    if (raw.text !== undefined) {
      if (BLANK.test(raw.text)) {
        report.blankLines++;
        continue;
      }
      const checked = checkArchiveLine(raw.text);
      if (checked.ok) {
        report.entries++;
        yield { file, line: raw.line, entry: checked.entry };
        continue;
      }
      error = new ArchiveLineError(file, raw.line, checked.field, checked.problem);
    } else {
      error = new ArchiveLineError(file, raw.line, "$", raw.problem);
    }
    if (!options.skipInvalid) throw error;
    report.skipped++;
    if (report.errors.length < maxKeptErrors) report.errors.push(error);
    options.onInvalid?.(error);
  }
  return report;
}

/** Reads several files as one archive, in the order given (a witness folder's rotated files). */
export async function* readArchiveFiles(
  files: readonly string[],
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveRecord, ArchiveReadReport, undefined> {
  const report = options.report ?? createArchiveReadReport();
  for (const file of files) yield* readArchive(file, { ...options, report });
  return report;
}
