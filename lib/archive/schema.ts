/**
 * The archive line format `every.channel/archive/epoch/v1` (see `docs/archive.md`): one JSON object
 * per captured (source, stream, epoch). The schema checks every field and turns the line into an
 * {@link ArchiveEntry}: hex as viem `Hex` (`0x` + lower-case), uint64 values as `bigint`.
 */
import type { Hex } from "viem";
import { z } from "zod";

import { describeValue } from "../errors";
import { BROADCAST_STANDARDS } from "../types/abi";
import { JsonSyntaxError, parseJsonExact, parseJsonFast } from "./json";
import { HEX32, LONE_SURROGATE, REGION, UINT16_MAX, UINT32_MAX, UINT64_MAX } from "./bounds";
import { ARCHIVE_SCHEMA_ID, MAX_TEXT_LENGTH, validateArchiveEntry } from "./validate";

export { ARCHIVE_SCHEMA_ID, MAX_TEXT_LENGTH };

function missing(ctx: z.RefinementCtx): typeof z.NEVER {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: "is required" });
  return z.NEVER;
}

function problem(ctx: z.RefinementCtx, message: string, value: unknown): typeof z.NEVER {
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: `${message} (got ${describeValue(value)})`,
  });
  return z.NEVER;
}

/** An unsigned integer of `bits` bits, at least `min`; uint64 values come out as `bigint`. */
function uintField(bits: 16 | 32, min?: number): z.ZodType<number, z.ZodTypeDef, unknown>;
function uintField(bits: 64, min?: number): z.ZodType<bigint, z.ZodTypeDef, unknown>;
function uintField(bits: 16 | 32 | 64, min = 0): z.ZodType<number | bigint, z.ZodTypeDef, unknown> {
  const max = bits === 16 ? BigInt(UINT16_MAX) : bits === 32 ? BigInt(UINT32_MAX) : UINT64_MAX;
  const range = `an integer in ${min}..${max}`;
  return z.unknown().transform((value, ctx) => {
    if (value === undefined) return missing(ctx);
    let exact: bigint;
    if (typeof value === "bigint") exact = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) exact = BigInt(value);
    else return problem(ctx, `must be ${range}`, value);
    if (exact < BigInt(min) || exact > max) return problem(ctx, `must be ${range}`, value);
    return bits === 64 ? exact : Number(exact);
  });
}

function textField(options: { nonEmpty: boolean }): z.ZodType<string, z.ZodTypeDef, unknown> {
  return z.unknown().transform((value, ctx) => {
    if (value === undefined) return missing(ctx);
    if (typeof value !== "string") return problem(ctx, "must be a string", value);
    if (options.nonEmpty && value.length === 0) return problem(ctx, "must not be empty", value);
    if (value.length > MAX_TEXT_LENGTH)
      return problem(ctx, `must be at most ${MAX_TEXT_LENGTH} characters`, value);
    // A lone surrogate (possible through a \u escape) has no UTF-8 encoding to commit to.
    if (LONE_SURROGATE.test(value))
      return problem(ctx, "must be well-formed Unicode (lone surrogate)", value);
    return value;
  });
}

const hex32Field: z.ZodType<Hex, z.ZodTypeDef, unknown> = z.unknown().transform((value, ctx) => {
  if (value === undefined) return missing(ctx);
  if (typeof value !== "string" || !HEX32.test(value))
    return problem(ctx, "must be 64 lower-case hex characters without 0x", value);
  return `0x${value}` as Hex;
});

const standardField = z.unknown().transform((value, ctx) => {
  if (value === undefined) return missing(ctx);
  const index = typeof value === "string" ? BROADCAST_STANDARDS.indexOf(value as never) : -1;
  if (index < 0) return problem(ctx, `must be one of ${BROADCAST_STANDARDS.join(", ")}`, value);
  return BROADCAST_STANDARDS[index]!;
});

const regionField = z.unknown().transform((value, ctx) => {
  if (value === undefined) return missing(ctx);
  if (typeof value !== "string" || !REGION.test(value))
    return problem(ctx, "must be an ISO 3166-1 alpha-2 code (two upper-case letters)", value);
  return value;
});

/** An object whose unknown keys are allowed and dropped. */
function objectField<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape);
}

export const archiveBroadcastSchema = objectField({
  standard: standardField,
  region: regionField,
  rfChannel: uintField(16),
  transportStreamId: uintField(16),
  programNumber: uintField(16),
  majorChannel: uintField(16),
  minorChannel: uintField(16),
  callsign: textField({ nonEmpty: false }),
});

export const archiveStreamSchema = objectField({
  broadcast: archiveBroadcastSchema,
  profile: textField({ nonEmpty: true }),
});

export const archiveEpochSchema = objectField({
  id: uintField(64),
  startUnixMs: uintField(64),
  durationMs: uintField(32, 1),
});

