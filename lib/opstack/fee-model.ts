/**
 * Offline model of the OP Stack L1 data fee, for chains (or runs) without a `GasPriceOracle` to ask.
 *
 * Since Fjord the fee of an L2 transaction's L1 data is (OP Stack specs, `protocol/fjord/exec-engine.md`;
 * op-geth `core/types/rollup_cost.go`; `GasPriceOracle._fjordL1Cost`):
 *
 *     fastlzSize          = FastLZ size of the signed, RLP-encoded transaction
 *     estimatedSizeScaled = max(minTransactionSize * 1e6, intercept + fastlzCoef * fastlzSize)
 *     l1FeeScaled         = l1BaseFeeScalar * l1BaseFee * 16 + l1BlobBaseFeeScalar * l1BlobBaseFee
 *     l1Fee               = estimatedSizeScaled * l1FeeScaled / 1e12
 *
 * with intercept = -42_585_600, fastlzCoef = 836_500 and minTransactionSize = 100 (hard-coded in the
 * `GasPriceOracle`). The node computes this over the *signed* transaction; `GasPriceOracle.getL1Fee`
 * takes the *unsigned* one and adds 68 bytes for the signature (`gasPriceOracleL1Fee` mirrors it).
 * The Ecotone formula (calldata gas instead of FastLZ) is provided for comparison.
 *
 * The scalars and L1 fees are inputs. `DEFAULT_FEE_PARAMETERS` documents where each default comes from.
 */
import {
  hexToBytes,
  isHex,
  parseTransaction,
  serializeTransaction,
  type Hex,
  type TransactionSerializable,
} from "viem";

import { InvalidFieldError } from "../errors";
import { flzCompressLength, type BytesLike } from "./fastlz";

/** Intercept of the Fjord FastLZ→Brotli regression, scaled by 1e6 (can be negative). */
export const FJORD_COST_INTERCEPT = -42_585_600n;
/** FastLZ coefficient of the Fjord regression, scaled by 1e6. */
export const FJORD_COST_FASTLZ_COEF = 836_500n;
/** Lower bound of the estimated size, in bytes. */
export const FJORD_MIN_TRANSACTION_SIZE = 100n;
/** Scalars carry six decimals. */
export const FEE_SCALAR_DECIMALS = 1_000_000n;
/** Bytes `GasPriceOracle.getL1Fee` adds to an unsigned transaction for its signature. */
export const UNSIGNED_TRANSACTION_PADDING = 68;

const UINT32_MAX = 0xffff_ffffn;

/** The inputs of the L1 data fee: L1 prices (wei) and the chain's scalars (six decimals, uint32). */
export interface L1FeeParameters {
  /** L1 base fee per gas of the L1 origin, in wei. */
  l1BaseFee: bigint;
  /** L1 blob base fee (per blob gas) of the L1 origin, in wei. */
  l1BlobBaseFee: bigint;
  /** `baseFeeScalar` of the chain's SystemConfig (uint32, scaled by 1e6). */
  l1BaseFeeScalar: bigint;
  /** `blobBaseFeeScalar` of the chain's SystemConfig (uint32, scaled by 1e6). */
  l1BlobBaseFeeScalar: bigint;
}

/**
 * Defaults, each with its source:
 * - `l1BaseFeeScalar` 5227 and `l1BlobBaseFeeScalar` 1014213: OP Mainnet's SystemConfig scalars set
 *   for Fjord (superchain-ops task `eth/014-fjord-gas-config`, `setGasConfig` encoding
 *   `0x01…0f79c50000146b`: values from the Fjord chain scalar calculator, 5 blobs per batcher
 *   transaction, 5% target margin).
 * - `l1BaseFee` 1 gwei: a quiet-hours Ethereum base fee; pass the current one for today's cost.
 * - `l1BlobBaseFee` 62.5 Mwei = `l1BaseFee` / 16: the reserve price EIP-7918 ties the blob base fee
 *   to (BLOB_BASE_COST 2^13 over GAS_PER_BLOB 2^17 times the execution base fee) while blob space
 *   is not congested.
 */
export const DEFAULT_FEE_PARAMETERS: Readonly<L1FeeParameters> = Object.freeze({
  l1BaseFee: 1_000_000_000n,
  l1BlobBaseFee: 62_500_000n,
  l1BaseFeeScalar: 5227n,
  l1BlobBaseFeeScalar: 1_014_213n,
});

