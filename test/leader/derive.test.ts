import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import {
  getAddress,
  type Hex,
  type PublicClient,
  type Transaction,
  type TransactionReceipt,
} from "viem";

import {
  LEADER_ELECTION_BATCHER_HASH,
  parseBatcherHash,
  singleBatcherHash,
  UnsupportedBatcherHashVersionError,
} from "../../lib/leader/batcher-hash";
import {
  createBatchDerivation,
  createL1BlockReader,
  deriveBatches,
  DerivationInputError,
  type L1Block,
} from "../../lib/leader/derive";
import { InvalidFieldError } from "../../lib/errors";
import { addressOf, batchData, deployInbox, landNextIn, mine, setAutomine } from "./fixture";

describe("batcherHash version rule", function () {
  it("reads version 0 as one batcher address", function () {
    const batcher = addressOf("batcher");
    expect(parseBatcherHash(singleBatcherHash(batcher))).to.deep.equal({ version: 0, batcher });
  });

  it("reads version 1 as leader election", function () {
    expect(LEADER_ELECTION_BATCHER_HASH).to.equal(`0x01${"00".repeat(31)}`);
    expect(parseBatcherHash(LEADER_ELECTION_BATCHER_HASH)).to.deep.equal({ version: 1 });
  });

  it("refuses versions above 1 with a message naming the versions it knows", function () {
    for (const version of [2, 0x7f, 0xff]) {
      const hash = `0x${version.toString(16).padStart(2, "0")}${"00".repeat(31)}` as Hex;
      expect(() => parseBatcherHash(hash))
        .to.throw(UnsupportedBatcherHashVersionError)
        .with.property(
          "shortMessage",
          `batcherHash ${hash}: version ${version} is not supported (0 = one batcher address, 1 = leader election through the inbox contract)`,
        );
    }
  });

  it("refuses a malformed hash, non-zero padding of version 0 and non-zero reserved bytes of version 1", function () {
    const cases: [string, string][] = [
      ["0x1234", "batcherHash: must be 32 bytes of hex (0x + 64 digits)"],
      [`0x${"zz".repeat(32)}`, "batcherHash: must be 32 bytes of hex (0x + 64 digits)"],
      [
        `0x00${"00".repeat(10)}01${"aa".repeat(20)}`,
        "batcherHash: version 0: bytes 1-11 must be zero",
      ],
      [
        `0x01${"00".repeat(30)}01`,
        "batcherHash: version 1: bytes 1-31 are reserved and must be zero",
      ],
    ];
    for (const [hash, message] of cases) {
      expect(() => parseBatcherHash(hash))
        .to.throw(InvalidFieldError)
        .with.property("shortMessage")
        .that.satisfies((m: string) => m.startsWith(message));
    }
  });
});