export const archiveChunkSchema = objectField({
  index: uintField(32),
  blake3: hex32Field,
  bytes: uintField(32, 1),
});

export const archivePsipSchema = objectField({ blake3: hex32Field });

export const archiveEntrySchema = objectField({
  schema: z.literal(ARCHIVE_SCHEMA_ID),
  stream: archiveStreamSchema,
  epoch: archiveEpochSchema,
  chunks: z.array(archiveChunkSchema).superRefine((chunks, ctx) => {
    if (chunks.length === 0)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must list at least one chunk" });
    chunks.forEach((chunk, i) => {
      if (chunk.index !== i)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i, "index"],
          message: `must be ${i}: chunk indices run 0..n-1 in order without holes (got ${chunk.index})`,
        });
    });
  }),
  // Absent and null mean the same: the standard carries no PSIP/SI for this epoch.
  psip: archivePsipSchema
    .nullable()
    .optional()
    .transform((psip) => psip ?? null),
  manifest: objectField({ id: hex32Field, path: textField({ nonEmpty: true }) }),
  capture: objectField({
    nodeId: hex32Field,
    device: textField({ nonEmpty: true }),
    receivedUnixMs: uintField(64),
  }),
});

/** One validated archive line. */
export type ArchiveEntry = z.output<typeof archiveEntrySchema>;
export type ArchiveStream = ArchiveEntry["stream"];
export type ArchiveBroadcast = ArchiveStream["broadcast"];
export type ArchiveEpoch = ArchiveEntry["epoch"];
export type ArchiveChunk = ArchiveEntry["chunks"][number];
export type ArchivePsip = NonNullable<ArchiveEntry["psip"]>;

/** The outcome of checking one line: the entry, or the first problem as `field: problem`. */
export type ArchiveLineCheck =
  | { ok: true; entry: ArchiveEntry }
  | { ok: false; field: string; problem: string };

/** Field path as used in messages: `chunks[3].blake3`; `$` is the line itself. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "$" : out;
}

const TYPE_NAMES: Record<string, string> = {
  object: "an object",
  array: "an array",
  string: "a string",
  number: "a number",
};

const errorMap: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code === z.ZodIssueCode.invalid_type) {
    if (issue.received === "undefined") return { message: "is required" };
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    return { message: `must be ${expected} (got ${describeValue(ctx.data)})` };
  }
  return { message: ctx.defaultError };
};

/**
 * Validates a parsed JSON value as an archive line with the schema alone (the slow path of
 * {@link checkArchiveValue}, which it must agree with; exported for the equivalence tests).
 */
export function checkArchiveValueWithSchema(value: unknown): ArchiveLineCheck {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return {
      ok: false,
      field: "$",
      problem: `must be a JSON object (got ${describeValue(value)})`,
    };
  // The schema id is checked first: a line of another schema is reported as such, not as a list
  // of fields that happen to differ.
  const schema = (value as Record<string, unknown>).schema;
  if (schema === undefined) return { ok: false, field: "schema", problem: "is required" };
  if (schema !== ARCHIVE_SCHEMA_ID)
    return {
      ok: false,
      field: "schema",
      problem: `unknown schema ${describeValue(schema)} (expected "${ARCHIVE_SCHEMA_ID}")`,
    };
  const result = archiveEntrySchema.safeParse(value, { errorMap });
  if (result.success) return { ok: true, entry: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, field: formatFieldPath(issue.path), problem: issue.message };
}

/**
 * Validates a parsed JSON value as an archive line. A valid value takes the hand-written check of
 * `./validate.ts`; anything it does not accept goes through the schema, which names the first
 * offending field (both accept exactly the same values).
 */
export function checkArchiveValue(value: unknown): ArchiveLineCheck {
  const entry = validateArchiveEntry(value);
  if (entry !== undefined) return { ok: true, entry };
  return checkArchiveValueWithSchema(value);
}

/** Parses and validates the text of one archive line (without its line ending). */
export function checkArchiveLine(text: string): ArchiveLineCheck {
  const parse = (parser: (text: string) => unknown): { value: unknown } | ArchiveLineCheck => {
    try {
      return { value: parser(text) };
    } catch (error) {
      if (error instanceof JsonSyntaxError)
        return { ok: false, field: "$", problem: `invalid JSON: ${error.message}` };
      throw error;
    }
  };
  const fast = parse(parseJsonFast);
  if (!("value" in fast)) return fast;
  const entry = validateArchiveEntry(fast.value);
  if (entry !== undefined) return { ok: true, entry };
  // The error path reads the line with the exact parser, as it always did, so that every message
  // (and every value it quotes) stays what it was.
  const exact = parse(parseJsonExact);
  return "value" in exact ? checkArchiveValueWithSchema(exact.value) : exact;
}
