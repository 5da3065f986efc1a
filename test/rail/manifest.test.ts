import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { getAddress, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  manifestBodyHash,
  manifestDataRoot,
  manifestEnvelopeHash,
} from "../../lib/commitments/manifest";
import { controlAnnouncementHash } from "../../lib/commitments/stream";
import { manifestDigest, readManifestDomain, signManifestEip712 } from "../../lib/eip712/manifest";
import { railDomain } from "../../lib/rail/domain";
import {
  announcementPointerFromAnnouncement,
  manifestPointerFromManifest,
} from "../../lib/rail/pointer";
import {
  SignatureScheme,
  type Manifest,
  type ManifestBody,
  type StreamControlAnnouncement,
} from "../../lib/types/abi";
import { controlAnnouncement, manifestBody, wellFormedBody } from "../types/arbitraries";
import { claimedRailFixture, deployRailFixture, expectEvents, mined, word } from "./support";

const KEY_A = privateKeyToAccount(word("rail/manifest-signer/a"));
const KEY_B = privateKeyToAccount(word("rail/manifest-signer/b"));

function sampleBody(streamId: Hex, seed: number): ManifestBody {
  const [body] = fc.sample(wellFormedBody, { seed, numRuns: 1 });
  if (!body) throw new Error("no sample");
  return { ...body, streamId };
}

describe("EveryChannelRail manifests", function () {
  describe("pointers built from protocol values", function () {
    it("publishes the pointer of a signed manifest with its three keccak commitments and BLAKE3 id", async function () {
      const f = await claimedRailFixture();
      const body = sampleBody(f.streamId, 1);
      const domain = await readManifestDomain(f.publicClient, f.rail.address);
      const signature = await signManifestEip712({ account: KEY_A, body, domain });
      const manifest: Manifest = {
        body,
        manifestId: word("blake3 manifest id"),
        signatures: [{ scheme: SignatureScheme.Eip712Secp256k1, signer: KEY_A.address, signature }],
      };
      const pointer = manifestPointerFromManifest({ manifest, revision: 1n });
      expect(pointer).to.deep.equal({
        streamId: f.streamId,
        epochId: body.epochId,
        manifestBodyHash: manifestBodyHash(body),
        manifestEnvelopeHash: manifestEnvelopeHash(manifest),
        dataRoot: manifestDataRoot(body),
        manifestId: manifest.manifestId,
        revision: 1n,
      });
      const receipt = await mined(
        f,
        f.rail.write.publishManifest([pointer], { account: f.publisher.account }),
      );
      expectEvents(receipt, f.rail.abi, [
        {
          eventName: "ManifestPublished",
          args: { ...pointer, publisher: f.publisher.account.address },
        },
      ]);
      expect(
        (await f.rail.read.latestManifest([f.streamId, body.epochId])).manifestBodyHash,
      ).to.equal(manifestBodyHash(body));
      expect(await f.rail.read.verifyManifestSignature([body, KEY_A.address, signature])).to.equal(
        true,
      );
    });

    it("publishes the pointer of a transport announcement with its commitment", async function () {
      const f = await claimedRailFixture();
      const [sampled] = fc.sample(controlAnnouncement, { seed: 2, numRuns: 1 });
      if (!sampled) throw new Error("no sample");
      const announcement: StreamControlAnnouncement = {
        ...sampled,
        streamId: f.streamId,
        sequence: 3n,
      };
      const pointer = announcementPointerFromAnnouncement(announcement);
      expect(pointer).to.deep.equal({
        streamId: f.streamId,
        announcementHash: controlAnnouncementHash(announcement),
        descriptorHash: announcement.descriptorHash,
        sequence: 3n,
      });
      const receipt = await mined(
        f,
        f.rail.write.publishAnnouncement([pointer], { account: f.publisher.account }),
      );
      expectEvents(receipt, f.rail.abi, [
        {
          eventName: "AnnouncementPublished",
          args: { ...pointer, publisher: f.publisher.account.address },
        },
      ]);
    });
  });

  describe("manifestBodyDigest", function () {
    it("equals the library's EIP-712 digest of any body under the rail's domain", async function () {
      const f = await deployRailFixture();
      const domain = await readManifestDomain(f.publicClient, f.rail.address);
      expect(domain).to.deep.equal(railDomain(31337, f.rail.address));
      await fc.assert(
        fc.asyncProperty(fc.oneof(manifestBody, wellFormedBody), async (body) => {
          expect(await f.rail.read.manifestBodyDigest([body])).to.equal(
            manifestDigest(body, domain),
          );
        }),
        { numRuns: 100 },
      );
    });
  });

  describe("verifyManifestSignature", function () {
    it("accepts the signer's EIP-712 body signature and rejects other signers and other bodies", async function () {
      const f = await deployRailFixture();
      const domain = await readManifestDomain(f.publicClient, f.rail.address);
      await fc.assert(
        fc.asyncProperty(wellFormedBody, wellFormedBody, async (body, other) => {
          const signature = await signManifestEip712({ account: KEY_A, body, domain });
          expect(
            await f.rail.read.verifyManifestSignature([body, KEY_A.address, signature]),
          ).to.equal(true);
          expect(
            await f.rail.read.verifyManifestSignature([body, KEY_B.address, signature]),
          ).to.equal(false);
          if (manifestDigest(other, domain) !== manifestDigest(body, domain))
            expect(
              await f.rail.read.verifyManifestSignature([other, KEY_A.address, signature]),
            ).to.equal(false);
        }),
        { numRuns: 60 },
      );
    });

    it("rejects signatures made under another chain id or another contract's domain", async function () {
      const f = await deployRailFixture();
      const body = sampleBody(f.streamId, 3);
      const domain = await readManifestDomain(f.publicClient, f.rail.address);
      const second = await hre.viem.deployContract("EveryChannelRail");
      for (const wrong of [
        { ...domain, chainId: 1 },
        { ...domain, verifyingContract: getAddress(second.address) },
      ]) {
        const signature = await signManifestEip712({ account: KEY_A, body, domain: wrong });
        expect(
          await f.rail.read.verifyManifestSignature([body, KEY_A.address, signature]),
        ).to.equal(false);
      }
    });

    it("returns false, without reverting, for malformed signatures", async function () {
      const f = await deployRailFixture();
      const body = sampleBody(f.streamId, 4);
      for (const signature of [
        "0x",
        toHex(new Uint8Array(64)),
        toHex(new Uint8Array(65)),
        toHex(new Uint8Array(66)),
      ] as Hex[])
        expect(
          await f.rail.read.verifyManifestSignature([body, KEY_A.address, signature]),
        ).to.equal(false);
    });

    it("accepts an ERC-1271 wallet signer when its key signed, and only then", async function () {
      const f = await deployRailFixture();
      const body = sampleBody(f.streamId, 5);
      const domain = await readManifestDomain(f.publicClient, f.rail.address);
      const wallet = await hre.viem.deployContract("ERC1271WalletMock", [KEY_A.address]);
      const good = await signManifestEip712({ account: KEY_A, body, domain });
      const bad = await signManifestEip712({ account: KEY_B, body, domain });
      expect(await f.rail.read.verifyManifestSignature([body, wallet.address, good])).to.equal(
        true,
      );
      expect(await f.rail.read.verifyManifestSignature([body, wallet.address, bad])).to.equal(
        false,
      );
    });
  });
});