function checkParameters(parameters: L1FeeParameters): void {
  for (const field of ["l1BaseFee", "l1BlobBaseFee"] as const) {
    const value = parameters[field];
    if (typeof value !== "bigint" || value < 0n)
      throw new InvalidFieldError(field, value, "expected a non-negative bigint (wei)");
  }
  for (const field of ["l1BaseFeeScalar", "l1BlobBaseFeeScalar"] as const) {
    const value = parameters[field];
    if (typeof value !== "bigint" || value < 0n || value > UINT32_MAX)
      throw new InvalidFieldError(field, value, "expected a uint32 scalar (six decimals)");
  }
}

function checkSize(field: string, value: number | bigint): bigint {
  const size = typeof value === "number" ? BigInt(Number.isSafeInteger(value) ? value : -1) : value;
  if (size < 0n) throw new InvalidFieldError(field, value, "expected a non-negative integer");
  return size;
}

/** `estimatedSizeScaled` of the Fjord formula: estimated compressed bytes times 1e6. */
export function fjordEstimatedSizeScaled(fastLzSize: number | bigint): bigint {
  const size = checkSize("fastLzSize", fastLzSize);
  const estimate = FJORD_COST_INTERCEPT + FJORD_COST_FASTLZ_COEF * size;
  const floor = FJORD_MIN_TRANSACTION_SIZE * FEE_SCALAR_DECIMALS;
  return estimate < floor ? floor : estimate;
}

/** Fjord L1 fee in wei for a transaction of the given FastLZ size. */
export function fjordL1Fee(fastLzSize: number | bigint, parameters: L1FeeParameters): bigint {
  checkParameters(parameters);
  const feeScaled =
    parameters.l1BaseFeeScalar * parameters.l1BaseFee * 16n +
    parameters.l1BlobBaseFeeScalar * parameters.l1BlobBaseFee;
  return (fjordEstimatedSizeScaled(fastLzSize) * feeScaled) / FEE_SCALAR_DECIMALS ** 2n;
}

/** The L1 gas op-geth reports for a Fjord transaction (`l1GasUsed` in receipts): size × 16. */
export function fjordL1GasUsed(fastLzSize: number | bigint): bigint {
  return (fjordEstimatedSizeScaled(fastLzSize) * 16n) / FEE_SCALAR_DECIMALS;
}

/** Calldata gas of bytes at 4 per zero byte and 16 per other byte, with the byte counts. */
export function calldataGas(data: BytesLike): {
  zeroBytes: number;
  nonZeroBytes: number;
  gas: bigint;
} {
  const bytes = toBytes("data", data);
  let zeroBytes = 0;
  for (const b of bytes) if (b === 0) zeroBytes++;
  const nonZeroBytes = bytes.length - zeroBytes;
  return { zeroBytes, nonZeroBytes, gas: BigInt(zeroBytes * 4 + nonZeroBytes * 16) };
}

/** Ecotone L1 fee in wei (the formula before Fjord): calldata gas priced with both scalars. */
export function ecotoneL1Fee(signedTransaction: BytesLike, parameters: L1FeeParameters): bigint {
  checkParameters(parameters);
  return ecotoneFeeOfGas(calldataGas(signedTransaction).gas, parameters);
}

function ecotoneFeeOfGas(gas: bigint, parameters: L1FeeParameters): bigint {
  const scaledBaseFee = parameters.l1BaseFeeScalar * 16n * parameters.l1BaseFee;
  const scaledBlobBaseFee = parameters.l1BlobBaseFeeScalar * parameters.l1BlobBaseFee;
  return (gas * (scaledBaseFee + scaledBlobBaseFee)) / (16n * FEE_SCALAR_DECIMALS);
}

export interface L1DataFeeParameters {
  /** The signed transaction exactly as broadcast (EIP-2718 envelope: type byte ‖ RLP). */
  signedTransaction: BytesLike;
  /** L1 prices and scalars; `DEFAULT_FEE_PARAMETERS` when absent. */
  fees?: L1FeeParameters;
}

