/**
 * The settlement indexer's HTTP API (`/v1/...`, `docs/indexer.md`): the query parameters every route
 * validates, the cursors of its pages, the answers' JSON shapes, and the ledger's rules the answers
 * apply to indexed rows (a candidate's status and whether it can still reach quorum, as the
 * ledger's `candidateStatus` view computes them). Shared by the API (`indexer/src/api/index.ts`)
 * and its client (`lib/indexer/client.ts`).
 */
import { z } from "zod";

import { InvalidFieldError } from "../errors";

/** API version prefix. */
export const API_PREFIX = "/v1";
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x-prefixed 32-byte hex")
  .transform((s) => s.toLowerCase() as `0x${string}`);
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address")
  .transform((s) => s.toLowerCase() as `0x${string}`);
const uint64 = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/, "expected a decimal integer")
  .transform((s) => BigInt(s))
  .refine((n) => n < 2n ** 64n, "must be below 2^64");

/** Path parameters. */
export const pathSchemas = { hex32, address, uint64 } as const;

/** `?limit=&cursor=`: page size 1-1000 (default 100) and the opaque cursor of the previous page. */
export const pageSchema = z.object({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, `expected an integer from 1 to ${MAX_PAGE}`)
    .transform(Number)
    .refine((n) => n <= MAX_PAGE, `must be at most ${MAX_PAGE}`)
    .optional(),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, "expected a cursor returned by a previous page")
    .optional(),
});

/** `unfinalized`: every slot not finalized (open, contested, expired), what `ledger:status` lists. */
export const SLOT_FILTERS = [
  "all",
  "open",
  "finalized",
  "expired",
  "contested",
  "unfinalized",
] as const;
export type SlotFilter = (typeof SLOT_FILTERS)[number];

export const querySchemas = {
  page: pageSchema,
  chain: pageSchema.extend({ order: z.enum(["asc", "desc"]).optional() }),
  slots: pageSchema.extend({ status: z.enum(SLOT_FILTERS).optional() }),
  equivocations: pageSchema.extend({ witness: address.optional(), slot: hex32.optional() }),
  manifests: pageSchema.extend({ epochId: uint64.optional() }),
} as const;

/** Validates `value` (query or path parameters) with `schema`; errors name `where.field`. */
export function parseParameters<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  where: "query" | "path",
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join(".");
  const got = (value as Record<string, unknown>)[String(issue.path[0])];
  throw new InvalidFieldError(`${where}.${field}`, got, issue.message);
}

/** A cursor: the sort key of the last row of a page, as base64url JSON strings. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string | undefined, size: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== size ||
    !key.every((part) => typeof part === "string" && /^(0x[0-9a-f]{1,64}|[0-9]{1,80})$/.test(part))
  )
    throw new InvalidFieldError("query.cursor", cursor, "not a cursor of this list");
  return key as string[];
}

// ---------------------------------------------------------------------------------------------
// The ledger's rules over indexed rows
// ---------------------------------------------------------------------------------------------

export const CANDIDATE_STATUSES = [
  "unknown",
  "open",
  "finalized",
  "superseded",
  "expired",
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

export function popCount(bits: bigint): number {
  let n = 0;
  for (let b = bits; b > 0n; b >>= 1n) if ((b & 1n) === 1n) n += 1;
  return n;
}

export interface CandidateRuleInput {
  contentHash: string;
  observedUnixMs: bigint;
  /** Registry-index bitmap of recorded attestations. */
  recorded: bigint;
}

export interface SlotRuleInput {
  status: "open" | "finalized";
  finalizedContentHash: string | null;
  /** Registry-index bitmap of witnesses that attested (or equivocated) while open. */
  attested: bigint;
}

/** The ledger's `candidateStatus(content)`: status, counted attestations and reachability. */
export function candidateStatus(
  candidate: CandidateRuleInput,
  slot: SlotRuleInput,
  head: { observedUnixMs: bigint } | null,
  membership: { active: bigint; quorum: number },
): { status: CandidateStatus; attestations: number; reachable: boolean } {
  const attestations = popCount(candidate.recorded & membership.active);
  if (slot.status === "finalized") {
    if (slot.finalizedContentHash === candidate.contentHash)
      return { status: "finalized", attestations: 0, reachable: false };
    return { status: "superseded", attestations, reachable: false };
  }
  if (head !== null && candidate.observedUnixMs <= head.observedUnixMs)
    return { status: "expired", attestations, reachable: false };
  const free = popCount(membership.active & ~slot.attested);
  return {
    status: candidate.recorded === 0n ? "unknown" : "open",
    attestations,
    reachable: attestations + free >= membership.quorum,
  };
}

/** A slot's outcome as `ledger:status` names it. */
export function slotOutcome(
  candidates: readonly { status: CandidateStatus; reachable: boolean }[],
  slotStatus: "open" | "finalized",
): "finalized" | "open" | "unreachable" | "expired" {
  if (slotStatus === "finalized") return "finalized";
  if (candidates.length > 0 && candidates.every((c) => c.status === "expired")) return "expired";
  return candidates.some((c) => c.reachable) ? "open" : "unreachable";
}

// ---------------------------------------------------------------------------------------------
// Answers (JSON: uint as decimal strings, hashes lower-case hex, addresses checksummed)
// ---------------------------------------------------------------------------------------------

const hexOut = z.string().regex(/^0x[0-9a-f]*$/);
const addressOut = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const uintOut = z.string().regex(/^[0-9]+$/);
const located = { blockNumber: uintOut, finalized: z.boolean() };

/** Where the answer stands: the chain's tip and `finalized` block, and the indexer's checkpoint. */
export const chainViewSchema = z.object({
  chainId: z.number(),
  latestBlock: uintOut,
  finalizedBlock: uintOut,
  indexedBlock: uintOut,
  indexedBlockTimestamp: uintOut,
});

