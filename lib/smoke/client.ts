/**
 * The public client the smoke hands to the operators' code. Its `waitForTransactionReceipt` polls
 * `eth_getTransactionReceipt` until the receipt is there instead of waiting for the next block: the
 * smoke sends one transaction at a time to an automining node (the in-process chain, anvil), where
 * no further block comes while the sender waits, and viem's block watcher can miss the block that
 * holds the transaction (it drops block numbers while it looks the transaction up) and then wait
 * for a block that never comes.
 */
import {
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { getTransactionReceipt } from "viem/actions";

export interface ReceiptPollingOptions {
  /** Between two receipt requests, ms (default 10). */
  intervalMs?: number;
  /** Give up after, ms (default 180,000, viem's). */
  timeoutMs?: number;
}

/** `client`, with a `waitForTransactionReceipt` that polls for the receipt. */
export function withReceiptPolling(
  client: PublicClient,
  options: ReceiptPollingOptions = {},
): PublicClient {
  const intervalMs = options.intervalMs ?? 10;
  const timeoutMs = options.timeoutMs ?? 180_000;
  return client.extend((base) => ({
    async waitForTransactionReceipt({ hash }: { hash: Hex }): Promise<TransactionReceipt> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await getTransactionReceipt(base, { hash });
        } catch (error) {
          if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
        }
        if (Date.now() > deadline) throw new WaitForTransactionReceiptTimeoutError({ hash });
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
  })) as unknown as PublicClient;
}
