/**
 * Where a process's CPU time goes, from a V8 CPU profile (`node --cpu-prof`): self time by code
 * origin (Ponder, PGlite, drizzle, viem, the indexer's handlers, …) and the functions with the most
 * self time, over a window of the process's life (the backfill, say). The window is in
 * microseconds of the monotonic clock that both V8's profile and `process.hrtime` read.
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";

import { z } from "zod";

/** The fields of a `.cpuprofile` read here (Chrome DevTools protocol `Profiler.Profile`). */
export const cpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number().int(),
      callFrame: z.object({
        functionName: z.string(),
        url: z.string(),
        lineNumber: z.number().int(),
      }),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number().int()),
  timeDeltas: z.array(z.number()),
});
export type CpuProfile = z.output<typeof cpuProfileSchema>;

export interface ProfileShare {
  name: string;
  ms: number;
  /** Of the sampled time in the window, 0–1. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled time in the window (idle included), milliseconds. */
  sampledMs: number;
  /** Self time by origin, largest first. */
  origins: ProfileShare[];
  /** The functions with the most self time, largest first (`name (file:line)`). */
  functions: ProfileShare[];
}

/** Origins, first match wins: a file's path names the package it belongs to. */
const ORIGINS: readonly [string, (url: string, fn: string) => boolean][] = [
  ["idle", (url, fn) => url === "" && fn === "(idle)"],
  ["garbage collector", (url, fn) => url === "" && fn === "(garbage collector)"],
  [
    "PGlite (Postgres in WebAssembly)",
    // Its JavaScript, and the WebAssembly modules (`wasm://wasm/postgres.wasm-…`, extensions).
    (url) => url.includes("@electric-sql/pglite") || url.startsWith("wasm://"),
  ],
  ["drizzle-orm", (url) => url.includes("/drizzle-orm/")],
  ["Ponder", (url) => url.includes("/ponder/dist/")],
  ["pg (PostgreSQL client)", (url) => /\/node_modules\/pg(-[a-z]+)?\//.test(url)],
  ["viem and noble (ABI decoding, keccak)", (url) => /\/(viem|abitype|@noble)\//.test(url)],
  ["indexer handlers and API (indexer/src)", (url) => url.includes("/indexer/src/")],
  ["project library (lib/)", (url) => url.includes("/lib/") && !url.includes("node_modules")],
  ["other packages", (url) => url.includes("node_modules")],
  ["Node.js internals", (url) => url.startsWith("node:")],
  ["V8 and native (program)", () => true],
];

export function originOf(url: string, functionName: string): string {
  return ORIGINS.find(([, matches]) => matches(url, functionName))![0];
}

/**
 * Self time of each node summed by origin and by function, over the samples taken within
 * `window` (the whole profile without one).
 */
export function summarizeCpuProfile(
  profile: CpuProfile,
  window?: { fromUs: number; toUs: number },
  top = 12,
): ProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  let sampledUs = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const next = profile.timeDeltas[i + 1] ?? 0;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + next);
    sampledUs += next;
  }
  const origins = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = frames.get(id);
    if (frame === undefined) continue;
    const origin = originOf(frame.url, frame.functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + us);
    const file = frame.url === "" ? "" : ` (${shortPath(frame.url)}:${frame.lineNumber + 1})`;
    const name = `${frame.functionName || "(anonymous)"}${file}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const shares = (m: Map<string, number>) =>
    [...m]
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        share: sampledUs === 0 ? 0 : us / sampledUs,
      }))
      .sort((a, b) => b.ms - a.ms);
  return {
    sampledMs: Math.round(sampledUs / 1000),
    origins: shares(origins),
    functions: shares(functions).slice(0, top),
  };
}

/** `…/node_modules/ponder/dist/esm/x.js` → `ponder/dist/esm/x.js`; project files from the repo. */
function shortPath(url: string): string {
  const file = url.replace(/^file:\/\//, "");
  const inModules = file.lastIndexOf("node_modules/");
  if (inModules >= 0) return file.slice(inModules + "node_modules/".length);
  for (const root of ["/indexer/", "/lib/"]) {
    const at = file.lastIndexOf(root);
    if (at >= 0) return file.slice(at + 1);
  }
  return path.basename(file);
}

/** Reads the one `.cpuprofile` that `node --cpu-prof --cpu-prof-dir=dir` wrote. */
export async function readCpuProfile(dir: string): Promise<CpuProfile> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length !== 1)
    throw new Error(`${dir}: expected one .cpuprofile, found ${files.length}`);
  const file = path.join(dir, files[0]!);
  const parsed = cpuProfileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success)
    throw new Error(`${file}: not a V8 CPU profile: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Microseconds on the clock of V8's profiles (`CLOCK_MONOTONIC`). */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
