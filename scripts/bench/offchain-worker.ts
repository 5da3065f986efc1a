/**
 * Child process of the off-chain bench (one per measurement, so that peak memory is the figure of
 * that run alone and throughput is measured on one core without the chain in the same process).
 *
 *   node -r ts-node/register/transpile-only scripts/bench/offchain-worker.ts <derive|floor|floor-memo> <file>
 *
 * `derive`: the project's path, `readArchive` (line splitting, exact JSON, schema checks) then
 * `deriveObservationContent` + `chainObservation` on each stream's running head.
 * `floor`: the same line splitting, `JSON.parse`, and the same hash invocations over byte strings of
 * the same lengths (keccak256 of the stream key encoding, the epoch tuple, the Merkle leaves and
 * nodes, the locator, the slot and the header; BLAKE3 of the concatenated chunk hashes), and nothing
 * else. `floor-memo`: the same, with each stream id (the keccak256 of its StreamKey encoding) hashed
 * once per stream, as the derivation does. Prints one JSON line with the counts, wall and CPU time (user + system, all threads of the
 * process: the per-core figure that holds on a busy machine) and memory figures.
 */
import { blake3 } from "@noble/hashes/blake3";
import { keccak_256 } from "@noble/hashes/sha3";
import { encodeAbiParameters, hexToBytes, stringToHex } from "viem";

import { readArchive } from "../../lib/archive/reader";
import { readFileLines } from "../../lib/archive/lines";
import {
  chainObservation,
  deriveObservationContent,
  observationHead,
  type ObservationHead,
} from "../../lib/derive/observation";
import { abiParameters } from "../../lib/types/abi";

interface FloorLine {
  stream: {
    broadcast: { callsign: string; region: string };
    profile: string;
  };
  chunks: { blake3: string }[];
}

/** Length of abi.encode(StreamKey) for a callsign and profile (cached per stream). */
const streamKeyLengths = new Map<string, number>();
function streamKeyLength(callsign: string, profile: string, region: string): number {
  const key = `${callsign}\u0000${profile}`;
  let length = streamKeyLengths.get(key);
  if (length === undefined) {
    const encoded = encodeAbiParameters(
      [abiParameters.StreamKey],
      [
        {
          broadcast: {
            standard: 0,
            region: stringToHex(region, { size: 2 }),
            rfChannel: 0,
            transportStreamId: 0,
            programNumber: 0,
            majorChannel: 0,
            minorChannel: 0,
            callsign,
          },
          profile,
        },
      ],
    );
    length = (encoded.length - 2) / 2;
    streamKeyLengths.set(key, length);
  }
  return length;
}

/** Stream ids already hashed (floor-memo mode only). */
let streamIds: Map<string, Uint8Array> | null = null;

function floorLine(text: string): void {
  const line = JSON.parse(text) as FloorLine;
  const n = line.chunks.length;
  const chunkBytes = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) chunkBytes.set(hexToBytes(`0x${line.chunks[i]!.blake3}`), 32 * i);
  const b = line.stream.broadcast;
  const scratch = new Uint8Array(
    Math.max(streamKeyLength(b.callsign, line.stream.profile, b.region), 224, 160 + 32 * n),
  );
  scratch.set(chunkBytes.subarray(0, Math.min(chunkBytes.length, scratch.length)));
  const keyBytes = scratch.subarray(0, streamKeyLength(b.callsign, line.stream.profile, b.region));
  if (streamIds === null)
    keccak_256(keyBytes); // stream id
  else {
    const key = `${b.callsign}\u0000${b.region}\u0000${line.stream.profile}`;
    if (!streamIds.has(key)) streamIds.set(key, keccak_256(keyBytes)); // stream id, once per stream
  }
  keccak_256(scratch.subarray(0, 128)); // epoch hash
  // Merkle: n leaves keccak(0x00 ‖ h), n − 1 nodes keccak(0x01 ‖ l ‖ r).
  const leaf = new Uint8Array(33);
  const node = new Uint8Array(65);
  for (let i = 0; i < n; i++) {
    leaf.set(chunkBytes.subarray(32 * i, 32 * i + 32), 1);
    node.set(keccak_256(leaf), 1);
  }
  for (let i = 1; i < n; i++) node.set(keccak_256(node).subarray(0, 32), 33);
  const hashSeq = blake3(chunkBytes);
  scratch.set(hashSeq, 0);
  keccak_256(scratch.subarray(0, 160 + 32 * n)); // locator
  keccak_256(scratch.subarray(0, 64)); // slot
  keccak_256(scratch.subarray(0, 224)); // observation hash
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== "derive" && mode !== "floor" && mode !== "floor-memo") || file === undefined)
    throw new Error("usage: offchain-worker.ts <derive|floor|floor-memo> <file>");
  if (mode === "floor-memo") streamIds = new Map();
  if (global.gc) global.gc();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sample = (): void => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };
  const timer = setInterval(sample, 20);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let lines = 0;
  if (mode === "derive") {
    const heads = new Map<string, ObservationHead>();
    for await (const record of readArchive(file)) {
      const content = deriveObservationContent(record.entry);
      const derived = chainObservation(content, heads.get(content.streamHash) ?? null);
      heads.set(content.streamHash, observationHead(derived));
      if (++lines % 4096 === 0) sample();
    }
  } else {
    for await (const raw of readFileLines(file)) {
      if (raw.text === undefined || raw.text.length === 0) continue;
      floorLine(raw.text);
      if (++lines % 4096 === 0) sample();
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write(
    `${JSON.stringify({
      mode,
      lines,
      wallMs,
      linesPerSecond: (lines / wallMs) * 1000,
      cpuMs,
      linesPerCpuSecond: (lines / cpuMs) * 1000,
      rssBeforeBytes: rssBefore,
      peakRssBytes: peakRss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
