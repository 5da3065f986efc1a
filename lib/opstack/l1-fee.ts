/**
 * What a transaction is expected to cost before it is sent: its L2 execution gas and, on an OP
 * Stack chain, the L1 data fee (on OP Stack chains most of the fee), read from the GasPriceOracle
 * predeploy. The predeploy is detected by code at its address; chains without it (anvil, the
 * in-process chain, L1s) get an explicit "no GasPriceOracle predeploy on this chain".
 */
import {
  decodeErrorResult,
  formatEther,
  formatGwei,
  serializeTransaction,
  size,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

import { EveryChannelError } from "../errors";
import { GAS_PRICE_ORACLE_ADDRESS, gasPriceOracleAbi } from "./gas-price-oracle";

export const NO_GAS_PRICE_ORACLE = "no GasPriceOracle predeploy on this chain";

/** The fee formula the predeploy reports as active. */
export type OpStackFeeFork = "bedrock" | "ecotone" | "fjord";

export type L1DataFee =
  | {
      available: true;
      /** `getL1Fee(unsignedTx)` in wei. */
      fee: bigint;
      /** `getL1FeeUpperBound(size)` in wei (Fjord and later). */
      upperBound: bigint | undefined;
      fork: OpStackFeeFork;
      /** Bytes of the unsigned RLP-encoded transaction given to the oracle. */
      unsignedTxBytes: number;
      /** The unsigned transaction itself (EIP-2718 envelope without signature). */
      unsignedTransaction: Hex;
      /** The oracle's `version()` ("unknown" when it has none). */
      oracleVersion: string;
    }
  | { available: false; reason: typeof NO_GAS_PRICE_ORACLE };

export interface TransactionCostEstimate {
  /** L2 execution gas (`eth_estimateGas`). */
  gas: bigint;
  /** Max fee per gas the transaction would offer. */
  maxFeePerGas: bigint;
  /** `gas × maxFeePerGas`: the most the L2 execution can cost. */
  l2FeeCap: bigint;
  l1: L1DataFee;
}

export interface EstimateTransactionCostParameters {
  client: PublicClient;
  /** ABI to decode a revert with (custom error name and arguments). */
  abi?: Abi;
  account: Address;
  to?: Address;
  data: Hex;
  value?: bigint;
  /** The gas to assume instead of `eth_estimateGas` (e.g. the gas of a deployment). */
  gas?: bigint;
}

/** Estimation failed (usually: the transaction would revert). */
export class CostEstimationError extends EveryChannelError {
  override name = "CostEstimationError";

  /** True when the estimate failed because the call reverts with one of these custom errors. */
  revertsWith(...errorNames: readonly string[]): boolean {
    return errorNames.some((name) => this.shortMessage.includes(`${name}(`));
  }
}

/** Finds revert data in an error's cause chain. */
function revertData(error: unknown): Hex | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== null && typeof current === "object"; depth += 1) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex;
    if (data !== null && typeof data === "object") {
      const nested = (data as { data?: unknown }).data;
      if (typeof nested === "string" && /^0x[0-9a-fA-F]{8,}$/.test(nested)) return nested as Hex;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** "ErrorName(arg, …)" when the revert decodes with `abi`, else the node's short message. */
export function describeRevert(error: unknown, abi?: Abi): string {
  const data = revertData(error);
  if (data !== undefined && abi !== undefined) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      const args = (decoded.args ?? []).map((arg) => String(arg)).join(", ");
      return `reverts with ${decoded.errorName}(${args})`;
    } catch {
      // not an error of this ABI: fall through
    }
  }
  // No decodable data (some nodes put the reason in the message only): the node's own words.
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1) {
    const details = (current as { details?: unknown }).details;
    const text = typeof details === "string" && details !== "" ? details : current.message;
    if (/revert/i.test(text)) return text.split("\n")[0]!;
    current = current.cause;
  }
  if (error instanceof Error) {
    return (error as { shortMessage?: string }).shortMessage ?? error.message;
  }
  return String(error);
}

/** True when the chain has code at the GasPriceOracle predeploy address. */
export async function hasGasPriceOracle(client: PublicClient): Promise<boolean> {
  const code = await client.getCode({ address: GAS_PRICE_ORACLE_ADDRESS });
  return code !== undefined && code !== "0x";
}

async function readFork(client: PublicClient, account?: Address): Promise<OpStackFeeFork> {
  const flag = async (functionName: "isFjord" | "isEcotone"): Promise<boolean> => {
    try {
      return await client.readContract({
        account,
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName,
      });
    } catch {
      return false; // pre-Ecotone oracles do not have the flag
    }
  };
  if (await flag("isFjord")) return "fjord";
  if (await flag("isEcotone")) return "ecotone";
  return "bedrock";
}

