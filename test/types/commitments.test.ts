import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { encodeAbiParameters, keccak256, type Hex } from "viem";

import {
  controlAnnouncementHash,
  epochHash,
  streamDescriptorHash,
  streamId,
} from "../../lib/commitments/stream";
import {
  manifestBodyHash,
  manifestDataRoot,
  manifestEnvelopeHash,
} from "../../lib/commitments/manifest";
import { merkleRoot } from "../../lib/commitments/merkle";
import {
  contentHash,
  contentHashOfCanonical,
  headerContent,
  observationHash,
  observationSlot,
  observationSlotOfCanonical,
} from "../../lib/commitments/observation";
import { abiParameters, type CanonicalTypeName } from "../../lib/types/abi";
import * as arb from "./arbitraries";
import { expectRevert } from "../support/revert";

const RUNS = 200;

async function deployHarness() {
  const harness = await hre.viem.deployContract("CommitmentsHarness");
  return { harness };
}

describe("keccak commitments: TypeScript equals Solidity", function () {
  it("stream-id-keccak256-v1 is the same on-chain for every stream key", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.streamKey, async (key) => {
        expect(await harness.read.streamId([key])).to.equal(streamId(key));
      }),
      { numRuns: RUNS },
    );
  });

  it("a stream id does not depend on the source that captured the stream", async function () {
    await fc.assert(
      fc.property(arb.streamKey, arb.sourceId, arb.sourceId, (key, a, b) => {
        const descriptorA = {
          stream: key,
          source: a,
          epochDurationMs: 6000,
          variants: [],
          describedUnixMs: 0n,
        };
        const descriptorB = { ...descriptorA, source: b };
        expect(streamId(descriptorA.stream)).to.equal(streamId(descriptorB.stream));
      }),
      { numRuns: RUNS },
    );
  });

  it("stream-descriptor-abi-keccak256-v1 is the same on-chain for every descriptor", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.streamDescriptor, async (descriptor) => {
        expect(await harness.read.streamDescriptorHash([descriptor])).to.equal(
          streamDescriptorHash(descriptor),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("control-announcement-abi-keccak256-v1 is the same on-chain for every announcement", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.controlAnnouncement, async (announcement) => {
        expect(await harness.read.controlAnnouncementHash([announcement])).to.equal(
          controlAnnouncementHash(announcement),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("epoch-abi-keccak256-v1 and the observation slot are the same on-chain", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(
        arb.bytes32,
        arb.uint64,
        arb.uint64,
        arb.uint(32),
        async (streamHash, epochId, startUnixMs, durationMs) => {
          const ts = epochHash({ streamHash, epochId, startUnixMs, durationMs });
          expect(
            await harness.read.epochHash([streamHash, epochId, startUnixMs, durationMs]),
          ).to.equal(ts);
          expect(await harness.read.observationSlot([streamHash, ts])).to.equal(
            observationSlot(streamHash, ts),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("manifest-body-abi-keccak256-v1 is the same on-chain for every body, empty arrays included", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.manifestBody, async (body) => {
        expect(await harness.read.manifestBodyHash([body])).to.equal(manifestBodyHash(body));
      }),
      { numRuns: RUNS },
    );
  });

  it("manifest-envelope-abi-keccak256-v1 is the same on-chain for every manifest", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.manifest, async (manifest) => {
        expect(await harness.read.manifestEnvelopeHash([manifest])).to.equal(
          manifestEnvelopeHash(manifest),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("manifest-data-merkle-keccak256-v1 of a body is the same on-chain", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.wellFormedBody, async (body) => {
        expect(await harness.read.manifestDataRoot([body])).to.equal(manifestDataRoot(body));
      }),
      { numRuns: RUNS },
    );
  });

  it("the data root of one variant is the root over its chunk hashes, of several the root over variant roots", function () {
    fc.assert(
      fc.property(arb.wellFormedBody, (body) => {
        const variantRoots = body.variants.map((v) => merkleRoot(v.chunks.map((c) => c.blake3)));
        const expected = variantRoots.length === 1 ? variantRoots[0] : merkleRoot(variantRoots);
        expect(manifestDataRoot(body)).to.equal(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("the data root reverts on-chain for a body without variants or with an empty variant", async function () {
    const { harness } = await loadFixture(deployHarness);
    const body = fc.sample(arb.wellFormedBody, { numRuns: 1, seed: 7 })[0]!;
    await expectRevert(
      harness.read.manifestDataRoot([{ ...body, variants: [] }]),
      harness.abi,
      "ManifestWithoutVariants",
      [],
    );
    const variants = [...body.variants, { name: "empty", chunks: [] }];
    await expectRevert(
      harness.read.manifestDataRoot([{ ...body, variants }]),
      harness.abi,
      "VariantWithoutChunks",
      [BigInt(variants.length - 1)],
    );
    expect(() => manifestDataRoot({ ...body, variants: [] })).to.throw("body.variants");
    expect(() => manifestDataRoot({ ...body, variants })).to.throw(
      `body.variants[${variants.length - 1}].chunks`,
    );
  });

  it("ObservationHash is the same on-chain for every header", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.observationHeader, async (header) => {
        expect(await harness.read.observationHash([header])).to.equal(observationHash(header));
      }),
      { numRuns: RUNS },
    );
  });

  it("ContentHash is the same on-chain for every content", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(arb.observationContent, async (content) => {
        const onChain = await harness.read.contentHash([content]);
        expect(onChain).to.equal(contentHash(content));
        expect(onChain).to.equal(keccak256(await harness.read.encodeObservationContent([content])));
      }),
      { numRuns: RUNS },
    );
  });

  it("the unchecked forms over decoded values (the indexer's) equal contentHash and observationSlot, upper-case hex included", function () {
    fc.assert(
      fc.property(arb.observationContent, fc.boolean(), (content, upper) => {
        const cased = upper
          ? (Object.fromEntries(
              Object.entries(content).map(([k, v]) => [
                k,
                typeof v === "string" ? `0x${v.slice(2).toUpperCase()}` : v,
              ]),
            ) as typeof content)
          : content;
        expect(contentHashOfCanonical(cased)).to.equal(contentHash(content));
        expect(observationSlotOfCanonical(cased.streamHash, cased.epochHash)).to.equal(
          observationSlot(content.streamHash, content.epochHash),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("a header's content is its five signed fields: ContentHash of headerContent equals the hash of the same fields", async function () {
    await fc.assert(
      fc.property(arb.observationHeader, (header) => {
        const content = headerContent(header);
        expect(Object.keys(content)).to.deep.equal(
          abiParameters.ObservationContent.components.map((c) => c.name),
        );
        expect(contentHash(content)).to.equal(
          keccak256(
            encodeAbiParameters(
              [
                { type: "bytes32" },
                { type: "bytes32" },
                { type: "bytes32" },
                { type: "bytes32" },
                { type: "uint64" },
              ],
              [
                header.streamHash,
                header.epochHash,
                header.dataRoot,
                header.locatorHash,
                header.observedUnixMs,
              ],
            ),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });

  describe("abi.encode of every canonical type is the same on-chain", function () {
    const cases: [CanonicalTypeName, fc.Arbitrary<unknown>][] = [
      ["BroadcastId", arb.broadcastId],
      ["SourceId", arb.sourceId],
      ["StreamKey", arb.streamKey],
      ["StreamDescriptor", arb.streamDescriptor],
      ["StreamControlAnnouncement", arb.controlAnnouncement],
      ["ChunkId", arb.chunkId],
      ["ManifestVariant", arb.manifestVariant],
      ["ManifestBody", arb.manifestBody],
      ["ManifestSignature", arb.manifestSignature],
      ["Manifest", arb.manifest],
      ["ObservationContent", arb.observationContent],
      ["ObservationHeader", arb.observationHeader],
    ];
    for (const [name, arbitrary] of cases) {
      it(`encodes ${name} byte for byte like viem`, async function () {
        const { harness } = await loadFixture(deployHarness);
        const read = harness.read as unknown as Record<string, (args: [unknown]) => Promise<Hex>>;
        const encode = read[`encode${name}`];
        if (!encode) throw new Error(`harness lacks encode${name}`);
        await fc.assert(
          fc.asyncProperty(arbitrary, async (value) => {
            const ts = encodeAbiParameters([abiParameters[name]], [value as never]);
            const onChain = await encode([value]);
            expect(onChain).to.equal(ts);
            expect(keccak256(onChain)).to.equal(keccak256(ts));
          }),
          { numRuns: 200 },
        );
      });
    }
  });
});
