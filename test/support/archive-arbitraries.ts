/**
 * fast-check arbitraries of archive content: the broadcast-derived part of lines (what the
 * derivation reads) and source-local noise (what it must ignore), plus a JSON writer that keeps
 * uint64 values exact and can shuffle keys and spacing.
 */
import fc from "fast-check";

import { BROADCAST_STANDARDS } from "../../lib/types/abi";

const UINT64_MAX = 2n ** 64n - 1n;

export const hex32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString("hex"));

/** Text as broadcast: empty, ASCII, any well-formed Unicode, and the longest accepted. */
export const callsignArb = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "grapheme", maxLength: 24 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1024, maxLength: 1024 }),
);
const nonEmptyText = fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 });
const uint16 = fc.integer({ min: 0, max: 0xffff });

export interface BroadcastPart {
  stream: {
    broadcast: {
      standard: string;
      region: string;
      rfChannel: number;
      transportStreamId: number;
      programNumber: number;
      majorChannel: number;
      minorChannel: number;
      callsign: string;
    };
    profile: string;
  };
  epoch: { id: bigint; startUnixMs: bigint; durationMs: number };
  chunks: { index: number; blake3: string; bytes: number }[];
  psip: { blake3: string } | null;
}

export const streamArb = fc.record({
  broadcast: fc.record({
    standard: fc.constantFrom(...BROADCAST_STANDARDS),
    region: fc.stringMatching(/^[A-Z]{2}$/),
    rfChannel: uint16,
    transportStreamId: uint16,
    programNumber: uint16,
    majorChannel: uint16,
    minorChannel: uint16,
    callsign: callsignArb,
  }),
  profile: nonEmptyText,
});

export const epochArb = fc.record({
  id: fc.bigInt({ min: 0n, max: UINT64_MAX }),
  startUnixMs: fc.bigInt({ min: 0n, max: UINT64_MAX }),
  durationMs: fc.integer({ min: 1, max: 0xffff_ffff }),
});

export const chunksArb = fc
  .array(fc.record({ blake3: hex32, bytes: fc.integer({ min: 1, max: 0xffff_ffff }) }), {
    minLength: 1,
    maxLength: 40,
  })
  .map((chunks) => chunks.map((c, index) => ({ index, ...c })));

export const psipArb = fc.option(
  hex32.map((blake3) => ({ blake3 })),
  { nil: null },
);

export const broadcastPartArb: fc.Arbitrary<BroadcastPart> = fc.record({
  stream: streamArb,
  epoch: epochArb,
  chunks: chunksArb,
  psip: psipArb,
});

/** Source-local fields and formatting a witness is free to choose. */
export interface LocalNoise {
  manifestId: string;
  path: string;
  nodeId: string;
  device: string;
  receivedUnixMs: bigint;
  psipNullWhenNone: boolean;
  extra: Record<string, unknown> | null;
  shuffleSeed: number;
  spaced: boolean;
}

export const localNoiseArb: fc.Arbitrary<LocalNoise> = fc.record({
  manifestId: hex32,
  path: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  nodeId: hex32,
  device: fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 }),
  receivedUnixMs: fc.bigInt({ min: 0n, max: UINT64_MAX }),
  psipNullWhenNone: fc.boolean(),
  extra: fc.option(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }).map((k) => `x-${k}`),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    {
      nil: null,
    },
  ),
  shuffleSeed: fc.integer(),
  spaced: fc.boolean(),
});

/** The full line object of `part` as written by a witness with `noise`. */
export function lineWithNoise(part: BroadcastPart, noise: LocalNoise): Record<string, unknown> {
  const line: Record<string, unknown> = {
    ...(noise.extra ?? {}),
    schema: "every.channel/archive/epoch/v1",
    stream: part.stream,
    epoch: part.epoch,
    chunks: part.chunks,
    manifest: { id: noise.manifestId, path: noise.path },
    capture: { nodeId: noise.nodeId, device: noise.device, receivedUnixMs: noise.receivedUnixMs },
  };
  if (part.psip !== null) line.psip = part.psip;
  else if (noise.psipNullWhenNone) line.psip = null;
  return line;
}

/** JSON text of `value` with bigints as exact integer literals, keys permuted by `seed`. */
export function toArchiveJson(
  value: unknown,
  options: { seed?: number; spaced?: boolean } = {},
): string {
  let state = (options.seed ?? 0) >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const sep = options.spaced ? ", " : ",";
  const colon = options.spaced ? " : " : ":";
  const render = (v: unknown): string => {
    if (typeof v === "bigint") return v.toString();
    if (Array.isArray(v)) return `[${v.map(render).join(sep)}]`;
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      if (options.seed !== undefined)
        for (let i = entries.length - 1; i > 0; i--) {
          const j = next() % (i + 1);
          [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        }
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}${colon}${render(x)}`).join(sep)}}`;
    }
    return JSON.stringify(v);
  };
  return render(value);
}
