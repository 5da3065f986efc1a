/**
 * Sends contract transactions from local accounts: estimates gas (a transaction that would revert
 * fails here, decoded, before anything is sent), signs in process, submits the raw transaction and
 * waits for the receipt. Each account's transactions go one at a time with a locally tracked nonce,
 * so several streams can be worked on concurrently without nonce clashes.
 */
import {
  TransactionReceiptNotFoundError,
  encodeFunctionData,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { LocalAccount } from "viem/accounts";

import { EveryChannelError } from "../errors";
import type { SentTransaction } from "./ledger-port";

/** A transaction of the smoke reverted or could not be sent. */
export class SmokeTransactionError extends EveryChannelError {
  override name = "SmokeTransactionError";
}

const FEES_TTL_MS = 5_000;

export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

export interface TransactionSender {
  send(account: LocalAccount, call: ContractCall): Promise<SentTransaction>;
  /**
   * Waits until none of `addresses` has a transaction pending (a killed earlier run may have left
   * some in flight on a node that does not mine at once), so that what the chain shows is final
   * before anyone decides what to send.
   */
  settle(addresses: readonly Address[]): Promise<void>;
}

export interface CreateTransactionSenderParameters {
  publicClient: PublicClient;
  /** Receipt polling interval, ms (default 10; automining nodes answer at once). */
  pollingIntervalMs?: number;
  /** How long to wait for a receipt, ms (default 120,000). */
  receiptTimeoutMs?: number;
}

export function createTransactionSender(
  parameters: CreateTransactionSenderParameters,
): TransactionSender {
  const { publicClient } = parameters;
  const pollingInterval = parameters.pollingIntervalMs ?? 10;
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 120_000;
  const queues = new Map<Address, Promise<unknown>>();
  const nonces = new Map<Address, number>();
  let chainId: number | undefined;
  // Fees are read at most every few seconds: on the dev chains the base fee only falls (blocks are
  // far below target) and the estimate carries a 2x margin over it.
  let fees:
    | { value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>; at: number }
    | undefined;
  const currentFees = () => {
    if (fees === undefined || Date.now() - fees.at > FEES_TTL_MS) {
      fees = { value: publicClient.estimateFeesPerGas(), at: Date.now() };
    }
    return fees.value;
  };

  /** Polls for the receipt (automining nodes have it at once; others within a block time). */
  const receiptOf = async (hash: Hex): Promise<TransactionReceipt> => {
    const deadline = Date.now() + receiptTimeoutMs;
    for (;;) {
      try {
        return await publicClient.getTransactionReceipt({ hash });
      } catch (cause) {
        if (!(cause instanceof TransactionReceiptNotFoundError)) throw cause;
      }
      if (Date.now() > deadline) {
        throw new SmokeTransactionError(
          `smoke: no receipt for transaction ${hash} within ${receiptTimeoutMs} ms`,
          { hash },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollingInterval));
    }
  };

  const sendNow = async (account: LocalAccount, call: ContractCall): Promise<SentTransaction> => {
    chainId ??= await publicClient.getChainId();
    const data: Hex = encodeFunctionData({
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
    });
    const [gas, { maxFeePerGas, maxPriorityFeePerGas }, nonce] = await Promise.all([
      publicClient.estimateContractGas({
        address: call.address,
        abi: call.abi,
        functionName: call.functionName,
        args: call.args,
        account,
      }),
      currentFees(),
      nonces.get(account.address) ??
        publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }),
    ]);
    const serializedTransaction = await account.signTransaction!({
      chainId,
      type: "eip1559",
      to: call.address,
      data,
      nonce,
      gas: (gas * 12n) / 10n,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    let hash: Hex;
    try {
      hash = await publicClient.sendRawTransaction({ serializedTransaction });
    } catch (cause) {
      nonces.delete(account.address);
      throw cause;
    }
    nonces.set(account.address, nonce + 1);
    const receipt = await receiptOf(hash);
    if (receipt.status !== "success") {
      throw new SmokeTransactionError(
        `smoke: ${call.functionName} from ${account.address} reverted (tx ${hash})`,
        { hash, from: account.address },
      );
    }
    return { hash, gasUsed: receipt.gasUsed };
  };

  return {
    async settle(addresses) {
      const deadline = Date.now() + receiptTimeoutMs;
      for (const address of addresses) {
        for (;;) {
          const [pending, latest] = await Promise.all([
            publicClient.getTransactionCount({ address, blockTag: "pending" }),
            publicClient.getTransactionCount({ address, blockTag: "latest" }),
          ]);
          if (pending <= latest) break;
          if (Date.now() > deadline) {
            throw new SmokeTransactionError(
              `smoke: ${address} still has ${pending - latest} pending transaction(s) after ${receiptTimeoutMs} ms`,
              { address, pending, latest },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(pollingInterval, 100)));
        }
      }
    },

    send(account, call) {
      const previous = queues.get(account.address) ?? Promise.resolve();
      const next = previous.then(
        () => sendNow(account, call),
        () => sendNow(account, call),
      );
      queues.set(
        account.address,
        next.catch(() => undefined),
      );
      return next;
    },
  };
}
