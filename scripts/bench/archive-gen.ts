/**
 * Synthetic archive files in the `every.channel/archive/epoch/v1` shape, for the off-chain bench:
 * 24 stations, consecutive 6 s epochs, 6 chunks per epoch (≈ 10.5 Mbit/s in 1,316,000-byte chunks),
 * PSIP present, chunk hashes from a fixed pseudo-random sequence so that every run writes the same
 * bytes. Written in large blocks so that generating a million lines takes seconds.
 */
import { closeSync, openSync, statSync, writeSync } from "node:fs";

const STATIONS = 24;
const CHUNKS_PER_EPOCH = 6;
const FIRST_EPOCH = 289_000_000;
const EPOCH_MS = 6000;

/** xorshift32: a fixed, fast sequence of 32-bit words. */
export function words(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** 32 bytes as 64 lower-case hex digits (no `0x`), from the next eight words of `next`. */
export function hex32(next: () => number): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += next().toString(16).padStart(8, "0");
  return out;
}

function station(i: number): string {
  const rf = 7 + (i % 30);
  return JSON.stringify({
    broadcast: {
      standard: i % 3 === 0 ? "atsc3" : "atsc1",
      region: "US",
      rfChannel: rf,
      transportStreamId: 2000 + i,
      programNumber: 1 + (i % 4),
      majorChannel: rf,
      minorChannel: 1 + (i % 4),
      callsign: `K${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))}-HD`,
    },
    profile: "ts-original",
  });
}

/** Writes `lines` archive lines to `file`; returns the file size in bytes. */
export function writeSyntheticArchive(file: string, lines: number, seed = 1): number {
  const next = words(seed);
  const streams = Array.from({ length: STATIONS }, (_, i) => station(i));
  const fd = openSync(file, "w");
  try {
    let block: string[] = [];
    for (let n = 0; n < lines; n++) {
      const s = n % STATIONS;
      const epochId = FIRST_EPOCH + Math.floor(n / STATIONS);
      const start = epochId * EPOCH_MS;
      let chunks = "";
      for (let c = 0; c < CHUNKS_PER_EPOCH; c++)
        chunks += `${c === 0 ? "" : ","}{"index":${c},"blake3":"${hex32(next)}","bytes":${1_316_000 - (next() % 4096)}}`;
      block.push(
        `{"schema":"every.channel/archive/epoch/v1","stream":${streams[s]},"epoch":{"id":${epochId},"startUnixMs":${start},"durationMs":${EPOCH_MS}},"chunks":[${chunks}],"psip":{"blake3":"${hex32(next)}"},"manifest":{"id":"${hex32(next)}","path":"s${s}/${epochId}.manifest.json"},"capture":{"nodeId":"${hex32(next)}","device":"hdhomerun-10a2b3c4","receivedUnixMs":${start + EPOCH_MS + (next() % 900)}}}`,
      );
      if (block.length === 5000) {
        writeSync(fd, `${block.join("\n")}\n`);
        block = [];
      }
    }
    if (block.length > 0) writeSync(fd, `${block.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}
