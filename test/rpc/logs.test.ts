// Reading a contract's logs in ranges: a range whose answer is too large for the node or for viem
// is halved until it fits; every log comes back once, in order; other errors are not swallowed.
import { expect } from "chai";
import {
  createPublicClient,
  custom,
  numberToHex,
  ResponseBodyTooLargeError,
  RpcRequestError,
  type Address,
  type Hex,
} from "viem";

import { EveryChannelError, InvalidFieldError } from "../../lib/errors";
import { isLogsAnswerTooLarge, readLogRanges, readLogs } from "../../lib/rpc/logs";

const ADDRESS = "0x00000000000000000000000000000000000000aa" as Address;

/** A node with `perBlock` logs in each block 0–`tip` that refuses answers of more than `cap` logs. */
function node(start: number, perBlock: number, cap: number, refuse: () => Error, delayMs = 0) {
  const requests: [number, number][] = [];
  const addresses: unknown[] = [];
  const concurrency = { now: 0, max: 0 };
  let tip = start;
  const client = createPublicClient({
    transport: custom(
      {
        async request({ method, params }: { method: string; params?: unknown }) {
          if (method === "eth_blockNumber") return numberToHex(tip);
          if (method !== "eth_getLogs") throw new Error(`unexpected ${method}`);
          const [filter] = params as [{ fromBlock: Hex; toBlock: Hex; address: unknown }];
          const from = Number(filter.fromBlock);
          const to = Number(filter.toBlock);
          requests.push([from, to]);
          addresses.push(filter.address);
          concurrency.now += 1;
          concurrency.max = Math.max(concurrency.max, concurrency.now);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          concurrency.now -= 1;
          if ((to - from + 1) * perBlock > cap) throw refuse();
          const logs = [];
          for (let block = from; block <= to; block += 1)
            for (let i = 0; i < perBlock; i += 1)
              logs.push({
                address: ADDRESS,
                blockNumber: numberToHex(block),
                blockHash: `0x${block.toString(16).padStart(64, "0")}`,
                transactionHash: `0x${"11".repeat(32)}`,
                transactionIndex: "0x0",
                logIndex: numberToHex(i),
                data: "0x",
                topics: [],
                removed: false,
              });
          return logs;
        },
      },
      { retryCount: 0 },
    ),
  });
  return { client, requests, addresses, concurrency, mine: (blocks: number) => (tip += blocks) };
}

const tooLargeForViem = () =>
  new ResponseBodyTooLargeError({ maxSize: 10_485_760, size: 101_402_431 });
const tooManyForNode = () =>
  new RpcRequestError({
    body: {},
    url: "http://127.0.0.1",
    error: { code: -32005, message: "query returned more than 10000 results" },
  });

