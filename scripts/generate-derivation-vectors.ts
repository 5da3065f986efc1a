/**
 * Writes `fixtures/vectors/derivation.json`: archive lines with every intermediate value of the
 * observation derivation (docs/derivation.md), the content a witness signs and its hash, the header, its hash and slot. Other implementations
 * can check themselves against it; `test/derive/vectors.test.ts` pins this one.
 *
 *   npx ts-node --transpile-only scripts/generate-derivation-vectors.ts [outFile]
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { keccak256, stringToHex, type Hex } from "viem";

import { checkArchiveLine } from "../lib/archive/schema";
import { commitmentIds } from "../lib/commitments/ids";
import { LOCATOR_COMMITMENT_ID } from "../lib/derive/locator";
import {
  deriveObservationRun,
  type DerivedObservation,
  type ObservationHead,
} from "../lib/derive/observation";

export const DEFAULT_VECTORS_FILE = resolve(__dirname, "../fixtures/vectors/derivation.json");
export const DERIVATION_VECTORS_SCHEMA = "every.channel/vectors/derivation/v1";

const hex = (byte: string): string => byte.repeat(32);

function exampleLine(overrides: Record<string, unknown> = {}): Record<string, unknown> {
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
    epoch: { id: 289000000, startUnixMs: 1734000000000, durationMs: 6000 },
    chunks: [
      { index: 0, blake3: hex("11"), bytes: 1316000 },
      { index: 1, blake3: hex("22"), bytes: 1315812 },
    ],
    psip: { blake3: hex("ee") },
    manifest: { id: hex("aa"), path: "kgo/289000000.manifest.json" },
    capture: { nodeId: hex("bb"), device: "hdhomerun-10a2b3c4", receivedUnixMs: 1734000006123 },
    ...overrides,
  };
}

const dvbStream = {
  broadcast: {
    standard: "dvb-t",
    region: "GB",
    rfChannel: 26,
    transportStreamId: 4163,
    programNumber: 4164,
    majorChannel: 1,
    minorChannel: 0,
    callsign: "BBC ONE",
  },
  profile: "ts-original",
};

/** A one-chunk DVB-T epoch, with `psip` absent (`undefined`) or `null`. */
function dvbLine(psip: undefined | null): Record<string, unknown> {
  return exampleLine({
    stream: dvbStream,
    epoch: { id: 433500000, startUnixMs: 1734000000000, durationMs: 4000 },
    chunks: [{ index: 0, blake3: hex("33"), bytes: 7332 }],
    psip,
  });
}

const sevenChunks = Array.from({ length: 7 }, (_, i) => ({
  index: i,
  blake3: keccak256(stringToHex(`chunk ${i}`)).slice(2),
  bytes: 188 * (100 + i),
}));

interface VectorInput {
  name: string;
  description: string;
  /** The archive lines, in run order (more than one: a speculative run). */
  lines: string[];
  head: ObservationHead | null;
  /** Name of an earlier vector whose observations these must equal. */
  sameAs?: string;
}

const HEAD: ObservationHead = { hash: keccak256(stringToHex("finalized head")), sequence: 41n };

