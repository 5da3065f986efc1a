/**
 * FastLZ level-1 compression exactly as the OP Stack fee formula uses it (Fjord and later).
 *
 * OP Stack nodes price a transaction's L1 data by the size of its signed RLP bytes after FastLZ
 * compression. The reference implementations agree byte for byte: solady `LibZip.flzCompress`
 * (used by the `GasPriceOracle` predeploy), the op-geth `FlzCompressLen` port of solady's JS
 * (`core/types/rollup_cost.go`), and the upstream `fastlz_compress_level(1, ...)` at the commit the
 * Fjord spec pins. This module reproduces that algorithm: a 13-bit hash table of 3-byte sequences,
 * matches of 3+ bytes within 8 KiB, literal runs of at most 32 bytes. Only the compressed *size*
 * enters the fee; the compressed bytes are produced too so that tests can decompress them and
 * compare them with an on-chain port (`contracts/test/FastLzHarness.sol`).
 */
import { hexToBytes, isHex, type Hex } from "viem";

import { InvalidFieldError } from "../errors";

const HASH_LOG = 13;
const HASH_SIZE = 1 << HASH_LOG;
const MAX_DISTANCE = 0x1fff;
/** Largest match one 3-byte match token can carry before the encoder emits another token. */
const MAX_MATCH_CHUNK = 262;
const MAX_LITERAL_RUN = 32;

/** Bytes from a hex string or a byte array. */
export type BytesLike = Hex | Uint8Array;

function toBytes(field: string, value: BytesLike): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length % 2 !== 0)
    throw new InvalidFieldError(field, value, "expected 0x-prefixed hex with whole bytes");
  return hexToBytes(value);
}

/** Receives what the compressor decides, so that one scan serves both size and bytes. */
interface FastLzSink {
  literals(input: Uint8Array, start: number, count: number): void;
  match(length: number, distance: number): void;
}

/**
 * The compressor's scan, shared by `flzCompress` and `flzCompressLength`. `length` is the raw
 * comparison count of solady's `cmp` (bytes matched after the first three, plus the byte that
 * ended the match); the match then covers `length + 2` input bytes.
 */
function scan(input: Uint8Array, sink: FastLzSink): void {
  const n = input.length;
  const table = new Uint32Array(HASH_SIZE);
  const u24 = (i: number): number => input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16);
  const hash = (v: number): number => (Math.imul(2654435769, v) >>> 19) & (HASH_SIZE - 1);
  const ipLimit = n < 13 ? 0 : n - 13;
  let anchor = 0;
  let ip = 2;
  while (ip < ipLimit) {
    let ref = 0;
    let distance = 0;
    for (;;) {
      const seq = u24(ip);
      const h = hash(seq);
      ref = table[h]!;
      table[h] = ip;
      distance = ip - ref;
      if (ip >= ipLimit) break;
      ip++;
      if (distance <= MAX_DISTANCE && seq === u24(ref)) break;
    }
    if (ip >= ipLimit) break;
    ip--;
    if (ip > anchor) sink.literals(input, anchor, ip - anchor);
    // Compare past the three hashed bytes, up to 4 bytes before the end of the input.
    const end = ipLimit + 9 - (ip + 3);
    let length = 0;
    while (length < end) {
      const same = input[ref + 3 + length] === input[ip + 3 + length];
      length++;
      if (!same) break;
    }
    sink.match(length, distance);
    ip += length;
    table[hash(u24(ip))] = ip;
    ip++;
    table[hash(u24(ip))] = ip;
    ip++;
    anchor = ip;
  }
  sink.literals(input, anchor, n - anchor);
}

/** Size in bytes of the FastLZ (level 1) compression of `data`: the OP Stack `fastlzSize`. */
export function flzCompressLength(data: BytesLike): number {
  const input = toBytes("data", data);
  let size = 0;
  scan(input, {
    literals(_input, _start, count) {
      size += (MAX_LITERAL_RUN + 1) * Math.floor(count / MAX_LITERAL_RUN);
      const rest = count % MAX_LITERAL_RUN;
      if (rest !== 0) size += rest + 1;
    },
    match(length) {
      let remaining = length;
      while (remaining >= MAX_MATCH_CHUNK + 1) {
        size += 3;
        remaining -= MAX_MATCH_CHUNK;
      }
      size += remaining >= 7 ? 3 : 2;
    },
  });
  return size;
}

/** FastLZ (level 1) compression of `data`, byte for byte what solady `LibZip.flzCompress` returns. */
export function flzCompress(data: BytesLike): Uint8Array {
  const input = toBytes("data", data);
  const out: number[] = [];
  scan(input, {
    literals(source, start, count) {
      let at = start;
      let remaining = count;
      while (remaining > 0) {
        const run = Math.min(remaining, MAX_LITERAL_RUN);
        out.push(run - 1);
        for (let i = 0; i < run; i++) out.push(source[at + i]!);
        at += run;
        remaining -= run;
      }
    },
    match(length, distance) {
      const d = distance - 1;
      let remaining = length;
      while (remaining >= MAX_MATCH_CHUNK + 1) {
        out.push(224 + (d >> 8), 253, d & 0xff);
        remaining -= MAX_MATCH_CHUNK;
      }
      if (remaining >= 7) out.push(224 + (d >> 8), remaining - 7, d & 0xff);
      else out.push((remaining << 5) + (d >> 8), d & 0xff);
    },
  });
  return Uint8Array.from(out);
}

/**
 * Decompresses FastLZ level-1 data (the format `flzCompress` writes). Used to check that the
 * compressed stream is well formed; throws `InvalidFieldError` on a truncated or out-of-range token.
 */
export function flzDecompress(data: BytesLike): Uint8Array {
  const input = toBytes("data", data);
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    const token = input[i]!;
    const kind = token >> 5;
    if (kind === 0) {
      const run = token + 1;
      if (i + 1 + run > input.length)
        throw new InvalidFieldError(`data[${i}]`, token, "literal run passes the end of the input");
      for (let k = 0; k < run; k++) out.push(input[i + 1 + k]!);
      i += 1 + run;
      continue;
    }
    const long = kind === 7;
    const width = long ? 3 : 2;
    if (i + width > input.length)
      throw new InvalidFieldError(`data[${i}]`, token, "match token passes the end of the input");
    const length = long ? 9 + input[i + 1]! : 2 + kind;
    const distance = ((token & 0x1f) << 8) + input[i + width - 1]! + 1;
    const from = out.length - distance;
    if (from < 0)
      throw new InvalidFieldError(
        `data[${i}]`,
        token,
        `match reaches ${-from} bytes before output`,
      );
    for (let k = 0; k < length; k++) out.push(out[from + k]!);
    i += width;
  }
  return Uint8Array.from(out);
}