/**
 * The L1 data fee of an unsigned transaction, or why there is none. The oracle is read as
 * `account` (the sender) when given: a node that charges calls the L1 data fee of their own bytes
 * (anvil with `--network optimism`) refuses them from an account without funds.
 */
export async function estimateL1DataFee(
  client: PublicClient,
  unsignedTransaction: Hex,
  account?: Address,
): Promise<L1DataFee> {
  if (!(await hasGasPriceOracle(client))) return { available: false, reason: NO_GAS_PRICE_ORACLE };
  const fork = await readFork(client, account);
  const fee = await client.readContract({
    account,
    address: GAS_PRICE_ORACLE_ADDRESS,
    abi: gasPriceOracleAbi,
    functionName: "getL1Fee",
    args: [unsignedTransaction],
  });
  const unsignedTxBytes = size(unsignedTransaction);
  const upperBound =
    fork === "fjord"
      ? await client.readContract({
          account,
          address: GAS_PRICE_ORACLE_ADDRESS,
          abi: gasPriceOracleAbi,
          functionName: "getL1FeeUpperBound",
          args: [BigInt(unsignedTxBytes)],
        })
      : undefined;
  let oracleVersion = "unknown";
  try {
    oracleVersion = await client.readContract({
      account,
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: gasPriceOracleAbi,
      functionName: "version",
    });
  } catch {
    // oracles before Bedrock's semver have no version(): "unknown"
  }
  return {
    available: true,
    fee,
    upperBound,
    fork,
    unsignedTxBytes,
    unsignedTransaction,
    oracleVersion,
  };
}

/**
 * Estimates L2 gas and the L1 data fee of a transaction. The unsigned transaction given to the
 * oracle is the one that would be sent: same chain id, nonce, gas, fees, recipient and data.
 */
export async function estimateTransactionCost(
  parameters: EstimateTransactionCostParameters,
): Promise<TransactionCostEstimate> {
  const { client, account, to, data, value } = parameters;
  let gas: bigint;
  try {
    gas = parameters.gas ?? (await client.estimateGas({ account, to, data, value }));
  } catch (cause) {
    throw new CostEstimationError(
      `cannot estimate gas: ${describeRevert(cause, parameters.abi)}`,
      { account, to },
      { cause },
    );
  }
  const [fees, nonce, chainId] = await Promise.all([
    client.estimateFeesPerGas(),
    client.getTransactionCount({ address: account, blockTag: "pending" }),
    client.getChainId(),
  ]);
  const maxFeePerGas = fees.maxFeePerGas;
  const unsigned = serializeTransaction({
    type: "eip1559",
    chainId,
    nonce,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    to,
    data,
    value,
  });
  return {
    gas,
    maxFeePerGas,
    l2FeeCap: gas * maxFeePerGas,
    l1: await estimateL1DataFee(client, unsigned, account),
  };
}

/**
 * What the estimate leaves out on a chain whose GasPriceOracle is newer than 1.3.0: from Isthmus
 * on (GasPriceOracle 1.4.0 and later) the chain may also charge an operator fee proportional to L2
 * gas (`getOperatorFee`, `operatorFee` in `fee-model.ts`), which the L1 data fee does not include.
 * Undefined for 1.3.0 and older, which have no operator fee.
 */
export function operatorFeeNote(oracleVersion: string): string | undefined {
  const match = /^(\d+)\.(\d+)\./.exec(oracleVersion);
  const newer =
    match === null || Number(match[1]) > 1 || (Number(match[1]) === 1 && Number(match[2]) > 3);
  return newer
    ? `operator fee not included: GasPriceOracle ${oracleVersion} may charge one (getOperatorFee)`
    : undefined;
}

/** Two lines for an operator: L2 gas, then the L1 data fee (or why there is none). */
export function formatTransactionCost(estimate: TransactionCostEstimate): string[] {
  const l2 = `L2 gas: ${estimate.gas} (at most ${formatEther(estimate.l2FeeCap)} ETH at ${formatGwei(estimate.maxFeePerGas)} gwei)`;
  const { l1 } = estimate;
  const l1Line = l1.available
    ? `L1 data fee: ${formatEther(l1.fee)} ETH (GasPriceOracle getL1Fee, ${l1.fork} formula, ${l1.unsignedTxBytes}-byte unsigned tx` +
      (l1.upperBound === undefined ? "" : `; upper bound ${formatEther(l1.upperBound)} ETH`) +
      (operatorFeeNote(l1.oracleVersion) === undefined
        ? ")"
        : `; ${operatorFeeNote(l1.oracleVersion)})`)
    : `L1 data fee: none expected (${l1.reason})`;
  return [l2, l1Line];
}
