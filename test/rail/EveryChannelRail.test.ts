import { expect } from "chai";
import hre from "hardhat";
import { getAddress, hashTypedData, zeroAddress, zeroHash, type Hex } from "viem";

import { railDomain, type RailDomain } from "../../lib/rail/domain";
import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
} from "../../lib/rail/sign";
import {
  railTypes,
  type AnnouncementPointer,
  type ManifestPointer,
} from "../../lib/rail/typedData";
import { expectRevert } from "../support/revert";
import {
  FAR_DEADLINE,
  claimedRailFixture,
  deployRailFixture,
  expectEvents,
  mined,
  sampleAnnouncementPointer,
  sampleManifestPointer,
  sampleStreamKey,
  streamIdOf,
  word,
  type Actor,
  type ExpectedEvent,
  type RailFixture,
} from "./support";

const TIME = 1_900_000_000n;

function manifestEvent(publisher: Hex, p: ManifestPointer): ExpectedEvent {
  return {
    eventName: "ManifestPublished",
    args: {
      streamId: p.streamId,
      epochId: p.epochId,
      publisher,
      manifestBodyHash: p.manifestBodyHash,
      manifestEnvelopeHash: p.manifestEnvelopeHash,
      dataRoot: p.dataRoot,
      manifestId: p.manifestId,
      revision: p.revision,
    },
  };
}

function announcementEvent(publisher: Hex, p: AnnouncementPointer): ExpectedEvent {
  return {
    eventName: "AnnouncementPublished",
    args: {
      streamId: p.streamId,
      publisher,
      announcementHash: p.announcementHash,
      descriptorHash: p.descriptorHash,
      sequence: p.sequence,
    },
  };
}

function nonceEvent(account: Hex, nonce: bigint): ExpectedEvent {
  return { eventName: "NonceUsed", args: { account, nonce } };
}

async function pinTime(f: RailFixture, time: bigint): Promise<void> {
  await mined(f, f.rail.write.setTime([time]));
}

/**
 * One way of moving pointers: each path publishes as `actor` (directly, or signed by `actor` and sent
 * by the relayer) and says which events come before the pointer events.
 */
type PublishPath = {
  name: string;
  manifest(f: RailFixture, actor: Actor, p: ManifestPointer): Promise<Hex>;
  announcement(f: RailFixture, actor: Actor, p: AnnouncementPointer): Promise<Hex>;
  /** Events emitted before the pointer events when `actor` (whose nonce was `nonce`) publishes. */
  leadingEvents(actor: Actor, nonce: bigint): ExpectedEvent[];
};

const paths: PublishPath[] = [
  {
    name: "publishManifest / publishAnnouncement",
    manifest: (f, actor, p) => f.rail.write.publishManifest([p], { account: actor.account }),
    announcement: (f, actor, p) =>
      f.rail.write.publishAnnouncement([p], { account: actor.account }),
    leadingEvents: () => [],
  },
  {
    name: "publishManifestWithSig / publishAnnouncementWithSig",
    async manifest(f, actor, p) {
      const nonce = await f.rail.read.nonces([actor.account.address]);
      const signed = await signManifestPointer({
        signer: actor,
        domain: f.domain,
        pointer: p,
        nonce,
        deadline: FAR_DEADLINE,
      });
      return f.rail.write.publishManifestWithSig(
        [actor.account.address, p, nonce, FAR_DEADLINE, signed.signature],
        { account: f.relayer.account },
      );
    },
    async announcement(f, actor, p) {
      const nonce = await f.rail.read.nonces([actor.account.address]);
      const signed = await signAnnouncementPointer({
        signer: actor,
        domain: f.domain,
        pointer: p,
        nonce,
        deadline: FAR_DEADLINE,
      });
      return f.rail.write.publishAnnouncementWithSig(
        [actor.account.address, p, nonce, FAR_DEADLINE, signed.signature],
        { account: f.relayer.account },
      );
    },
    leadingEvents: (actor, nonce) => [nonceEvent(actor.account.address, nonce)],
  },
  {
    name: "publishBatch",
    manifest: (f, actor, p) => f.rail.write.publishBatch([[p], []], { account: actor.account }),
    announcement: (f, actor, p) => f.rail.write.publishBatch([[], [p]], { account: actor.account }),
    leadingEvents: () => [],
  },
  {
    name: "publishBatchWithSig",
    async manifest(f, actor, p) {
      const nonce = await f.rail.read.nonces([actor.account.address]);
      const signed = await signPointerBatch({
        signer: actor,
        domain: f.domain,
        manifests: [p],
        announcements: [],
        nonce,
        deadline: FAR_DEADLINE,
      });
      return f.rail.write.publishBatchWithSig(
        [actor.account.address, [p], [], nonce, FAR_DEADLINE, signed.signature],
        { account: f.relayer.account },
      );
    },
    async announcement(f, actor, p) {
      const nonce = await f.rail.read.nonces([actor.account.address]);
      const signed = await signPointerBatch({
        signer: actor,
        domain: f.domain,
        manifests: [],
        announcements: [p],
        nonce,
        deadline: FAR_DEADLINE,
      });
      return f.rail.write.publishBatchWithSig(
        [actor.account.address, [], [p], nonce, FAR_DEADLINE, signed.signature],
        { account: f.relayer.account },
      );
    },
    leadingEvents: (actor, nonce) => [nonceEvent(actor.account.address, nonce)],
  },
];

