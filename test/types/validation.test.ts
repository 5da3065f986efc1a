import { expect } from "chai";
import fc from "fast-check";
import type { Hex } from "viem";

import { manifestBodyHash, manifestEnvelopeHash } from "../../lib/commitments/manifest";
import { observationHash, observationSlot } from "../../lib/commitments/observation";
import {
  controlAnnouncementHash,
  epochHash,
  streamDescriptorHash,
  streamId,
} from "../../lib/commitments/stream";
import { InvalidFieldError } from "../../lib/errors";
import type { CanonicalTypeName, ManifestBody, StreamKey } from "../../lib/types/abi";
import { InvalidCanonicalValueError } from "../../lib/validation/errors";
import { fromJson, fromJsonText, toJson } from "../../lib/validation/json-form";
import * as arb from "./arbitraries";

/** Runs `fn` and returns the typed error it throws (failing the test if it does not throw one). */
function caught(fn: () => unknown): InvalidCanonicalValueError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidCanonicalValueError);
    expect(error).to.be.instanceOf(InvalidFieldError);
    return error as InvalidCanonicalValueError;
  }
  return expect.fail("expected an InvalidCanonicalValueError");
}

const h = (b: number): Hex => `0x${b.toString(16).padStart(2, "0").repeat(32)}`;
const key: StreamKey = {
  broadcast: {
    standard: 0,
    region: "0x5553",
    rfChannel: 7,
    transportStreamId: 2113,
    programNumber: 3,
    majorChannel: 7,
    minorChannel: 1,
    callsign: "KGO-HD",
  },
  profile: "ts-original",
};
const body: ManifestBody = {
  streamId: h(1),
  epochId: 1n,
  epochStartUnixMs: 2n,
  epochDurationMs: 6000,
  variants: [
    {
      name: "ts-original",
      chunks: [0, 1, 2, 3].map((index) => ({ index, size: 100 + index, blake3: h(index + 16) })),
    },
  ],
  psipBlake3: h(0),
  merkleRoot: h(2),
  publisher: { nodeId: h(3), device: "tuner0" },
  createdUnixMs: 4n,
};
const bodyJson = () =>
  JSON.parse(JSON.stringify(toJson("ManifestBody", body))) as Record<string, any>;

