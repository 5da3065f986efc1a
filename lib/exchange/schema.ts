/**
 * The relayer's HTTP exchange (`docs/exchange.md`): one zod schema per request and response format,
 * shared by the server (`server.ts`) and its clients (`client.ts`).
 *
 * - `POST /v1/signatures`: a witness signature file (`every.channel/witness-signature/v2`,
 *   `lib/operator/signature-files.ts`), exactly what `witness:run --sign-to` writes.
 * - `GET /v1/proposals`: the open report proposals (`proposalListSchema`).
 * - `POST /v1/proposals/<id>/cosignatures`: a witness's answer to one (`coSignatureRequestSchema`).
 * - `GET /v1/status`: counters (`exchangeStatusSchema`).
 * - Every refusal: `{ error, field }` (`errorBodySchema`), `field` the JSON path of the input at fault.
 *
 * A report travels in the JSON form of its contents (`docs/types.md`): `streamHash` and each entry's
 * hashes as lower-case hex without `0x`, `observedUnixMs` as a decimal string.
 */
import type { Hex } from "viem";
import { z } from "zod";

import { MAX_REPORT_ENTRIES, reportOf, type ObservationReport } from "../ledger/report";
import { EveryChannelError, InvalidFieldError } from "../errors";
import { addressJson, hex32Json, hexBytesJson } from "../validation/json-fields";
import { jsonSchemas, toJson } from "../validation/json-form";

export { signatureFileSchema as signatureRequestSchema } from "../operator/signature-files";

/** The schema tag of a co-signature request. */
export const COSIGNATURE_SCHEMA = "every.channel/report-cosignature/v1";
/** The schema tag of a proposal list. */
export const PROPOSALS_SCHEMA = "every.channel/report-proposals/v1";
/** The schema tag of the status answer. */
export const STATUS_SCHEMA = "every.channel/exchange-status/v1";

const decimal = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string")
  .transform((v) => BigInt(v));
const signatureHex = hexBytesJson(4096);

/** Entries of a report's JSON form: an `ObservationContent`'s JSON form without its stream. */
const reportEntryJson = z
  .object({
    epochHash: z.string(),
    dataRoot: z.string(),
    locatorHash: z.string(),
    observedUnixMs: z.union([z.string(), z.number()]),
  })
  .strict();

/** The JSON form of an `ObservationReport` (checked entry by entry, then by `reportOf`). */
export const reportJsonSchema = z
  .object({
    streamHash: z.string(),
    entries: z
      .array(reportEntryJson)
      .min(1, "a report needs at least one entry")
      .max(MAX_REPORT_ENTRIES, `a report carries at most ${MAX_REPORT_ENTRIES} entries`),
  })
  .strict()
  .transform((json, ctx): ObservationReport => {
    const contents = [];
    for (const [i, entry] of json.entries.entries()) {
      const parsed = jsonSchemas.ObservationContent.safeParse({
        streamHash: json.streamHash,
        ...entry,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = issue?.path[0];
        ctx.addIssue({
          code: "custom",
          path: key === "streamHash" ? ["streamHash"] : ["entries", i, ...(issue?.path ?? [])],
          message: issue?.message ?? "invalid",
        });
        return z.NEVER;
      }
      contents.push(parsed.data);
    }
    try {
      return reportOf(contents);
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      // reportOf names `contents[i].field`: the same place is `entries.i.field` here.
      const match = /^contents\[(\d+)\]\.(\w+)$/.exec(error.field);
      ctx.addIssue({
        code: "custom",
        path: match === null ? ["entries"] : ["entries", Number(match[1]), match[2]!],
        message: String(error.details.problem),
      });
      return z.NEVER;
    }
  });

/** The JSON form of `report`. */
export function reportJson(report: ObservationReport): z.input<typeof reportJsonSchema> {
  const strip = (hex: Hex): string => hex.slice(2).toLowerCase();
  return {
    streamHash: strip(report.streamHash),
    entries: report.entries.map((entry) => {
      const json = toJson("ObservationContent", { streamHash: report.streamHash, ...entry });
      return {
        epochHash: json.epochHash as string,
        dataRoot: json.dataRoot as string,
        locatorHash: json.locatorHash as string,
        observedUnixMs: json.observedUnixMs as string,
      };
    }),
  };
}

/** One open proposal, as `GET /v1/proposals` lists it. */
export const proposalSchema = z
  .object({
    /** The report's EIP-712 digest under the ledger's domain (`reportDigest`). */
    id: hex32Json,
    /** Its place in the exchange's order of proposals (`since` of the next poll). */
    seq: z.number().int().nonnegative(),
    chainId: decimal,
    ledger: addressJson,
    quorum: z.number().int().positive(),
    /** When the relayer stops waiting for co-signatures (Unix milliseconds). */
    deadlineUnixMs: z.number().int().nonnegative(),
    report: reportJsonSchema,
  })
  .strict();

export type Proposal = z.output<typeof proposalSchema>;

/** `GET /v1/proposals`'s answer. */
export const proposalListSchema = z
  .object({
    schema: z.literal(PROPOSALS_SCHEMA),
    /** The highest `seq` the exchange has assigned (the next poll's `since` when nothing is listed). */
    latest: z.number().int().nonnegative(),
    proposals: z.array(proposalSchema),
  })
  .strict();

export type ProposalList = z.output<typeof proposalListSchema>;

/** The query of `GET /v1/proposals`. */
export const proposalQuerySchema = z
  .object({
    /** List only proposals with a greater `seq` (default 0: all open ones). */
    since: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,15})$/, "must be a whole number")
      .transform(Number)
      .optional(),
    /** Wait up to this many milliseconds for a proposal when there is none (long poll; default 0). */
    wait: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,5})$/, "must be a whole number of milliseconds up to 999999")
      .transform(Number)
      .optional(),
    /** Leave out the proposals this witness has answered. */
    witness: addressJson.optional(),
  })
  .strict();