describe("EveryChannelRail", function () {
  describe("version and domain", function () {
    it("reports version 1.0.0", async function () {
      const f = await deployRailFixture();
      expect(await f.rail.read.version()).to.equal("1.0.0");
    });

    it("exposes its EIP-712 domain through ERC-5267 as EveryChannelRail version 1 on this chain", async function () {
      const f = await deployRailFixture();
      const [fields, name, version, chainId, verifyingContract, salt, extensions] =
        await f.rail.read.eip712Domain();
      expect({ fields, name, version, chainId, verifyingContract, salt, extensions }).to.deep.equal(
        {
          fields: "0x0f",
          name: "EveryChannelRail",
          version: "1",
          chainId: 31337n,
          verifyingContract: getAddress(f.rail.address),
          salt: zeroHash,
          extensions: [],
        },
      );
      expect(f.domain).to.deep.equal(railDomain(31337, f.rail.address));
    });

    it("reads zero for unclaimed streams, empty pointers and unused nonces", async function () {
      const f = await deployRailFixture();
      expect(await f.rail.read.publisherOf([f.streamId])).to.equal(zeroAddress);
      expect(await f.rail.read.pendingPublisherOf([f.streamId])).to.equal(zeroAddress);
      expect(await f.rail.read.latestManifest([f.streamId, 7n])).to.deep.equal({
        manifestBodyHash: zeroHash,
        revision: 0n,
        updatedAt: 0n,
      });
      expect(await f.rail.read.latestAnnouncement([f.streamId])).to.deep.equal({
        announcementHash: zeroHash,
        sequence: 0n,
        updatedAt: 0n,
      });
      expect(await f.rail.read.nonces([f.publisher.account.address])).to.equal(0n);
    });
  });

  describe("claimStream", function () {
    it("makes the caller the publisher of the stream id computed from the full key", async function () {
      const f = await deployRailFixture();
      const { result } = await f.rail.simulate.claimStream([f.key], {
        account: f.publisher.account.address,
      });
      expect(result).to.equal(f.streamId);
      const receipt = await mined(
        f,
        f.rail.write.claimStream([f.key], { account: f.publisher.account }),
      );
      expectEvents(receipt, f.rail.abi, [
        {
          eventName: "StreamClaimed",
          args: { streamId: f.streamId, publisher: f.publisher.account.address, key: f.key },
        },
      ]);
      expect(await f.rail.read.publisherOf([f.streamId])).to.equal(
        getAddress(f.publisher.account.address),
      );
    });

    it("reverts when anyone claims a stream that already has a publisher", async function () {
      const f = await claimedRailFixture();
      for (const account of [f.other.account, f.publisher.account]) {
        await expectRevert(
          f.rail.write.claimStream([f.key], { account }),
          f.rail.abi,
          "StreamAlreadyClaimed",
          [f.streamId, f.publisher.account.address],
        );
      }
    });

    it("keeps streams that differ in any key field apart", async function () {
      const f = await claimedRailFixture();
      const key = { ...f.key, profile: "hls-720p" };
      await mined(f, f.rail.write.claimStream([key], { account: f.other.account }));
      expect(await f.rail.read.publisherOf([streamIdOf(key)])).to.equal(
        getAddress(f.other.account.address),
      );
      expect(await f.rail.read.publisherOf([f.streamId])).to.equal(
        getAddress(f.publisher.account.address),
      );
    });
  });

  describe("claimStreamWithSig", function () {
    it("makes the signer the publisher when anyone relays its signature, and uses its nonce", async function () {
      const f = await deployRailFixture();
      const signed = await signClaimStream({
        signer: f.publisher,
        domain: f.domain,
        streamId: f.streamId,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      const args = [
        f.key,
        f.publisher.account.address,
        0n,
        FAR_DEADLINE,
        signed.signature,
      ] as const;
      const { result } = await f.rail.simulate.claimStreamWithSig(args, {
        account: f.relayer.account.address,
      });
      expect(result).to.equal(f.streamId);
      const receipt = await mined(
        f,
        f.rail.write.claimStreamWithSig(args, { account: f.relayer.account }),
      );
      expectEvents(receipt, f.rail.abi, [
        nonceEvent(f.publisher.account.address, 0n),
        {
          eventName: "StreamClaimed",
          args: { streamId: f.streamId, publisher: f.publisher.account.address, key: f.key },
        },
      ]);
      expect(await f.rail.read.publisherOf([f.streamId])).to.equal(
        getAddress(f.publisher.account.address),
      );
      expect(await f.rail.read.nonces([f.publisher.account.address])).to.equal(1n);
    });

    it("reverts when the stream already has a publisher", async function () {
      const f = await claimedRailFixture();
      const signed = await signClaimStream({
        signer: f.other,
        domain: f.domain,
        streamId: f.streamId,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      await expectRevert(
        f.rail.write.claimStreamWithSig(
          [f.key, f.other.account.address, 0n, FAR_DEADLINE, signed.signature],
          { account: f.relayer.account },
        ),
        f.rail.abi,
        "StreamAlreadyClaimed",
        [f.streamId, f.publisher.account.address],
      );
    });

    it("reverts when the signature was made for another stream id than the key's", async function () {
      const f = await deployRailFixture();
      const otherId = streamIdOf(sampleStreamKey(1));
      const signed = await signClaimStream({
        signer: f.publisher,
        domain: f.domain,
        streamId: otherId,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      const expected = hashTypedData({
        domain: f.domain,
        types: railTypes,
        primaryType: "ClaimStream",
        message: {
          streamId: f.streamId,
          publisher: f.publisher.account.address,
          nonce: 0n,
          deadline: FAR_DEADLINE,
        },
      });
      await expectRevert(
        f.rail.write.claimStreamWithSig(
          [f.key, f.publisher.account.address, 0n, FAR_DEADLINE, signed.signature],
          { account: f.relayer.account },
        ),
        f.rail.abi,
        "InvalidSignature",
        [f.publisher.account.address, expected],
      );
    });
  });

  describe("proposePublisher and acceptPublisher", function () {
    it("rotates the publisher in two steps and takes all authority from the old key", async function () {
      const f = await claimedRailFixture();
      const proposed = await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.successor.account.address], {
          account: f.publisher.account,
        }),
      );
      expectEvents(proposed, f.rail.abi, [
        {
          eventName: "PublisherProposed",
          args: {
            streamId: f.streamId,
            publisher: f.publisher.account.address,
            pendingPublisher: f.successor.account.address,
          },
        },
      ]);
      expect(await f.rail.read.pendingPublisherOf([f.streamId])).to.equal(
        getAddress(f.successor.account.address),
      );
      // Until the new key accepts, the old one still publishes.
      await mined(
        f,
        f.rail.write.publishManifest([sampleManifestPointer(f.streamId)], {
          account: f.publisher.account,
        }),
      );
      const accepted = await mined(
        f,
        f.rail.write.acceptPublisher([f.streamId], { account: f.successor.account }),
      );
      expectEvents(accepted, f.rail.abi, [
        {
          eventName: "PublisherRotated",
          args: {
            streamId: f.streamId,
            previousPublisher: f.publisher.account.address,
            newPublisher: f.successor.account.address,
          },
        },
      ]);
      expect(await f.rail.read.publisherOf([f.streamId])).to.equal(
        getAddress(f.successor.account.address),
      );
      expect(await f.rail.read.pendingPublisherOf([f.streamId])).to.equal(zeroAddress);
      const next = sampleManifestPointer(f.streamId, { revision: 2n });
      await expectRevert(
        f.rail.write.publishManifest([next], { account: f.publisher.account }),
        f.rail.abi,
        "NotPublisher",
        [f.streamId, f.publisher.account.address, f.successor.account.address],
      );
      await expectRevert(
        f.rail.write.proposePublisher([f.streamId, f.publisher.account.address], {
          account: f.publisher.account,
        }),
        f.rail.abi,
        "NotPublisher",
        [f.streamId, f.publisher.account.address, f.successor.account.address],
      );
      await mined(f, f.rail.write.publishManifest([next], { account: f.successor.account }));
    });

    it("rejects a relayed signature of the old key after a rotation", async function () {
      const f = await claimedRailFixture();
      const pointer = sampleManifestPointer(f.streamId);
      const signed = await signManifestPointer({
        signer: f.publisher,
        domain: f.domain,
        pointer,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.successor.account.address], {
          account: f.publisher.account,
        }),
      );
      await mined(f, f.rail.write.acceptPublisher([f.streamId], { account: f.successor.account }));
      await expectRevert(
        f.rail.write.publishManifestWithSig(
          [f.publisher.account.address, pointer, 0n, FAR_DEADLINE, signed.signature],
          { account: f.relayer.account },
        ),
        f.rail.abi,
        "NotPublisher",
        [f.streamId, f.publisher.account.address, f.successor.account.address],
      );
    });

    it("withdraws a pending proposal when the publisher proposes the zero address", async function () {
      const f = await claimedRailFixture();
      await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.successor.account.address], {
          account: f.publisher.account,
        }),
      );
      const withdrawn = await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, zeroAddress], { account: f.publisher.account }),
      );
      expectEvents(withdrawn, f.rail.abi, [
        {
          eventName: "PublisherProposed",
          args: {
            streamId: f.streamId,
            publisher: f.publisher.account.address,
            pendingPublisher: zeroAddress,
          },
        },
      ]);
      await expectRevert(
        f.rail.write.acceptPublisher([f.streamId], { account: f.successor.account }),
        f.rail.abi,
        "NotPendingPublisher",
        [f.streamId, f.successor.account.address, zeroAddress],
      );
    });

    it("reverts when someone other than the publisher proposes", async function () {
      const f = await claimedRailFixture();
      await expectRevert(
        f.rail.write.proposePublisher([f.streamId, f.other.account.address], {
          account: f.other.account,
        }),
        f.rail.abi,
        "NotPublisher",
        [f.streamId, f.other.account.address, f.publisher.account.address],
      );
    });

    it("reverts when a proposal names an unclaimed stream", async function () {
      const f = await deployRailFixture();
      await expectRevert(
        f.rail.write.proposePublisher([f.streamId, f.other.account.address], {
          account: f.publisher.account,
        }),
        f.rail.abi,
        "StreamNotClaimed",
        [f.streamId],
      );
    });

    it("reverts when someone other than the proposed publisher accepts", async function () {
      const f = await claimedRailFixture();
      await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.successor.account.address], {
          account: f.publisher.account,
        }),
      );
      for (const account of [f.other.account, f.publisher.account]) {
        await expectRevert(
          f.rail.write.acceptPublisher([f.streamId], { account }),
          f.rail.abi,
          "NotPendingPublisher",
          [f.streamId, account.address, f.successor.account.address],
        );
      }
    });

    it("reverts when nobody was proposed, even for the zero address's would-be caller", async function () {
      const f = await claimedRailFixture();
      await expectRevert(
        f.rail.write.acceptPublisher([f.streamId], { account: f.other.account }),
        f.rail.abi,
        "NotPendingPublisher",
        [f.streamId, f.other.account.address, zeroAddress],
      );
    });
  });

  describe("cancelNonce", function () {
    it("uses the caller's current nonce, returns it and invalidates signatures made with it", async function () {
      const f = await claimedRailFixture();
      const pointer = sampleManifestPointer(f.streamId);
      const signed = await signManifestPointer({
        signer: f.publisher,
        domain: f.domain,
        pointer,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      const { result } = await f.rail.simulate.cancelNonce({
        account: f.publisher.account.address,
      });
      expect(result).to.equal(0n);
      const receipt = await mined(f, f.rail.write.cancelNonce({ account: f.publisher.account }));
      expectEvents(receipt, f.rail.abi, [nonceEvent(f.publisher.account.address, 0n)]);
      expect(await f.rail.read.nonces([f.publisher.account.address])).to.equal(1n);
      await expectRevert(
        f.rail.write.publishManifestWithSig(
          [f.publisher.account.address, pointer, 0n, FAR_DEADLINE, signed.signature],
          { account: f.relayer.account },
        ),
        f.rail.abi,
        "InvalidAccountNonce",
        [f.publisher.account.address, 1n],
      );
      expect(await f.rail.read.nonces([f.other.account.address])).to.equal(0n);
    });
  });

  for (const path of paths) {
    describe(`pointer updates through ${path.name}`, function () {
      it("moves a manifest pointer, stores its body hash and revision, and emits every commitment", async function () {
        const f = await claimedRailFixture();
        await pinTime(f, TIME);
        const pointer = sampleManifestPointer(f.streamId, { revision: 0n });
        const nonce = await f.rail.read.nonces([f.publisher.account.address]);
        const receipt = await mined(f, path.manifest(f, f.publisher, pointer));
        expectEvents(receipt, f.rail.abi, [
          ...path.leadingEvents(f.publisher, nonce),
          manifestEvent(f.publisher.account.address, pointer),
        ]);
        expect(await f.rail.read.latestManifest([f.streamId, pointer.epochId])).to.deep.equal({
          manifestBodyHash: pointer.manifestBodyHash,
          revision: 0n,
          updatedAt: TIME,
        });
      });

      it("accepts a higher manifest revision and rejects an equal or lower one as stale", async function () {
        const f = await claimedRailFixture();
        await mined(f, path.manifest(f, f.publisher, sampleManifestPointer(f.streamId)));
        const second = sampleManifestPointer(f.streamId, { revision: 5n });
        await mined(f, path.manifest(f, f.publisher, second));
        for (const revision of [5n, 4n, 0n]) {
          await expectRevert(
            path.manifest(f, f.publisher, sampleManifestPointer(f.streamId, { revision })),
            f.rail.abi,
            "StaleManifestRevision",
            [f.streamId, 7n, revision, 5n],
          );
        }
        expect((await f.rail.read.latestManifest([f.streamId, 7n])).manifestBodyHash).to.equal(
          second.manifestBodyHash,
        );
      });

      it("keeps each epoch's manifest pointer apart", async function () {
        const f = await claimedRailFixture();
        const a = sampleManifestPointer(f.streamId, { epochId: 1n, revision: 9n });
        const b = sampleManifestPointer(f.streamId, { epochId: 2n, revision: 1n });
        await mined(f, path.manifest(f, f.publisher, a));
        await mined(f, path.manifest(f, f.publisher, b));
        expect((await f.rail.read.latestManifest([f.streamId, 1n])).revision).to.equal(9n);
        expect((await f.rail.read.latestManifest([f.streamId, 2n])).revision).to.equal(1n);
      });

      it("rejects a manifest pointer with a zero body hash", async function () {
        const f = await claimedRailFixture();
        await expectRevert(
          path.manifest(
            f,
            f.publisher,
            sampleManifestPointer(f.streamId, { manifestBodyHash: zeroHash }),
          ),
          f.rail.abi,
          "ZeroManifestBodyHash",
          [f.streamId, 7n],
        );
      });

      it("rejects a manifest pointer of an unclaimed stream", async function () {
        const f = await deployRailFixture();
        await expectRevert(
          path.manifest(f, f.publisher, sampleManifestPointer(f.streamId)),
          f.rail.abi,
          "StreamNotClaimed",
          [f.streamId],
        );
      });

      it("rejects a manifest pointer moved by someone other than the publisher", async function () {
        const f = await claimedRailFixture();
        await expectRevert(
          path.manifest(f, f.other, sampleManifestPointer(f.streamId)),
          f.rail.abi,
          "NotPublisher",
          [f.streamId, f.other.account.address, f.publisher.account.address],
        );
      });

      it("moves an announcement pointer, stores its hash and sequence, and emits its commitments", async function () {
        const f = await claimedRailFixture();
        await pinTime(f, TIME);
        const pointer = sampleAnnouncementPointer(f.streamId, { sequence: 0n });
        const nonce = await f.rail.read.nonces([f.publisher.account.address]);
        const receipt = await mined(f, path.announcement(f, f.publisher, pointer));
        expectEvents(receipt, f.rail.abi, [
          ...path.leadingEvents(f.publisher, nonce),
          announcementEvent(f.publisher.account.address, pointer),
        ]);
        expect(await f.rail.read.latestAnnouncement([f.streamId])).to.deep.equal({
          announcementHash: pointer.announcementHash,
          sequence: 0n,
          updatedAt: TIME,
        });
      });

      it("accepts a higher announcement sequence and rejects an equal or lower one as stale", async function () {
        const f = await claimedRailFixture();
        await mined(f, path.announcement(f, f.publisher, sampleAnnouncementPointer(f.streamId)));
        const second = sampleAnnouncementPointer(f.streamId, { sequence: 2n ** 64n - 2n });
        await mined(f, path.announcement(f, f.publisher, second));
        for (const sequence of [2n ** 64n - 2n, 1n]) {
          await expectRevert(
            path.announcement(f, f.publisher, sampleAnnouncementPointer(f.streamId, { sequence })),
            f.rail.abi,
            "StaleAnnouncementSequence",
            [f.streamId, sequence, 2n ** 64n - 2n],
          );
        }
        await mined(
          f,
          path.announcement(
            f,
            f.publisher,
            sampleAnnouncementPointer(f.streamId, { sequence: 2n ** 64n - 1n }),
          ),
        );
      });

      it("rejects an announcement pointer with a zero announcement hash", async function () {
        const f = await claimedRailFixture();
        await expectRevert(
          path.announcement(
            f,
            f.publisher,
            sampleAnnouncementPointer(f.streamId, { announcementHash: zeroHash }),
          ),
          f.rail.abi,
          "ZeroAnnouncementHash",
          [f.streamId],
        );
      });

      it("rejects an announcement pointer of an unclaimed stream", async function () {
        const f = await deployRailFixture();
        await expectRevert(
          path.announcement(f, f.publisher, sampleAnnouncementPointer(f.streamId)),
          f.rail.abi,
          "StreamNotClaimed",
          [f.streamId],
        );
      });

      it("rejects an announcement pointer moved by someone other than the publisher", async function () {
        const f = await claimedRailFixture();
        await expectRevert(
          path.announcement(f, f.other, sampleAnnouncementPointer(f.streamId)),
          f.rail.abi,
          "NotPublisher",
          [f.streamId, f.other.account.address, f.publisher.account.address],
        );
      });
    });
  }
});
