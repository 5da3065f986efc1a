/**
 * The JSON form of every canonical type: how the types are written in files, on the wire of the
 * local rail and as the input of the RFC 8785 canonicalization behind `manifest_id`
 * (`lib/local/jcs.ts`). Specified in `docs/types.md`; in short:
 *
 * - field names and nesting are exactly those of the Solidity structs; no other field is allowed;
 * - `bytes32`/`bytes` are lower-case hex **without** `0x` (as in the archive format), `bytes` may be
 *   empty (`""`);
 * - `uint8`/`uint16`/`uint32` are JSON numbers;
 * - `uint64` is written as a decimal string without sign or leading zeros (`"0"`,
 *   `"18446744073709551615"`), because JSON numbers lose precision beyond 2^53; on input a
 *   non-negative safe-integer JSON number is accepted too;
 * - `BroadcastId.standard` is its name (`"atsc1"`, ...), `region` two upper-case letters (`"US"`),
 *   `ManifestSignature.scheme` its name (`"ed25519-blake3"`, `"eip712-secp256k1"`);
 * - strings are any well-formed Unicode.
 *
 * `fromJson` parses and checks a JSON value (structure, enums and the protocol rules), returning the
 * typed value; every failure is an {@link InvalidCanonicalValueError} naming the field path and the
 * value. `toJson` writes the canonical JSON form of a typed value.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { z } from "zod";

import {
  BROADCAST_STANDARDS,
  SignatureScheme,
  type BroadcastId,
  type CanonicalTypeName,
  type ChunkId,
  type Manifest,
  type ManifestBody,
  type ManifestSignature,
  type ManifestVariant,
  type ObservationContent,
  type ObservationHeader,
  type SourceId,
  type StreamControlAnnouncement,
  type StreamDescriptor,
  type StreamKey,
} from "../types/abi";
import { InvalidCanonicalValueError, parseCanonical } from "./errors";
import { assertCanonicalValue, protocolSchemas, text, UINT64_MAX } from "./values";

/** The TypeScript value of each canonical type. */
export interface CanonicalValues {
  BroadcastId: BroadcastId;
  SourceId: SourceId;
  StreamKey: StreamKey;
  StreamDescriptor: StreamDescriptor;
  StreamControlAnnouncement: StreamControlAnnouncement;
  ChunkId: ChunkId;
  ManifestVariant: ManifestVariant;
  ManifestBody: ManifestBody;
  ManifestSignature: ManifestSignature;
  Manifest: Manifest;
  ObservationContent: ObservationContent;
  ObservationHeader: ObservationHeader;
}

/** Names of the signature schemes in the JSON form, indexed by scheme code. */
export const SIGNATURE_SCHEME_NAMES = ["ed25519-blake3", "eip712-secp256k1"] as const;

function missing(v: unknown, ctx: z.RefinementCtx): boolean {
  if (v === undefined) {
    ctx.addIssue({ code: "custom", message: "missing field" });
    return true;
  }
  return false;
}

const hexJson = (size: number) =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      if (missing(v, ctx)) return;
      if (typeof v !== "string" || !/^[0-9a-f]*$/.test(v))
        ctx.addIssue({
          code: "custom",
          message: `expected ${size} bytes as lower-case hex without 0x`,
        });
      else if (v.length !== 2 * size)
        ctx.addIssue({
          code: "custom",
          message: `expected ${size} bytes (${2 * size} hex digits), got ${v.length} digits`,
        });
    })
    .transform((v) => `0x${v as string}` as Hex);

const bytesJson = z
  .unknown()
  .superRefine((v, ctx) => {
    if (missing(v, ctx)) return;
    if (typeof v !== "string" || !/^([0-9a-f]{2})*$/.test(v))
      ctx.addIssue({
        code: "custom",
        message: "expected whole bytes as lower-case hex without 0x",
      });
  })
  .transform((v) => `0x${v as string}` as Hex);

const uintJson = (bits: 8 | 16 | 32) =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      if (missing(v, ctx)) return;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 2 ** bits - 1)
        ctx.addIssue({
          code: "custom",
          message: `expected a uint${bits} as a JSON number (integer 0..${2 ** bits - 1})`,
        });
    })
    .transform((v) => v as number);

const uint64Json = z
  .unknown()
  .superRefine((v, ctx) => {
    if (missing(v, ctx)) return;
    const ok =
      (typeof v === "string" && /^(0|[1-9][0-9]*)$/.test(v) && BigInt(v) <= UINT64_MAX) ||
      (typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
    if (!ok)
      ctx.addIssue({
        code: "custom",
        message: `expected a uint64 as a decimal string without leading zeros (0..${UINT64_MAX}) or a safe-integer JSON number`,
      });
  })
  .transform((v) => BigInt(v as string | number));

const textJson = z
  .unknown()
  .superRefine((v, ctx) => {
    if (missing(v, ctx)) return;
    if (typeof v !== "string") ctx.addIssue({ code: "custom", message: "expected a string" });
    else if (!text.safeParse(v).success)
      ctx.addIssue({ code: "custom", message: "not well-formed Unicode (lone surrogate)" });
  })
  .transform((v) => v as string);

function enumJson<const T extends readonly string[]>(names: T, what: string) {
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (missing(v, ctx)) return;
      if (typeof v !== "string" || !names.includes(v))
        ctx.addIssue({
          code: "custom",
          message: `unknown ${what} (known: ${names.join(", ")})`,
        });
    })
    .transform((v) => names.indexOf(v as string));
}