const inputs: VectorInput[] = [
  {
    name: "first-observation",
    description: "The design notes' example line; first observation of the stream (no head).",
    lines: [JSON.stringify(exampleLine())],
    head: null,
  },
  {
    name: "on-a-head",
    description: "The same line chained on a finalized head with sequence 41.",
    lines: [JSON.stringify(exampleLine())],
    head: HEAD,
  },
  {
    name: "source-local-noise",
    description:
      "The same broadcast content as first-observation written by another witness: other manifest, capture, unknown fields, key order and spacing.",
    lines: [
      '{"x-ingest": {"host": "edge-2"}, "capture": {"receivedUnixMs": 1734000044000, "device": "airspy-r2-0", "nodeId": "' +
        hex("cc") +
        '"}, "manifest": {"path": "/var/lib/ec/7/289000000.json", "id": "' +
        hex("dd") +
        '"}, "psip": {"blake3": "' +
        hex("ee") +
        '"}, "chunks": [{"bytes": 1316000, "blake3": "' +
        hex("11") +
        '", "index": 0}, {"index": 1, "bytes": 1315812, "blake3": "' +
        hex("22") +
        '"}], "epoch": {"durationMs": 6000, "startUnixMs": 1734000000000, "id": 289000000}, "stream": {"profile": "ts-original", "broadcast": {"callsign": "KGO-HD", "minorChannel": 1, "majorChannel": 7, "programNumber": 3, "transportStreamId": 2113, "rfChannel": 7, "region": "US", "standard": "atsc1", "x-signal-dbm": -61}}, "schema": "every.channel/archive/epoch/v1"}',
    ],
    head: null,
    sameAs: "first-observation",
  },
  {
    name: "no-psip",
    description: "A DVB-T epoch without PSIP (`psip` absent), one chunk.",
    lines: [JSON.stringify(dvbLine(undefined))],
    head: null,
  },
  {
    name: "psip-null",
    description: "As no-psip with `psip: null`: the same observation.",
    lines: [JSON.stringify(dvbLine(null))],
    head: null,
    sameAs: "no-psip",
  },
  {
    name: "seven-chunks",
    description: "Seven chunks (an unbalanced Merkle tree and hash-seq of 224 bytes).",
    lines: [JSON.stringify(exampleLine({ chunks: sevenChunks }))],
    head: HEAD,
  },
  {
    name: "uint64-extremes",
    description:
      "Epoch id and start at 2^64 − 1 and a head sequence above 2^53: integers are exact, never floats.",
    lines: [
      JSON.stringify(exampleLine({ epoch: { id: 0, startUnixMs: 0, durationMs: 4294967295 } }))
        .replace('"id":0,', '"id":18446744073709551615,')
        .replace('"startUnixMs":0,', '"startUnixMs":18446744073709551615,'),
    ],
    head: { hash: HEAD.hash, sequence: 2n ** 60n + 1n },
  },
  {
    name: "unicode-callsign",
    description: "An ISDB-T stream whose callsign is not ASCII (committed as its UTF-8 bytes).",
    lines: [
      JSON.stringify(
        exampleLine({
          stream: {
            broadcast: {
              standard: "isdb-t",
              region: "JP",
              rfChannel: 27,
              transportStreamId: 32736,
              programNumber: 1024,
              majorChannel: 1,
              minorChannel: 0,
              callsign: "NHK総合",
            },
            profile: "ts-original",
          },
          epoch: { id: 867000000, startUnixMs: 1734000000000, durationMs: 2000 },
          psip: undefined,
        }),
      ),
    ],
    head: null,
  },
  {
    name: "speculative-run",
    description:
      "Three epochs derived ahead on one head: each chained on the one before as if it had finalized.",
    lines: [0, 1, 3].map((i) =>
      JSON.stringify(
        exampleLine({
          epoch: { id: 289000000 + i, startUnixMs: 1734000000000 + 6000 * i, durationMs: 6000 },
          chunks: [
            { index: 0, blake3: keccak256(stringToHex(`run ${i} a`)).slice(2), bytes: 1316000 },
            { index: 1, blake3: keccak256(stringToHex(`run ${i} b`)).slice(2), bytes: 1316000 },
          ],
        }),
      ),
    ),
    head: HEAD,
  },
];

const str = (n: bigint): string => n.toString();

function vectorOf(d: DerivedObservation): Record<string, unknown> {
  const c = d.content;
  return {
    streamKey: c.streamKey,
    streamHash: c.streamHash,
    epochId: str(c.epochId),
    epochHash: c.epochHash,
    dataRoot: c.dataRoot,
    locator: { ...c.locator },
    locatorHash: c.locatorHash,
    content: {
      streamHash: c.streamHash,
      epochHash: c.epochHash,
      dataRoot: c.dataRoot,
      locatorHash: c.locatorHash,
      observedUnixMs: str(c.observedUnixMs),
    },
    contentHash: c.contentHash,
    header: {
      ...d.header,
      observedUnixMs: str(d.header.observedUnixMs),
      sequence: str(d.header.sequence),
    },
    observationHash: d.hash,
    observationSlot: d.slot,
  };
}

export function buildDerivationVectors(): Record<string, unknown> {
  return {
    schema: DERIVATION_VECTORS_SCHEMA,
    generator: "scripts/generate-derivation-vectors.ts",
    spec: "docs/derivation.md",
    commitments: {
      streamHash: commitmentIds.streamId,
      epochHash: commitmentIds.epoch,
      dataRoot: commitmentIds.manifestDataMerkle,
      locatorHash: LOCATOR_COMMITMENT_ID,
      contentHash: commitmentIds.observationContent,
      observationHash: commitmentIds.observation,
      observationSlot: commitmentIds.observationSlot,
    },
    vectors: inputs.map((input) => {
      const entries = input.lines.map((line, i) => {
        const checked = checkArchiveLine(line);
        if (!checked.ok)
          throw new Error(`${input.name} line ${i + 1}: ${checked.field}: ${checked.problem}`);
        return checked.entry;
      });
      const derived = deriveObservationRun(entries, input.head);
      return {
        name: input.name,
        description: input.description,
        ...(input.sameAs === undefined ? {} : { sameAs: input.sameAs }),
        lines: input.lines,
        head:
          input.head === null
            ? null
            : { hash: input.head.hash as Hex, sequence: str(input.head.sequence) },
        observations: derived.map(vectorOf),
      };
    }),
  };
}

export function renderDerivationVectors(): string {
  return JSON.stringify(buildDerivationVectors(), null, 2) + "\n";
}

if (require.main === module) {
  const out = process.argv[2] === undefined ? DEFAULT_VECTORS_FILE : resolve(process.argv[2]);
  writeFile(out, renderDerivationVectors())
    .then(() => console.log(`wrote ${out}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
