/**
 * The ledger's time and chaining rules as the off-chain code applies them before sending
 * (`docs/ledger.md`): the same checks as `EveryChannelObservationLedger`, so that a witness never
 * signs, and a relayer never submits, what the ledger would refuse or could never finalize.
 */

/** `MAX_FUTURE_MS` of the ledger: how far after the chain's time an `observedUnixMs` may be. */
export const MAX_FUTURE_MS = 300_000n;

/** Whether `observedUnixMs` is beyond the ledger's tolerance of the chain's time (`ObservedInFuture`). */
export function isInFuture(observedUnixMs: bigint, chainTimeMs: bigint): boolean {
  return observedUnixMs > chainTimeMs + MAX_FUTURE_MS;
}

/** A stream's finalized head as the rules need it (`hash` zero: none). */
export interface HeadPosition {
  readonly hash: `0x${string}`;
  readonly observedUnixMs: bigint;
}

/**
 * Whether a content observed at `observedUnixMs` can never finalize on a stream whose head is
 * `head`: the head is at or after it (`Expired`).
 */
export function isExpired(observedUnixMs: bigint, head: HeadPosition): boolean {
  return !/^0x0{64}$/.test(head.hash) && observedUnixMs <= head.observedUnixMs;
}
