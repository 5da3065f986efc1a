/**
 * A witness's journal of its own attestations, one JSON line each, appended (and flushed) before
 * the attestation leaves the process, so that a restarted witness never attests a second content
 * in a slot: `attested` lines record the content (its canonical JSON form, `docs/types.md`),
 * `confirmed` lines that its transaction landed (or its signature file was written). Read back
 * with zod; a damaged last line (a crash mid-write) is ignored, any other bad line is an error
 * naming file and line. Format `every.channel/witness-journal/v2` (`docs/operators.md`).
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";
import { z } from "zod";

import { EveryChannelError } from "../errors";
import type { ObservationContent } from "../types/abi";
import { decimalJson } from "../validation/json-fields";
import { jsonSchemas, toJson } from "../validation/json-form";

export interface JournalRecord {
  slot: Hex;
  contentHash: Hex;
  content: ObservationContent;
  epochId: bigint;
  durationMs: number;
  /** How the attestation was made. */
  mode: "transaction" | "signature";
}

const hex32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "must be 0x and 64 lower-case hex digits") as z.ZodType<Hex>;

const attestedSchema = z
  .object({
    type: z.literal("attested"),
    slot: hex32,
    contentHash: hex32,
    epochId: decimalJson,
    durationMs: z.number().int().positive(),
    mode: z.enum(["transaction", "signature"]),
    content: jsonSchemas.ObservationContent,
  })
  .strict();

const confirmedSchema = z
  .object({ type: z.literal("confirmed"), slot: hex32, tx: z.string().optional() })
  .strict();
const lineSchema = z.discriminatedUnion("type", [attestedSchema, confirmedSchema]);

/** A journal line that cannot be read, or a second content for a slot. */
export class JournalError extends EveryChannelError {
  override name = "JournalError";
}

export class WitnessJournal {
  private readonly bySlot = new Map<Hex, JournalRecord>();
  private readonly confirmed = new Set<Hex>();

  private constructor(readonly file: string) {}

  /** Opens (creating the folder) and reads the journal at `file`. */
  static async open(file: string): Promise<WitnessJournal> {
    const journal = new WitnessJournal(file);
    await mkdir(path.dirname(file), { recursive: true });
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const lines = text.split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const last = index === lines.length - 1; // no newline after it: possibly cut by a crash
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        if (last) return;
        throw new JournalError(`${file}:${index + 1}: $: not JSON`, { file, line: index + 1 });
      }
      const parsed = lineSchema.safeParse(json);
      if (!parsed.success) {
        if (last) return;
        const issue = parsed.error.issues[0];
        throw new JournalError(
          `${file}:${index + 1}: ${issue?.path.join(".") || "$"}: ${issue?.message ?? "invalid"}`,
          { file, line: index + 1 },
        );
      }
      const value = parsed.data;
      if (value.type === "attested") {
        journal.bySlot.set(value.slot, {
          slot: value.slot,
          contentHash: value.contentHash,
          content: value.content,
          epochId: value.epochId,
          durationMs: value.durationMs,
          mode: value.mode,
        });
      } else {
        journal.confirmed.add(value.slot);
      }
    });
    return journal;
  }

  recordOf(slot: Hex): JournalRecord | undefined {
    return this.bySlot.get(slot);
  }

  isConfirmed(slot: Hex): boolean {
    return this.confirmed.has(slot);
  }

  /** Every record not yet confirmed. */
  unconfirmed(): JournalRecord[] {
    return [...this.bySlot.values()].filter((record) => !this.confirmed.has(record.slot));
  }

  get size(): number {
    return this.bySlot.size;
  }

  /**
   * Appends an attestation before it is sent. Refuses a second content in a slot: attesting it
   * would be an equivocation.
   */
  async recordAttestation(record: JournalRecord): Promise<void> {
    const existing = this.bySlot.get(record.slot);
    if (existing !== undefined && existing.contentHash !== record.contentHash) {
      throw new JournalError(
        `slot ${record.slot}: already attested ${existing.contentHash}; refusing a second content ${record.contentHash}`,
        { slot: record.slot },
      );
    }
    if (existing !== undefined) return;
    const line = {
      type: "attested",
      slot: record.slot,
      contentHash: record.contentHash,
      epochId: record.epochId.toString(),
      durationMs: record.durationMs,
      mode: record.mode,
      content: toJson("ObservationContent", record.content, "content"),
    };
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
    this.bySlot.set(record.slot, record);
  }

  async recordConfirmation(slot: Hex, tx?: Hex): Promise<void> {
    if (this.confirmed.has(slot)) return;
    await appendFile(
      this.file,
      `${JSON.stringify({ type: "confirmed", slot, ...(tx === undefined ? {} : { tx }) })}\n`,
    );
    this.confirmed.add(slot);
  }
}