const regionJson = z
  .unknown()
  .superRefine((v, ctx) => {
    if (missing(v, ctx)) return;
    if (typeof v !== "string" || !/^[A-Z]{2}$/.test(v))
      ctx.addIssue({
        code: "custom",
        message: "expected an ISO 3166-1 alpha-2 code (two upper-case ASCII letters)",
      });
  })
  .transform((v) => bytesToHex(new TextEncoder().encode(v as string)));

const listJson = <T extends z.ZodTypeAny>(item: T) =>
  z.array(item, { required_error: "missing field", invalid_type_error: "expected an array" });

const object = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object(shape, { required_error: "missing field", invalid_type_error: "expected an object" })
    .strict();

const broadcastIdJson = object({
  standard: enumJson(BROADCAST_STANDARDS, "broadcast standard"),
  region: regionJson,
  rfChannel: uintJson(16),
  transportStreamId: uintJson(16),
  programNumber: uintJson(16),
  majorChannel: uintJson(16),
  minorChannel: uintJson(16),
  callsign: textJson,
});
const sourceIdJson = object({ nodeId: hexJson(32), device: textJson });
const streamKeyJson = object({ broadcast: broadcastIdJson, profile: textJson });
const streamDescriptorJson = object({
  stream: streamKeyJson,
  source: sourceIdJson,
  epochDurationMs: uintJson(32),
  variants: listJson(textJson),
  describedUnixMs: uint64Json,
});
const streamControlAnnouncementJson = object({
  streamId: hexJson(32),
  source: sourceIdJson,
  descriptorHash: hexJson(32),
  relayUrls: listJson(textJson),
  sequence: uint64Json,
  issuedUnixMs: uint64Json,
  expiresUnixMs: uint64Json,
});
const chunkIdJson = object({ index: uintJson(32), size: uintJson(32), blake3: hexJson(32) });
const manifestVariantJson = object({ name: textJson, chunks: listJson(chunkIdJson) });
const manifestBodyJson = object({
  streamId: hexJson(32),
  epochId: uint64Json,
  epochStartUnixMs: uint64Json,
  epochDurationMs: uintJson(32),
  variants: listJson(manifestVariantJson),
  psipBlake3: hexJson(32),
  merkleRoot: hexJson(32),
  publisher: sourceIdJson,
  createdUnixMs: uint64Json,
});
const manifestSignatureJson = object({
  scheme: enumJson(SIGNATURE_SCHEME_NAMES, "signature scheme"),
  signer: bytesJson,
  signature: bytesJson,
});
const manifestJson = object({
  body: manifestBodyJson,
  manifestId: hexJson(32),
  signatures: listJson(manifestSignatureJson),
});
const observationContentJson = object({
  streamHash: hexJson(32),
  epochHash: hexJson(32),
  dataRoot: hexJson(32),
  locatorHash: hexJson(32),
  observedUnixMs: uint64Json,
});
const observationHeaderJson = object({
  streamHash: hexJson(32),
  epochHash: hexJson(32),
  parentObservationHash: hexJson(32),
  dataRoot: hexJson(32),
  locatorHash: hexJson(32),
  observedUnixMs: uint64Json,
  sequence: uint64Json,
});

/** zod schemas of the JSON forms; each parses into the typed value. */
export const jsonSchemas = {
  BroadcastId: broadcastIdJson,
  SourceId: sourceIdJson,
  StreamKey: streamKeyJson,
  StreamDescriptor: streamDescriptorJson,
  StreamControlAnnouncement: streamControlAnnouncementJson,
  ChunkId: chunkIdJson,
  ManifestVariant: manifestVariantJson,
  ManifestBody: manifestBodyJson,
  ManifestSignature: manifestSignatureJson,
  Manifest: manifestJson,
  ObservationContent: observationContentJson,
  ObservationHeader: observationHeaderJson,
} as const satisfies Record<CanonicalTypeName, z.ZodTypeAny>;

/** The JSON form of each canonical type (as accepted on input). */
export type CanonicalJson<N extends CanonicalTypeName> = z.input<(typeof jsonSchemas)[N]>;

/**
 * Parses the JSON form of `typeName` into its typed value, checking structure, enums and the
 * protocol rules of `docs/types.md`. `root` names the value in error paths (e.g. `body`).
 */