export interface L1DataFeeReturnType {
  /** Length of the signed transaction in bytes. */
  size: number;
  zeroBytes: number;
  nonZeroBytes: number;
  /** FastLZ size of the signed transaction. */
  fastLzSize: number;
  /** Estimated compressed size in bytes (`estimatedSizeScaled / 1e6`, rounded down). */
  estimatedSize: number;
  /** `estimatedSizeScaled` exactly. */
  estimatedSizeScaled: bigint;
  /** L1 gas as op-geth reports it (`estimatedSize × 16`). */
  l1GasUsed: bigint;
  /** Fjord L1 data fee in wei. */
  l1Fee: bigint;
  /** The pre-Fjord (Ecotone) fee of the same bytes, in wei, for comparison. */
  ecotoneL1Fee: bigint;
}

/** The Fjord L1 data fee of one signed L2 transaction, with the sizes it is computed from. */
export function l1DataFee(parameters: L1DataFeeParameters): L1DataFeeReturnType {
  const bytes = toBytes("signedTransaction", parameters.signedTransaction);
  const fees = parameters.fees ?? DEFAULT_FEE_PARAMETERS;
  const fastLzSize = flzCompressLength(bytes);
  const estimatedSizeScaled = fjordEstimatedSizeScaled(fastLzSize);
  const { zeroBytes, nonZeroBytes } = calldataGas(bytes);
  return {
    size: bytes.length,
    zeroBytes,
    nonZeroBytes,
    fastLzSize,
    estimatedSize: Number(estimatedSizeScaled / FEE_SCALAR_DECIMALS),
    estimatedSizeScaled,
    l1GasUsed: fjordL1GasUsed(fastLzSize),
    l1Fee: fjordL1Fee(fastLzSize, fees),
    ecotoneL1Fee: ecotoneL1Fee(bytes, fees),
  };
}

/** The fee formulas of the `GasPriceOracle` this model reproduces (`isFjord`, else `isEcotone`). */
export type GasPriceOracleFormula = "ecotone" | "fjord";

/**
 * The largest `l1BaseFeeScalar` `GasPriceOracle` 1.3.0 can price with: it computes
 * `baseFeeScalar() * 16` in uint32 (the getter's type) before widening, so from 2^28 on `getL1Fee`
 * and `getL1FeeUpperBound` revert with panic 0x11 (overflow), under Ecotone and Fjord alike.
 * op-geth computes the fee it charges in arbitrary precision, so `l1DataFee` has no such limit.
 */
export const GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR = 2n ** 28n - 1n;

function checkOracleScalar(parameters: L1FeeParameters): void {
  checkParameters(parameters);
  if (parameters.l1BaseFeeScalar > GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR)
    throw new InvalidFieldError(
      "l1BaseFeeScalar",
      parameters.l1BaseFeeScalar,
      "GasPriceOracle reverts from 2^28 on (baseFeeScalar × 16 overflows uint32); use l1DataFee for the fee op-geth charges",
    );
}

/** Gas of the 68 bytes `GasPriceOracle` adds for the missing signature before Fjord (68 × 16). */
export const UNSIGNED_TRANSACTION_PADDING_GAS = BigInt(UNSIGNED_TRANSACTION_PADDING) * 16n;

/**
 * What `GasPriceOracle.getL1Fee(unsignedTransaction)` returns: after Fjord the FastLZ size of the
 * unsigned transaction plus 68 bytes for the missing signature; under Ecotone its calldata gas plus
 * 68 × 16. Useful to compare this model with a chain's predeploy; the node itself charges
 * `l1DataFee` of the signed bytes.
 */
export function gasPriceOracleL1Fee(
  unsignedTransaction: BytesLike,
  parameters: L1FeeParameters,
  formula: GasPriceOracleFormula = "fjord",
): bigint {
  const bytes = toBytes("unsignedTransaction", unsignedTransaction);
  checkOracleScalar(parameters);
  if (formula === "ecotone") {
    return ecotoneFeeOfGas(calldataGas(bytes).gas + UNSIGNED_TRANSACTION_PADDING_GAS, parameters);
  }
  return fjordL1Fee(flzCompressLength(bytes) + UNSIGNED_TRANSACTION_PADDING, parameters);
}

