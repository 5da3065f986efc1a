/**
 * The one way operator tasks send a transaction: estimate it first (L2 gas, and the L1 data fee
 * from the GasPriceOracle predeploy where the chain has one), print the estimate, stop there on a
 * dry run, otherwise send, wait for the receipt and fail loudly on a revert.
 */
import {
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

import { EveryChannelError } from "../errors";
import {
  estimateTransactionCost,
  formatTransactionCost,
  type TransactionCostEstimate,
} from "../opstack/l1-fee";

export type OperatorWallet = WalletClient<Transport, Chain | undefined, Account>;

export interface SendPlannedParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  /** What the transaction does, for the log ("witness:add 0x…"). */
  description: string;
  to: Address;
  data: Hex;
  /** The target's ABI, to name a revert's custom error and arguments. */
  abi?: Abi;
  value?: bigint;
  /** Print the estimate and stop. */
  dryRun: boolean;
  /**
   * Gas added to the limit (estimate + 20%) for a call whose path can change between the estimate
   * and its inclusion, such as an attestation that becomes the finalizing one.
   */
  extraGas?: bigint;
  log: (line: string) => void;
}

export type SendPlannedReturnType =
  | { sent: false; estimate: TransactionCostEstimate }
  | { sent: true; estimate: TransactionCostEstimate; hash: Hex; receipt: TransactionReceipt };

/** The transaction was mined but reverted. */
export class TransactionRevertedError extends EveryChannelError {
  override name = "TransactionRevertedError";
}

/** Between two receipt requests (`waitForReceipt`), ms. */
const RECEIPT_POLL_MS = 100;
/** How long `waitForReceipt` waits, ms (viem's default). */
const RECEIPT_TIMEOUT_MS = 180_000;

/**
 * The receipt of `hash`, polled with `eth_getTransactionReceipt` until it is there. viem's
 * `waitForTransactionReceipt` waits for new blocks, and on an automining node (a devnet, anvil, the
 * in-process chain) that has just mined the transaction no further block may come, while its block
 * watcher can miss the block that holds it.
 */
export async function waitForReceipt(
  publicClient: PublicClient,
  hash: Hex,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
  for (;;) {
    try {
      return await publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
    if (Date.now() > deadline) throw new WaitForTransactionReceiptTimeoutError({ hash });
    await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
  }
}

export async function sendPlanned(
  parameters: SendPlannedParameters,
): Promise<SendPlannedReturnType> {
  const { publicClient, wallet, description, to, data, value, log } = parameters;
  const account = wallet.account.address;
  const estimate = await estimateTransactionCost({
    client: publicClient,
    account,
    to,
    data,
    value,
    abi: parameters.abi,
  });
  log(`${description}: from ${account} to ${to}`);
  for (const line of formatTransactionCost(estimate)) log(`  ${line}`);
  if (parameters.dryRun) {
    log("  dry run: nothing sent");
    return { sent: false, estimate };
  }
  const hash = await wallet.sendTransaction({
    account: wallet.account,
    chain: wallet.chain,
    to,
    data,
    value,
    gas: estimate.gas + estimate.gas / 5n + (parameters.extraGas ?? 0n),
  });
  const receipt = await waitForReceipt(publicClient, hash);
  if (receipt.status !== "success") {
    throw new TransactionRevertedError(`${description}: transaction ${hash} reverted`, {
      hash,
      description,
    });
  }
  log(`  sent ${hash} (block ${receipt.blockNumber}, gas used ${receipt.gasUsed})`);
  return { sent: true, estimate, hash, receipt };
}