export function fromJson<N extends CanonicalTypeName>(
  typeName: N,
  json: unknown,
  root: string = typeName,
): CanonicalValues[N] {
  const value = parseCanonical(jsonSchemas[typeName], json, typeName, root) as CanonicalValues[N];
  parseCanonical(protocolSchemas[typeName], value, typeName, root, json);
  return value;
}

/** Parses JSON text holding the JSON form of `typeName`; `source` names the text in errors. */
export function fromJsonText<N extends CanonicalTypeName>(
  typeName: N,
  jsonText: string,
  source: string,
): CanonicalValues[N] {
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (error) {
    throw new InvalidCanonicalValueError(typeName, [
      { field: source, value: jsonText, problem: `not JSON (${(error as Error).message})` },
    ]);
  }
  return fromJson(typeName, json, source);
}

const hex = (value: Hex): string => value.slice(2).toLowerCase();
const region = (value: Hex): string => new TextDecoder().decode(hexToBytes(value));

function sourceToJson(s: SourceId) {
  return { nodeId: hex(s.nodeId), device: s.device };
}
function broadcastToJson(b: BroadcastId) {
  return {
    standard: BROADCAST_STANDARDS[b.standard] as string,
    region: region(b.region),
    rfChannel: b.rfChannel,
    transportStreamId: b.transportStreamId,
    programNumber: b.programNumber,
    majorChannel: b.majorChannel,
    minorChannel: b.minorChannel,
    callsign: b.callsign,
  };
}
function streamKeyToJson(k: StreamKey) {
  return { broadcast: broadcastToJson(k.broadcast), profile: k.profile };
}
function chunkToJson(c: ChunkId) {
  return { index: c.index, size: c.size, blake3: hex(c.blake3) };
}
function variantToJson(v: ManifestVariant) {
  return { name: v.name, chunks: v.chunks.map(chunkToJson) };
}
function bodyToJson(b: ManifestBody) {
  return {
    streamId: hex(b.streamId),
    epochId: b.epochId.toString(),
    epochStartUnixMs: b.epochStartUnixMs.toString(),
    epochDurationMs: b.epochDurationMs,
    variants: b.variants.map(variantToJson),
    psipBlake3: hex(b.psipBlake3),
    merkleRoot: hex(b.merkleRoot),
    publisher: sourceToJson(b.publisher),
    createdUnixMs: b.createdUnixMs.toString(),
  };
}
function signatureToJson(s: ManifestSignature) {
  return {
    scheme: SIGNATURE_SCHEME_NAMES[s.scheme as SignatureScheme] as string,
    signer: hex(s.signer),
    signature: hex(s.signature),
  };
}

const writers: { [N in CanonicalTypeName]: (value: CanonicalValues[N]) => unknown } = {
  BroadcastId: broadcastToJson,
  SourceId: sourceToJson,
  StreamKey: streamKeyToJson,
  StreamDescriptor: (d) => ({
    stream: streamKeyToJson(d.stream),
    source: sourceToJson(d.source),
    epochDurationMs: d.epochDurationMs,
    variants: [...d.variants],
    describedUnixMs: d.describedUnixMs.toString(),
  }),
  StreamControlAnnouncement: (a) => ({
    streamId: hex(a.streamId),
    source: sourceToJson(a.source),
    descriptorHash: hex(a.descriptorHash),
    relayUrls: [...a.relayUrls],
    sequence: a.sequence.toString(),
    issuedUnixMs: a.issuedUnixMs.toString(),
    expiresUnixMs: a.expiresUnixMs.toString(),
  }),
  ChunkId: chunkToJson,
  ManifestVariant: variantToJson,
  ManifestBody: bodyToJson,
  ManifestSignature: signatureToJson,
  Manifest: (m) => ({
    body: bodyToJson(m.body),
    manifestId: hex(m.manifestId),
    signatures: m.signatures.map(signatureToJson),
  }),
  ObservationContent: (c) => ({
    streamHash: hex(c.streamHash),
    epochHash: hex(c.epochHash),
    dataRoot: hex(c.dataRoot),
    locatorHash: hex(c.locatorHash),
    observedUnixMs: c.observedUnixMs.toString(),
  }),
  ObservationHeader: (h) => ({
    streamHash: hex(h.streamHash),
    epochHash: hex(h.epochHash),
    parentObservationHash: hex(h.parentObservationHash),
    dataRoot: hex(h.dataRoot),
    locatorHash: hex(h.locatorHash),
    observedUnixMs: h.observedUnixMs.toString(),
    sequence: h.sequence.toString(),
  }),
};

/**
 * The canonical JSON form of a typed value (hex without `0x`, lower case; uint64 as decimal
 * strings; enums by name). Checks the value's structure first (`root` names it in errors).
 */
export function toJson<N extends CanonicalTypeName>(
  typeName: N,
  value: CanonicalValues[N],
  root: string = typeName,
): CanonicalJson<N> {
  assertCanonicalValue(typeName, value, root);
  return writers[typeName](value) as CanonicalJson<N>;
}
