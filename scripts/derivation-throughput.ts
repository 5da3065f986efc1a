/**
 * Benchmark: archive lines derived per second on one core, against the floor of only parsing the
 * same JSON and hashing the same bytes.
 *
 * Writes N archive lines (default 100,000: 24 streams, 6 chunks per epoch, PSIP present) to a
 * temporary file, then measures, each in its own Node process (so that peak RSS is that run's own):
 *
 * - **floor**: the same line splitting (`readFileLines`), `JSON.parse`, and the hashing the
 *   derivation does per line on the same bytes with direct `@noble/hashes` calls and no checks:
 *   keccak256 of abi.encode(StreamKey) (every line, not memoised), the epoch hash, the RFC 6962
 *   keccak Merkle root over the chunk hashes, BLAKE3 of the concatenated chunk hashes, the locator
 *   hash, the slot and the observation hash;
 * - **floor-memo**: the same, with the stream id hashed once per stream as the derivation does;
 * - **full**: `readArchive` → `resolveWitnessEpochs` → `deriveObservationContent` →
 *   `chainObservation` on each stream's running head (the witness and smoke path).
 *
 * Rates are lines per CPU second of the process (user + system), which a busy machine disturbs far
 * less than wall time; wall-clock rates are printed beside them. Floor and full runs alternate; the
 * median of `--runs` runs of each is reported.
 *
 *   npx ts-node --transpile-only scripts/derivation-throughput.ts [--lines 100000] [--streams 24]
 *     [--chunks 6] [--runs 3] [--json out.json]
 *
 * Not run by the tests.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak_256 } from "@noble/hashes/sha3";

import { resolveWitnessEpochs } from "../lib/archive/epochs";
import { readFileLines } from "../lib/archive/lines";
import { readArchive } from "../lib/archive/reader";
import {
  encodeStreamKeyFields,
  epochHashBytes,
  hashSeqBytes,
  locatorHashBytes,
  merkleRootBytes,
  observationSlotBytes,
  writeHex32,
} from "../lib/derive/encoding";
import {
  chainObservation,
  deriveObservationContent,
  observationHead,
  type ObservationHead,
} from "../lib/derive/observation";
import { BROADCAST_STANDARDS } from "../lib/types/abi";
import { hex32, words } from "./bench/archive-gen";

interface Options {
  lines: number;
  streams: number;
  chunks: number;
  runs: number;
  json?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { lines: 100_000, streams: 24, chunks: 6, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--lines") options.lines = value();
    else if (arg === "--streams") options.streams = value();
    else if (arg === "--chunks") options.chunks = value();
    else if (arg === "--runs") options.runs = value();
    else if (arg === "--json") {
      const file = argv[++i];
      if (file === undefined) throw new Error("--json needs a file");
      options.json = file;
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

function writeArchive(file: string, options: Options): void {
  const next = words(1);
  const streams = Array.from({ length: options.streams }, (_, i) =>
    JSON.stringify({
      broadcast: {
        standard: i % 3 === 0 ? "atsc3" : "atsc1",
        region: "US",
        rfChannel: 7 + (i % 30),
        transportStreamId: 2000 + i,
        programNumber: 1 + (i % 4),
        majorChannel: 7 + (i % 30),
        minorChannel: 1 + (i % 4),
        callsign: `K${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))}-HD`,
      },
      profile: "ts-original",
    }),
  );
  const fd = openSync(file, "w");
  try {
    let block: string[] = [];
    for (let n = 0; n < options.lines; n++) {
      const s = n % options.streams;
      const epochId = 289_000_000 + Math.floor(n / options.streams);
      const start = epochId * 6000;
      let chunks = "";
      for (let c = 0; c < options.chunks; c++)
        chunks += `${c === 0 ? "" : ","}{"index":${c},"blake3":"${hex32(next)}","bytes":${1_316_000 - (next() % 4096)}}`;
      block.push(
        `{"schema":"every.channel/archive/epoch/v1","stream":${streams[s]},"epoch":{"id":${epochId},"startUnixMs":${start},"durationMs":6000},"chunks":[${chunks}],"psip":{"blake3":"${hex32(next)}"},"manifest":{"id":"${hex32(next)}","path":"s${s}/${epochId}.manifest.json"},"capture":{"nodeId":"${hex32(next)}","device":"hdhomerun-10a2b3c4","receivedUnixMs":${start + 6000 + (next() % 900)}}}`,
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
}

interface FloorLine {
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
  epoch: { id: number; startUnixMs: number; durationMs: number };
  chunks: { blake3: string; bytes: number }[];
  psip?: { blake3: string } | null;
}

/** keccak256(abi.encode(StreamKey)) of a parsed line's stream. */
function streamKeyHash(line: FloorLine): Uint8Array {
  const b = line.stream.broadcast;
  return keccak_256(
    encodeStreamKeyFields({
      standard: BROADCAST_STANDARDS.indexOf(b.standard as never),
      region: new Uint8Array([b.region.charCodeAt(0), b.region.charCodeAt(1)]),
      rfChannel: b.rfChannel,
      transportStreamId: b.transportStreamId,
      programNumber: b.programNumber,
      majorChannel: b.majorChannel,
      minorChannel: b.minorChannel,
      callsign: b.callsign,
      profile: line.stream.profile,
    }),
  );
}

