/**
 * zod schemas of the canonical types' TypeScript values (the viem/abitype shapes of
 * `lib/types/abi.ts`: `number` for uint8/16/32, `bigint` for uint64, `0x` hex for bytes), used by
 * every commitment function before it hashes, so that a bad value fails with an
 * {@link InvalidCanonicalValueError} naming the field and value instead of hashing garbage or
 * failing deep inside the ABI encoder.
 *
 * Two levels:
 * - `valueSchemas`: the ABI domain of each field plus the enums (broadcast standard, region letters,
 *   signature scheme and the key/signature lengths that go with it). Every value accepted here has
 *   a well-defined commitment, including empty arrays.
 * - `protocolSchemas`: additionally the protocol rules stated in `docs/types.md` (an epoch has a
 *   positive duration, a manifest at least one variant, a variant at least one chunk, chunk indices
 *   0..n-1 in order, chunk sizes > 0, an announcement expires after it is issued). Manifests are
 *   built and parsed under these.
 */
import { z } from "zod";
import type { Hex } from "viem";

import { BROADCAST_STANDARDS, SignatureScheme, type CanonicalTypeName } from "../types/abi";
import { parseCanonical } from "./errors";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const UINT64_MAX = 2n ** 64n - 1n;

/** A string that is well-formed Unicode (no lone surrogates), so that its UTF-8 bytes are defined. */
export const text = z.string().superRefine((s, ctx) => {
  if (LONE_SURROGATE.test(s))
    ctx.addIssue({ code: "custom", message: "not well-formed Unicode (lone surrogate)" });
});

/** `0x`-prefixed hex of exactly `size` bytes (any letter case). */
export function hexBytes(size: number) {
  return z
    .string()
    .superRefine((s, ctx) => {
      if (!/^0x[0-9a-fA-F]*$/.test(s))
        ctx.addIssue({ code: "custom", message: `expected 0x-prefixed hex of ${size} bytes` });
      else if (s.length !== 2 + 2 * size)
        ctx.addIssue({
          code: "custom",
          message: `expected ${size} bytes of hex, got ${(s.length - 2) / 2}`,
        });
    })
    .transform((s) => s as Hex);
}

/** `0x`-prefixed hex of any whole number of bytes. */
export const hexDynamic = z
  .string()
  .superRefine((s, ctx) => {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(s))
      ctx.addIssue({ code: "custom", message: "expected 0x-prefixed hex of whole bytes" });
  })
  .transform((s) => s as Hex);

/** A JavaScript number that is an integer in [0, 2^bits - 1] (bits ≤ 32). */
export function uintNumber(bits: 8 | 16 | 32) {
  const max = 2 ** bits - 1;
  return z.number().superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < 0 || n > max)
      ctx.addIssue({ code: "custom", message: `expected a uint${bits} (integer 0..${max})` });
  });
}

/** A bigint in [0, 2^64 - 1]. */
export const uint64 = z.bigint().superRefine((n, ctx) => {
  if (n < 0n || n > UINT64_MAX)
    ctx.addIssue({ code: "custom", message: `expected a uint64 (integer 0..${UINT64_MAX})` });
});

const standardCode = uintNumber(8).superRefine((n, ctx) => {
  if (Number.isInteger(n) && (n < 0 || n >= BROADCAST_STANDARDS.length))
    ctx.addIssue({
      code: "custom",
      message: `unknown broadcast standard code (known: 0..${BROADCAST_STANDARDS.length - 1} = ${BROADCAST_STANDARDS.join(", ")})`,
    });
});

const regionBytes = hexBytes(2).superRefine((s, ctx) => {
  if (/^0x[0-9a-fA-F]{4}$/.test(s)) {
    const a = parseInt(s.slice(2, 4), 16);
    const b = parseInt(s.slice(4, 6), 16);
    const upper = (c: number) => c >= 0x41 && c <= 0x5a;
    if (!upper(a) || !upper(b))
      ctx.addIssue({
        code: "custom",
        message: "expected an ISO 3166-1 alpha-2 code as two ASCII upper-case letters",
      });
  }
});

const SCHEME_CODES = Object.values(SignatureScheme) as number[];

const broadcastId = z.object({
  standard: standardCode,
  region: regionBytes,
  rfChannel: uintNumber(16),
  transportStreamId: uintNumber(16),
  programNumber: uintNumber(16),
  majorChannel: uintNumber(16),
  minorChannel: uintNumber(16),
  callsign: text,
});

const sourceId = z.object({ nodeId: hexBytes(32), device: text });

const streamKey = z.object({ broadcast: broadcastId, profile: text });

const streamDescriptor = z.object({
  stream: streamKey,
  source: sourceId,
  epochDurationMs: uintNumber(32),
  variants: z.array(text),
  describedUnixMs: uint64,
});

const streamControlAnnouncement = z.object({
  streamId: hexBytes(32),
  source: sourceId,
  descriptorHash: hexBytes(32),
  relayUrls: z.array(text),
  sequence: uint64,
  issuedUnixMs: uint64,
  expiresUnixMs: uint64,
});

const chunkId = z.object({ index: uintNumber(32), size: uintNumber(32), blake3: hexBytes(32) });

const manifestVariant = z.object({ name: text, chunks: z.array(chunkId) });

const manifestBody = z.object({
  streamId: hexBytes(32),
  epochId: uint64,
  epochStartUnixMs: uint64,
  epochDurationMs: uintNumber(32),
  variants: z.array(manifestVariant),
  psipBlake3: hexBytes(32),
  merkleRoot: hexBytes(32),
  publisher: sourceId,
  createdUnixMs: uint64,
});

