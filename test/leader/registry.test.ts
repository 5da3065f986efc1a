import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { getAddress, zeroAddress } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { addressOf } from "./fixture";

describe("EveryChannelInboxRegistry", function () {
  async function deploy() {
    const [owner, stranger, next] = await hre.viem.getWalletClients();
    const publicClient = await hre.viem.getPublicClient();
    const inboxArgs = [owner!.account.address, [stranger!.account.address], 4n, 2n] as const;
    const first = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [...inboxArgs]);
    const second = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [...inboxArgs]);
    const registry = await hre.viem.deployContract("EveryChannelInboxRegistry", [
      owner!.account.address,
      first.address,
    ]);
    const erc165Only = await hre.viem.deployContract("ERC165OnlyMock", []);
    const probe = await hre.viem.deployContract("LeaderInboxGasProbe", []);
    return {
      owner: owner!,
      stranger: stranger!,
      next: next!,
      publicClient,
      first,
      second,
      registry,
      erc165Only,
      probe,
    };
  }

  it("records its owner and first inbox, with an event from the zero address", async function () {
    const { registry, owner, first, publicClient } = await loadFixture(deploy);
    expect(await registry.read.activeInbox()).to.equal(getAddress(first.address));
    expect(await registry.read.owner()).to.equal(getAddress(owner.account.address));
    expect(await registry.read.version()).to.equal("1.0.0");
    const logs = await publicClient.getContractEvents({
      address: registry.address,
      abi: registry.abi,
      fromBlock: 0n,
    });
    expectEvents(registry, logs, [
      {
        eventName: "OwnershipTransferred",
        args: { previousOwner: zeroAddress, newOwner: owner.account.address },
      },
      {
        eventName: "ActiveInboxChanged",
        args: { previousInbox: zeroAddress, newInbox: first.address },
      },
    ]);
  });

  it("switches the active inbox (owner only), with an event", async function () {
    const { registry, owner, first, second, publicClient } = await loadFixture(deploy);
    const hash = await registry.write.setActiveInbox([second.address], { account: owner.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expectEvents(registry, receipt.logs, [
      {
        eventName: "ActiveInboxChanged",
        args: { previousInbox: first.address, newInbox: second.address },
      },
    ]);
    expect(await registry.read.activeInbox()).to.equal(getAddress(second.address));
  });

  it("reverts InboxAlreadyActive for the active inbox", async function () {
    const { registry, owner, first } = await loadFixture(deploy);
    await expectRevert(
      registry.write.setActiveInbox([first.address], { account: owner.account }),
      registry,
      "InboxAlreadyActive",
      [first.address],
    );
  });

  it("reverts NotALeaderInbox for the zero address, an account without code, a contract without ERC-165 and one without the interface", async function () {
    const { registry, owner, erc165Only, probe } = await loadFixture(deploy);
    for (const address of [
      addressOf("an account"),
      probe.address,
      erc165Only.address,
      registry.address,
    ])
      await expectRevert(
        registry.write.setActiveInbox([address], { account: owner.account }),
        registry,
        "NotALeaderInbox",
        [address],
      );
    const artifact = await hre.artifacts.readArtifact("EveryChannelInboxRegistry");
    await expectRevert(
      hre.viem.deployContract("EveryChannelInboxRegistry", [owner.account.address, zeroAddress]),
      artifact,
      "NotALeaderInbox",
      [zeroAddress],
    );
    await expectRevert(
      hre.viem.deployContract("EveryChannelInboxRegistry", [
        owner.account.address,
        erc165Only.address,
      ]),
      artifact,
      "NotALeaderInbox",
      [erc165Only.address],
    );
  });

  it("refuses changes from anyone but the owner, and moves ownership in two steps", async function () {
    const { registry, owner, stranger, next, second, publicClient } = await loadFixture(deploy);
    await expectRevert(
      registry.write.setActiveInbox([second.address], { account: stranger.account }),
      registry,
      "OwnableUnauthorizedAccount",
      [stranger.account.address],
    );
    const started = await publicClient.waitForTransactionReceipt({
      hash: await registry.write.transferOwnership([next.account.address], {
        account: owner.account,
      }),
    });
    expectEvents(registry, started.logs, [
      {
        eventName: "OwnershipTransferStarted",
        args: { previousOwner: owner.account.address, newOwner: next.account.address },
      },
    ]);
    await registry.write.acceptOwnership({ account: next.account });
    expect(await registry.read.owner()).to.equal(getAddress(next.account.address));
    await registry.write.setActiveInbox([second.address], { account: next.account });
    expect(await registry.read.activeInbox()).to.equal(getAddress(second.address));
  });
});