/**
 * JSON.parse and the derivation's hashing of one line, on the same bytes, without any check. With
 * `streamIds`, the stream id is hashed once per stream (as the derivation does) instead of per line.
 */
function floorLine(
  text: string,
  heads: Map<string, Uint8Array>,
  streamIds: Map<string, Uint8Array> | null,
): void {
  const line = JSON.parse(text) as FloorLine;
  const b = line.stream.broadcast;
  const key = `${b.standard}/${b.region}/${b.rfChannel}/${b.transportStreamId}/${b.programNumber}/${b.majorChannel}.${b.minorChannel}/${JSON.stringify(b.callsign)}/${JSON.stringify(line.stream.profile)}`;
  const known = streamIds?.get(key);
  const streamHash = known ?? streamKeyHash(line);
  if (known === undefined) streamIds?.set(key, streamHash);
  const epochHash = epochHashBytes(
    streamHash,
    BigInt(line.epoch.id),
    BigInt(line.epoch.startUnixMs),
    line.epoch.durationMs,
  );
  const n = line.chunks.length;
  const leaves = new Uint8Array(32 * n);
  const sizes: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const chunk = line.chunks[i]!;
    writeHex32(leaves, 32 * i, chunk.blake3, 0);
    sizes[i] = chunk.bytes;
  }
  const dataRoot = merkleRootBytes(leaves, n);
  let psip: Uint8Array | null = null;
  if (line.psip) {
    psip = new Uint8Array(32);
    writeHex32(psip, 0, line.psip.blake3, 0);
  }
  const locator = locatorHashBytes(hashSeqBytes(leaves), psip !== null, psip, sizes);
  observationSlotBytes(streamHash, epochHash);
  const header = new Uint8Array(224);
  header.set(streamHash, 0);
  header.set(epochHash, 32);
  const parent = heads.get(key);
  if (parent !== undefined) header.set(parent, 64);
  header.set(dataRoot, 96);
  header.set(locator, 128);
  heads.set(key, keccak_256(header));
}

type Mode = "floor" | "floor-memo" | "full";
const MODES: readonly Mode[] = ["floor", "floor-memo", "full"];

interface RunFigures {
  mode: Mode;
  lines: number;
  derived: number;
  wallMs: number;
  cpuMs: number;
  linesPerCpuSecond: number;
  linesPerWallSecond: number;
  peakRssBytes: number;
  maxRssBytes: number;
}