describe("canonical values: validation and JSON form", function () {
  describe("JSON form round trip", function () {
    const cases: [CanonicalTypeName, fc.Arbitrary<unknown>][] = [
      ["BroadcastId", arb.broadcastId],
      ["SourceId", arb.sourceId],
      ["StreamKey", arb.streamKey],
      ["StreamDescriptor", arb.streamDescriptor.filter((d) => d.epochDurationMs > 0)],
      [
        "StreamControlAnnouncement",
        arb.controlAnnouncement.filter((a) => a.expiresUnixMs > a.issuedUnixMs),
      ],
      ["ChunkId", arb.chunkId],
      ["ManifestVariant", arb.manifestVariant],
      ["ManifestBody", arb.wellFormedBody],
      ["ManifestSignature", arb.manifestSignature],
      [
        "Manifest",
        fc.record({
          body: arb.wellFormedBody,
          manifestId: arb.bytes32,
          signatures: fc.array(arb.manifestSignature, { maxLength: arb.MAX_LIST }),
        }),
      ],
      ["ObservationContent", arb.observationContent],
      ["ObservationHeader", arb.observationHeader],
    ];
    for (const [name, arbitrary] of cases) {
      it(`parses back every ${name} it writes`, function () {
        fc.assert(
          fc.property(arbitrary, (value) => {
            const json = JSON.parse(JSON.stringify(toJson(name, value as never)));
            expect(fromJson(name, json)).to.deep.equal(value);
          }),
          { numRuns: 150 },
        );
      });
    }
  });

  describe("bad JSON names the field and the value", function () {
    it("rejects a chunk hash of the wrong length at its full path", function () {
      fc.assert(
        fc.property(
          fc.nat(3),
          fc.integer({ min: 0, max: 80 }).filter((n) => n !== 64),
          (c, len) => {
            const json = bodyJson();
            const bad = "a".repeat(len);
            json.variants[0].chunks[c].blake3 = bad;
            const error = caught(() => fromJson("ManifestBody", json, "body"));
            expect(error.field).to.equal(`body.variants[0].chunks[${c}].blake3`);
            expect(error.value).to.equal(bad);
            expect(error.message).to.contain(`body.variants[0].chunks[${c}].blake3`);
          },
        ),
        { numRuns: 100 },
      );
    });

    it("rejects hex with 0x or upper-case letters in the JSON form", function () {
      for (const bad of [`0x${"ab".repeat(31)}`, "AB".repeat(32)]) {
        const json = bodyJson();
        json.streamId = bad;
        expect(caught(() => fromJson("ManifestBody", json, "body"))).to.include({
          field: "body.streamId",
          value: bad,
        });
      }
    });

    it("rejects out-of-range integers: uint16, uint32 and uint64 (as string or number)", function () {
      const stream = toJson("StreamKey", key) as Record<string, any>;
      for (const bad of [65536, -1, 1.5, "7"]) {
        const json = JSON.parse(JSON.stringify(stream));
        json.broadcast.rfChannel = bad;
        expect(caught(() => fromJson("StreamKey", json, "key"))).to.include({
          field: "key.broadcast.rfChannel",
          value: bad,
        });
      }
      for (const bad of ["18446744073709551616", "-1", "01", "1e3", 2 ** 53, 1.5, ""]) {
        const json = bodyJson();
        json.epochId = bad;
        expect(caught(() => fromJson("ManifestBody", json, "body"))).to.include({
          field: "body.epochId",
          value: bad,
        });
      }
      const json = bodyJson();
      json.variants[0].chunks[2].size = 2 ** 32;
      expect(caught(() => fromJson("ManifestBody", json, "body"))).to.include({
        field: "body.variants[0].chunks[2].size",
        value: 2 ** 32,
      });
    });

    it("accepts a uint64 written as a safe-integer JSON number", function () {
      const json = bodyJson();
      json.epochId = 289000000;
      expect(fromJson("ManifestBody", json).epochId).to.equal(289000000n);
    });

    it("rejects a missing field, an unknown field and a missing nested object", function () {
      const missingField = bodyJson();
      delete missingField.variants[0].chunks[1].blake3;
      expect(caught(() => fromJson("ManifestBody", missingField, "body"))).to.include({
        field: "body.variants[0].chunks[1].blake3",
        value: undefined,
      });
      const error = caught(() => fromJson("ManifestBody", missingField, "body"));
      expect(error.message).to.contain("missing field");
      const unknown = bodyJson();
      unknown.publisher.extra = 1;
      expect(caught(() => fromJson("ManifestBody", unknown, "body"))).to.include({
        field: "body.publisher.extra",
        value: 1,
      });
      const noPublisher = bodyJson();
      delete noPublisher.publisher;
      expect(caught(() => fromJson("ManifestBody", noPublisher, "body")).field).to.equal(
        "body.publisher",
      );
    });

    it("rejects unknown enum values: broadcast standard, region, signature scheme", function () {
      const stream = toJson("StreamKey", key) as Record<string, any>;
      const badStandard = { ...stream, broadcast: { ...stream.broadcast, standard: "atsc9" } };
      const error = caught(() => fromJson("StreamKey", badStandard, "key"));
      expect(error).to.include({ field: "key.broadcast.standard", value: "atsc9" });
      expect(error.message).to.contain("unknown broadcast standard");
      const badRegion = { ...stream, broadcast: { ...stream.broadcast, region: "us" } };
      expect(caught(() => fromJson("StreamKey", badRegion, "key"))).to.include({
        field: "key.broadcast.region",
        value: "us",
      });
      const sig = { scheme: "rsa", signer: "00".repeat(32), signature: "00".repeat(64) };
      expect(caught(() => fromJson("ManifestSignature", sig, "sig"))).to.include({
        field: "sig.scheme",
        value: "rsa",
      });
      const shortKey = {
        scheme: "ed25519-blake3",
        signer: "00".repeat(20),
        signature: "00".repeat(64),
      };
      expect(caught(() => fromJson("ManifestSignature", shortKey, "sig")).field).to.equal(
        "sig.signer",
      );
    });

    it("enforces the protocol rules: variants, chunk order, sizes, durations, expiry", function () {
      const noVariants = { ...bodyJson(), variants: [] };
      expect(caught(() => fromJson("ManifestBody", noVariants, "body")).field).to.equal(
        "body.variants",
      );
      const gap = bodyJson();
      gap.variants[0].chunks[2].index = 3;
      expect(caught(() => fromJson("ManifestBody", gap, "body"))).to.include({
        field: "body.variants[0].chunks[2].index",
        value: 3,
      });
      const empty = bodyJson();
      empty.variants[0].chunks[1].size = 0;
      expect(caught(() => fromJson("ManifestBody", empty, "body")).field).to.equal(
        "body.variants[0].chunks[1].size",
      );
      const zeroDuration = { ...bodyJson(), epochDurationMs: 0 };
      expect(caught(() => fromJson("ManifestBody", zeroDuration, "body")).field).to.equal(
        "body.epochDurationMs",
      );
      const announcement = {
        streamId: "11".repeat(32),
        source: { nodeId: "22".repeat(32), device: "d" },
        descriptorHash: "33".repeat(32),
        relayUrls: [],
        sequence: "1",
        issuedUnixMs: "10",
        expiresUnixMs: "10",
      };
      expect(
        caught(() => fromJson("StreamControlAnnouncement", announcement, "announcement")),
      ).to.include({ field: "announcement.expiresUnixMs", value: "10" });
    });

    it("rejects strings that are not well-formed Unicode", function () {
      const json = bodyJson();
      json.variants[0].name = "ts-\uD800";
      expect(caught(() => fromJson("ManifestBody", json, "body")).field).to.equal(
        "body.variants[0].name",
      );
    });

    it("names the source when the text is not JSON", function () {
      expect(caught(() => fromJsonText("ManifestBody", "{", "m.json")).field).to.equal("m.json");
    });
  });

  describe("commitment functions reject bad typed values", function () {
    it("wrong hex length", function () {
      const bad = { ...key, broadcast: { ...key.broadcast, region: "0x55" as Hex } };
      expect(caught(() => streamId(bad))).to.include({
        field: "key.broadcast.region",
        value: "0x55",
      });
      const chunks = body.variants[0]!.chunks.map((c, i) =>
        i === 3 ? { ...c, blake3: "0x1234" as Hex } : c,
      );
      const badBody = { ...body, variants: [{ name: "v", chunks }] };
      expect(caught(() => manifestBodyHash(badBody))).to.include({
        field: "body.variants[0].chunks[3].blake3",
        value: "0x1234",
      });
      expect(caught(() => observationSlot("0x12", h(1))).field).to.equal("streamHash");
    });

    it("out-of-range integers, boundary by boundary", function () {
      for (const [bits, value] of [
        [16, 65536],
        [16, -1],
        [16, 0.5],
      ] as const) {
        const bad = { ...key, broadcast: { ...key.broadcast, programNumber: value } };
        const error = caught(() => streamId(bad));
        expect(error, `uint${bits} ${value}`).to.include({
          field: "key.broadcast.programNumber",
          value,
        });
      }
      expect(
        caught(() =>
          epochHash({ streamHash: h(1), epochId: 2n ** 64n, startUnixMs: 0n, durationMs: 1 }),
        ),
      ).to.include({ field: "epoch.epochId", value: 2n ** 64n });
      expect(
        caught(() =>
          epochHash({ streamHash: h(1), epochId: 0n, startUnixMs: 0n, durationMs: 2 ** 32 }),
        ),
      ).to.include({ field: "epoch.durationMs", value: 2 ** 32 });
      expect(
        caught(() =>
          observationHash({
            streamHash: h(1),
            epochHash: h(2),
            parentObservationHash: h(0),
            dataRoot: h(3),
            locatorHash: h(4),
            observedUnixMs: 0n,
            sequence: -1n,
          }),
        ),
      ).to.include({ field: "header.sequence", value: -1n });
      expect(
        caught(() => manifestBodyHash({ ...body, epochId: 5 as unknown as bigint })),
      ).to.include({ field: "body.epochId", value: 5 });
    });

    it("missing fields", function () {
      const { psipBlake3: _psip, ...rest } = body;
      expect(caught(() => manifestBodyHash(rest as ManifestBody))).to.include({
        field: "body.psipBlake3",
        value: undefined,
      });
      const descriptor = { stream: key, epochDurationMs: 1, variants: [], describedUnixMs: 0n };
      expect(caught(() => streamDescriptorHash(descriptor as never)).field).to.equal(
        "descriptor.source",
      );
    });

    it("unknown enum values: standard and signature scheme codes", function () {
      const bad = { ...key, broadcast: { ...key.broadcast, standard: 6 } };
      const error = caught(() => streamId(bad));
      expect(error).to.include({ field: "key.broadcast.standard", value: 6 });
      expect(error.message).to.contain("unknown broadcast standard");
      const manifest = {
        body,
        manifestId: h(9),
        signatures: [{ scheme: 2, signer: h(1), signature: "0x00" as Hex }],
      };
      expect(caught(() => manifestEnvelopeHash(manifest))).to.include({
        field: "manifest.signatures[0].scheme",
        value: 2,
      });
      const announcement = {
        streamId: h(1),
        source: { nodeId: h(2), device: "d" },
        descriptorHash: h(3),
        relayUrls: ["https://relay.example", 7 as unknown as string],
        sequence: 0n,
        issuedUnixMs: 0n,
        expiresUnixMs: 1n,
      };
      expect(caught(() => controlAnnouncementHash(announcement))).to.include({
        field: "announcement.relayUrls[1]",
        value: 7,
      });
    });
  });
});
