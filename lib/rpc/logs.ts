/**
 * A contract's logs over a block range, read by `eth_getLogs` in ranges of `blockRange` blocks,
 * each range halved for as long as its answer is too large for the node or the client (viem refuses
 * HTTP bodies over 10 MiB; nodes cap results or sizes). The ledger client and the rail view read
 * their history through it, so a long chain's logs never fail for their number.
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
  address: Address;
  fromBlock: bigint;
  /** Default: the latest block. */
  toBlock?: bigint;
  /** Blocks per request (default 10,000); halved where an answer is too large. */
  blockRange?: bigint;
}

export async function readLogs(parameters: ReadLogsParameters): Promise<Log[]> {
  const { publicClient, address, fromBlock } = parameters;
  const blockRange = parameters.blockRange ?? DEFAULT_BLOCK_RANGE;
  if (blockRange < 1n) throw new InvalidFieldError("blockRange", blockRange, "must be at least 1");
  const last = parameters.toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  const range = async (from: bigint, to: bigint): Promise<Log[]> => {
    try {
      return await publicClient.getLogs({ address, fromBlock: from, toBlock: to });
    } catch (error) {
      if (!isLogsAnswerTooLarge(error)) throw error;
      if (from === to)
        throw new EveryChannelError(
          `eth_getLogs of ${address} in block ${from} alone is too large for the node or the client`,
          { address, block: from },
          { cause: error },
        );
      const middle = from + (to - from) / 2n;
      return [...(await range(from, middle)), ...(await range(middle + 1n, to))];
    }
  };
  const out: Log[] = [];
  for (let start = fromBlock; start <= last; start += blockRange) {
    const end = start + blockRange - 1n < last ? start + blockRange - 1n : last;
    out.push(...(await range(start, end)));
  }
  return out;
}