describe("reference derivation", function () {
  async function chain() {
    const { inbox, owner, leaders, others, publicClient, origin, receiptOf } = await deployInbox(
      2,
      4n,
      2n,
    );
    const second = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
      owner.account.address,
      [leaders[0]!.account.address],
      4n,
      2n,
    ]);
    const registry = await hre.viem.deployContract("EveryChannelInboxRegistry", [
      owner.account.address,
      inbox.address,
    ]);
    return {
      inbox,
      second,
      registry,
      owner,
      leaders,
      others,
      publicClient: publicClient as PublicClient,
      origin,
      receiptOf,
    };
  }

  async function blocks(client: PublicClient, from: bigint, to: bigint): Promise<L1Block[]> {
    const reader = createL1BlockReader(client);
    const out: L1Block[] = [];
    for (let n = from; n <= to; n++) out.push(await reader.read(n));
    return out;
  }

  /** Sends `sends` into one block (in this order) and mines it; returns the block's number. */
  async function oneBlock(sends: (() => Promise<Hex>)[]): Promise<bigint> {
    await setAutomine(false);
    try {
      for (const send of sends) await send();
      await mine();
    } finally {
      await setAutomine(true);
    }
    return (await hre.viem.getPublicClient()).getBlockNumber();
  }

  it("yields the data of inbox transactions that did not revert, in order, whoever sent them (version 1)", async function () {
    const { inbox, leaders, others, publicClient, origin } = await loadFixture(chain);
    const [a, b] = leaders;
    const stranger = others[0]!;
    const gas = 200_000n;
    const d = (i: number) => batchData(50 + i, i + 11);
    // The registry and the second inbox were deployed in window 0. Window 1 (origin+4..origin+7):
    // b leads. Block origin+5: b's post, a stranger's, a transfer elsewhere, b's post.
    await landNextIn(origin + 5n);
    const first = await oneBlock([
      () => b!.sendTransaction({ to: inbox.address, data: d(0), gas }),
      () => stranger.sendTransaction({ to: inbox.address, data: d(1), gas }),
      () => stranger.sendTransaction({ to: addressOf("elsewhere"), data: d(2) }),
      () => b!.sendTransaction({ to: inbox.address, data: d(3), gas }),
    ]);
    // Window 2: a leads; b is its next leader and takes over after 2 silent blocks.
    await landNextIn(origin + 8n);
    const second = await oneBlock([
      () => b!.sendTransaction({ to: inbox.address, data: d(4), gas }),
      () => a!.sendTransaction({ to: inbox.address, data: d(5), gas }),
    ]);
    await landNextIn(origin + 11n);
    const third = await oneBlock([
      () => b!.sendTransaction({ to: inbox.address, data: d(6), gas }),
      () => a!.sendTransaction({ to: inbox.address, data: d(7), gas }),
    ]);
    const l1 = await blocks(publicClient, origin, third);
    const { batches, dropped } = deriveBatches(
      { batcherHash: LEADER_ELECTION_BATCHER_HASH, inbox: inbox.address },
      l1,
    );
    const A = getAddress(a!.account.address);
    const B = getAddress(b!.account.address);
    const S = getAddress(stranger.account.address);
    expect(batches.map((x) => [x.l1Block, x.txIndex, x.sender, x.data, x.kind])).to.deep.equal([
      [first, 0, B, d(0), "calldata"],
      [first, 3, B, d(3), "calldata"],
      [second, 1, A, d(5), "calldata"],
      [third, 0, B, d(6), "calldata"], // a posted at origin+8, so its silence ran out at origin+11
    ]);
    expect(dropped.map((x) => [x.l1Block, x.txIndex, x.sender, x.reason])).to.deep.equal([
      [first, 1, S, "reverted"], // NotLeader
      [second, 0, B, "reverted"], // FallbackNotOpen
      [third, 1, A, "reverted"], // LeaderWindowTakenOver
    ]);
    // Without the receipt check (op-node today), every inbox transaction would count.
    const unchecked = deriveBatches(
      { batcherHash: LEADER_ELECTION_BATCHER_HASH, inbox: inbox.address, keepReverted: true },
      l1,
    );
    expect(unchecked.batches).to.have.length(7);
    expect(unchecked.dropped).to.deep.equal([]);
  });

  it("keeps today's rule under version 0: the batcher's transactions only, receipts not consulted", async function () {
    const { inbox, leaders, others, publicClient, origin } = await loadFixture(chain);
    const stranger = others[0]!;
    await landNextIn(origin + 5n); // window 1: the second leader's
    const block = await oneBlock([
      () => leaders[1]!.sendTransaction({ to: inbox.address, data: "0x00aa", gas: 200_000n }),
      () => stranger.sendTransaction({ to: inbox.address, data: "0x00bb", gas: 200_000n }),
    ]);
    const l1 = await blocks(publicClient, origin, block);
    const { batches, dropped } = deriveBatches(
      { batcherHash: singleBatcherHash(stranger.account.address), inbox: inbox.address },
      l1,
    );
    // The stranger's transaction reverted in the inbox contract, yet version 0 takes it.
    expect(l1.at(-1)!.receipts[1]!.status).to.equal("reverted");
    expect(batches.map((b) => b.data)).to.deep.equal(["0x00bb"]);
    expect(dropped.map((d) => d.reason)).to.deep.equal(["not-the-batcher"]);
  });

  it("follows the registry: an inbox change applies to the batches of its own block", async function () {
    const { inbox, second, registry, owner, leaders, publicClient } = await loadFixture(chain);
    const a = leaders[0]!;
    const gas = 200_000n;
    const fromBlock = await publicClient.getBlockNumber();
    await landNextIn(fromBlock + 1n);
    // In one block: a post to the old inbox, the switch, a post to the new one, another to the old one.
    const switched = await oneBlock([
      () => a.sendTransaction({ to: inbox.address, data: "0x0001", gas }),
      () => registry.write.setActiveInbox([second.address], { account: owner.account, gas }),
      () => a.sendTransaction({ to: second.address, data: "0x0002", gas }),
      () => a.sendTransaction({ to: inbox.address, data: "0x0003", gas }),
    ]);
    const later = await oneBlock([
      () => a.sendTransaction({ to: second.address, data: "0x0004", gas }),
    ]);
    const l1 = await blocks(publicClient, fromBlock + 1n, later);
    const derivation = createBatchDerivation({
      batcherHash: LEADER_ELECTION_BATCHER_HASH,
      inbox: inbox.address,
      registry,
    });
    const results = l1.map((block) => derivation.next(block));
    const atSwitch = results.find((r) => r.l1Block === switched)!;
    expect(atSwitch.inboxChanges).to.deep.equal([
      { from: getAddress(inbox.address), to: getAddress(second.address) },
    ]);
    expect(atSwitch.batches.map((b) => b.data)).to.deep.equal(["0x0002"]);
    expect(results.flatMap((r) => r.batches.map((b) => b.data))).to.deep.equal([
      "0x0002",
      "0x0004",
    ]);
    expect(derivation.inbox).to.equal(getAddress(second.address));
    expect(derivation.lastBlock).to.equal(later);
  });

  it("refuses blocks out of order and receipts that do not match the transactions", async function () {
    const { inbox, others, publicClient } = await loadFixture(chain);
    const hash = await others[0]!.sendTransaction({ to: addressOf("elsewhere"), value: 1n });
    const { blockNumber } = await publicClient.waitForTransactionReceipt({ hash });
    const [prev, block] = await blocks(publicClient, blockNumber - 1n, blockNumber);
    const config = { batcherHash: LEADER_ELECTION_BATCHER_HASH, inbox: inbox.address };
    const derivation = createBatchDerivation(config);
    derivation.next(block!);
    expect(() => derivation.next(prev!))
      .to.throw(DerivationInputError)
      .with.property(
        "shortMessage",
        `L1 block ${blockNumber - 1n}: blocks must be derived in order (the previous was ${blockNumber})`,
      );
    expect(() => deriveBatches(config, [{ ...block!, receipts: [] }]))
      .to.throw(DerivationInputError)
      .with.property("shortMessage", `L1 block ${blockNumber}: 0 receipts for 1 transactions`);
    const wrong = { ...block!.receipts[0]!, transactionHash: `0x${"11".repeat(32)}` as Hex };
    expect(() => deriveBatches(config, [{ ...block!, receipts: [wrong] }]))
      .to.throw(DerivationInputError)
      .with.property("shortMessage")
      .that.contains(`L1 block ${blockNumber}: receipt 0 is for 0x1111`);
  });

  it("yields a blob transaction's versioned hashes, not its calldata", function () {
    const inbox = addressOf("inbox");
    const from = addressOf("leader");
    const hashes = [`0x01${"22".repeat(31)}`, `0x01${"33".repeat(31)}`] as Hex[];
    const tx = {
      hash: `0x${"44".repeat(32)}`,
      from,
      to: inbox,
      type: "eip4844",
      input: "0x00ff",
      blobVersionedHashes: hashes,
    } as unknown as Transaction;
    const receipt = {
      transactionHash: tx.hash,
      status: "success",
      logs: [],
    } as unknown as TransactionReceipt;
    const { batches } = deriveBatches({ batcherHash: LEADER_ELECTION_BATCHER_HASH, inbox }, [
      { number: 1n, hash: `0x${"55".repeat(32)}`, transactions: [tx], receipts: [receipt] },
    ]);
    expect(batches).to.have.length(1);
    expect(batches[0]!.kind).to.equal("blobs");
    expect(batches[0]!.data).to.equal("0x");
    expect(batches[0]!.blobVersionedHashes).to.deep.equal(hashes);
  });
});