const coSignatureCommon = {
  schema: z.literal(COSIGNATURE_SCHEMA),
  chainId: decimal,
  ledger: addressJson,
  witness: addressJson,
};

/** `POST /v1/proposals/<id>/cosignatures`: a signature over the proposed report, or a refusal. */
export const coSignatureRequestSchema = z.discriminatedUnion("signed", [
  z.object({ ...coSignatureCommon, signed: z.literal(true), signature: signatureHex }).strict(),
  z
    .object({
      ...coSignatureCommon,
      signed: z.literal(false),
      reason: z.string().min(1).max(1000, "must be at most 1000 characters"),
      slot: hex32Json.optional(),
    })
    .strict(),
]);

export type CoSignatureRequest = z.output<typeof coSignatureRequestSchema>;

/** The answer to an accepted (`202`) or replayed (`208`) submission. */
export const acceptedSchema = z
  .object({
    status: z.enum(["accepted", "duplicate"]),
    /** What the exchange filed it under. */
    key: z.string(),
  })
  .strict();

export type AcceptedBody = z.output<typeof acceptedSchema>;

/** Every refusal's body: one line, and the JSON path of the field at fault (`$`: the whole body). */
export const errorBodySchema = z.object({ error: z.string(), field: z.string() }).strict();

export type ErrorBody = z.output<typeof errorBodySchema>;

/** `GET /v1/status`'s answer. */
export const exchangeStatusSchema = z
  .object({
    schema: z.literal(STATUS_SCHEMA),
    chainId: decimal,
    ledger: addressJson,
    /** Signatures accepted since the exchange started (journal replay included), and replays. */
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    refused: z.number().int().nonnegative(),
    /** Requests answered 429. */
    rateLimited: z.number().int().nonnegative(),
    openProposals: z.number().int().nonnegative(),
    coSignatures: z.number().int().nonnegative(),
    refusals: z.number().int().nonnegative(),
    /** Records in the journal. */
    journalRecords: z.number().int().nonnegative(),
    /** Signatures the relayer holds, not yet settled. */
    relayerPending: z.number().int().nonnegative().optional(),
  })
  .strict();

export type ExchangeStatus = z.output<typeof exchangeStatusSchema>;

/** The first problem of a failed zod parse, as a refusal naming the field. */
export function firstIssue(error: z.ZodError, json: unknown): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "$";
  let value: unknown = json;
  for (const key of issue?.path ?? [])
    value = (value as Record<string | number, unknown> | undefined)?.[key];
  return {
    field,
    message: new InvalidFieldError(field, value, issue?.message ?? "invalid").shortMessage,
  };
}

/** A request the exchange refused: the HTTP status and the field at fault. */
export class ExchangeRefusal extends EveryChannelError {
  override name = "ExchangeRefusal";

  constructor(
    readonly status: 400 | 404 | 409 | 410 | 413 | 415 | 422 | 429,
    readonly field: string,
    message: string,
  ) {
    super(message, { status, field });
  }

  /** A refusal naming `field` with `value` (`field: problem (got value)`). */
  static field(
    status: ExchangeRefusal["status"],
    field: string,
    value: unknown,
    problem: string,
  ): ExchangeRefusal {
    return new ExchangeRefusal(
      status,
      field,
      new InvalidFieldError(field, value, problem).shortMessage,
    );
  }
}
