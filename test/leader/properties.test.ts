// Property tests of the round-robin inbox and the reference derivation over random leader sets,
// windows and posting schedules, on the in-process chain (each run on a fresh snapshot). The
// properties are listed in test/leader/PROPERTIES.md.
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { getAddress, zeroAddress, type Address, type Hex, type PublicClient } from "viem";

import { LEADER_ELECTION_BATCHER_HASH } from "../../lib/leader/batcher-hash";
import { createL1BlockReader, deriveBatches, type L1Block } from "../../lib/leader/derive";
import { addressOf, batchData, mine, mineBlocks, setAutomine } from "./fixture";
import {
  addLeader,
  createModel,
  leaderAt,
  nextLeaderAt,
  post,
  removeLeader,
} from "./support/model";

const RUNS = Number(process.env.LEADER_PROPERTY_RUNS ?? 25);

async function onSnapshot<T>(run: () => Promise<T>): Promise<T> {
  const id = (await hre.network.provider.send("evm_snapshot", [])) as string;
  try {
    return await run();
  } finally {
    await setAutomine(true);
    await hre.network.provider.send("evm_revert", [id]);
  }
}

const windowArb = fc
  .integer({ min: 2, max: 8 })
  .chain((window) =>
    fc.record({ window: fc.constant(window), silence: fc.integer({ min: 1, max: window - 1 }) }),
  );

