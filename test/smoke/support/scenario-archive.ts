/**
 * An archive set written by the tests themselves, from a scenario whose outcome is written down by
 * hand: which witnesses captured which epoch with which content, and what must therefore happen on
 * chain. Nothing here calls the derivation code; slot ids are computed from the commitment formulas
 * the design fixes (`stream-id-keccak256-v1`, `epoch-abi-keccak256-v1`, `ObservationSlot`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { blake3 } from "@noble/hashes/blake3";
import { bytesToHex } from "@noble/hashes/utils";
import { encodeAbiParameters, keccak256, stringToHex, type Hex } from "viem";

/** How one witness captured one epoch. */
export type Capture =
  /** The broadcast as aired. */
  | "good"
  /** One chunk's bytes were damaged on reception: its BLAKE3 differs. */
  | "corrupt"
  /** Damaged differently from `corrupt` (another chunk). */
  | "corrupt-other"
  /** The last chunk never arrived. */
  | "missing-chunk"
  /** A different PSIP table was received. */
  | "psip-other"
  /** Not captured at all: no line. */
  | "absent"
  /** Captured, written twice identically (a retry). */
  | "retry"
  /** First written damaged, then repaired by a later line with the good content. */
  | "repair"
  /** As aired, but labelled with a start time in 2100 (a broadcast clock far off): refused. */
  | "future";

export type ExpectedOutcome = "finalized" | "contested" | "open";

/** One epoch of one stream in the scenario, with its outcome written down. */
export interface ScenarioEpoch {
  /** One capture per witness, in witness order. */
  captures: readonly Capture[];
  outcome: ExpectedOutcome;
  /** Witnesses that agree on the finalized content (for `finalized`). */
  finalizedBy?: readonly number[];
  /** Not finalized, but a later epoch of the stream finalizes: the slot ends expired. */
  expires?: true;
}

export interface ScenarioStream {
  callsign: string;
  rfChannel: number;
  epochs: readonly ScenarioEpoch[];
}

export interface Scenario {
  witnesses: number;
  quorum: number;
  streams: readonly ScenarioStream[];
}

const EPOCH_MS = 6000;
const FIRST_EPOCH = 289_000_000n;
const START_MS = 1_734_000_000_000n;
/** 2100-01-01T00:00:00Z: where a `future` capture's broadcast clock puts the epoch. */
export const FUTURE_START_MS = BigInt(Date.UTC(2100, 0, 1));
const CHUNKS = 4;

/** Deterministic pseudo-random bytes (xorshift32), so the archive is the same on every run. */
function pseudoRandomBytes(seed: string, length: number): Uint8Array {
  let state = 2166136261;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 16777619);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

function chunkHash(seed: string): string {
  return bytesToHex(blake3(pseudoRandomBytes(seed, 188 * 64)));
}

function streamObject(stream: ScenarioStream) {
  return {
    broadcast: {
      standard: "atsc1",
      region: "US",
      rfChannel: stream.rfChannel,
      transportStreamId: 2000 + stream.rfChannel,
      programNumber: 3,
      majorChannel: stream.rfChannel,
      minorChannel: 1,
      callsign: stream.callsign,
    },
    profile: "ts-original",
  };
}

function epochTiming(index: number, future = false) {
  return {
    id: FIRST_EPOCH + BigInt(index),
    startUnixMs: (future ? FUTURE_START_MS : START_MS) + BigInt(index * EPOCH_MS),
  };
}

function contentLine(
  stream: ScenarioStream,
  epochIndex: number,
  capture: Exclude<Capture, "absent" | "retry" | "repair">,
  witness: number,
): string {
  const { id, startUnixMs } = epochTiming(epochIndex, capture === "future");
  const base = `${stream.callsign}/${epochIndex}`;
  let chunks = Array.from({ length: CHUNKS }, (_, index) => ({
    index,
    blake3: chunkHash(`${base}/chunk/${index}`),
    bytes: 188 * 7000 + index,
  }));
  if (capture === "corrupt") chunks[1] = { ...chunks[1]!, blake3: chunkHash(`${base}/damaged/1`) };
  if (capture === "corrupt-other")
    chunks[2] = { ...chunks[2]!, blake3: chunkHash(`${base}/damaged/2`) };
  if (capture === "missing-chunk") chunks = chunks.slice(0, CHUNKS - 1);
  const psip = chunkHash(capture === "psip-other" ? `${base}/psip/other` : `${base}/psip`);
  // Source-local fields differ per witness (and clocks are skewed): they must not matter.
  const line = {
    schema: "every.channel/archive/epoch/v1",
    stream: streamObject(stream),
    epoch: { id: Number(id), startUnixMs: Number(startUnixMs), durationMs: EPOCH_MS },
    chunks,
    psip: { blake3: psip },
    manifest: {
      id: chunkHash(`manifest/${witness}/${base}/${capture}`),
      path: `/srv/node-${witness}/${stream.callsign.toLowerCase()}/${id}.manifest.json`,
    },
    capture: {
      nodeId: chunkHash(`node/${witness}`),
      device: `hdhomerun-${witness}0a2b3c4`,
      receivedUnixMs: Number(epochTiming(epochIndex).startUnixMs) + EPOCH_MS + 97 * witness - 150,
    },
  };
  return JSON.stringify(line);
}

