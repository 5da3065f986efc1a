/** Builders of archive lines and temporary archive files for tests. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A plain JSON object as written to an archive line. */
export type LineObject = Record<string, unknown>;

const hex = (byte: number): string => byte.toString(16).padStart(2, "0").repeat(32);

/** A valid archive line object; `overrides` tweak epoch id and chunk hashes. */
export function sampleLine(
  overrides: { epochId?: number; chunkSeed?: number; chunks?: number; psip?: boolean } = {},
): LineObject {
  const epochId = overrides.epochId ?? 289_000_000;
  const seed = overrides.chunkSeed ?? 1;
  const count = overrides.chunks ?? 2;
  return {
    schema: "every.channel/archive/epoch/v1",
    stream: {
      broadcast: {
        standard: "atsc1",
        region: "US",
        rfChannel: 7,
        transportStreamId: 2113,
        programNumber: 3,
        majorChannel: 7,
        minorChannel: 1,
        callsign: "KGO-HD",
      },
      profile: "ts-original",
    },
    epoch: { id: epochId, startUnixMs: epochId * 6000, durationMs: 6000 },
    chunks: Array.from({ length: count }, (_, index) => ({
      index,
      blake3: hex((seed * 16 + index) % 256),
      bytes: 1316000 - index,
    })),
    ...(overrides.psip === false ? {} : { psip: { blake3: hex(0xee) } }),
    manifest: { id: hex(0xaa), path: `kgo/${epochId}.manifest.json` },
    capture: {
      nodeId: hex(0xbb),
      device: "hdhomerun-10a2b3c4",
      receivedUnixMs: epochId * 6000 + 6123,
    },
  };
}

/** A deep copy of `object` with the value at `path` replaced (`undefined` deletes it). */
export function withField(
  object: LineObject,
  path: (string | number)[],
  value: unknown,
): LineObject {
  const copy = structuredClone(object);
  let cursor: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(cursor) && typeof last === "number") cursor.splice(last, 1);
    else delete cursor[last];
  } else cursor[last] = value;
  return copy;
}

/** A temporary directory, removed by the returned `cleanup`. */
export async function temporaryDirectory(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "every-channel-archive-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `lines` (objects are JSON-encoded, strings written as they are) joined by `eol`. */
export async function writeArchive(
  file: string,
  lines: (LineObject | string)[],
  eol = "\n",
): Promise<void> {
  const text = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join(eol);
  await writeFile(file, lines.length > 0 ? text + eol : "");
}
