import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import {
  getAddress,
  toFunctionSelector,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type Hex,
} from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { addressOf, batchData, deployInbox, landNextIn, mineBlocks } from "./fixture";

const W = 6n;
const F = 3n;

describe("EveryChannelRoundRobinInbox", function () {
  const three = () => deployInbox(3, W, F);

  /** Block numbers of window `w`: its start and one past its end. */
  const windowBlocks = (origin: bigint, w: bigint) =>
    [origin + w * W, origin + (w + 1n) * W] as const;

  describe("constructor", function () {
    it("sets the owner, the leaders in order and the window, with an event per leader", async function () {
      const { inbox, owner, leaders, origin, publicClient } = await loadFixture(three);
      const addresses = leaders.map((l) => getAddress(l.account.address));
      expect(await inbox.read.owner()).to.equal(getAddress(owner.account.address));
      expect(await inbox.read.leaders()).to.deep.equal(addresses);
      expect(await inbox.read.leaderCount()).to.equal(3n);
      expect(await inbox.read.windowLength()).to.equal(W);
      expect(await inbox.read.fallbackSilence()).to.equal(F);
      expect(await inbox.read.MAX_LEADER_COUNT()).to.equal(256n);
      expect(await inbox.read.postingState()).to.deep.equal([origin, 0n]);
      const logs = await publicClient.getContractEvents({
        address: inbox.address,
        abi: inbox.abi,
        fromBlock: 0n,
      });
      expectEvents(inbox, logs, [
        {
          eventName: "OwnershipTransferred",
          args: { previousOwner: zeroAddress, newOwner: owner.account.address },
        },
        ...addresses.flatMap((leader, i) => [
          { eventName: "LeaderAdded", args: { leader, index: BigInt(i) } },
          {
            eventName: "RotationUpdated",
            args: {
              window: 0n,
              windowLeader: addresses[0]!,
              leaderCount: BigInt(i + 1),
              windowReset: i === 0,
            },
          },
        ]),
      ]);
    });

    const invalid: [string, bigint, bigint][] = [
      ["a window of one block", 1n, 1n],
      ["a zero silence", 4n, 0n],
      ["a silence as long as the window", 4n, 4n],
      ["a silence longer than the window", 4n, 5n],
      ["a window beyond 32 bits", 2n ** 32n, 1n],
    ];
    for (const [name, window, silence] of invalid) {
      it(`reverts InvalidWindow for ${name}`, async function () {
        const [owner] = await hre.viem.getWalletClients();
        const artifact = await hre.artifacts.readArtifact("EveryChannelRoundRobinInbox");
        await expectRevert(
          hre.viem.deployContract("EveryChannelRoundRobinInbox", [
            owner!.account.address,
            [],
            window,
            silence,
          ]),
          artifact,
          "InvalidWindow",
          [window, silence],
        );
      });
    }

    it("reverts OwnableInvalidOwner for a zero owner", async function () {
      const artifact = await hre.artifacts.readArtifact("EveryChannelRoundRobinInbox");
      await expectRevert(
        hre.viem.deployContract("EveryChannelRoundRobinInbox", [zeroAddress, [], W, F]),
        artifact,
        "OwnableInvalidOwner",
        [zeroAddress],
      );
    });

    it("reverts with the errors of addLeader for a bad initial list", async function () {
      const [owner] = await hre.viem.getWalletClients();
      const artifact = await hre.artifacts.readArtifact("EveryChannelRoundRobinInbox");
      const a = addressOf("a");
      await expectRevert(
        hre.viem.deployContract("EveryChannelRoundRobinInbox", [
          owner!.account.address,
          [a, zeroAddress],
          W,
          F,
        ]),
        artifact,
        "ZeroAddressLeader",
        [],
      );
      await expectRevert(
        hre.viem.deployContract("EveryChannelRoundRobinInbox", [
          owner!.account.address,
          [a, a],
          W,
          F,
        ]),
        artifact,
        "LeaderAlreadyActive",
        [a],
      );
    });
  });

  describe("posting", function () {
    it("accepts any calldata from the window's leader, emitting BatchAccepted", async function () {
      const { inbox, leaders, origin, receiptOf } = await loadFixture(three);
      // Window 0 is the first leader's; the calldata is never read, so its form does not matter.
      for (const [i, data] of (
        ["0x", "0x00", "0x0001", batchData(4), batchData(10_000)] as Hex[]
      ).entries()) {
        const receipt = await receiptOf(
          await leaders[0]!.sendTransaction({ to: inbox.address, data }),
        );
        expect(receipt.status).to.equal("success");
        expectEvents(inbox, receipt.logs, [
          {
            eventName: "BatchAccepted",
            args: { poster: leaders[0]!.account.address, window: 0n, viaFallback: false },
          },
        ]);
        expect(await inbox.read.postingState(), `post ${i}`).to.deep.equal([
          receipt.blockNumber,
          0n,
        ]);
        expect(receipt.blockNumber < origin + W).to.equal(true);
      }
    });

    it("reverts NotLeader for an account outside the rotation and for a leader out of turn", async function () {
      const { inbox, leaders, others, origin, publicClient } = await loadFixture(three);
      const stranger = others[0]!;
      const head = await publicClient.getBlockNumber();
      await expectRevert(
        stranger.sendTransaction({ to: inbox.address, data: batchData(100) }),
        inbox,
        "NotLeader",
        [stranger.account.address, head + 1n, leaders[0]!.account.address],
      );
      // The third leader is neither window 0's leader nor its next leader.
      await landNextIn(origin + W - 1n);
      await expectRevert(
        leaders[2]!.sendTransaction({ to: inbox.address, data: batchData(100) }),
        inbox,
        "NotLeader",
        [leaders[2]!.account.address, origin + W - 1n, leaders[0]!.account.address],
      );
    });

    it("reverts FallbackNotOpen for the next leader until the leader has been silent for the configured blocks", async function () {
      const { inbox, leaders, origin } = await loadFixture(three);
      const [start] = windowBlocks(origin, 1n);
      // Window 1: leader 2, next leader 3. Silence counts from the window's start.
      await landNextIn(start + F - 1n);
      await expectRevert(
        leaders[2]!.sendTransaction({ to: inbox.address, data: batchData(100) }),
        inbox,
        "FallbackNotOpen",
        [leaders[2]!.account.address, start + F - 1n, start + F],
      );
      expect(await inbox.read.mayPost([leaders[2]!.account.address, start + F - 1n])).to.equal(
        false,
      );
      expect(await inbox.read.mayPost([leaders[2]!.account.address, start + F])).to.equal(true);
    });

    it("lets the next leader take a silent leader's window over, and the leader not post again in it", async function () {
      const { inbox, leaders, origin, receiptOf } = await loadFixture(three);
      const [start, end] = windowBlocks(origin, 1n);
      const leader = leaders[1]!;
      const next = leaders[2]!;
      await landNextIn(start + F);
      const takeover = await receiptOf(
        await next.sendTransaction({ to: inbox.address, data: batchData(100) }),
      );
      expect(takeover.blockNumber).to.equal(start + F);
      expectEvents(inbox, takeover.logs, [
        {
          eventName: "WindowTakenOver",
          args: { window: 1n, leader: leader.account.address, poster: next.account.address },
        },
        {
          eventName: "BatchAccepted",
          args: { poster: next.account.address, window: 1n, viaFallback: true },
        },
      ]);
      expect(await inbox.read.postingState()).to.deep.equal([origin, 2n]);
      await expectRevert(
        leader.sendTransaction({ to: inbox.address, data: batchData(100) }),
        inbox,
        "LeaderWindowTakenOver",
        [leader.account.address, 1n],
      );
      expect(await inbox.read.mayPost([leader.account.address, end - 1n])).to.equal(false);
      const again = await receiptOf(
        await next.sendTransaction({ to: inbox.address, data: batchData(100) }),
      );
      expectEvents(inbox, again.logs, [
        {
          eventName: "BatchAccepted",
          args: { poster: next.account.address, window: 1n, viaFallback: true },
        },
      ]);
      // The next window is its own leader's again (the next leader of window 1 leads window 2).
      await landNextIn(end);
      const own = await receiptOf(
        await next.sendTransaction({ to: inbox.address, data: batchData(100) }),
      );
      expectEvents(inbox, own.logs, [
        {
          eventName: "BatchAccepted",
          args: { poster: next.account.address, window: 2n, viaFallback: false },
        },
      ]);
    });

    it("counts the silence from the leader's latest post", async function () {
      const { inbox, leaders, origin, receiptOf } = await loadFixture(three);
      const [start] = windowBlocks(origin, 1n);
      const leader = leaders[1]!;
      const next = leaders[2]!;
      await landNextIn(start + 1n);
      const posted = await receiptOf(
        await leader.sendTransaction({ to: inbox.address, data: batchData(100) }),
      );
      expect(await inbox.read.postingState()).to.deep.equal([posted.blockNumber, 0n]);
      await landNextIn(posted.blockNumber + F);
      await expectRevert(
        next.sendTransaction({ to: inbox.address, data: batchData(100) }),
        inbox,
        "FallbackNotOpen",
        [next.account.address, posted.blockNumber + F, posted.blockNumber + 1n + F],
      );
      expect(
        (await receiptOf(await next.sendTransaction({ to: inbox.address, data: "0x" })))
          .blockNumber,
      ).to.equal(posted.blockNumber + 1n + F);
    });

    it("reverts NoLeaders while the rotation is empty", async function () {
      const { inbox, owner, leaders } = await loadFixture(three);
      for (const l of leaders)
        await inbox.write.removeLeader([l.account.address], { account: owner.account });
      const head = await (await hre.viem.getPublicClient()).getBlockNumber();
      await expectRevert(
        leaders[0]!.sendTransaction({ to: inbox.address, data: batchData(10) }),
        inbox,
        "NoLeaders",
        [head + 1n],
      );
    });

    it("with one leader, nobody else may ever post", async function () {
      const { inbox, leaders, others } = await deployInbox(1, 2n, 1n);
      await mineBlocks(7);
      const head = await (await hre.viem.getPublicClient()).getBlockNumber();
      expect(await inbox.read.mayPost([others[0]!.account.address, head + 1n])).to.equal(false);
      await expectRevert(
        others[0]!.sendTransaction({ to: inbox.address, data: "0x" }),
        inbox,
        "NotLeader",
        [others[0]!.account.address, head + 1n, leaders[0]!.account.address],
      );
    });

    it("refuses ether (the fallback is not payable)", async function () {
      const { inbox, leaders, publicClient } = await loadFixture(three);
      let refused = false;
      try {
        await leaders[0]!.sendTransaction({ to: inbox.address, value: 1n });
      } catch {
        refused = true;
      }
      expect(refused, "a transfer of ether to the inbox succeeded").to.equal(true);
      expect(await publicClient.getBalance({ address: inbox.address })).to.equal(0n);
    });
  });

  describe("leader set", function () {
    it("appends a leader (owner only), keeping the current window and its state", async function () {
      const { inbox, owner, leaders, others, origin, receiptOf } = await loadFixture(three);
      await landNextIn(origin + W + 1n);
      await receiptOf(await leaders[1]!.sendTransaction({ to: inbox.address, data: "0x" }));
      const state = await inbox.read.postingState();
      const added = others[0]!.account.address;
      const receipt = await receiptOf(
        await inbox.write.addLeader([added], { account: owner.account }),
      );
      expectEvents(inbox, receipt.logs, [
        { eventName: "LeaderAdded", args: { leader: added, index: 3n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: 1n,
            windowLeader: leaders[1]!.account.address,
            leaderCount: 4n,
            windowReset: false,
          },
        },
      ]);
      expect(await inbox.read.postingState()).to.deep.equal(state);
      expect(await inbox.read.leaderAt([receipt.blockNumber])).to.equal(
        getAddress(leaders[1]!.account.address),
      );
      expect(await inbox.read.leaders()).to.deep.equal(
        [...leaders.map((l) => l.account.address), added].map((a) => getAddress(a)),
      );
      // The rotation continues after the current leader: 3, the new one, 1, 2.
      const [, end] = windowBlocks(origin, 1n);
      const next = await Promise.all(
        [0n, 1n, 2n, 3n].map((k) => inbox.read.leaderAt([end + k * W])),
      );
      expect(next).to.deep.equal(
        [leaders[2]!, others[0]!, leaders[0]!, leaders[1]!].map((w) =>
          getAddress(w.account.address),
        ),
      );
    });

    it("removes a leader (owner only) keeping the others' order and the current window's leader", async function () {
      const { inbox, owner, leaders, origin, receiptOf } = await loadFixture(three);
      await landNextIn(origin + W * 2n); // window 2: the third leader's
      const receipt = await receiptOf(
        await inbox.write.removeLeader([leaders[0]!.account.address], { account: owner.account }),
      );
      expectEvents(inbox, receipt.logs, [
        { eventName: "LeaderRemoved", args: { leader: leaders[0]!.account.address, index: 0n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: 2n,
            windowLeader: leaders[2]!.account.address,
            leaderCount: 2n,
            windowReset: false,
          },
        },
      ]);
      expect(await inbox.read.leaders()).to.deep.equal(
        [leaders[1]!, leaders[2]!].map((w) => getAddress(w.account.address)),
      );
      expect(await inbox.read.leaderAt([receipt.blockNumber])).to.equal(
        getAddress(leaders[2]!.account.address),
      );
      expect(await inbox.read.leaderAt([origin + W * 3n])).to.equal(
        getAddress(leaders[1]!.account.address),
      );
    });

    it("hands the current window to the following leader, with a fresh silence clock, when its leader is removed", async function () {
      // A longer window, so that the fresh silence clock runs out inside it.
      const { inbox, owner, leaders, origin, receiptOf } = await deployInbox(3, 10n, 3n);
      const start = origin + 10n;
      await landNextIn(start + 3n);
      await receiptOf(await leaders[2]!.sendTransaction({ to: inbox.address, data: "0x" })); // takes window 1 over
      expect(await inbox.read.postingState()).to.deep.equal([origin, 2n]);
      const receipt = await receiptOf(
        await inbox.write.removeLeader([leaders[1]!.account.address], { account: owner.account }),
      );
      expectEvents(inbox, receipt.logs, [
        { eventName: "LeaderRemoved", args: { leader: leaders[1]!.account.address, index: 1n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: 1n,
            windowLeader: leaders[2]!.account.address,
            leaderCount: 2n,
            windowReset: true,
          },
        },
      ]);
      expect(await inbox.read.postingState()).to.deep.equal([receipt.blockNumber, 0n]);
      expect(await inbox.read.leaderAt([receipt.blockNumber])).to.equal(
        getAddress(leaders[2]!.account.address),
      );
      expect(
        await inbox.read.mayPost([leaders[2]!.account.address, receipt.blockNumber + 1n]),
      ).to.equal(true);
      // The new next leader (the first) waits 3 silent blocks from the change.
      expect(
        await inbox.read.mayPost([leaders[0]!.account.address, receipt.blockNumber + 3n]),
      ).to.equal(false);
      expect(
        await inbox.read.mayPost([leaders[0]!.account.address, receipt.blockNumber + 4n]),
      ).to.equal(true);
      expect(receipt.blockNumber + 4n < start + 10n).to.equal(true);
    });

    it("hands the window to the first leader when the removed current leader was the last", async function () {
      const { inbox, owner, leaders, origin, receiptOf } = await loadFixture(three);
      await landNextIn(origin + 2n * W + 1n);
      const receipt = await receiptOf(
        await inbox.write.removeLeader([leaders[2]!.account.address], { account: owner.account }),
      );
      expectEvents(inbox, receipt.logs, [
        { eventName: "LeaderRemoved", args: { leader: leaders[2]!.account.address, index: 2n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: 2n,
            windowLeader: leaders[0]!.account.address,
            leaderCount: 2n,
            windowReset: true,
          },
        },
      ]);
    });

    it("empties the rotation, and a leader added then leads the current window", async function () {
      const { inbox, owner, leaders, others, origin, receiptOf } = await loadFixture(three);
      let last = await receiptOf(
        await inbox.write.removeLeader([leaders[0]!.account.address], { account: owner.account }),
      );
      last = await receiptOf(
        await inbox.write.removeLeader([leaders[1]!.account.address], { account: owner.account }),
      );
      last = await receiptOf(
        await inbox.write.removeLeader([leaders[2]!.account.address], { account: owner.account }),
      );
      expectEvents(inbox, last.logs, [
        { eventName: "LeaderRemoved", args: { leader: leaders[2]!.account.address, index: 0n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: (last.blockNumber - origin) / W,
            windowLeader: zeroAddress,
            leaderCount: 0n,
            windowReset: true,
          },
        },
      ]);
      expect(await inbox.read.leaders()).to.deep.equal([]);
      const head = last.blockNumber;
      expect(await inbox.read.leaderAt([head])).to.equal(zeroAddress);
      expect(await inbox.read.isLeader([leaders[0]!.account.address, head])).to.equal(false);
      expect(await inbox.read.leaderBlocks([leaders[0]!.account.address, head])).to.equal(0n);
      expect(await inbox.read.mayPost([leaders[0]!.account.address, head])).to.equal(false);
      const r = await receiptOf(
        await inbox.write.addLeader([others[0]!.account.address], { account: owner.account }),
      );
      expectEvents(inbox, r.logs, [
        { eventName: "LeaderAdded", args: { leader: others[0]!.account.address, index: 0n } },
        {
          eventName: "RotationUpdated",
          args: {
            window: (r.blockNumber - origin) / W,
            windowLeader: others[0]!.account.address,
            leaderCount: 1n,
            windowReset: true,
          },
        },
      ]);
      expect(await inbox.read.leaderAt([r.blockNumber])).to.equal(
        getAddress(others[0]!.account.address),
      );
      expect(await inbox.read.postingState()).to.deep.equal([r.blockNumber, 0n]);
    });

    it("reverts ZeroAddressLeader, LeaderAlreadyActive and LeaderNotActive", async function () {
      const { inbox, owner, leaders } = await loadFixture(three);
      await expectRevert(
        inbox.write.addLeader([zeroAddress], { account: owner.account }),
        inbox,
        "ZeroAddressLeader",
        [],
      );
      await expectRevert(
        inbox.write.addLeader([leaders[0]!.account.address], { account: owner.account }),
        inbox,
        "LeaderAlreadyActive",
        [leaders[0]!.account.address],
      );
      const stranger = addressOf("stranger");
      await expectRevert(
        inbox.write.removeLeader([stranger], { account: owner.account }),
        inbox,
        "LeaderNotActive",
        [stranger],
      );
    });

    it("reverts LeaderSetFull beyond MAX_LEADER_COUNT leaders", async function () {
      const [owner] = await hre.viem.getWalletClients();
      const full = Array.from({ length: 256 }, (_, i) => addressOf(`leader-${i}`));
      const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
        owner!.account.address,
        full,
        W,
        F,
      ]);
      expect(await inbox.read.leaderCount()).to.equal(256n);
      const one = addressOf("one too many");
      await expectRevert(inbox.write.addLeader([one]), inbox, "LeaderSetFull", [one, 256n]);
    });

    it("refuses leader changes from anyone but the owner", async function () {
      const { inbox, leaders, others } = await loadFixture(three);
      const stranger = others[0]!;
      await expectRevert(
        inbox.write.addLeader([addressOf("x")], { account: stranger.account }),
        inbox,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
      await expectRevert(
        inbox.write.removeLeader([leaders[0]!.account.address], { account: stranger.account }),
        inbox,
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
    });
  });

  describe("views", function () {
    it("gives every block's window, and reverts BlockBeforeOrigin before the origin", async function () {
      const { inbox, origin } = await loadFixture(three);
      expect(await inbox.read.windowOf([origin])).to.deep.equal([0n, origin, origin + W]);
      expect(await inbox.read.windowOf([origin + W - 1n])).to.deep.equal([0n, origin, origin + W]);
      expect(await inbox.read.windowOf([origin + 5n * W + 2n])).to.deep.equal([
        5n,
        origin + 5n * W,
        origin + 6n * W,
      ]);
      await expectRevert(inbox.read.windowOf([origin - 1n]), inbox, "BlockBeforeOrigin", [
        origin - 1n,
        origin,
      ]);
    });

    it("names the scheduled leader of every block, and none before the origin", async function () {
      const { inbox, leaders, origin } = await loadFixture(three);
      const a = leaders.map((l) => getAddress(l.account.address));
      expect(await inbox.read.leaderAt([origin - 1n])).to.equal(zeroAddress);
      expect(await inbox.read.isLeader([a[0]!, origin - 1n])).to.equal(false);
      expect(await inbox.read.mayPost([a[0]!, origin - 1n])).to.equal(false);
      for (let w = 0n; w < 7n; w++) {
        expect(await inbox.read.leaderAt([origin + w * W + (w % W)])).to.equal(a[Number(w % 3n)]);
        expect(await inbox.read.isLeader([a[Number(w % 3n)]!, origin + w * W])).to.equal(true);
        expect(await inbox.read.isLeader([a[Number((w + 1n) % 3n)]!, origin + w * W])).to.equal(
          false,
        );
      }
    });

    it("gives a 256-block look-ahead that matches isLeader, from before the origin too", async function () {
      const { inbox, leaders, origin } = await loadFixture(three);
      for (const from of [origin - 1n, origin, origin + 4n, origin + 1000n]) {
        for (const leader of leaders.map((l) => l.account.address)) {
          const bitmap = await inbox.read.leaderBlocks([leader, from]);
          for (let i = 0n; i < 256n; i += 1n) {
            const block = from + i;
            const expected =
              block >= origin &&
              getAddress(leader) ===
                getAddress(leaders[Number(((block - origin) / W) % 3n)]!.account.address);
            expect(((bitmap >> i) & 1n) === 1n, `block ${block}`).to.equal(expected);
          }
        }
      }
      expect(await inbox.read.leaderBlocks([zeroAddress, origin])).to.equal(0n);
      expect(await inbox.read.leaderBlocks([addressOf("nobody"), origin])).to.equal(0n);
    });

    it("covers all 256 bits when one leader leads them all", async function () {
      const { inbox, leaders, origin } = await deployInbox(1, 1000n, 1n);
      expect(await inbox.read.leaderBlocks([leaders[0]!.account.address, origin])).to.equal(
        2n ** 256n - 1n,
      );
    });

    it("answers mayPost for the leader, the next leader and others", async function () {
      const { inbox, leaders, others, origin } = await loadFixture(three);
      const [l1, l2, l3] = leaders.map((l) => l.account.address);
      expect(await inbox.read.mayPost([l1!, origin])).to.equal(true);
      // The deployment block counts as window 0's leader change: its silence starts the block after.
      expect(await inbox.read.mayPost([l2!, origin + F])).to.equal(false);
      expect(await inbox.read.mayPost([l2!, origin + 1n + F])).to.equal(true);
      expect(await inbox.read.mayPost([l3!, origin + 1n + F])).to.equal(false);
      expect(await inbox.read.mayPost([others[0]!.account.address, origin])).to.equal(false);
      expect(await inbox.read.mayPost([zeroAddress, origin])).to.equal(false);
    });

    it("reports its version and the interfaces it implements (ERC-165)", async function () {
      const { inbox } = await loadFixture(three);
      expect(await inbox.read.version()).to.equal("1.0.0");
      const iface = await hre.artifacts.readArtifact("IEveryChannelLeaderInbox");
      // ERC-165 interface id: the XOR of the interface's own selectors (inherited ones excluded).
      const own = (iface.abi as Abi)
        .filter((x): x is AbiFunction => x.type === "function" && x.name !== "supportsInterface")
        .map((f) => BigInt(toFunctionSelector(f)))
        .reduce((a, b) => a ^ b, 0n);
      const interfaceId = `0x${own.toString(16).padStart(8, "0")}` as Hex;
      expect(await inbox.read.supportsInterface([interfaceId])).to.equal(true);
      expect(await inbox.read.supportsInterface(["0x01ffc9a7"])).to.equal(true);
      expect(await inbox.read.supportsInterface(["0xffffffff"])).to.equal(false);
      expect(await inbox.read.supportsInterface(["0x12345678"])).to.equal(false);
    });
  });

  describe("two-step ownership", function () {
    it("moves ownership only when the new owner accepts, with events", async function () {
      const { inbox, owner, others, receiptOf } = await loadFixture(three);
      const next = others[1]!;
      const proposed = await receiptOf(
        await inbox.write.transferOwnership([next.account.address], { account: owner.account }),
      );
      expectEvents(inbox, proposed.logs, [
        {
          eventName: "OwnershipTransferStarted",
          args: { previousOwner: owner.account.address, newOwner: next.account.address },
        },
      ]);
      expect(await inbox.read.pendingOwner()).to.equal(getAddress(next.account.address));
      await expectRevert(
        inbox.write.acceptOwnership({ account: others[2]!.account }),
        inbox,
        "OwnableUnauthorizedAccount",
        [others[2]!.account.address],
      );
      const accepted = await receiptOf(
        await inbox.write.acceptOwnership({ account: next.account }),
      );
      expectEvents(inbox, accepted.logs, [
        {
          eventName: "OwnershipTransferred",
          args: { previousOwner: owner.account.address, newOwner: next.account.address },
        },
      ]);
      expect(await inbox.read.owner()).to.equal(getAddress(next.account.address));
      await expectRevert(
        inbox.write.addLeader([addressOf("y")], { account: owner.account }),
        inbox,
        "OwnableUnauthorizedAccount",
        [owner.account.address],
      );
    });

    it("lets the owner renounce, freezing the leader set", async function () {
      const { inbox, owner, receiptOf } = await loadFixture(three);
      const r = await receiptOf(await inbox.write.renounceOwnership({ account: owner.account }));
      expectEvents(inbox, r.logs, [
        {
          eventName: "OwnershipTransferred",
          args: { previousOwner: owner.account.address, newOwner: zeroAddress },
        },
      ]);
      await expectRevert(
        inbox.write.addLeader([addressOf("z")], { account: owner.account }),
        inbox,
        "OwnableUnauthorizedAccount",
        [owner.account.address],
      );
    });
  });

  describe("batch safety", function () {
    it("has no function a frame or alt-DA batch's first bytes could select", async function () {
      // Calldata batches start with the derivation version byte: 0x00 (frames) or 0x01 followed by an
      // alt-DA commitment type (0x00 keccak256, 0x01 generic). Such calldata must reach the fallback.
      for (const name of [
        "EveryChannelRoundRobinInbox",
        "IEveryChannelLeaderInbox",
        "IEveryChannelRoundRobinInbox",
      ]) {
        const artifact = await hre.artifacts.readArtifact(name);
        const selectors = (artifact.abi as Abi)
          .filter((x): x is AbiFunction => x.type === "function")
          .map((f) => [f.name, toFunctionSelector(f)] as const);
        expect(selectors.length, name).to.be.greaterThan(5);
        for (const [fn, selector] of selectors) {
          const first = selector.slice(2, 4);
          const second = selector.slice(4, 6);
          expect(first, `${name}.${fn} ${selector}`).to.not.equal("00");
          if (first === "01")
            expect(["00", "01"], `${name}.${fn} ${selector}`).to.not.include(second);
        }
      }
    });

    it("dispatches a 0x00-prefixed batch to the fallback whatever follows", async function () {
      const { inbox, others, leaders } = await loadFixture(three);
      const stranger = others[0]!;
      for (const data of [
        "0x00",
        "0x009e5a22",
        "0x0001ffc9a7",
        `0x00${"ff".repeat(40)}`,
      ] as Hex[]) {
        const head = await (await hre.viem.getPublicClient()).getBlockNumber();
        await expectRevert(
          stranger.sendTransaction({ to: inbox.address, data }),
          inbox,
          "NotLeader",
          [stranger.account.address, head + 1n, leaders[0]!.account.address],
        );
      }
    });
  });
});
