/**
 * Benchmark: writes a large archive (default 1,000,000 lines) to a temporary directory, then reads,
 * validates, resolves retries/repairs and derives every observation from it, printing lines per
 * second and resident memory. Memory must stay flat however long the file is (docs/archive.md).
 *
 *   npx ts-node --transpile-only scripts/archive-memory.ts [--lines 1000000] [--streams 10] [--keep]
 *
 * Not run by the tests.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";

import { resolveWitnessEpochs } from "../lib/archive/epochs";
import { createArchiveReadReport, readArchive } from "../lib/archive/reader";
import {
  chainObservation,
  deriveObservationContent,
  observationHead,
  type ObservationHead,
} from "../lib/derive/observation";

interface Options {
  lines: number;
  streams: number;
  keep: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { lines: 1_000_000, streams: 10, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--lines") options.lines = value();
    else if (arg === "--streams") options.streams = value();
    else if (arg === "--keep") options.keep = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function line(i: number, streams: number): string {
  const stream = i % streams;
  const epoch = 289_000_000 + Math.floor(i / streams);
  const chunks = [0, 1, 2].map(
    (index) =>
      `{"index":${index},"blake3":"${sha(`${i}/${index}`)}","bytes":${12_000 + index * 188}}`,
  );
  return (
    `{"schema":"every.channel/archive/epoch/v1","stream":{"broadcast":{"standard":"atsc1","region":"US",` +
    `"rfChannel":${2 + stream},"transportStreamId":${1000 + stream},"programNumber":3,"majorChannel":${2 + stream},` +
    `"minorChannel":1,"callsign":"BENCH-${stream}"},"profile":"ts-original"},` +
    `"epoch":{"id":${epoch},"startUnixMs":${epoch * 6000},"durationMs":6000},"chunks":[${chunks.join(",")}],` +
    `"psip":{"blake3":"${sha(`psip/${stream}`)}"},"manifest":{"id":"${sha(`m/${i}`)}","path":"bench/${stream}/${epoch}.json"},` +
    `"capture":{"nodeId":"${sha("node")}","device":"bench","receivedUnixMs":${epoch * 6000 + 6100}}}\n`
  );
}

async function writeArchiveFile(file: string, options: Options): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < options.lines; i++) {
    if (!out.write(line(i, options.streams))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), "every-channel-archive-bench-"));
  const file = join(dir, "bench.jsonl");
  try {
    let t = performance.now();
    await writeArchiveFile(file, options);
    const size = (await stat(file)).size;
    console.log(
      `wrote ${options.lines} lines (${mib(size)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const samples: string[] = [];
    const heads = new Map<string, ObservationHead>();
    const report = createArchiveReadReport();
    let derived = 0;
    t = performance.now();
    const cpuStart = process.cpuUsage();
    const step = Math.max(1, Math.floor(options.lines / 10));
    for await (const epoch of resolveWitnessEpochs(readArchive(file, { report }))) {
      const observation = chainObservation(
        deriveObservationContent(epoch.entry),
        heads.get(epoch.stream) ?? null,
      );
      heads.set(epoch.stream, observationHead(observation));
      derived++;
      if (derived % 1000 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (derived % step === 0) samples.push(`${derived}: ${mib(process.memoryUsage().rss)}`);
    }
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    console.log(`read, validated and derived ${derived} observations of ${report.lines} lines`);
    console.log(
      `  ${(report.lines / seconds).toFixed(0)} lines/s (${seconds.toFixed(1)} s wall clock)`,
    );
    console.log(
      `  ${(report.lines / cpuSeconds).toFixed(0)} lines per CPU second (${cpuSeconds.toFixed(1)} s CPU)`,
    );
    console.log(`  RSS before reading ${mib(rssBefore)}, peak while reading ${mib(rssPeak)}`);
    console.log(`  RSS along the file: ${samples.join(", ")}`);
    console.log(`  process max RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    if (options.keep) console.log(`kept ${file}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