/**
 * Writes the scenario as an archive directory: witnesses 0, 2, 4, ... as a folder holding one file
 * per stream, the others as a single file; lines of each file in a scrambled (not epoch) order.
 * Returns the directory.
 */
export function writeScenarioArchive(dir: string, scenario: Scenario): string {
  mkdirSync(dir, { recursive: true });
  for (let witness = 0; witness < scenario.witnesses; witness++) {
    const files = new Map<string, string[]>();
    for (const stream of scenario.streams) {
      // One group of lines per epoch; a repair stays after the line it repairs.
      const groups: string[][] = [];
      stream.epochs.forEach((epoch, epochIndex) => {
        const capture = epoch.captures[witness];
        if (capture === undefined) {
          throw new Error(`scenario: epoch ${epochIndex} lacks witness ${witness}`);
        }
        if (capture === "absent") return;
        if (capture === "retry") {
          const line = contentLine(stream, epochIndex, "good", witness);
          groups.push([line, line]);
        } else if (capture === "repair") {
          groups.push([
            contentLine(stream, epochIndex, "corrupt", witness),
            contentLine(stream, epochIndex, "good", witness),
          ]);
        } else {
          groups.push([contentLine(stream, epochIndex, capture, witness)]);
        }
      });
      // Line order must not matter: epochs are written in a scrambled order.
      const scrambled = groups
        .map((group, order) => ({ group, key: (order * 7919 + witness * 31) % 13, order }))
        .sort((a, b) => a.key - b.key || a.order - b.order)
        .flatMap((entry) => entry.group);
      const key = witness % 2 === 0 ? stream.callsign : "all";
      files.set(key, [...(files.get(key) ?? []), ...scrambled]);
    }
    const name = `witness-${String.fromCharCode(97 + witness)}`;
    if (witness % 2 === 0) {
      const folder = path.join(dir, name);
      mkdirSync(folder, { recursive: true });
      for (const [callsign, lines] of files) {
        writeFileSync(
          path.join(folder, `${callsign.toLowerCase()}.jsonl`),
          `${lines.join("\n")}\n`,
        );
      }
    } else {
      writeFileSync(path.join(dir, `${name}.jsonl`), `${(files.get("all") ?? []).join("\n")}\n`);
    }
  }
  return dir;
}

/** `stream-id-keccak256-v1` of a scenario stream: keccak256(abi.encode(StreamKey)). */
export function scenarioStreamHash(stream: ScenarioStream): Hex {
  const s = streamObject(stream);
  return keccak256(
    encodeAbiParameters(
      [
        {
          type: "tuple",
          components: [
            {
              name: "broadcast",
              type: "tuple",
              components: [
                { name: "standard", type: "uint8" },
                { name: "region", type: "bytes2" },
                { name: "rfChannel", type: "uint16" },
                { name: "transportStreamId", type: "uint16" },
                { name: "programNumber", type: "uint16" },
                { name: "majorChannel", type: "uint16" },
                { name: "minorChannel", type: "uint16" },
                { name: "callsign", type: "string" },
              ],
            },
            { name: "profile", type: "string" },
          ],
        },
      ],
      [
        {
          broadcast: {
            standard: 0, // atsc1
            region: stringToHex(s.broadcast.region, { size: 2 }),
            rfChannel: s.broadcast.rfChannel,
            transportStreamId: s.broadcast.transportStreamId,
            programNumber: s.broadcast.programNumber,
            majorChannel: s.broadcast.majorChannel,
            minorChannel: s.broadcast.minorChannel,
            callsign: s.broadcast.callsign,
          },
          profile: s.profile,
        },
      ],
    ),
  );
}

/**
 * `ObservationSlot` of one scenario epoch, from `epoch-abi-keccak256-v1` (with `future`: of the
 * epoch as a `future` capture labels it).
 */
export function scenarioSlot(stream: ScenarioStream, epochIndex: number, future = false): Hex {
  const streamHash = scenarioStreamHash(stream);
  const { id, startUnixMs } = epochTiming(epochIndex, future);
  const epochHash = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint32" }],
      [streamHash, id, startUnixMs, EPOCH_MS],
    ),
  );
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [streamHash, epochHash]),
  );
}
