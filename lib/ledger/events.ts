/**
 * The ledger's finalization events decoded into one shape. A content finalizes through
 * `ObservationFinalized` (it was recorded earlier by `ObservationProposed`) or through
 * `ObservationProposedAndFinalized` (first attestations and quorum in one call, on every path);
 * every reader of finalizations (relayer, `ledger:status`, reality-smoke, bench) goes through
 * `finalizationsOf` so that neither is missed.
 */
import { parseEventLogs, type Abi, type Address, type Hex, type Log } from "viem";

/** One finalized observation, from either event. */
export interface Finalization {
  observationHash: Hex;
  streamHash: Hex;
  parentObservationHash: Hex;
  sequence: bigint;
  /** Registry-index bitmap of the witnesses whose attestations counted. */
  witnesses: bigint;
  /** The content's hash (`ObservationFinalized` only; derivable from the header otherwise). */
  contentHash?: Hex;
  /** The finalized header's content fields (`ObservationProposedAndFinalized` only). */
  epochHash?: Hex;
  dataRoot?: Hex;
  locatorHash?: Hex;
  observedUnixMs?: bigint;
  blockNumber: bigint | null;
  transactionHash: Hex | null;
}

/** Both finalization events of `logs` emitted by `ledger`, in log order. */
export function finalizationsOf(abi: Abi, ledger: Address, logs: readonly Log[]): Finalization[] {
  const own = logs.filter((log) => log.address.toLowerCase() === ledger.toLowerCase());
  const out: Finalization[] = [];
  for (const event of parseEventLogs({ abi, logs: own as Log[], strict: false })) {
    if (
      event.eventName !== "ObservationFinalized" &&
      event.eventName !== "ObservationProposedAndFinalized"
    )
      continue;
    const args = (event as unknown as { args: Record<string, unknown> }).args;
    const base = {
      observationHash: args.observationHash as Hex,
      streamHash: args.streamHash as Hex,
      parentObservationHash: args.parentObservationHash as Hex,
      sequence: BigInt(args.sequence as bigint),
      witnesses: args.witnesses as bigint,
      blockNumber: event.blockNumber,
      transactionHash: event.transactionHash,
    };
    if (event.eventName === "ObservationFinalized") {
      out.push({ ...base, contentHash: args.contentHash as Hex });
    } else if (event.eventName === "ObservationProposedAndFinalized") {
      out.push({
        ...base,
        epochHash: args.epochHash as Hex,
        dataRoot: args.dataRoot as Hex,
        locatorHash: args.locatorHash as Hex,
        observedUnixMs: BigInt(args.observedUnixMs as bigint),
      });
    }
  }
  return out;
}
