/**
 * The fast check of an archive line: the rules of `archiveEntrySchema` (`./schema.ts`) written out
 * by hand, for the common case of a valid line. It accepts exactly the values the schema accepts and
 * returns the same entry (same fields, same key order, uint64 as `bigint`, hex as `0x` + lower-case,
 * absent `psip` as null); for anything else it returns `undefined` and the caller asks the schema,
 * which names the first offending field. The equivalence is a property test
 * (`test/archive/validate.test.ts`) over random valid and invalid values.
 */
import type { Hex } from "viem";

import { BROADCAST_STANDARDS } from "../types/abi";
import type { ArchiveEntry } from "./schema";
import { HEX32, LONE_SURROGATE, REGION, UINT16_MAX, UINT32_MAX, UINT64_MAX } from "./bounds";

/** The only `schema` value this reader understands. */
export const ARCHIVE_SCHEMA_ID = "every.channel/archive/epoch/v1";
/** Longest string accepted for the free-text fields (callsign, profile, device, path), in UTF-16 units. */
export const MAX_TEXT_LENGTH = 1024;

type Fields = Record<string, unknown>;

/**
 * A plain object (prototype `Object.prototype` or null). Other objects (arrays, dates, maps, class
 * instances) are left to the schema, whose notion of "object" differs in such corners.
 */
function plain(value: unknown): value is Fields {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  // The schema takes an object with callable `then` and `catch` for a promise.
  return typeof (value as Fields).then !== "function";
}

/** An unsigned integer ≤ 2^32 − 1 as a number, or undefined. */
function uintNumber(value: unknown, min: number, max: number): number | undefined {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value + 0; // −0 → 0
    return undefined;
  }
  if (typeof value === "bigint" && value >= BigInt(min) && value <= BigInt(max))
    return Number(value);
  return undefined;
}

/** A uint64 as a bigint, or undefined. */
function uint64(value: unknown): bigint | undefined {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    return undefined;
  }
  if (typeof value === "bigint" && value >= 0n && value <= UINT64_MAX) return value;
  return undefined;
}

function text(value: unknown, nonEmpty: boolean): string | undefined {
  if (typeof value !== "string") return undefined;
  if (nonEmpty && value.length === 0) return undefined;
  if (value.length > MAX_TEXT_LENGTH) return undefined;
  if (LONE_SURROGATE.test(value)) return undefined;
  return value;
}

function hex32(value: unknown): Hex | undefined {
  if (typeof value !== "string" || value.length !== 64 || !HEX32.test(value)) return undefined;
  return `0x${value}`;
}

type Broadcast = ArchiveEntry["stream"]["broadcast"];

function broadcast(value: unknown): Broadcast | undefined {
  if (!plain(value)) return undefined;
  const standardIndex =
    typeof value.standard === "string" ? BROADCAST_STANDARDS.indexOf(value.standard as never) : -1;
  if (standardIndex < 0) return undefined;
  const region = value.region;
  if (typeof region !== "string" || !REGION.test(region)) return undefined;
  const rfChannel = uintNumber(value.rfChannel, 0, UINT16_MAX);
  const transportStreamId = uintNumber(value.transportStreamId, 0, UINT16_MAX);
  const programNumber = uintNumber(value.programNumber, 0, UINT16_MAX);
  const majorChannel = uintNumber(value.majorChannel, 0, UINT16_MAX);
  const minorChannel = uintNumber(value.minorChannel, 0, UINT16_MAX);
  const callsign = text(value.callsign, false);
  if (
    rfChannel === undefined ||
    transportStreamId === undefined ||
    programNumber === undefined ||
    majorChannel === undefined ||
    minorChannel === undefined ||
    callsign === undefined
  )
    return undefined;
  return {
    standard: BROADCAST_STANDARDS[standardIndex]!,
    region,
    rfChannel,
    transportStreamId,
    programNumber,
    majorChannel,
    minorChannel,
    callsign,
  };
}

function chunks(value: unknown): ArchiveEntry["chunks"] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: ArchiveEntry["chunks"] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const chunk: unknown = value[i];
    if (!plain(chunk)) return undefined;
    const index = uintNumber(chunk.index, 0, UINT32_MAX);
    const blake3 = hex32(chunk.blake3);
    const bytes = uintNumber(chunk.bytes, 1, UINT32_MAX);
    if (index !== i || blake3 === undefined || bytes === undefined) return undefined;
    out[i] = { index, blake3, bytes };
  }
  return out;
}

/**
 * The entry of a valid archive line value, or `undefined` when the value breaks any rule (then
 * `archiveEntrySchema` tells which).
 */
export function validateArchiveEntry(value: unknown): ArchiveEntry | undefined {
  if (!plain(value) || value.schema !== ARCHIVE_SCHEMA_ID) return undefined;

  const stream = value.stream;
  if (!plain(stream)) return undefined;
  const b = broadcast(stream.broadcast);
  const profile = text(stream.profile, true);
  if (b === undefined || profile === undefined) return undefined;

  const epoch = value.epoch;
  if (!plain(epoch)) return undefined;
  const id = uint64(epoch.id);
  const startUnixMs = uint64(epoch.startUnixMs);
  const durationMs = uintNumber(epoch.durationMs, 1, UINT32_MAX);
  if (id === undefined || startUnixMs === undefined || durationMs === undefined) return undefined;

  const checkedChunks = chunks(value.chunks);
  if (checkedChunks === undefined) return undefined;

  let psip: ArchiveEntry["psip"] = null;
  if (value.psip !== undefined && value.psip !== null) {
    if (!plain(value.psip)) return undefined;
    const blake3 = hex32(value.psip.blake3);
    if (blake3 === undefined) return undefined;
    psip = { blake3 };
  }

  const manifest = value.manifest;
  if (!plain(manifest)) return undefined;
  const manifestId = hex32(manifest.id);
  const path = text(manifest.path, true);
  if (manifestId === undefined || path === undefined) return undefined;

  const capture = value.capture;
  if (!plain(capture)) return undefined;
  const nodeId = hex32(capture.nodeId);
  const device = text(capture.device, true);
  const receivedUnixMs = uint64(capture.receivedUnixMs);
  if (nodeId === undefined || device === undefined || receivedUnixMs === undefined)
    return undefined;

  return {
    schema: ARCHIVE_SCHEMA_ID,
    stream: { broadcast: b, profile },
    epoch: { id, startUnixMs, durationMs },
    chunks: checkedChunks,
    psip,
    manifest: { id: manifestId, path },
    capture: { nodeId, device, receivedUnixMs },
  };
}
