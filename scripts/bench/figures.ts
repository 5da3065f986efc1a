/** The bench's result records: what one path cost per finalized observation. */
import type { TxCost } from "./chain";

export interface PathFigure {
  /** System and path, e.g. "ledger: relayed batch" or "EAS: attest per witness". */
  path: string;
  system: "ledger" | "EAS" | "Safe" | "Keystone";
  /** Finalized observations (EAS: observations attested by the full quorum). */
  observations: number;
  transactions: number;
  /** Witness signatures (or attestations) per observation. */
  quorum: number;
  /** Gas per finalized observation (total gas / observations, exact when observations = 1). */
  gas: number;
  /**
   * Execution gas per finalized observation: gas used minus the intrinsic cost (21,000 per
   * transaction plus 4 per zero and 16 per non-zero calldata byte). Headers of later epochs have
   * fewer zero bytes, so comparisons across history or registry size are made on this figure.
   */
  executionGas: number;
  /** Gas of the event logs per finalized observation (EVM schedule, from the receipts' logs). */
  logGas: number;
  /** Event logs per finalized observation. */
  logs: number;
  calldataBytes: number;
  calldataZeroBytes: number;
  calldataNonZeroBytes: number;
  signedBytes: number;
  fastLzSize: number;
  /** OP Stack Fjord L1 data fee per finalized observation, in wei (decimal string). */
  l1FeeWei: string;
  /** The same under the pre-Fjord (Ecotone) formula, in wei. */
  ecotoneL1FeeWei: string;
}

export function perObservation(
  system: PathFigure["system"],
  path: string,
  cost: TxCost,
  shape: { observations: number; transactions: number; quorum: number },
): PathFigure {
  const n = shape.observations;
  const per = (v: number): number => Math.round((v / n) * 10) / 10;
  return {
    path,
    system,
    observations: n,
    transactions: shape.transactions,
    quorum: shape.quorum,
    gas: per(Number(cost.gasUsed)),
    executionGas: per(
      Number(cost.gasUsed) -
        21_000 * shape.transactions -
        4 * cost.calldataZeroBytes -
        16 * cost.calldataNonZeroBytes,
    ),
    logGas: per(cost.logGas),
    logs: per(cost.logs),
    calldataBytes: per(cost.calldataBytes),
    calldataZeroBytes: per(cost.calldataZeroBytes),
    calldataNonZeroBytes: per(cost.calldataNonZeroBytes),
    signedBytes: per(cost.signedBytes),
    fastLzSize: per(cost.fastLzSize),
    l1FeeWei: (cost.l1Fee / BigInt(n)).toString(),
    ecotoneL1FeeWei: (cost.ecotoneL1Fee / BigInt(n)).toString(),
  };
}
