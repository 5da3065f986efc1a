import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import type { Hex, PublicClient } from "viem";

import {
  BATCH_GAS_HEADROOM,
  calldataGasWithFloor,
  estimateBatchGas,
  intrinsicGas,
} from "../../lib/leader/gas";
import { expectGasSnapshot } from "../support/gas";
import { addressOf, batchData, deployInbox, mine, mineBlocks, setAutomine } from "./fixture";

const SUITE = "leader";
/** A tiny batch, and op-batcher's default largest batch transaction (`MaxL1TxSize`, 120,000 bytes). */
const SIZES = [100, 120_000] as const;

describe("leader inbox gas", function () {
  async function withProbe() {
    const [owner] = await hre.viem.getWalletClients();
    const probe = await hre.viem.deployContract("LeaderInboxGasProbe", []);
    const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
      owner!.account.address,
      [probe.address],
      10n,
      1n,
    ]);
    // A later block than the deployment's, so that a post stores its block (the steady state).
    await mineBlocks(1);
    return { probe, inbox };
  }

  it("executes the same gas in the fallback whatever the batch's size (pinned)", async function () {
    const { probe, inbox } = await loadFixture(withProbe);
    const measure = async (size: number) => {
      const { result } = await probe.simulate.measure([inbox.address, batchData(size, size)]);
      expect(result[1], `post of ${size} bytes accepted`).to.equal(true);
      return result[0];
    };
    // Under 4 bytes the dispatcher goes straight to the fallback; from 4 bytes on it compares the
    // first 4 bytes with the selectors first. Within each, the size makes no difference.
    const short = await Promise.all([0, 1, 2, 3].map(measure));
    const long = await Promise.all([4, 64, 1_000, 10_000, 120_000, 500_000].map(measure));
    expect(new Set(short).size, `batches of 0-3 bytes: ${short.join(", ")}`).to.equal(1);
    expect(new Set(long).size, `batches of 4+ bytes: ${long.join(", ")}`).to.equal(1);
    expectGasSnapshot(
      SUITE,
      "fallback execution (call from a contract), batch of 0-3 bytes",
      short[0]!,
    );
    expectGasSnapshot(
      SUITE,
      "fallback execution (call from a contract), batch of 4+ bytes",
      long[0]!,
    );
  });

  describe("transaction gas against an address inbox (pinned)", function () {
    const fixture = () => deployInbox(1, 10n, 1n);
    for (const size of SIZES) {
      it(`a ${size.toLocaleString("en-US")}-byte batch`, async function () {
        const { inbox, leaders, receiptOf } = await loadFixture(fixture);
        const leader = leaders[0]!;
        const data = batchData(size, 7);
        // Steady state: the leader's previous post is in an earlier block.
        await receiptOf(await leader.sendTransaction({ to: inbox.address, data: "0x" }));
        const post = await receiptOf(await leader.sendTransaction({ to: inbox.address, data }));
        const plain = await receiptOf(
          await leader.sendTransaction({ to: addressOf("batch inbox address"), data }),
        );
        expect(post.status).to.equal("success");
        // An address inbox costs exactly the intrinsic gas, calldata floor included.
        expect(plain.gasUsed).to.equal(intrinsicGas(data));
        const { standard, floor } = calldataGasWithFloor(data);
        if (size === 120_000) {
          // The calldata floor (EIP-7623) is above base + calldata + the inbox's execution: same gas.
          expect(post.gasUsed).to.equal(plain.gasUsed);
          expect(post.gasUsed).to.equal(21_000n + floor);
        } else {
          expect(post.gasUsed > plain.gasUsed).to.equal(true);
          expect(post.gasUsed > 21_000n + standard).to.equal(true);
        }
        expectGasSnapshot(SUITE, `inbox post, ${size} bytes`, post.gasUsed);
        expectGasSnapshot(SUITE, `address inbox post, ${size} bytes`, plain.gasUsed);
      });
    }

    it("a plain transfer", async function () {
      const { leaders, receiptOf } = await loadFixture(fixture);
      const transfer = await receiptOf(
        await leaders[0]!.sendTransaction({ to: addressOf("someone"), value: 1n }),
      );
      expectGasSnapshot(SUITE, "plain transfer", transfer.gasUsed);
    });
  });

  describe("gas estimation of batch transactions", function () {
    const fixture = () => deployInbox(2, 10n, 1n);

    it("lands a small batch the intrinsic-gas limit would let run out of gas", async function () {
      const { inbox, leaders, publicClient, receiptOf } = await loadFixture(fixture);
      const leader = leaders[0]!;
      const data = batchData(100, 3);
      // Mined without automine: sent on its own, a failing transaction is refused, not mined.
      await setAutomine(false);
      let hash: Hex;
      try {
        hash = await leader.sendTransaction({ to: inbox.address, data, gas: intrinsicGas(data) });
        await mine();
      } finally {
        await setAutomine(true);
      }
      const short = await receiptOf(hash);
      expect(short.status, "the intrinsic-gas limit ran out in the inbox").to.equal("reverted");
      const estimate = await estimateBatchGas({
        client: publicClient as PublicClient,
        account: leader.account.address,
        inbox,
        data,
      });
      if (!estimate.ok) expect.fail(`estimate refused: ${estimate.reason}`);
      expect(estimate.gasLimit).to.equal(estimate.estimate + BATCH_GAS_HEADROOM);
      expect(estimate.estimate > intrinsicGas(data)).to.equal(true);
      const landed = await receiptOf(
        await leader.sendTransaction({ to: inbox.address, data, gas: estimate.gasLimit }),
      );
      expect(landed.status).to.equal("success");
      expect(landed.gasUsed <= estimate.estimate).to.equal(true);
    });

    it("needs no more than the calldata floor for a large batch", async function () {
      const { inbox, leaders, receiptOf } = await loadFixture(fixture);
      const data: Hex = batchData(120_000, 5);
      const landed = await receiptOf(
        await leaders[0]!.sendTransaction({ to: inbox.address, data, gas: intrinsicGas(data) }),
      );
      expect(landed.status).to.equal("success");
    });

    it("comes back refused, naming the inbox's error, when the account may not post", async function () {
      const { inbox, leaders, others, publicClient } = await loadFixture(fixture);
      for (const account of [others[0]!.account.address, leaders[1]!.account.address]) {
        const estimate = await estimateBatchGas({
          client: publicClient as PublicClient,
          account,
          inbox,
          data: batchData(100),
        });
        expect(estimate.ok).to.equal(false);
        if (!estimate.ok) expect(estimate.errorName).to.be.oneOf(["NotLeader", "FallbackNotOpen"]);
      }
    });

    it("computes EIP-2028 calldata gas and the EIP-7623 floor", function () {
      expect(calldataGasWithFloor("0x")).to.deep.equal({ standard: 0n, floor: 0n, tokens: 0n });
      expect(calldataGasWithFloor("0x0000ff")).to.deep.equal({
        standard: 24n,
        floor: 60n,
        tokens: 6n,
      });
      expect(intrinsicGas("0x")).to.equal(21_000n);
      expect(intrinsicGas("0x0000ff")).to.equal(21_060n);
    });
  });
});
