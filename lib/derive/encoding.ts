/**
 * The fixed ABI layouts of the per-epoch derivation, encoded straight into bytes and hashed with
 * `@noble/hashes` (no hex round trips, no generic ABI encoder, no schema checks). Callers hand in
 * values already known to be in range (a validated archive entry, or values checked by
 * {@link isBytes32Hex} / {@link isUint64}); the results equal the viem/abi definitions in
 * `lib/commitments/*` and `./locator.ts`, which property tests pin (`test/derive/encoding.test.ts`).
 */
import { blake3 } from "@noble/hashes/blake3";
import { keccak_256 } from "@noble/hashes/sha3";
import type { Hex } from "viem";

const HEX_DIGITS = "0123456789abcdef";
/** Byte → two lower-case hex digits. */
const BYTE_HEX: string[] = Array.from(
  { length: 256 },
  (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!,
);
/** Character code → nibble value, 0xff for a non-hex character. */
const NIBBLE = new Uint8Array(128).fill(0xff);
for (let i = 0; i < 10; i++) NIBBLE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[0x61 + i] = 10 + i;
  NIBBLE[0x41 + i] = 10 + i;
}

const BYTES32_HEX = /^0x[0-9a-fA-F]{64}$/;
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;

/** Whether `value` is 32 bytes of `0x` hex (either letter case). */
export function isBytes32Hex(value: unknown): value is Hex {
  return typeof value === "string" && BYTES32_HEX.test(value);
}

/** Whether `value` is a bigint in 0..2^64 − 1. */
export function isUint64(value: unknown): value is bigint {
  return typeof value === "bigint" && value >= 0n && value <= UINT64_MAX;
}

/** `0x` + lower-case hex of `bytes`. */
export function bytesToHex32(bytes: Uint8Array): Hex {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += BYTE_HEX[bytes[i]!]!;
  return out as Hex;
}

/**
 * Writes the 32 bytes spelled by 64 hex digits of `hex` starting at character `from` into `target`
 * at `offset`. The digits must be valid hex (checked by the caller).
 */
export function writeHex32(target: Uint8Array, offset: number, hex: string, from: number): void {
  for (let i = 0; i < 32; i++) {
    const at = from + 2 * i;
    target[offset + i] = (NIBBLE[hex.charCodeAt(at)]! << 4) | NIBBLE[hex.charCodeAt(at + 1)]!;
  }
}