async function worker(mode: Mode, file: string): Promise<RunFigures> {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let lines = 0;
  let derived = 0;
  if (mode === "full") {
    const heads = new Map<string, ObservationHead>();
    const report = { files: 0, lines: 0, blankLines: 0, entries: 0, skipped: 0, errors: [] };
    for await (const epoch of resolveWitnessEpochs(readArchive(file, { report }))) {
      const content = deriveObservationContent(epoch.entry);
      const observation = chainObservation(content, heads.get(epoch.stream) ?? null);
      heads.set(epoch.stream, observationHead(observation));
      derived++;
      if ((derived & 4095) === 0) sample();
    }
    lines = report.lines;
  } else {
    const heads = new Map<string, Uint8Array>();
    const streamIds = mode === "floor-memo" ? new Map<string, Uint8Array>() : null;
    for await (const raw of readFileLines(file)) {
      if (raw.text === undefined || raw.text.length === 0) continue;
      floorLine(raw.text, heads, streamIds);
      lines++;
      derived++;
      if ((lines & 4095) === 0) sample();
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  sample();
  return {
    mode,
    lines,
    derived,
    wallMs,
    cpuMs,
    linesPerCpuSecond: (lines / cpuMs) * 1000,
    linesPerWallSecond: (lines / wallMs) * 1000,
    peakRssBytes: peakRss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function runChild(mode: Mode, file: string): RunFigures {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      "-r",
      "ts-node/register/transpile-only",
      __filename,
      "--worker",
      mode,
      file,
    ],
    { encoding: "utf8", maxBuffer: 1 << 20, env: process.env },
  );
  if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as RunFigures;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--worker") {
    const mode = MODES.find((m) => m === argv[1]);
    const file = argv[2];
    if (mode === undefined || file === undefined)
      throw new Error(`usage: --worker <${MODES.join("|")}> <file>`);
    process.stdout.write(`${JSON.stringify(await worker(mode, file))}\n`);
    return;
  }
  const options = parseOptions(argv);
  const dir = await mkdtemp(join(tmpdir(), "every-channel-derivation-throughput-"));
  const file = join(dir, "archive.jsonl");
  try {
    writeArchive(file, options);
    const size = (await stat(file)).size;
    console.log(
      `${options.lines} lines (${mib(size)}), ${options.streams} streams, ${options.chunks} chunks per epoch`,
    );
    const runs: Record<Mode, RunFigures[]> = { floor: [], "floor-memo": [], full: [] };
    for (let run = 0; run < options.runs; run++) {
      const line: string[] = [];
      for (const mode of MODES) {
        const figures = runChild(mode, file);
        if (figures.derived !== options.lines)
          throw new Error(`${mode} derived ${figures.derived} of ${options.lines} lines`);
        runs[mode].push(figures);
        line.push(`${mode} ${figures.linesPerCpuSecond.toFixed(0)}`);
      }
      console.log(`run ${run + 1} (lines per CPU second): ${line.join(", ")}`);
    }
    const summary = (list: RunFigures[]) => ({
      linesPerCpuSecond: median(list.map((r) => r.linesPerCpuSecond)),
      linesPerWallSecond: median(list.map((r) => r.linesPerWallSecond)),
      peakRssBytes: Math.max(...list.map((r) => r.peakRssBytes)),
      maxRssBytes: Math.max(...list.map((r) => r.maxRssBytes)),
    });
    const floor = summary(runs.floor);
    const floorMemo = summary(runs["floor-memo"]);
    const full = summary(runs.full);
    const figures = {
      lines: options.lines,
      streams: options.streams,
      chunksPerEpoch: options.chunks,
      fileBytes: size,
      runs: options.runs,
      floor,
      floorMemo,
      full,
      /** Floor rate over full-path rate: how many times slower the full path is (target ≤ 1.5). */
      ratio: floor.linesPerCpuSecond / full.linesPerCpuSecond,
      /** The same against the floor that hashes each stream id once, as the derivation does. */
      ratioMemo: floorMemo.linesPerCpuSecond / full.linesPerCpuSecond,
      raw: runs,
    };
    for (const [name, s] of [
      ["floor               ", floor],
      ["floor, ids memoised ", floorMemo],
      ["full path           ", full],
    ] as const)
      console.log(
        `${name}: ${s.linesPerCpuSecond.toFixed(0)} lines per CPU second (${s.linesPerWallSecond.toFixed(0)} lines/s wall clock), max RSS ${mib(s.maxRssBytes)}`,
      );
    console.log(
      `floor / full: ${figures.ratio.toFixed(2)}; floor with memoised ids / full: ${figures.ratioMemo.toFixed(2)} (target ≤ 1.5)`,
    );
    if (options.json !== undefined) {
      await writeFile(options.json, `${JSON.stringify(figures, null, 2)}\n`);
      console.log(`wrote ${options.json}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
