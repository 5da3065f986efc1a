/**
 * The ledger's finalization events decoded into one shape. A content finalizes through
 * `ObservationFinalized` (it was recorded earlier by `ObservationProposed`) or through
 * `ObservationProposedAndFinalized` (first attestations and quorum in one call, on every path);
 * every reader of finalizations (relayer, `ledger:status`, reality-smoke, bench) goes through
 * `finalizationsOf` so that neither is missed. A co-signed report (`submitReport`) emits one
 * `ObservationProposedAndFinalized` per finalized entry, so its finalizations are counted there too;
 * `reportsOf` decodes its `ReportAccepted` (the digest, the signers, what it finalized and skipped).
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
    } else {
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

/** One accepted co-signed report (`ReportAccepted`). */
export interface AcceptedReport {
  streamHash: Hex;
  reportDigest: Hex;
  /** Registry-index bitmap of the report's signers. */
  witnesses: bigint;
  /** The sequence of its first finalized entry (meaningless when `finalized` is 0). */
  firstSequence: bigint;
  finalized: bigint;
  skipped: bigint;
  blockNumber: bigint | null;
  transactionHash: Hex | null;
}

/** The `ReportAccepted` events of `logs` emitted by `ledger`, in log order. */
export function reportsOf(abi: Abi, ledger: Address, logs: readonly Log[]): AcceptedReport[] {
  const own = logs.filter((log) => log.address.toLowerCase() === ledger.toLowerCase());
  const out: AcceptedReport[] = [];
  for (const event of parseEventLogs({ abi, logs: own as Log[], strict: false })) {
    if (event.eventName !== "ReportAccepted") continue;
    const args = (event as unknown as { args: Record<string, unknown> }).args;
    out.push({
      streamHash: args.streamHash as Hex,
      reportDigest: args.reportDigest as Hex,
      witnesses: args.witnesses as bigint,
      firstSequence: BigInt(args.firstSequence as bigint),
      finalized: args.finalized as bigint,
      skipped: args.skipped as bigint,
      blockNumber: event.blockNumber,
      transactionHash: event.transactionHash,
    });
  }
  return out;
}