describe("readLogs: a contract's logs in ranges", function () {
  for (const [what, refuse] of [
    ["viem's body size limit", tooLargeForViem],
    ["a node's result cap (-32005)", tooManyForNode],
  ] as const)
    it(`halves a range refused by ${what}, and returns every log once, in order`, async function () {
      const { client, requests } = node(99, 3, 40, refuse);
      const logs = await readLogs({
        publicClient: client,
        address: ADDRESS,
        fromBlock: 0n,
        blockRange: 50n,
      });
      expect(logs).to.have.length(300);
      const order = logs.map((l) => Number(l.blockNumber) * 10 + Number(l.logIndex));
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
      expect(new Set(order).size).to.equal(300);
      // Every answered range fits the cap; the refused ones were split, not retried whole.
      const answered = requests.filter(([from, to]) => (to - from + 1) * 3 <= 40);
      expect(answered.reduce((n, [from, to]) => n + to - from + 1, 0)).to.equal(100);
      expect(requests.length).to.be.lessThan(40);
    });

  it("names the block when one block's logs alone are too large", async function () {
    const { client } = node(9, 50, 40, tooLargeForViem);
    let caught: unknown;
    try {
      await readLogs({ publicClient: client, address: ADDRESS, fromBlock: 0n });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(EveryChannelError);
    expect((caught as Error).message).to.equal(
      `eth_getLogs of ${ADDRESS} in block 0 alone is too large for the node or the client`,
    );
  });

  it("passes other errors on without splitting", async function () {
    const { client, requests } = node(99, 3, 40, () => new Error("connection refused"));
    let caught: unknown;
    try {
      await readLogs({ publicClient: client, address: ADDRESS, fromBlock: 0n });
    } catch (error) {
      caught = error;
    }
    expect(String(caught)).to.contain("connection refused");
    expect(isLogsAnswerTooLarge(caught)).to.equal(false);
    expect(requests).to.deep.equal([[0, 99]]);
  });

  it("reads up to the node's tip of now, not the client's cached block number", async function () {
    const { client, mine } = node(9, 2, 1000, tooLargeForViem);
    // viem keeps a block number for the client's cacheTime (4 s here): the tip read just before
    // new blocks were mined must not cut their logs off.
    expect(await client.getBlockNumber()).to.equal(9n);
    mine(5);
    const logs = await readLogs({ publicClient: client, address: ADDRESS, fromBlock: 0n });
    expect(logs).to.have.length(30);
    expect(Number(logs[logs.length - 1]!.blockNumber)).to.equal(14);
  });

  it("refuses a block range below 1, naming it", async function () {
    const { client } = node(9, 1, 40, tooLargeForViem);
    let caught: unknown;
    try {
      await readLogs({ publicClient: client, address: ADDRESS, fromBlock: 0n, blockRange: 0n });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(InvalidFieldError);
    expect((caught as Error).message).to.equal("blockRange: must be at least 1 (got 0n)");
  });
});

describe("readLogRanges: ranges as they arrive, several contracts, requests ahead", function () {
  const OTHER = "0x00000000000000000000000000000000000000bb" as Address;

  it("reads several contracts with one request per range", async function () {
    const { client, addresses } = node(29, 1, 1000, tooLargeForViem);
    const ranges = [];
    for await (const range of readLogRanges({
      publicClient: client,
      address: [ADDRESS, OTHER],
      fromBlock: 0n,
      blockRange: 10n,
    }))
      ranges.push(range);
    expect(ranges.map((r) => [r.fromBlock, r.toBlock])).to.deep.equal([
      [0n, 9n],
      [10n, 19n],
      [20n, 29n],
    ]);
    expect(addresses).to.deep.equal([
      [ADDRESS, OTHER],
      [ADDRESS, OTHER],
      [ADDRESS, OTHER],
    ]);
  });

  it("keeps `prefetch` ranges requested ahead, and yields every range once, in block order", async function () {
    const { client, concurrency } = node(99, 2, 1000, tooLargeForViem, 5);
    let next = 0n;
    let logs = 0;
    for await (const range of readLogRanges({
      publicClient: client,
      address: ADDRESS,
      fromBlock: 0n,
      blockRange: 10n,
      prefetch: 2,
    })) {
      expect(range.fromBlock).to.equal(next);
      next = range.toBlock + 1n;
      logs += range.logs.length;
      // The caller is slow: the requests ahead fill up meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(next).to.equal(100n);
    expect(logs).to.equal(200);
    expect(concurrency.max).to.equal(3);
  });

  it("requests both halves of an oversized range at once, and every later range at the half", async function () {
    const { client, requests, concurrency } = node(99, 3, 40, tooManyForNode, 5);
    let logs = 0;
    for await (const range of readLogRanges({
      publicClient: client,
      address: ADDRESS,
      fromBlock: 0n,
      blockRange: 50n,
    }))
      logs += range.logs.length;
    expect(logs).to.equal(300);
    // Refused: 0-49, then its halves 0-24 and 25-49 (requested together); blocks 50-99 are read
    // in ranges that fit at once (13 blocks, 39 logs), never refused.
    const refused = requests.filter(([from, to]) => (to - from + 1) * 3 > 40);
    expect(refused).to.deep.equal([
      [0, 49],
      [0, 24],
      [25, 49],
    ]);
    expect(concurrency.max).to.be.greaterThan(1);
    expect(requests.filter(([from]) => from >= 50).every(([from, to]) => to - from + 1 <= 13)).to.be
      .true;
  });

  it("refuses a negative or fractional prefetch, naming it", async function () {
    const { client } = node(9, 1, 40, tooLargeForViem);
    for (const prefetch of [-1, 1.5]) {
      let caught: unknown;
      try {
        await readLogRanges({
          publicClient: client,
          address: ADDRESS,
          fromBlock: 0n,
          prefetch,
        }).next();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(InvalidFieldError);
      expect((caught as Error).message).to.equal(
        `prefetch: must be an integer of at least 0 (got ${prefetch})`,
      );
    }
  });
});
