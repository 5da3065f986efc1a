/**
 * The expectations file that accompanies a recorded archive fixture (`fixtures/archive/expected.json`,
 * schema `every.channel/fixtures/archive-expected/v1`): what a reader of the archives must conclude,
 * written by the fixture generator from its scenario table. See `fixtures/archive/README.md`.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

import { InvalidFieldError } from "../errors";
import { archiveStreamSchema, formatFieldPath } from "./schema";

export const ARCHIVE_EXPECTATIONS_SCHEMA_ID = "every.channel/fixtures/archive-expected/v1";

export const EPOCH_OUTCOMES = [
  "finalized-unanimous",
  "finalized-by-majority",
  "open-no-quorum",
  "gap-missed-by-majority",
] as const;
export type EpochOutcome = (typeof EPOCH_OUTCOMES)[number];

export const EPOCH_EVENT_KINDS = [
  "retry",
  "repair",
  "late-retry",
  "late-repair",
  "late-epoch",
] as const;

const position = z.object({ file: z.string(), line: z.number().int().positive() });
const epochNumber = z.number().int().nonnegative();

const expectedGroupSchema = z.object({
  witnesses: z.array(z.string()).min(1),
  /** Scenario label of what the group holds: `clean`, `corrupt(chunk 1, seed 1)`, ... */
  variant: z.string(),
  /** `epoch`: the broadcast's slot; `own`: a slot of its own (different epoch timing). */
  slot: z.enum(["epoch", "own"]),
  finalizes: z.boolean(),
  /** True when the content is far beyond the ledger's time tolerance: its holders refuse it. */
  inFuture: z.literal(true).optional(),
});

const expectedEpochSchema = z.object({
  offset: z.number().int().nonnegative(),
  epochId: epochNumber,
  startUnixMs: epochNumber,
  durationMs: z.number().int().positive(),
  case: z.string(),
  outcome: z.enum(EPOCH_OUTCOMES),
  /** It does not finalize but a later epoch of its stream does: its contents end expired. */
  expires: z.boolean(),
  /** The sequence the ledger assigns if the epoch finalizes. */
  sequence: z.number().int().nonnegative(),
  /** The epoch id of the finalized head the ledger chains it on; null before the first. */
  parentEpochId: epochNumber.nullable(),
  groups: z.array(expectedGroupSchema),
  absent: z.array(z.string()),
});

export const archiveExpectationsSchema = z.object({
  schema: z.literal(ARCHIVE_EXPECTATIONS_SCHEMA_ID),
  generator: z.string(),
  quorum: z.number().int().positive(),
  window: z.number().int().positive(),
  witnesses: z.array(
    z.object({
      witness: z.string(),
      files: z.array(z.string()).min(1),
      lines: z.number().int().nonnegative(),
      blankLines: z.number().int().nonnegative(),
      entries: z.number().int().nonnegative(),
    }),
  ),
  cases: z.array(
    z.object({
      name: z.string(),
      stream: z.string(),
      offsets: z.array(z.number().int().nonnegative()),
      epochIds: z.array(epochNumber),
      description: z.string(),
      conclusion: z.string(),
    }),
  ),
  events: z.array(
    z.object({
      witness: z.string(),
      kind: z.enum(EPOCH_EVENT_KINDS),
      stream: z.string(),
      epochId: epochNumber,
      at: position,
      previous: position.optional(),
    }),
  ),
  streams: z.array(
    z.object({
      name: z.string(),
      stream: archiveStreamSchema,
      durationMs: z.number().int().positive(),
      witnesses: z.array(z.string()),
      counts: z.record(z.string(), z.number().int().nonnegative()),
      finalHead: z.object({ epochId: epochNumber, sequence: z.number().int() }).nullable(),
      epochs: z.array(expectedEpochSchema),
    }),
  ),
});

export type ArchiveExpectations = z.output<typeof archiveExpectationsSchema>;
export type ExpectedStream = ArchiveExpectations["streams"][number];
export type ExpectedEpoch = z.output<typeof expectedEpochSchema>;
export type ExpectedGroup = z.output<typeof expectedGroupSchema>;

/** Reads and validates an expectations file. */
export async function readArchiveExpectations(file: string): Promise<ArchiveExpectations> {
  const text = await readFile(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidFieldError(file, text.slice(0, 80), `is not JSON (${String(error)})`);
  }
  const result = archiveExpectationsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let value: unknown = json;
    for (const key of issue.path)
      value =
        value !== null && typeof value === "object"
          ? (value as Record<string, unknown>)[key]
          : undefined;
    throw new InvalidFieldError(`${file}: ${formatFieldPath(issue.path)}`, value, issue.message);
  }
  return result.data;
}
