/**
 * Contracts' logs over a block range, read by `eth_getLogs` in ranges of `blockRange` blocks,
 * each range halved for as long as its answer is too large for the node or the client (viem refuses
 * HTTP bodies over 10 MiB; nodes cap results or sizes). The ledger client, the rail view and the
 * indexer's bulk backfill read their history through it, so a long chain's logs never fail for
 * their number.
 */
import { BaseError, type Address, type Log, type PublicClient } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";

/** Blocks per `eth_getLogs` request by default (RPC providers cap the range). */
export const DEFAULT_BLOCK_RANGE = 10_000n;

/** What nodes and viem answer when one `eth_getLogs` answer would be too large. */
const TOO_LARGE =
  /response body exceeded|more than \d+ results|response size (exceeded|is larger)|query returned more than|too many (logs|results)|log response size exceeded|limit exceeded/i;

/** Whether `error` says the answer to one `eth_getLogs` was too large (split the range). */
export function isLogsAnswerTooLarge(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const parts: unknown[] = [];
  if (error instanceof BaseError) error.walk((e) => (parts.push(e), false));
  else parts.push(error);
  return parts.some(
    (e) =>
      (e as { name?: string }).name === "ResponseBodyTooLargeError" ||
      (e as { code?: number }).code === -32005 ||
      TOO_LARGE.test(
        `${(e as { shortMessage?: string }).shortMessage ?? ""} ${(e as { details?: string }).details ?? ""} ${(e as Error).message ?? ""}`,
      ),
  );
}

export interface ReadLogsParameters {
  publicClient: Pick<PublicClient, "getLogs" | "getBlockNumber">;
  /** One contract, or several read together (one `eth_getLogs` per range). */
  address: Address | readonly Address[];
  fromBlock: bigint;
  /** Default: the latest block. */
  toBlock?: bigint;
  /** Blocks per request (default 10,000); halved where an answer is too large. */
  blockRange?: bigint;
}

export interface ReadLogRangesParameters extends ReadLogsParameters {
  /** Ranges requested ahead of the one being read (default 0: one request at a time). */
  prefetch?: number;
}

/** One range's logs, in block and log order. */
export interface LogRange {
  fromBlock: bigint;
  toBlock: bigint;
  logs: Log[];
}

/**
 * The logs of `fromBlock`–`toBlock`, range by range in block order, as they arrive: `prefetch`
 * ranges are requested ahead of the one being read. A range whose answer is too large is split in
 * two halves requested at once, and the range of every later request is cut to the half (a dense
 * chain pays for one oversized answer, not one per range). A single block too large is refused,
 * naming it; other errors are passed on as they are.
 */
export async function* readLogRanges(
  parameters: ReadLogRangesParameters,
): AsyncGenerator<LogRange, void, undefined> {
  const { publicClient, fromBlock } = parameters;
  const address = parameters.address as Address | Address[];
  const blockRange = parameters.blockRange ?? DEFAULT_BLOCK_RANGE;
  const prefetch = parameters.prefetch ?? 0;
  if (blockRange < 1n) throw new InvalidFieldError("blockRange", blockRange, "must be at least 1");
  if (!Number.isInteger(prefetch) || prefetch < 0)
    throw new InvalidFieldError("prefetch", prefetch, "must be an integer of at least 0");
  const last = parameters.toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  let range = blockRange;
  const read = async (from: bigint, to: bigint): Promise<Log[]> => {
    try {
      return await publicClient.getLogs({ address, fromBlock: from, toBlock: to });
    } catch (error) {
      if (!isLogsAnswerTooLarge(error)) throw error;
      if (from === to)
        throw new EveryChannelError(
          `eth_getLogs of ${[address].flat().join(", ")} in block ${from} alone is too large for the node or the client`,
          { address, block: from },
          { cause: error },
        );
      const half = (to - from + 2n) / 2n;
      if (half < range) range = half;
      const middle = from + half - 1n;
      // Both at once; a failure names the first failing half's blocks, whichever failed first.
      const [left, right] = await Promise.allSettled([read(from, middle), read(middle + 1n, to)]);
      if (left.status === "rejected") throw left.reason;
      if (right.status === "rejected") throw right.reason;
      return [...left.value, ...right.value];
    }
  };
  const ahead: { fromBlock: bigint; toBlock: bigint; logs: Promise<Log[]> }[] = [];
  let cursor = fromBlock;
  const refill = () => {
    while (ahead.length < prefetch + 1 && cursor <= last) {
      const to = cursor + range - 1n < last ? cursor + range - 1n : last;
      const logs = read(cursor, to);
      // Read in turn below; a range requested ahead of a failure is never awaited.
      logs.catch(() => undefined);
      ahead.push({ fromBlock: cursor, toBlock: to, logs });
      cursor = to + 1n;
    }
  };
  refill();
  while (ahead.length > 0) {
    const next = ahead.shift()!;
    const logs = await next.logs;
    refill();
    yield { fromBlock: next.fromBlock, toBlock: next.toBlock, logs };
  }
}

/** Every log of `fromBlock`–`toBlock`, in order, one range at a time (`readLogRanges`). */
export async function readLogs(parameters: ReadLogsParameters): Promise<Log[]> {
  const out: Log[] = [];
  for await (const { logs } of readLogRanges(parameters)) out.push(...logs);
  return out;
}
