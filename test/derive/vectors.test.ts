import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { zeroHash, type Hex } from "viem";
import { z } from "zod";

import { checkArchiveLine } from "../../lib/archive/schema";
import { contentHash } from "../../lib/commitments/observation";
import { deriveObservation, observationContent } from "../../lib/derive/observation";
import {
  DEFAULT_VECTORS_FILE,
  renderDerivationVectors,
} from "../../scripts/generate-derivation-vectors";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/) as unknown as z.ZodType<Hex>;
const decimal = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/)
  .transform(BigInt);

const observationSchema = z.object({
  streamHash: hex32,
  epochHash: hex32,
  dataRoot: hex32,
  locatorHash: hex32,
  content: z.object({
    streamHash: hex32,
    epochHash: hex32,
    dataRoot: hex32,
    locatorHash: hex32,
    observedUnixMs: decimal,
  }),
  contentHash: hex32,
  header: z.object({
    streamHash: hex32,
    epochHash: hex32,
    parentObservationHash: hex32,
    dataRoot: hex32,
    locatorHash: hex32,
    observedUnixMs: decimal,
    sequence: decimal,
  }),
  observationHash: hex32,
  observationSlot: hex32,
});

const vectorsSchema = z.object({
  schema: z.literal("every.channel/vectors/derivation/v1"),
  vectors: z
    .array(
      z.object({
        name: z.string(),
        sameAs: z.string().optional(),
        lines: z.array(z.string()).min(1),
        head: z.object({ hash: hex32, sequence: decimal }).nullable(),
        observations: z.array(observationSchema).min(1),
      }),
    )
    .min(1),
});

describe("derivation vectors (fixtures/vectors/derivation.json)", function () {
  it("are exactly what scripts/generate-derivation-vectors.ts writes", async function () {
    expect(await readFile(DEFAULT_VECTORS_FILE, "utf8")).to.equal(renderDerivationVectors());
  });

  it("hold: each line derives the recorded header, hash and slot, chained on the recorded head", async function () {
    const file = vectorsSchema.parse(JSON.parse(await readFile(DEFAULT_VECTORS_FILE, "utf8")));
    const byName = new Map(file.vectors.map((v) => [v.name, v]));
    for (const vector of file.vectors) {
      let head = vector.head;
      vector.lines.forEach((line, i) => {
        const checked = checkArchiveLine(line);
        if (!checked.ok) expect.fail(`${vector.name}: ${checked.field}: ${checked.problem}`);
        const recorded = vector.observations[i]!;
        const derived = deriveObservation(checked.entry, head);
        expect(derived.header, vector.name).to.deep.equal(recorded.header);
        expect(observationContent(derived.content), vector.name).to.deep.equal(recorded.content);
        expect(derived.content.contentHash, vector.name).to.equal(recorded.contentHash);
        expect(contentHash(recorded.content), vector.name).to.equal(recorded.contentHash);
        expect(derived.hash, vector.name).to.equal(recorded.observationHash);
        expect(derived.slot, vector.name).to.equal(recorded.observationSlot);
        expect(recorded.header.parentObservationHash).to.equal(head?.hash ?? zeroHash);
        expect(recorded.header.sequence).to.equal(head === null ? 0n : head.sequence + 1n);
        head = { hash: recorded.observationHash, sequence: recorded.header.sequence };
      });
      if (vector.sameAs !== undefined) {
        const other = byName.get(vector.sameAs)!;
        expect(
          vector.observations.map((o) => o.observationHash),
          vector.name,
        ).to.deep.equal(other.observations.map((o) => o.observationHash));
      }
    }
  });
});