/** Writes an unsigned integer below 2^53 as a big-endian 32-byte word (the word must be zeroed). */
function writeUintNumber(target: Uint8Array, wordOffset: number, value: number): void {
  let v = value;
  for (let i = wordOffset + 31; v > 0; i--) {
    target[i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** Writes a uint64 bigint as a big-endian 32-byte word (the word must be zeroed). */
function writeUint64(target: Uint8Array, wordOffset: number, value: bigint): void {
  const high = Number(value >> 32n);
  const low = Number(value & 0xffff_ffffn);
  const end = wordOffset + 31;
  target[end] = low & 0xff;
  target[end - 1] = (low >>> 8) & 0xff;
  target[end - 2] = (low >>> 16) & 0xff;
  target[end - 3] = low >>> 24;
  target[end - 4] = high & 0xff;
  target[end - 5] = (high >>> 8) & 0xff;
  target[end - 6] = (high >>> 16) & 0xff;
  target[end - 7] = high >>> 24;
}

/** The 32 bytes of a `0x` + 64-hex-digit value. */
export function hex32ToBytes(hex: Hex): Uint8Array {
  const out = new Uint8Array(32);
  writeHex32(out, 0, hex, 2);
  return out;
}

/**
 * `epoch-abi-keccak256-v1` = keccak256(abi.encode(bytes32 streamHash, uint64 epochId,
 * uint64 startUnixMs, uint32 durationMs)).
 */
export function epochHashBytes(
  streamHash: Uint8Array,
  epochId: bigint,
  startUnixMs: bigint,
  durationMs: number,
): Uint8Array {
  const buf = new Uint8Array(128);
  buf.set(streamHash, 0);
  writeUint64(buf, 32, epochId);
  writeUint64(buf, 64, startUnixMs);
  writeUintNumber(buf, 96, durationMs);
  return keccak_256(buf);
}

/** `observation-slot-abi-keccak256-v1` = keccak256(abi.encode(bytes32 streamHash, bytes32 epochHash)). */
export function observationSlotBytes(streamHash: Uint8Array, epochHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(streamHash, 0);
  buf.set(epochHash, 32);
  return keccak_256(buf);
}

/**
 * The `manifest-data-merkle-keccak256-v1` root (RFC 6962 shape: leaf = keccak256(0x00 ‖ leaf),
 * node = keccak256(0x01 ‖ left ‖ right), split at the largest power of two below n) over the `n`
 * 32-byte leaves laid end to end in `leaves`; n ≥ 1.
 */
export function merkleRootBytes(leaves: Uint8Array, n: number): Uint8Array {
  const leafBuf = new Uint8Array(33);
  const hashes: Uint8Array[] = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    leafBuf.set(leaves.subarray(32 * i, 32 * i + 32), 1);
    hashes[i] = keccak_256(leafBuf);
  }
  const nodeBuf = new Uint8Array(65);
  nodeBuf[0] = 0x01;
  const root = (from: number, to: number): Uint8Array => {
    const size = to - from;
    if (size === 1) return hashes[from]!;
    let k = 1;
    while (k * 2 < size) k *= 2;
    const left = root(from, from + k);
    const right = root(from + k, to);
    nodeBuf.set(left, 1);
    nodeBuf.set(right, 33);
    return keccak_256(nodeBuf);
  };
  return root(0, n);
}

/** The iroh-blobs HashSeq hash: BLAKE3 of the 32-byte chunk hashes laid end to end. */
export function hashSeqBytes(leaves: Uint8Array): Uint8Array {
  return blake3(leaves);
}

/**
 * `locator-iroh-hashseq-keccak256-v1` = keccak256(abi.encode(bytes32 hashSeq, bool psipPresent,
 * bytes32 psipBlake3, uint32[] chunkBytes)). `psipBlake3` is null for the zero hash.
 */
export function locatorHashBytes(
  hashSeq: Uint8Array,
  psipPresent: boolean,
  psipBlake3: Uint8Array | null,
  chunkBytes: readonly number[],
): Uint8Array {
  const n = chunkBytes.length;
  const buf = new Uint8Array(160 + 32 * n);
  buf.set(hashSeq, 0);
  if (psipPresent) buf[63] = 1;
  if (psipBlake3 !== null) buf.set(psipBlake3, 64);
  buf[127] = 0x80; // offset of the array: four head words
  writeUintNumber(buf, 128, n);
  for (let i = 0; i < n; i++) writeUintNumber(buf, 160 + 32 * i, chunkBytes[i]!);
  return keccak_256(buf);
}

/**
 * `observation-abi-keccak256-v1` = keccak256(abi.encode(ObservationHeader)): five bytes32 words
 * (streamHash, epochHash, parentObservationHash, dataRoot, locatorHash) then two uint64 words
 * (observedUnixMs, sequence), each hash given as `0x` + 64 hex digits.
 */
/** `ContentHash`: keccak256 of the five-word abi encoding of an `ObservationContent`. */
export function contentHashBytes(
  streamHash: Uint8Array,
  epochHash: Uint8Array,
  dataRoot: Uint8Array,
  locatorHash: Uint8Array,
  observedUnixMs: bigint,
): Uint8Array {
  const buf = new Uint8Array(160);
  buf.set(streamHash, 0);
  buf.set(epochHash, 32);
  buf.set(dataRoot, 64);
  buf.set(locatorHash, 96);
  writeUint64(buf, 128, observedUnixMs);
  return keccak_256(buf);
}

export function observationHashBytes(
  streamHash: Hex,
  epochHash: Hex,
  parentObservationHash: Hex,
  dataRoot: Hex,
  locatorHash: Hex,
  observedUnixMs: bigint,
  sequence: bigint,
): Uint8Array {
  const buf = new Uint8Array(224);
  writeHex32(buf, 0, streamHash, 2);
  writeHex32(buf, 32, epochHash, 2);
  writeHex32(buf, 64, parentObservationHash, 2);
  writeHex32(buf, 96, dataRoot, 2);
  writeHex32(buf, 128, locatorHash, 2);
  writeUint64(buf, 160, observedUnixMs);
  writeUint64(buf, 192, sequence);
  return keccak_256(buf);
}

const utf8 = new TextEncoder();

/** Appends a `string` tail (length word, then the UTF-8 bytes padded to whole words). */
function stringTail(bytes: Uint8Array): number {
  return 32 + Math.ceil(bytes.length / 32) * 32;
}

/** The fields of a `StreamKey` as `abi.encode` sees them. */
export interface StreamKeyFields {
  standard: number;
  /** Two bytes. */
  region: Uint8Array;
  rfChannel: number;
  transportStreamId: number;
  programNumber: number;
  majorChannel: number;
  minorChannel: number;
  callsign: string;
  profile: string;
}

/**
 * abi.encode(StreamKey) (`stream-id-keccak256-v1` hashes it): the tuple is dynamic (it holds
 * strings), so the encoding is an offset word, then the StreamKey head (offset of the BroadcastId,
 * offset of the profile), the BroadcastId (seven static words, the callsign offset, the callsign)
 * and the profile. Strings must be well-formed Unicode.
 */
export function encodeStreamKeyFields(key: StreamKeyFields): Uint8Array {
  const callsign = utf8.encode(key.callsign);
  const profile = utf8.encode(key.profile);
  const broadcastLength = 256 + stringTail(callsign);
  const buf = new Uint8Array(32 + 64 + broadcastLength + stringTail(profile));
  writeUintNumber(buf, 0, 32);
  const tuple = 32;
  writeUintNumber(buf, tuple, 64);
  writeUintNumber(buf, tuple + 32, 64 + broadcastLength);
  const b = tuple + 64;
  writeUintNumber(buf, b, key.standard);
  buf[b + 32] = key.region[0]!;
  buf[b + 33] = key.region[1]!;
  writeUintNumber(buf, b + 64, key.rfChannel);
  writeUintNumber(buf, b + 96, key.transportStreamId);
  writeUintNumber(buf, b + 128, key.programNumber);
  writeUintNumber(buf, b + 160, key.majorChannel);
  writeUintNumber(buf, b + 192, key.minorChannel);
  writeUintNumber(buf, b + 224, 256);
  writeUintNumber(buf, b + 256, callsign.length);
  buf.set(callsign, b + 288);
  const p = b + broadcastLength;
  writeUintNumber(buf, p, profile.length);
  buf.set(profile, p + 32);
  return buf;
}