export const statusSchema = z.object({
  network: z.string(),
  contracts: z.record(z.object({ address: addressOut, startBlock: uintOut })),
  streams: z.number(),
  slots: z.number(),
  finalizedObservations: z.number(),
  equivocations: z.number(),
});

export const headSchema = z.object({
  observationHash: hexOut,
  contentHash: hexOut,
  sequence: uintOut,
  observedUnixMs: uintOut,
  blockNumber: uintOut,
  blockTimestamp: uintOut,
  /** Seconds between the head's block and the indexed block. */
  ageSeconds: uintOut,
  finalized: z.boolean(),
});

export const streamSchema = z.object({
  streamHash: hexOut,
  head: headSchema.nullable(),
  finalizedCount: z.number(),
  slots: z.object({
    total: z.number(),
    finalized: z.number(),
    open: z.number(),
    contested: z.number(),
    expired: z.number(),
  }),
  /** Finalized slots over slots no longer open (finalized + expired); null before any. */
  finalizationRate: z.number().nullable(),
  firstBlock: uintOut,
});

export const observationSchema = z.object({
  observationHash: hexOut,
  streamHash: hexOut,
  sequence: uintOut,
  parentObservationHash: hexOut,
  contentHash: hexOut,
  slot: hexOut,
  epochHash: hexOut,
  dataRoot: hexOut,
  locatorHash: hexOut,
  observedUnixMs: uintOut,
  witnesses: z.array(addressOut),
  blockTimestamp: uintOut,
  transactionHash: hexOut,
  ...located,
});

export const candidateSchema = z.object({
  contentHash: hexOut,
  dataRoot: hexOut,
  locatorHash: hexOut,
  witnesses: z.array(addressOut),
  status: z.enum(CANDIDATE_STATUSES),
  attestations: z.number(),
  reachable: z.boolean(),
  firstBlock: uintOut,
});

export const slotSchema = z.object({
  slot: hexOut,
  streamHash: hexOut,
  epochHash: hexOut,
  observedUnixMs: uintOut,
  outcome: z.enum(["finalized", "open", "unreachable", "expired"]),
  contested: z.boolean(),
  finalizedContentHash: hexOut.nullable(),
  finalizedObservationHash: hexOut.nullable(),
  candidates: z.array(candidateSchema),
  quorum: z.number(),
  ...located,
});

export const equivocationSchema = z.object({
  id: z.string(),
  slot: hexOut,
  witness: addressOut,
  contentA: hexOut,
  contentB: hexOut,
  transactionHash: hexOut,
  ...located,
});

export const witnessParticipationSchema = z.object({
  address: addressOut,
  index: z.number(),
  active: z.boolean(),
  rotatedTo: addressOut.nullable(),
  /** Attestations recorded on contents still open (`ObservationAttested`). */
  attestationsRecorded: z.number(),
  /** Finalizations whose counted witnesses include this index. */
  finalizationsCounted: z.number(),
  /** Finalizations since the witness's index was added. */
  finalizationsSinceAdded: z.number(),
  /** `finalizationsCounted / finalizationsSinceAdded`; null before any. */
  participation: z.number().nullable(),
  equivocations: z.number(),
  addedBlock: uintOut,
});

export const registrySchema = z.object({
  owner: addressOut,
  pendingOwner: addressOut,
  quorum: z.number(),
  witnesses: z.array(addressOut),
  ...located,
});

export const registryEventSchema = z.object({
  id: z.string(),
  kind: z.string(),
  account: addressOut.nullable(),
  previousAccount: addressOut.nullable(),
  index: z.number().nullable(),
  previousQuorum: z.number().nullable(),
  quorum: z.number().nullable(),
  transactionHash: hexOut,
  ...located,
});

export const railStreamSchema = z.object({
  streamId: hexOut,
  key: z.unknown(),
  publisher: addressOut,
  pendingPublisher: addressOut,
  manifestCount: z.number(),
  announcementCount: z.number(),
  claimedBlock: uintOut,
  ...located,
});

export const manifestSchema = z.object({
  id: z.string(),
  streamId: hexOut,
  epochId: uintOut,
  publisher: addressOut,
  manifestBodyHash: hexOut,
  manifestEnvelopeHash: hexOut,
  dataRoot: hexOut,
  manifestId: hexOut,
  revision: uintOut,
  ...located,
});

export const announcementSchema = z.object({
  id: z.string(),
  streamId: hexOut,
  publisher: addressOut,
  announcementHash: hexOut,
  descriptorHash: hexOut,
  sequence: uintOut,
  ...located,
});

/** Every answer: where it stands, the data, and the cursor of the next page (lists only). */
export function answerSchema<T extends z.ZodTypeAny>(data: T) {
  return z.object({ chain: chainViewSchema, data, nextCursor: z.string().nullable().optional() });
}

export type ChainView = z.output<typeof chainViewSchema>;
export type StreamAnswer = z.output<typeof streamSchema>;
export type ObservationAnswer = z.output<typeof observationSchema>;
export type SlotAnswer = z.output<typeof slotSchema>;
export type CandidateAnswer = z.output<typeof candidateSchema>;
export type EquivocationAnswer = z.output<typeof equivocationSchema>;
export type WitnessParticipationAnswer = z.output<typeof witnessParticipationSchema>;
export type RegistryAnswer = z.output<typeof registrySchema>;
export type RegistryEventAnswer = z.output<typeof registryEventSchema>;
export type RailStreamAnswer = z.output<typeof railStreamSchema>;
export type ManifestAnswer = z.output<typeof manifestSchema>;
export type AnnouncementAnswer = z.output<typeof announcementSchema>;
