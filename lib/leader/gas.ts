/**
 * Gas of batch transactions to an inbox contract. op-batcher sets a batch transaction's gas limit to
 * its intrinsic gas (`core.IntrinsicGas` in `BatchSubmitter.sendTx`), which is exact for an address
 * inbox, where nothing executes, but short of what an inbox contract's `fallback` needs whenever the
 * calldata cost dominates; the transaction then runs out of gas, reverts, and the derivation drops it.
 * A batcher for an inbox contract asks the node instead (`eth_estimateGas`): the estimate includes the
 * inbox's execution and Prague's calldata floor (EIP-7623), and an estimate that reverts means the
 * batcher may not post now, so nothing is sent.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  hexToBytes,
  isHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

/** Base cost of any transaction. */
export const TX_BASE_GAS = 21_000n;

/**
 * Gas added to an estimate: the inbox's accepting paths differ by at most a takeover (one storage
 * write and one event, under 5,000 gas) from the path the estimate took, since whose turn it is
 * cannot change without the transaction reverting.
 */
export const BATCH_GAS_HEADROOM = 10_000n;

/** Calldata cost of `data`: EIP-2028 (4 per zero byte, 16 per other byte) and the EIP-7623 floor. */
export function calldataGasWithFloor(data: Hex): {
  standard: bigint;
  floor: bigint;
  tokens: bigint;
} {
  const bytes = hexToBytes(data);
  let zero = 0n;
  for (const b of bytes) if (b === 0) zero += 1n;
  const nonZero = BigInt(bytes.length) - zero;
  const tokens = zero + 4n * nonZero;
  return { standard: 4n * zero + 16n * nonZero, floor: 10n * tokens, tokens };
}

/**
 * The intrinsic gas of a call with `data` under Prague: the larger of base + calldata cost and
 * base + the EIP-7623 floor (the op-batcher guess, brought up to date with the floor).
 */
export function intrinsicGas(data: Hex): bigint {
  const { standard, floor } = calldataGasWithFloor(data);
  return TX_BASE_GAS + (standard > floor ? standard : floor);
}

export type BatchGasEstimate =
  | { readonly ok: true; readonly estimate: bigint; readonly gasLimit: bigint }
  | { readonly ok: false; readonly reason: string; readonly errorName?: string };

export interface EstimateBatchGasParameters {
  readonly client: PublicClient;
  readonly account: Address;
  readonly inbox: { readonly address: Address; readonly abi: Abi };
  readonly data: Hex;
  /** Estimate against this block's state (default: the pending block, where the transaction lands). */
  readonly blockTag?: "latest" | "pending";
}

/**
 * `eth_estimateGas` for a batch transaction from `account` to the inbox. A revert (the account may
 * not post) comes back as `{ ok: false }` with the inbox's custom error name when it has one; other
 * failures (node unreachable) throw.
 */
export async function estimateBatchGas(
  parameters: EstimateBatchGasParameters,
): Promise<BatchGasEstimate> {
  const { client, account, inbox, data } = parameters;
  try {
    const estimate = await client.estimateGas({
      account,
      to: inbox.address,
      data,
      blockTag: parameters.blockTag ?? "pending",
    });
    return { ok: true, estimate, gasLimit: estimate + BATCH_GAS_HEADROOM };
  } catch (error) {
    const reverted = revertOf(error, inbox.abi);
    if (reverted === undefined) throw error;
    return reverted;
  }
}

/** The revert an estimate or call failed with, or undefined when the failure was not a revert. */
function revertOf(
  error: unknown,
  abi: Abi,
): { ok: false; reason: string; errorName?: string } | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const decoded = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (decoded instanceof ContractFunctionRevertedError && decoded.data !== undefined)
    return { ok: false, reason: decoded.shortMessage, errorName: decoded.data.errorName };
  let data: Hex | undefined;
  error.walk((e) => {
    const candidate = (e as { data?: unknown }).data;
    if (typeof candidate === "string" && isHex(candidate) && candidate.length >= 10) {
      data = candidate;
      return true;
    }
    return false;
  });
  if (data !== undefined) {
    try {
      const result = decodeErrorResult({ abi, data });
      return {
        ok: false,
        reason: `reverted with ${result.errorName}`,
        errorName: result.errorName,
      };
    } catch {
      return { ok: false, reason: `reverted with data ${data.slice(0, 10)}` };
    }
  }
  if (/revert/i.test(error.message)) return { ok: false, reason: error.shortMessage };
  return undefined;
}
