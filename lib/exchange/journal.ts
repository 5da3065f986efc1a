/**
 * The exchange's journal: what the relayer accepted over the network, one JSON line per record
 * (`every.channel/exchange-journal/v1`, `docs/exchange.md`), appended and fsync'd before the
 * request is answered, replayed when the relayer starts. Appends that arrive together share one
 * write and one `fdatasync` (group commit), so the disk's sync rate does not bound the intake.
 *
 * Records: `signature` (a witness signature file's JSON, as accepted), `proposal` (a report put to
 * the witnesses), `cosignature` (a witness's answer to a proposal: a signature or a refusal) and
 * `closed` (the relayer stopped waiting for a proposal). A damaged last line (a crash mid-write) is
 * dropped; any other bad line is an error naming file and line. On open the journal is rewritten
 * without what is no longer needed (damaged tail; closed proposals and their answers) to a
 * temporary file, fsync'd and renamed over the old one.
 */
import { constants } from "node:fs";
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

import { EveryChannelError } from "../errors";

export const JOURNAL_SCHEMA = "every.channel/exchange-journal/v1";

const recordSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("signature"), body: z.unknown() }).strict(),
  z
    .object({
      kind: z.literal("proposal"),
      id: z.string(),
      seq: z.number().int().nonnegative(),
      quorum: z.number().int().positive(),
      deadlineUnixMs: z.number().int().nonnegative(),
      report: z.unknown(),
    })
    .strict(),
  z.object({ kind: z.literal("cosignature"), id: z.string(), body: z.unknown() }).strict(),
  z.object({ kind: z.literal("closed"), id: z.string() }).strict(),
]);

/** One journal line. Bodies are kept as received and checked again on replay. */
export type JournalRecord = z.output<typeof recordSchema>;

const headerSchema = z.object({ schema: z.literal(JOURNAL_SCHEMA) }).strict();

/** A journal line that cannot be read. */
export class ExchangeJournalError extends EveryChannelError {
  override name = "ExchangeJournalError";
}

interface QueuedAppend {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Parses the journal's text; a damaged last line is dropped (`damagedTail`). */
export function parseJournal(
  text: string,
  file: string,
): { records: JournalRecord[]; damagedTail: boolean } {
  const lines = text.split("\n");
  const records: JournalRecord[] = [];
  let damagedTail = false;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const last = index === lines.length - 1; // no newline after it: possibly cut by a crash
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      if (last) {
        damagedTail = true;
        continue;
      }
      throw new ExchangeJournalError(`${file}:${index + 1}: $: not JSON`, {
        file,
        line: index + 1,
      });
    }
    if (index === 0) {
      const header = headerSchema.safeParse(json);
      if (!header.success)
        throw new ExchangeJournalError(
          `${file}:1: schema: expected "${JOURNAL_SCHEMA}" (not an exchange journal)`,
          { file, line: 1 },
        );
      continue;
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      if (last) {
        damagedTail = true;
        continue;
      }
      const issue = parsed.error.issues[0];
      throw new ExchangeJournalError(
        `${file}:${index + 1}: ${issue?.path.join(".") || "$"}: ${issue?.message ?? "invalid"}`,
        { file, line: index + 1 },
      );
    }
    records.push(parsed.data);
  }
  return { records, damagedTail };
}

/**
 * The records worth keeping: everything but the proposals whose last word is `closed`, and what
 * answered them (a proposal put again after it closed keeps its whole history).
 */
export function liveRecords(records: readonly JournalRecord[]): JournalRecord[] {
  const lastWord = new Map<string, "proposal" | "closed">();
  for (const r of records)
    if (r.kind === "proposal" || r.kind === "closed") lastWord.set(r.id, r.kind);
  return records.filter((r) => r.kind === "signature" || lastWord.get(r.id) !== "closed");
}

function lineOf(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** Writes `lines` to `file` by a temporary file, fsync'd, renamed over it; the folder is fsync'd. */
async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  await syncFolder(path.dirname(file));
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The open journal: `append` resolves once the record is on disk. */
export class ExchangeJournal {
  private queue: QueuedAppend[] = [];
  private writing = false;
  private failed: unknown;
  private count: number;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    records: number,
  ) {
    this.count = records;
  }

  /**
   * Opens the journal at `file` (creating it and its folder), returning it with the records to
   * replay (`liveRecords` of what it held, in order). The file is rewritten with those records first.
   */
  static async open(file: string): Promise<{ journal: ExchangeJournal; records: JournalRecord[] }> {
    await mkdir(path.dirname(file), { recursive: true });
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const { records: all } = parseJournal(text, file);
    const records = liveRecords(all);
    await replaceFile(
      file,
      [lineOf({ schema: JOURNAL_SCHEMA }), ...records.map((r) => lineOf(r))].join(""),
    );
    const handle = await open(file, "a");
    return { journal: new ExchangeJournal(file, handle, records.length), records };
  }

  /** Records in the journal. */
  get size(): number {
    return this.count;
  }

  /** Appends `record`; resolves once it is written and fsync'd. */
  append(record: JournalRecord): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ line: lineOf(record), resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.handle.write(batch.map((q) => q.line).join(""));
        await this.handle.datasync();
        this.count += batch.length;
        for (const q of batch) q.resolve();
      } catch (error) {
        // A failed write may have left part of a line: nothing more is appended after it.
        this.failed = new ExchangeJournalError(
          `${this.file}: append failed (${error instanceof Error ? error.message : String(error)}); the exchange accepts nothing more`,
          { file: this.file },
          { cause: error },
        );
        for (const q of [...batch, ...this.queue]) q.reject(this.failed);
        this.queue = [];
      }
    }
    this.writing = false;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.handle.close();
  }
}
