/**
 * The reference derivation of batch data from L1 for a leader-election inbox: it reads L1 blocks in
 * order, with their receipts, and yields the data of every batch transaction that counts, in L1
 * order (block, then transaction index). What counts follows the batcherHash version rule
 * (`batcher-hash.ts`):
 *
 * - version 0: transactions to the inbox sent by the batcher address (today's op-node rule; the
 *   receipt is not consulted);
 * - version 1: transactions to the inbox whose receipt status is success, whoever sent them; the
 *   inbox contract has already refused everyone who was not allowed to post.
 *
 * The inbox can follow an `EveryChannelInboxRegistry`: its `ActiveInboxChanged` logs in a block apply
 * to that block's batches, as SystemConfig updates do in op-node (`L1Traversal.AdvanceL1Block` applies
 * the block's config logs before `L1Retrieval` opens its data). Calldata transactions yield their
 * calldata; blob transactions yield their blob versioned hashes (their calldata is ignored, as
 * `blob_data_source.go` does), and fetching blob bodies is left to the caller.
 */
import {
  getAddress,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  parseEventLogs,
  type Address,
  type Hex,
  type PublicClient,
  type Transaction,
  type TransactionReceipt,
} from "viem";

import { EveryChannelError } from "../errors";
import { parseBatcherHash, type BatcherHashRule } from "./batcher-hash";
import type { InboxRegistryRef } from "./contracts";

/** One L1 block as the derivation reads it: its transactions and all their receipts, in order. */
export interface L1Block {
  readonly number: bigint;
  readonly hash: Hex;
  readonly transactions: readonly Transaction[];
  readonly receipts: readonly TransactionReceipt[];
}

export interface DerivationConfig {
  /** SystemConfig `batcherHash`: version 0 (one batcher address) or 1 (leader election). */
  readonly batcherHash: Hex;
  /** The inbox active before the first block derived. */
  readonly inbox: Address;
  /** Follow this registry's `ActiveInboxChanged` logs. */
  readonly registry?: InboxRegistryRef;
  /**
   * Version 1 only: keep reverted inbox transactions too, as an op-node without the receipt check
   * would. Never right for a real chain; it exists to show what the check prevents.
   */
  readonly keepReverted?: boolean;
}

export interface DerivedBatch {
  readonly l1Block: bigint;
  readonly txIndex: number;
  readonly txHash: Hex;
  readonly sender: Address;
  readonly inbox: Address;
  readonly kind: "calldata" | "blobs";
  /** The calldata (`0x` for blob transactions). */
  readonly data: Hex;
  readonly blobVersionedHashes: readonly Hex[];
}

export interface DroppedInboxTransaction {
  readonly l1Block: bigint;
  readonly txIndex: number;
  readonly txHash: Hex;
  readonly sender: Address;
  readonly inbox: Address;
  /** `reverted`: version 1, receipt status 0; `not-the-batcher`: version 0, another sender. */
  readonly reason: "reverted" | "not-the-batcher";
}

export interface BlockDerivation {
  readonly l1Block: bigint;
  /** The inbox after this block's registry changes. */
  readonly inbox: Address;
  readonly inboxChanges: readonly { readonly from: Address; readonly to: Address }[];
  readonly batches: readonly DerivedBatch[];
  readonly dropped: readonly DroppedInboxTransaction[];
}

/** The L1 input does not fit together (missing receipts, blocks out of order). */
export class DerivationInputError extends EveryChannelError {
  override name = "DerivationInputError";
}

export interface BatchDerivation {
  readonly rule: BatcherHashRule;
  /** The inbox active after the last block given. */
  readonly inbox: Address;
  /** The last block given, if any. */
  readonly lastBlock: bigint | undefined;
  /** Derives the next block (which must follow the previous one). */
  next(block: L1Block): BlockDerivation;
}

