import { expect } from "chai";
import hre from "hardhat";
import { encodeFunctionData, getAddress } from "viem";

import { railTypes } from "../../lib/rail/typedData";
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
} from "./support";

describe("EveryChannelRail batches", function () {
  it("publishes manifests then announcements of several streams in one transaction", async function () {
    const f = await claimedRailFixture();
    const key = sampleStreamKey(1);
    const second = streamIdOf(key);
    await mined(f, f.rail.write.claimStream([key], { account: f.publisher.account }));
    const manifests = [
      sampleManifestPointer(f.streamId, { epochId: 1n }),
      sampleManifestPointer(second, { epochId: 1n }),
      sampleManifestPointer(f.streamId, { epochId: 2n, revision: 3n }),
    ];
    const announcements = [
      sampleAnnouncementPointer(second, { sequence: 4n }),
      sampleAnnouncementPointer(f.streamId),
    ];
    const publisher = f.publisher.account.address;
    const receipt = await mined(
      f,
      f.rail.write.publishBatch([manifests, announcements], { account: f.publisher.account }),
    );
    expectEvents(receipt, f.rail.abi, [
      ...manifests.map((p) => ({ eventName: "ManifestPublished", args: { ...p, publisher } })),
      ...announcements.map((p) => ({
        eventName: "AnnouncementPublished",
        args: { ...p, publisher },
      })),
    ]);
    expect((await f.rail.read.latestManifest([second, 1n])).manifestBodyHash).to.equal(
      manifests[1]?.manifestBodyHash,
    );
    expect((await f.rail.read.latestManifest([f.streamId, 2n])).revision).to.equal(3n);
    expect((await f.rail.read.latestAnnouncement([second])).sequence).to.equal(4n);
  });

  it("reverts the whole batch when one pointer is stale, storing none of it", async function () {
    const f = await claimedRailFixture();
    const first = sampleManifestPointer(f.streamId, { epochId: 1n });
    const duplicate = sampleManifestPointer(f.streamId, { epochId: 1n });
    await expectRevert(
      f.rail.write.publishBatch([[first, duplicate], [sampleAnnouncementPointer(f.streamId)]], {
        account: f.publisher.account,
      }),
      f.rail.abi,
      "StaleManifestRevision",
      [f.streamId, 1n, 1n, 1n],
    );
    expect((await f.rail.read.latestManifest([f.streamId, 1n])).revision).to.equal(0n);
    expect((await f.rail.read.latestAnnouncement([f.streamId])).sequence).to.equal(0n);
  });

  it("reverts when a batch names a stream of another publisher", async function () {
    const f = await claimedRailFixture();
    const key = sampleStreamKey(1);
    await mined(f, f.rail.write.claimStream([key], { account: f.other.account }));
    await expectRevert(
      f.rail.write.publishBatch(
        [[sampleManifestPointer(f.streamId)], [sampleAnnouncementPointer(streamIdOf(key))]],
        { account: f.publisher.account },
      ),
      f.rail.abi,
      "NotPublisher",
      [streamIdOf(key), f.publisher.account.address, f.other.account.address],
    );
  });

  it("reverts an empty batch, sent directly or relayed", async function () {
    const f = await claimedRailFixture();
    await expectRevert(
      f.rail.write.publishBatch([[], []], { account: f.publisher.account }),
      f.rail.abi,
      "EmptyBatch",
      [],
    );
    const signature = await f.publisher.signTypedData({
      domain: f.domain,
      types: railTypes,
      primaryType: "PublishBatch",
      message: {
        publisher: f.publisher.account.address,
        manifests: [],
        announcements: [],
        nonce: 0n,
        deadline: FAR_DEADLINE,
      },
    });
    await expectRevert(
      f.rail.write.publishBatchWithSig(
        [f.publisher.account.address, [], [], 0n, FAR_DEADLINE, signature],
        { account: f.relayer.account },
      ),
      f.rail.abi,
      "EmptyBatch",
      [],
    );
  });
});

describe("EveryChannelRail contract publishers", function () {
  it("lets a wallet contract claim, publish and hand over a stream by calling the rail itself", async function () {
    const f = await deployRailFixture();
    const wallet = await hre.viem.deployContract("ERC1271WalletMock", [
      f.publisher.account.address,
    ]);
    const call = (data: `0x${string}`) =>
      mined(f, wallet.write.execute([f.rail.address, data], { account: f.publisher.account }));
    await call(encodeFunctionData({ abi: f.rail.abi, functionName: "claimStream", args: [f.key] }));
    expect(await f.rail.read.publisherOf([f.streamId])).to.equal(getAddress(wallet.address));
    const pointer = sampleManifestPointer(f.streamId);
    const receipt = await call(
      encodeFunctionData({ abi: f.rail.abi, functionName: "publishManifest", args: [pointer] }),
    );
    expectEvents(receipt, f.rail.abi, [
      { eventName: "ManifestPublished", args: { ...pointer, publisher: wallet.address } },
    ]);
    await call(
      encodeFunctionData({
        abi: f.rail.abi,
        functionName: "proposePublisher",
        args: [f.streamId, f.successor.account.address],
      }),
    );
    await mined(f, f.rail.write.acceptPublisher([f.streamId], { account: f.successor.account }));
    expect(await f.rail.read.publisherOf([f.streamId])).to.equal(
      getAddress(f.successor.account.address),
    );
    await expectRevert(
      wallet.write.execute(
        [
          f.rail.address,
          encodeFunctionData({
            abi: f.rail.abi,
            functionName: "publishManifest",
            args: [sampleManifestPointer(f.streamId, { revision: 2n })],
          }),
        ],
        { account: f.publisher.account },
      ),
      f.rail.abi,
      "NotPublisher",
      [f.streamId, wallet.address, f.successor.account.address],
    );
  });

  it("the test wallet forwards calls only for its owner", async function () {
    const f = await deployRailFixture();
    const wallet = await hre.viem.deployContract("ERC1271WalletMock", [
      f.publisher.account.address,
    ]);
    await expectRevert(
      wallet.write.execute(
        [f.rail.address, encodeFunctionData({ abi: f.rail.abi, functionName: "cancelNonce" })],
        { account: f.other.account },
      ),
      wallet.abi,
      "NotWalletOwner",
      [f.other.account.address],
    );
  });
});
