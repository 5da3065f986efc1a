/**
 * The batcher's scheduler for a leader-election inbox: once per new L1 head it asks the inbox whether
 * it may post in the next block (`mayPost`: as leader, or through the liveness fallback); if so it
 * continues the frame stream where the accepted posts end, estimates the transaction's gas with the
 * node (a revert means "not now" and nothing is sent), sends it and waits for its receipt before the
 * next post; if not, it waits for its window (`leaderBlocks` gives the next block it leads). Its
 * window ends when `mayPost` says no, so it never sends a post it expects to land outside its turn.
 *
 * One transaction in flight at a time keeps each batcher's posts in stream order; that only one
 * account can post at any block (the inbox's rule) keeps the batchers' posts from overlapping.
 */
import {
  TransactionReceiptNotFoundError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { InvalidFieldError } from "../errors";
import type { LeaderInboxRef } from "./contracts";
import { createBatchDerivation, type DerivationConfig, type L1BlockReader } from "./derive";
import { estimateBatchGas, intrinsicGas } from "./gas";
import { framesOf, type FrameStream } from "./frame-stream";
import { encodeBatcherData } from "./frames";

/** Follows the chain with the reference derivation and knows where the accepted frame stream ends. */
export interface StreamFollower {
  /** Derives every block up to `head` (once each); returns one past the highest accepted frame. */
  syncTo(head: bigint): Promise<number>;
  readonly position: number;
}

export function createStreamFollower(parameters: {
  readonly reader: L1BlockReader;
  readonly derivation: DerivationConfig;
  readonly stream: FrameStream;
  /** The first L1 block to derive (the inbox's deployment block). */
  readonly fromBlock: bigint;
}): StreamFollower {
  const derivation = createBatchDerivation(parameters.derivation);
  let next = parameters.fromBlock;
  let position = 0;
  return {
    get position() {
      return position;
    },
    async syncTo(head: bigint): Promise<number> {
      for (; next <= head; next++) {
        const result = derivation.next(await parameters.reader.read(next));
        for (const { frame } of framesOf(result.batches).frames) {
          const index = parameters.stream.indexOf(frame);
          if (index !== undefined && index + 1 > position) position = index + 1;
        }
      }
      return position;
    },
  };
}

export type BatcherEvent =
  | { readonly type: "waiting"; readonly head: bigint; readonly nextLeadBlock: bigint | undefined }
  | { readonly type: "refused"; readonly head: bigint; readonly reason: string }
  | {
      readonly type: "sent";
      readonly head: bigint;
      readonly hash: Hex;
      readonly firstFrame: number;
      readonly frames: number;
      readonly gasLimit: bigint;
      readonly outOfTurn: boolean;
    }
  | {
      readonly type: "receipt";
      readonly hash: Hex;
      readonly block: bigint;
      readonly status: "success" | "reverted";
      readonly outOfTurn: boolean;
    };

export interface BatcherStats {
  /** Posts sent in turn (after a successful estimate). */
  sent: number;
  /** Of those, accepted by the inbox. */
  accepted: number;
  /** Of those, reverted (landed after the turn ended). */
  reverted: number;
  /** Estimates that reverted: nothing was sent. */
  refused: number;
  /** Out-of-turn probes sent (without an estimate); the inbox must revert every one. */
  outOfTurn: number;
  /** Out-of-turn probes the inbox accepted (must stay 0). */
  outOfTurnAccepted: number;
  /** Frames in accepted posts. */
  framesAccepted: number;
}

export interface RunBatcherParameters {
  readonly client: PublicClient;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  /** The inbox, through the interface every leader-election inbox implements. */
  readonly inbox: LeaderInboxRef;
  /** ABI with the inbox's custom errors, to name the revert of a refused estimate. */
  readonly errors?: Abi;
  readonly stream: FrameStream;
  readonly follower: StreamFollower;
  /** Frames per batch transaction. */
  readonly framesPerPost: number;
  /** Milliseconds between head polls. */
  readonly pollIntervalMs: number;
  /**
   * Send an out-of-turn probe (the frames it would post next, without an estimate, with ample gas)
   * on every n-th new head at which it may not post; 0: never. A probe models a batcher with a wrong
   * clock: the inbox must revert it and the derivation drop it.
   */
  readonly outOfTurnEvery: number;
  /** Checked between steps; the run ends when it returns true. */
  readonly shouldStop: () => boolean;
  readonly onEvent?: (event: BatcherEvent) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the batcher until `shouldStop()`; resolves with its statistics. */
export async function runBatcher(parameters: RunBatcherParameters): Promise<BatcherStats> {
  const { client, wallet, inbox, stream, follower, framesPerPost, shouldStop } = parameters;
  if (!Number.isInteger(framesPerPost) || framesPerPost < 1)
    throw new InvalidFieldError("framesPerPost", framesPerPost, "must be a positive integer");
  const me: Address = wallet.account.address;
  const stats: BatcherStats = {
    sent: 0,
    accepted: 0,
    reverted: 0,
    refused: 0,
    outOfTurn: 0,
    outOfTurnAccepted: 0,
    framesAccepted: 0,
  };
  const emit = (event: BatcherEvent) => parameters.onEvent?.(event);
  let lastHead = -1n;
  let idleHeads = 0;
  let announced: bigint | undefined | null = null;

  const batchFrom = (position: number) => {
    const frames = Array.from({ length: framesPerPost }, (_, i) => stream.frame(position + i));
    return encodeBatcherData(frames);
  };
  const awaitReceipt = async (hash: Hex) => {
    while (!shouldStop()) {
      try {
        return await client.getTransactionReceipt({ hash });
      } catch (error) {
        if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
      }
      await sleep(parameters.pollIntervalMs);
    }
    return undefined;
  };
  /** Sends the post of `data` (frames from `position`) with `gas` and waits for its receipt. */
  const post = async (
    head: bigint,
    position: number,
    data: Hex,
    gas: bigint,
    outOfTurn: boolean,
  ) => {
    const hash = await wallet.sendTransaction({
      to: inbox.address,
      data,
      gas,
      chain: wallet.chain,
    });
    emit({
      type: "sent",
      head,
      hash,
      firstFrame: position,
      frames: framesPerPost,
      gasLimit: gas,
      outOfTurn,
    });
    const receipt = await awaitReceipt(hash);
    if (receipt !== undefined)
      emit({
        type: "receipt",
        hash,
        block: receipt.blockNumber,
        status: receipt.status,
        outOfTurn,
      });
    return receipt;
  };

  while (!shouldStop()) {
    const head = await client.getBlockNumber({ cacheTime: 0 });
    if (head === lastHead) {
      await sleep(parameters.pollIntervalMs);
      continue;
    }
    lastHead = head;
    const target = head + 1n;
    const allowed = await client.readContract({
      address: inbox.address,
      abi: inbox.abi,
      functionName: "mayPost",
      args: [me, target],
    });
    if (!allowed) {
      idleHeads += 1;
      if (parameters.outOfTurnEvery > 0 && idleHeads % parameters.outOfTurnEvery === 0) {
        const position = await follower.syncTo(head);
        const data = batchFrom(position);
        stats.outOfTurn += 1;
        const receipt = await post(head, position, data, intrinsicGas(data) + 100_000n, true);
        if (receipt?.status === "success") stats.outOfTurnAccepted += 1;
        continue;
      }
      const bitmap = await client.readContract({
        address: inbox.address,
        abi: inbox.abi,
        functionName: "leaderBlocks",
        args: [me, target],
      });
      const nextLeadBlock = bitmap === 0n ? undefined : target + lowestBit(bitmap);
      if (nextLeadBlock !== announced) {
        announced = nextLeadBlock;
        emit({ type: "waiting", head, nextLeadBlock });
      }
      continue;
    }
    const position = await follower.syncTo(head);
    const data = batchFrom(position);
    const estimate = await estimateBatchGas({
      client,
      account: me,
      inbox: { address: inbox.address, abi: parameters.errors ?? inbox.abi },
      data,
    });
    if (!estimate.ok) {
      stats.refused += 1;
      emit({ type: "refused", head, reason: estimate.reason });
      continue;
    }
    stats.sent += 1;
    const receipt = await post(head, position, data, estimate.gasLimit, false);
    if (receipt === undefined) break;
    if (receipt.status === "success") {
      stats.accepted += 1;
      stats.framesAccepted += framesPerPost;
    } else stats.reverted += 1;
  }
  return stats;
}

/** Index of the lowest set bit of a non-zero bitmap. */
export function lowestBit(bitmap: bigint): bigint {
  if (bitmap <= 0n) throw new InvalidFieldError("bitmap", bitmap, "must be a positive bitmap");
  let index = 0n;
  while ((bitmap & 1n) === 0n) {
    bitmap >>= 1n;
    index += 1n;
  }
  return index;
}