/** A stateful derivation, fed one block at a time. */
export function createBatchDerivation(config: DerivationConfig): BatchDerivation {
  const rule = parseBatcherHash(config.batcherHash);
  let inbox = getAddress(config.inbox);
  let lastBlock: bigint | undefined;
  const registry =
    config.registry === undefined
      ? undefined
      : { address: getAddress(config.registry.address), abi: config.registry.abi };
  return {
    rule,
    get inbox() {
      return inbox;
    },
    get lastBlock() {
      return lastBlock;
    },
    next(block: L1Block): BlockDerivation {
      if (lastBlock !== undefined && block.number !== lastBlock + 1n) {
        throw new DerivationInputError(
          `L1 block ${block.number}: blocks must be derived in order (the previous was ${lastBlock})`,
          { block: block.number, previous: lastBlock },
        );
      }
      checkReceipts(block);
      const inboxChanges: { from: Address; to: Address }[] = [];
      if (registry !== undefined) {
        const logs = block.receipts.flatMap((r) =>
          r.status === "success"
            ? r.logs.filter((l) => getAddress(l.address) === registry.address)
            : [],
        );
        for (const event of parseEventLogs({
          abi: registry.abi,
          logs,
          eventName: "ActiveInboxChanged",
        })) {
          const to = getAddress(event.args.newInbox);
          inboxChanges.push({ from: inbox, to });
          inbox = to;
        }
      }
      const batches: DerivedBatch[] = [];
      const dropped: DroppedInboxTransaction[] = [];
      block.transactions.forEach((tx, txIndex) => {
        if (tx.to === null || tx.to === undefined || getAddress(tx.to) !== inbox) return;
        const sender = getAddress(tx.from);
        const where = { l1Block: block.number, txIndex, txHash: tx.hash, sender, inbox };
        if (rule.version === 0) {
          if (sender !== rule.batcher) {
            dropped.push({ ...where, reason: "not-the-batcher" });
            return;
          }
        } else if (block.receipts[txIndex]!.status !== "success" && config.keepReverted !== true) {
          dropped.push({ ...where, reason: "reverted" });
          return;
        }
        const blobs = tx.type === "eip4844";
        batches.push({
          ...where,
          kind: blobs ? "blobs" : "calldata",
          data: blobs ? "0x" : tx.input,
          blobVersionedHashes: blobs ? [...(tx.blobVersionedHashes ?? [])] : [],
        });
      });
      lastBlock = block.number;
      return { l1Block: block.number, inbox, inboxChanges, batches, dropped };
    },
  };
}

/** Derives `blocks` (consecutive, ascending) in one go. */
export function deriveBatches(
  config: DerivationConfig,
  blocks: Iterable<L1Block>,
): { batches: DerivedBatch[]; dropped: DroppedInboxTransaction[]; inbox: Address } {
  const derivation = createBatchDerivation(config);
  const batches: DerivedBatch[] = [];
  const dropped: DroppedInboxTransaction[] = [];
  for (const block of blocks) {
    const result = derivation.next(block);
    batches.push(...result.batches);
    dropped.push(...result.dropped);
  }
  return { batches, dropped, inbox: derivation.inbox };
}

function checkReceipts(block: L1Block): void {
  if (block.receipts.length !== block.transactions.length) {
    throw new DerivationInputError(
      `L1 block ${block.number}: ${block.receipts.length} receipts for ${block.transactions.length} transactions`,
      { block: block.number },
    );
  }
  block.transactions.forEach((tx, i) => {
    const receipt = block.receipts[i]!;
    if (receipt.transactionHash !== tx.hash) {
      throw new DerivationInputError(
        `L1 block ${block.number}: receipt ${i} is for ${receipt.transactionHash}, not transaction ${tx.hash}`,
        { block: block.number, index: i },
      );
    }
  });
}

/** Reads L1 blocks with all their receipts over JSON-RPC. */
export interface L1BlockReader {
  read(number: bigint): Promise<L1Block>;
}

/**
 * A reader over `client`: `eth_getBlockByNumber` with transactions, then `eth_getBlockReceipts`, or
 * one `eth_getTransactionReceipt` per transaction where the node lacks that method.
 */
export function createL1BlockReader(client: PublicClient): L1BlockReader {
  let blockReceipts = true;
  return {
    async read(number: bigint): Promise<L1Block> {
      const block = await client.getBlock({ blockNumber: number, includeTransactions: true });
      let receipts: TransactionReceipt[] | undefined;
      if (blockReceipts && block.transactions.length > 0) {
        try {
          receipts = await client.getBlockReceipts({ blockNumber: number });
        } catch (error) {
          if (
            !(error instanceof MethodNotFoundRpcError) &&
            !(error instanceof MethodNotSupportedRpcError) &&
            !/not (supported|found|available)|unknown method/i.test(String(error))
          )
            throw error;
          blockReceipts = false;
        }
      }
      receipts ??= await Promise.all(
        block.transactions.map((tx) => client.getTransactionReceipt({ hash: tx.hash })),
      );
      receipts = [...receipts].sort((a, b) => a.transactionIndex - b.transactionIndex);
      return { number, hash: block.hash, transactions: block.transactions, receipts };
    },
  };
}