/**
 * What `GasPriceOracle.getL1GasUsed(unsignedTransaction)` returns: after Fjord the estimated size
 * of the FastLZ size plus 68, times 16; under Ecotone the calldata gas plus 68 × 16.
 */
export function gasPriceOracleL1GasUsed(
  unsignedTransaction: BytesLike,
  formula: GasPriceOracleFormula = "fjord",
): bigint {
  const bytes = toBytes("unsignedTransaction", unsignedTransaction);
  if (formula === "ecotone") return calldataGas(bytes).gas + UNSIGNED_TRANSACTION_PADDING_GAS;
  return fjordL1GasUsed(flzCompressLength(bytes) + UNSIGNED_TRANSACTION_PADDING);
}

/**
 * What `GasPriceOracle.getL1FeeUpperBound(unsignedTxSize)` returns (Fjord and later): the fee of
 * the FastLZ bound `txSize + txSize / 255 + 16` of `txSize = unsignedTxSize + 68`, which the OP
 * Stack says covers 99.99% of transactions. It needs only the size, not the bytes.
 */
export function gasPriceOracleL1FeeUpperBound(
  unsignedTxSize: number | bigint,
  parameters: L1FeeParameters,
): bigint {
  const txSize = checkSize("unsignedTxSize", unsignedTxSize) + BigInt(UNSIGNED_TRANSACTION_PADDING);
  checkOracleScalar(parameters);
  return fjordL1Fee(txSize + txSize / 255n + 16n, parameters);
}

/** The operator fee formulas of the OP Stack upgrades after Fjord. */
export type OperatorFeeFormula = "isthmus" | "jovian";

/** The operator fee inputs of the chain's SystemConfig, as L1Block holds them since Isthmus. */
export interface OperatorFeeParameters {
  /** `operatorFeeScalar` (uint32). */
  operatorFeeScalar: bigint;
  /** `operatorFeeConstant` in wei (uint64). */
  operatorFeeConstant: bigint;
}

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const UINT256_MAX = 2n ** 256n - 1n;

/**
 * The operator fee an OP Stack chain charges since Isthmus, in wei, beside the L1 data fee and
 * proportional to the transaction's L2 gas (`GasPriceOracle.getOperatorFee` of the releases after
 * 1.3.0; OP Stack specs `protocol/isthmus/exec-engine.md`, `protocol/jovian/exec-engine.md`):
 *
 *     isthmus: min(gasUsed × operatorFeeScalar, 2^256 − 1) / 1e6 + operatorFeeConstant
 *     jovian:  gasUsed × operatorFeeScalar × 100 + operatorFeeConstant
 *
 * Zero when the chain's SystemConfig sets both inputs to zero, which is their default.
 */
export function operatorFee(
  gasUsed: number | bigint,
  parameters: OperatorFeeParameters,
  formula: OperatorFeeFormula,
): bigint {
  const gas = checkSize("gasUsed", gasUsed);
  const { operatorFeeScalar: scalar, operatorFeeConstant: constant } = parameters;
  if (typeof scalar !== "bigint" || scalar < 0n || scalar > UINT32_MAX)
    throw new InvalidFieldError("operatorFeeScalar", scalar, "expected a uint32");
  if (typeof constant !== "bigint" || constant < 0n || constant > UINT64_MAX)
    throw new InvalidFieldError("operatorFeeConstant", constant, "expected a uint64 (wei)");
  if (formula === "jovian") return gas * scalar * 100n + constant;
  // The saturating multiplication; the sum cannot overflow after the division by 1e6.
  const product = gas * scalar > UINT256_MAX ? UINT256_MAX : gas * scalar;
  return product / FEE_SCALAR_DECIMALS + constant;
}

/** The unsigned form of a signed transaction: the bytes `GasPriceOracle.getL1Fee` is given. */
export function unsignedTransactionOf(signedTransaction: Hex): Hex {
  const {
    r: _r,
    s: _s,
    v: _v,
    yParity: _yParity,
    ...unsigned
  } = parseTransaction(signedTransaction);
  return serializeTransaction(unsigned as TransactionSerializable);
}

function toBytes(field: string, value: BytesLike): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length % 2 !== 0)
    throw new InvalidFieldError(field, value, "expected 0x-prefixed hex with whole bytes");
  return hexToBytes(value as Hex);
}