const manifestSignature = z
  .object({ scheme: uintNumber(8), signer: hexDynamic, signature: hexDynamic })
  .superRefine((sig, ctx) => {
    const signerBytes = (sig.signer.length - 2) / 2;
    const signatureBytes = (sig.signature.length - 2) / 2;
    if (sig.scheme === SignatureScheme.Ed25519Blake3) {
      if (signerBytes !== 32)
        ctx.addIssue({
          code: "custom",
          path: ["signer"],
          message: `scheme 0 (Ed25519) expects a 32-byte public key, got ${signerBytes} bytes`,
        });
      if (signatureBytes !== 64)
        ctx.addIssue({
          code: "custom",
          path: ["signature"],
          message: `scheme 0 (Ed25519) expects a 64-byte signature, got ${signatureBytes} bytes`,
        });
    } else if (sig.scheme === SignatureScheme.Eip712Secp256k1) {
      if (signerBytes !== 20)
        ctx.addIssue({
          code: "custom",
          path: ["signer"],
          message: `scheme 1 (EIP-712) expects a 20-byte address, got ${signerBytes} bytes`,
        });
      if (signatureBytes === 0)
        ctx.addIssue({
          code: "custom",
          path: ["signature"],
          message: "scheme 1 (EIP-712) expects a non-empty signature",
        });
    } else {
      ctx.addIssue({
        code: "custom",
        path: ["scheme"],
        message: `unknown signature scheme code (known: ${SCHEME_CODES.join(", ")})`,
      });
    }
  });

const manifest = z.object({
  body: manifestBody,
  manifestId: hexBytes(32),
  signatures: z.array(manifestSignature),
});

const observationContent = z.object({
  streamHash: hexBytes(32),
  epochHash: hexBytes(32),
  dataRoot: hexBytes(32),
  locatorHash: hexBytes(32),
  observedUnixMs: uint64,
});

const observationHeader = z.object({
  streamHash: hexBytes(32),
  epochHash: hexBytes(32),
  parentObservationHash: hexBytes(32),
  dataRoot: hexBytes(32),
  locatorHash: hexBytes(32),
  observedUnixMs: uint64,
  sequence: uint64,
});

/** Structural schemas (ABI domain + enums) of every canonical type's TypeScript value. */
export const valueSchemas = {
  BroadcastId: broadcastId,
  SourceId: sourceId,
  StreamKey: streamKey,
  StreamDescriptor: streamDescriptor,
  StreamControlAnnouncement: streamControlAnnouncement,
  ChunkId: chunkId,
  ManifestVariant: manifestVariant,
  ManifestBody: manifestBody,
  ManifestSignature: manifestSignature,
  Manifest: manifest,
  ObservationContent: observationContent,
  ObservationHeader: observationHeader,
} as const satisfies Record<CanonicalTypeName, z.ZodTypeAny>;

function positiveDuration(field: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (value[field] === 0) ctx.addIssue({ code: "custom", path: [field], message: "must be > 0" });
  };
}

function checkVariants(variants: readonly z.infer<typeof manifestVariant>[], ctx: z.RefinementCtx) {
  if (variants.length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["variants"],
      message: "a manifest has at least one variant",
    });
  variants.forEach((variant, v) => {
    if (variant.chunks.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["variants", v, "chunks"],
        message: "a variant has at least one chunk",
      });
    variant.chunks.forEach((chunk, c) => {
      if (chunk.index !== c)
        ctx.addIssue({
          code: "custom",
          path: ["variants", v, "chunks", c, "index"],
          message: `chunk indices run 0..n-1 in order: expected ${c}`,
        });
      if (chunk.size === 0)
        ctx.addIssue({
          code: "custom",
          path: ["variants", v, "chunks", c, "size"],
          message: "must be > 0",
        });
    });
  });
}

const manifestBodyRules = manifestBody.superRefine((body, ctx) => {
  positiveDuration("epochDurationMs")(body, ctx);
  checkVariants(body.variants, ctx);
});

/** Structural schemas plus the protocol rules of `docs/types.md`. */
export const protocolSchemas = {
  ...valueSchemas,
  StreamDescriptor: streamDescriptor.superRefine(positiveDuration("epochDurationMs")),
  StreamControlAnnouncement: streamControlAnnouncement.superRefine((a, ctx) => {
    if (a.expiresUnixMs <= a.issuedUnixMs)
      ctx.addIssue({
        code: "custom",
        path: ["expiresUnixMs"],
        message: `must be later than issuedUnixMs (${a.issuedUnixMs})`,
      });
  }),
  ManifestBody: manifestBodyRules,
  Manifest: z.object({
    body: manifestBodyRules,
    manifestId: hexBytes(32),
    signatures: z.array(manifestSignature),
  }),
} as const satisfies Record<CanonicalTypeName, z.ZodTypeAny>;

/**
 * Throws an {@link InvalidCanonicalValueError} unless `value` is a structurally valid `typeName`
 * (ABI domain and enums). `root` names the value in error paths (e.g. `body`).
 */
export function assertCanonicalValue(
  typeName: CanonicalTypeName,
  value: unknown,
  root: string,
): void {
  parseCanonical(valueSchemas[typeName], value, typeName, root);
}

/** As {@link assertCanonicalValue}, and also the protocol rules of `docs/types.md`. */
export function assertProtocolValue(
  typeName: CanonicalTypeName,
  value: unknown,
  root: string,
): void {
  parseCanonical(protocolSchemas[typeName], value, typeName, root);
}