describe("leader inbox properties", function () {
  it("exactly one leader per block, through any leader-set changes; a change keeps the current window's leader unless removed", async function () {
    const pool = Array.from({ length: 6 }, (_, i) => addressOf(`pool-${i}`));
    const [owner] = await hre.viem.getWalletClients();
    await fc.assert(
      fc.asyncProperty(
        windowArb,
        fc.integer({ min: 0, max: 5 }),
        fc.array(
          fc.record({ add: fc.boolean(), pick: fc.nat(), gap: fc.integer({ min: 0, max: 20 }) }),
          { maxLength: 6 },
        ),
        async ({ window, silence }, initial, ops) =>
          onSnapshot(async () => {
            const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
              owner!.account.address,
              pool.slice(0, initial),
              BigInt(window),
              BigInt(silence),
            ]);
            const origin = await inbox.read.scheduleOrigin();
            const model = createModel(
              origin,
              BigInt(window),
              BigInt(silence),
              pool.slice(0, initial),
            );
            const check = async (from: bigint) => {
              const bitmaps = await Promise.all(
                pool.map((a) => inbox.read.leaderBlocks([a, from])),
              );
              let union = 0n;
              for (const bitmap of bitmaps) {
                expect(union & bitmap, "two leaders for one block").to.equal(0n);
                union |= bitmap;
              }
              expect(union, "blocks without a leader").to.equal(
                model.leaders.length === 0 ? 0n : 2n ** 256n - 1n,
              );
              // Every block's owner in the look-ahead is the model's leader.
              for (let i = 0n; i < 256n; i += 1n) {
                const owning = pool.findIndex((_, k) => ((bitmaps[k]! >> i) & 1n) === 1n);
                expect(
                  owning === -1 ? undefined : pool[owning],
                  `look-ahead of block ${from + i}`,
                ).to.equal(leaderAt(model, from + i));
              }
              const probe = from + 100n;
              expect(await inbox.read.leaderAt([probe])).to.equal(
                leaderAt(model, probe) ?? zeroAddress,
              );
            };
            const publicClient = await hre.viem.getPublicClient();
            await check(origin);
            for (const op of ops) {
              await mineBlocks(op.gap);
              const block = (await publicClient.getBlockNumber()) + 1n;
              const before = await inbox.read.leaderAt([block]);
              let removed: Address | undefined;
              if (op.add || model.leaders.length === 0) {
                const candidates = pool.filter((a) => !model.leaders.includes(a));
                if (candidates.length === 0) continue;
                const leader = candidates[op.pick % candidates.length]!;
                await inbox.write.addLeader([leader]);
                addLeader(model, leader, block);
              } else {
                removed = model.leaders[op.pick % model.leaders.length]!;
                await inbox.write.removeLeader([removed]);
                removeLeader(model, removed, block);
              }
              const after = await inbox.read.leaderAt([block]);
              if (before !== zeroAddress && before !== removed)
                expect(after, "the current window changed leader").to.equal(before);
              expect(after).to.equal(leaderAt(model, block) ?? zeroAddress);
              await check(block);
            }
          }),
      ),
      { numRuns: RUNS },
    );
  });

  /** A random posting schedule run on a fresh inbox: who posted what, in which block, and the outcome. */
  interface Posted {
    block: bigint;
    index: number;
    sender: Address;
    data: Hex;
    to: Address;
    status: "success" | "reverted";
  }

  const scheduleArb = windowArb.chain(({ window, silence }) =>
    fc.record({
      window: fc.constant(window),
      silence: fc.constant(silence),
      leaderCount: fc.integer({ min: 2, max: 4 }),
      blocks: fc.array(
        fc.array(
          fc.record({
            poster: fc.nat({ max: 4 }),
            length: fc.integer({ min: 0, max: 48 }),
            elsewhere: fc.boolean(),
          }),
          { maxLength: 3 },
        ),
        { minLength: window * 2, maxLength: window * 4 },
      ),
    }),
  );

  type Schedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never;

  async function runSchedule(schedule: Schedule) {
    const wallets = await hre.viem.getWalletClients();
    const publicClient = (await hre.viem.getPublicClient()) as PublicClient;
    const owner = wallets[0]!;
    const leaders = wallets.slice(1, 1 + schedule.leaderCount);
    const posters = [...leaders, wallets[10]!]; // the last one is never a leader
    const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
      owner.account.address,
      leaders.map((l) => l.account.address),
      BigInt(schedule.window),
      BigInt(schedule.silence),
    ]);
    const origin = await inbox.read.scheduleOrigin();
    const elsewhere = addressOf("not the inbox");
    const sent: { hash: Hex; sender: Address; data: Hex; to: Address }[] = [];
    await setAutomine(false);
    for (const [b, txs] of schedule.blocks.entries()) {
      for (const [i, tx] of txs.entries()) {
        const wallet = posters[tx.poster % posters.length]!;
        const data = batchData(tx.length, b * 7 + i + 1);
        // Now and then a transaction to another address, with the same data, which must never count.
        const to = tx.elsewhere && tx.length % 5 === 0 ? elsewhere : inbox.address;
        const hash = await wallet.sendTransaction({ to, data, gas: 150_000n });
        sent.push({ hash, sender: getAddress(wallet.account.address), data, to: getAddress(to) });
      }
      await mine();
    }
    await setAutomine(true);
    const posted: Posted[] = [];
    for (const s of sent) {
      const r = await publicClient.getTransactionReceipt({ hash: s.hash });
      posted.push({
        block: r.blockNumber,
        index: r.transactionIndex,
        sender: s.sender,
        data: s.data,
        to: s.to,
        status: r.status,
      });
    }
    posted.sort((x, y) => (x.block === y.block ? x.index - y.index : x.block < y.block ? -1 : 1));
    const head = await publicClient.getBlockNumber();
    return {
      inbox,
      origin,
      posted,
      publicClient,
      head,
      leaders: leaders.map((l) => getAddress(l.account.address)),
    };
  }

  it("the fallback opens only after the configured silence of the window's leader", async function () {
    // What the runs exercised, so that a generator that never reaches a case fails the test.
    const seen = { leader: 0, leaderAfterTakeover: 0, takeover: 0, fallbackRefused: 0, other: 0 };
    await fc.assert(
      fc.asyncProperty(scheduleArb, async (schedule) =>
        onSnapshot(async () => {
          const { inbox, origin, posted, leaders } = await runSchedule(schedule);
          const W = BigInt(schedule.window);
          const F = BigInt(schedule.silence);
          const n = leaders.length;
          // Checked from the posts' outcomes alone. Per window: the leader's accepted posts (the
          // deployment counts as one at the origin) and whether the next leader has posted yet.
          const leaderPosts = new Map<bigint, [bigint, number][]>([[0n, [[origin, -1]]]]);
          const takenOver = new Set<bigint>();
          for (const p of posted.filter((x) => x.to === getAddress(inbox.address))) {
            const w = (p.block - origin) / W;
            const start = origin + w * W;
            const leader = leaders[Number(w % BigInt(n))]!;
            const next = leaders[Number((w + 1n) % BigInt(n))]!;
            const where = `block ${p.block} tx ${p.index} (window ${w} from ${start}, W ${W}, F ${F})`;
            if (p.sender === leader) {
              expect(p.status, `leader post at ${where}`).to.equal(
                takenOver.has(w) ? "reverted" : "success",
              );
              if (p.status === "success")
                leaderPosts.set(w, [...(leaderPosts.get(w) ?? []), [p.block, p.index]]);
            } else if (p.sender === next) {
              const quietSince = p.block - F;
              const spoke = (leaderPosts.get(w) ?? []).some(
                ([b, i]) => b >= quietSince && (b < p.block || (b === p.block && i < p.index)),
              );
              const open = takenOver.has(w) || (quietSince >= start && !spoke);
              expect(p.status, `next-leader post at ${where}`).to.equal(
                open ? "success" : "reverted",
              );
              if (p.status === "success") takenOver.add(w);
            } else expect(p.status, `post from a non-leader at ${where}`).to.equal("reverted");
          }
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it("the derivation yields exactly the accepted posts, in order, matching the rules' model", async function () {
    let accepted = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(scheduleArb, async (schedule) =>
        onSnapshot(async () => {
          const { inbox, origin, posted, publicClient, head, leaders } =
            await runSchedule(schedule);
          const model = createModel(
            origin,
            BigInt(schedule.window),
            BigInt(schedule.silence),
            leaders,
          );
          const expected: Posted[] = [];
          for (const p of posted) {
            if (p.to !== getAddress(inbox.address)) continue;
            const outcome = post(model, p.sender, p.block);
            expect(
              p.status,
              `block ${p.block} tx ${p.index}: the contract and the model disagree (leader ${leaderAt(model, p.block)}, next ${nextLeaderAt(model, p.block)})`,
            ).to.equal(outcome.accepted ? "success" : "reverted");
            if (outcome.accepted) expected.push(p);
            if (outcome.accepted) accepted += 1;
            else rejected += 1;
          }
          const reader = createL1BlockReader(publicClient);
          const blocks: L1Block[] = [];
          for (let b = origin; b <= head; b++) blocks.push(await reader.read(b));
          const { batches, dropped } = deriveBatches(
            { batcherHash: LEADER_ELECTION_BATCHER_HASH, inbox: inbox.address },
            blocks,
          );
          expect(batches.map((b) => [b.l1Block, b.txIndex, b.sender, b.data])).to.deep.equal(
            expected.map((p) => [p.block, p.index, p.sender, p.data]),
          );
          expect(dropped.length).to.equal(
            posted.filter((p) => p.to === getAddress(inbox.address)).length - expected.length,
          );
        }),
      ),
      { numRuns: RUNS },
    );
    expect(accepted, "no accepted post in any run").to.be.greaterThan(0);
    expect(rejected, "no rejected post in any run").to.be.greaterThan(0);
  });
});
