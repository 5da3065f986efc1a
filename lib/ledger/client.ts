/**
 * The one client of the observation ledger (`docs/ledger.md`): its views, its events and its
 * actions, typed from the compiled ABI (`LedgerAbi`), in the manner of viem's `getContract`. The
 * witness node, the relayer, `ledger:status`, the reality smoke, the bench and the tests all read,
 * decode and send through it.
 *
 * Events are decoded by one table: `parseEventLogs` over the ledger's ABI turns every log into a
 * typed `LedgerEvent`, and `FINALIZATION_EVENTS` projects each event that finalizes observations
 * onto `Finalization`s. An event that finalizes (such as a report's) is one entry there.
 */
import {
  encodeFunctionData,
  getAddress,
  parseEventLogs,
  zeroHash,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
  type Log,
  type ParseEventLogsReturnType,
  type PublicClient,
} from "viem";

import { contentHash as hashContent, observationSlot } from "../commitments/observation";
import { EveryChannelError } from "../errors";
import { readLogs } from "../rpc/logs";
import type { LedgerAbi, LedgerRef, RegistryRef } from "../operator/contracts";
import type { ObservationReport } from "./report";
import { packReport } from "./reportCalldata";
import { sendPlanned, type OperatorWallet, type SendPlannedReturnType } from "../operator/send";
import { observationContentComponents, type ObservationContent } from "../types/abi";
import { packCompactBatch } from "./compactSignatures";
import { readObservationLedgerDomain } from "./domain";
import type { ObservationLedgerDomain } from "./typedData";
import type { CompactObservation, SignedObservation } from "./types";

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/** `SlotStatus` names, by enum value. */
export const SLOT_STATUS = ["empty", "open", "finalized"] as const;
export type SlotStatusName = (typeof SLOT_STATUS)[number];

/** `CandidateStatus` names, by enum value. */
export const CANDIDATE_STATUS = ["unknown", "open", "finalized", "superseded", "expired"] as const;
export type CandidateStatusName = (typeof CANDIDATE_STATUS)[number];

/** Each name's enum value (`{ empty: 0, open: 1, finalized: 2 }`). */
function enumValues<names extends readonly string[]>(
  names: names,
): { readonly [name in names[number]]: number } {
  return Object.fromEntries(names.map((name, value) => [name, value])) as {
    readonly [name in names[number]]: number;
  };
}

/** `SlotStatus` values by name. */
export const SLOT_STATUS_VALUE = enumValues(SLOT_STATUS);
/** `CandidateStatus` values by name. */
export const CANDIDATE_STATUS_VALUE = enumValues(CANDIDATE_STATUS);

/** A stream's finalized head (`finalizedHead`). */
export interface LedgerHead {
  /** Zero hash when the stream has no finalized observation. */
  hash: Hex;
  sequence: bigint;
  observedUnixMs: bigint;
}

/** A slot as `slotStatus` reports it. */
export type SlotState =
  | { status: "empty" }
  | { status: "open"; attestedWitnesses: bigint }
  | { status: "finalized"; contentHash: Hex };

/** A content as `candidateStatus` reports it. */
export interface CandidateState {
  status: CandidateStatusName;
  attestations: bigint;
  currentQuorum: bigint;
  /** Whether the content can still reach quorum under the current membership. */
  reachable: boolean;
}

/** True when the head is "no observation yet". */
export function isEmptyHead(head: LedgerHead): boolean {
  return head.hash === zeroHash;
}

/** Whether the witness with registry index `index` has an attestation recorded in an open slot. */
export function attestedInSlot(slot: SlotState, index: bigint): boolean {
  return slot.status === "open" && ((slot.attestedWitnesses >> index) & 1n) === 1n;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** Any event of the ledger, decoded and typed from its ABI. */
export type LedgerEvent = ParseEventLogsReturnType<LedgerAbi, undefined, true>[number];
export type LedgerEventName = LedgerEvent["eventName"];
/** The decoded arguments of the ledger event `name`. */
export type LedgerEventArgs<name extends LedgerEventName> = Extract<
  LedgerEvent,
  { eventName: name }
>["args"];

/** One finalized observation, whatever event finalized it. */
export interface Finalization {
  observationHash: Hex;
  streamHash: Hex;
  parentObservationHash: Hex;
  sequence: bigint;
  /** Registry-index bitmap of the witnesses whose attestations counted. */
  witnesses: bigint;
  contentHash: Hex;
  /** The content and its slot, when the event carries them (else: `ObservationProposed`'s). */
  content?: ObservationContent;
  slot?: Hex;
  eventName: LedgerEventName;
  blockNumber: bigint | null;
  transactionHash: Hex | null;
}

type FinalizationFields = Omit<Finalization, "eventName" | "blockNumber" | "transactionHash">;

/** The content carried flat in an event's arguments (the fields of `ObservationContent`). */
function flatContent(args: Record<string, unknown>): ObservationContent {
  return Object.fromEntries(
    observationContentComponents.map(({ name }) => [name, args[name]]),
  ) as unknown as ObservationContent;
}

/**
 * The events that finalize observations, each projected onto what it finalized. Adding one is one
 * entry here.
 */
export const FINALIZATION_EVENTS: {
  readonly [name in LedgerEventName]?: (
    args: LedgerEventArgs<name>,
  ) => FinalizationFields | readonly FinalizationFields[];
} = {
  ObservationFinalized: (args) => ({
    observationHash: args.observationHash,
    streamHash: args.streamHash,
    parentObservationHash: args.parentObservationHash,
    sequence: BigInt(args.sequence),
    witnesses: args.witnesses,
    contentHash: args.contentHash,
  }),
  ObservationProposedAndFinalized: (args) => {
    const content = flatContent(args);
    return {
      observationHash: args.observationHash,
      streamHash: args.streamHash,
      parentObservationHash: args.parentObservationHash,
      sequence: BigInt(args.sequence),
      witnesses: args.witnesses,
      contentHash: hashContent(content),
      content,
      slot: observationSlot(content.streamHash, content.epochHash),
    };
  },
};

/** The ledger events of `logs` emitted by `ledger`, in log order (other contracts' are skipped). */
export function decodeLedgerEvents(
  abi: LedgerAbi,
  ledger: Address,
  logs: readonly Log[],
): LedgerEvent[] {
  const own = logs.filter((log) => getAddress(log.address) === getAddress(ledger));
  return parseEventLogs({ abi, logs: own as Log[] }) as LedgerEvent[];
}

/** The finalizations among `events`, through `FINALIZATION_EVENTS`, in order. */
export function finalizationsIn(events: readonly LedgerEvent[]): Finalization[] {
  const out: Finalization[] = [];
  for (const event of events) {
    const project = FINALIZATION_EVENTS[event.eventName] as
      | ((args: unknown) => FinalizationFields | readonly FinalizationFields[])
      | undefined;
    if (project === undefined) continue;
    const meta = {
      eventName: event.eventName,
      blockNumber: event.blockNumber,
      transactionHash: event.transactionHash,
    };
    for (const fields of [project(event.args)].flat()) out.push({ ...fields, ...meta });
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

/** The accepted reports among `events` (`ReportAccepted`), in order. */
export function acceptedReportsIn(events: readonly LedgerEvent[]): AcceptedReport[] {
  const out: AcceptedReport[] = [];
  for (const event of events) {
    if (event.eventName !== "ReportAccepted") continue;
    const { args } = event;
    out.push({
      streamHash: args.streamHash,
      reportDigest: args.reportDigest,
      witnesses: args.witnesses,
      firstSequence: BigInt(args.firstSequence),
      finalized: args.finalized,
      skipped: args.skipped,
      blockNumber: event.blockNumber,
      transactionHash: event.transactionHash,
    });
  }
  return out;
}

/** The finalizations in raw `logs` emitted by `ledger` (`decodeLedgerEvents`, then `finalizationsIn`). */
export function finalizationsOf(
  abi: LedgerAbi,
  ledger: Address,
  logs: readonly Log[],
): Finalization[] {
  return finalizationsIn(decodeLedgerEvents(abi, ledger, logs));
}

/** The accepted reports in raw `logs` emitted by `ledger`. */
export function reportsOf(abi: LedgerAbi, ledger: Address, logs: readonly Log[]): AcceptedReport[] {
  return acceptedReportsIn(decodeLedgerEvents(abi, ledger, logs));
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface CreateLedgerClientParameters {
  publicClient: PublicClient;
  /** The ledger: its address and compiled ABI. */
  ledger: LedgerRef;
  /** Needed by the sends. */
  walletClient?: OperatorWallet;
  /** Needed by the registry reads (`witnessIndex`, `membership`, `activeWitnesses`, `quorum`). */
  registry?: RegistryRef;
}

/** How one send runs (see `sendPlanned`). */
export interface LedgerSendOptions {
  /** Print the estimate and stop. */
  dryRun?: boolean;
  /** What the log names the transaction by (default: the function's name). */
  description?: string;
  /** Gas added to the limit, for a call whose path can change before its inclusion. */
  extraGas?: bigint;
  log?: (line: string) => void;
}

/** A send's outcome, with the observations its receipt shows finalized (none on a dry run). */
export type LedgerSendReturnType = SendPlannedReturnType & {
  events: LedgerEvent[];
  finalizations: Finalization[];
};

type LedgerWrite = ContractFunctionName<LedgerAbi, "nonpayable">;
type LedgerRead = ContractFunctionName<LedgerAbi, "view" | "pure">;

export type LedgerClient = ReturnType<typeof createLedgerClient>;

export function createLedgerClient(parameters: CreateLedgerClientParameters) {
  const { publicClient, ledger, walletClient, registry } = parameters;
  const { address, abi } = ledger;

  const read = <name extends LedgerRead>(
    functionName: name,
    ...args: ContractFunctionArgs<LedgerAbi, "view" | "pure", name> extends readonly []
      ? []
      : [ContractFunctionArgs<LedgerAbi, "view" | "pure", name>]
  ) =>
    publicClient.readContract({
      address,
      abi,
      functionName,
      args: args[0],
    } as never) as Promise<ContractFunctionReturnType<LedgerAbi, "view" | "pure", name>>;

  const needRegistry = (what: string): RegistryRef => {
    if (registry === undefined)
      throw new EveryChannelError(`ledger client: ${what} needs the registry`, { what });
    return registry;
  };

  const send = async <name extends LedgerWrite>(
    functionName: name,
    args: ContractFunctionArgs<LedgerAbi, "nonpayable", name>,
    options: LedgerSendOptions,
  ): Promise<LedgerSendReturnType> => {
    if (walletClient === undefined)
      throw new EveryChannelError(`ledger client: ${functionName} needs a wallet`, {
        functionName,
      });
    const result = await sendPlanned({
      publicClient,
      wallet: walletClient,
      description: options.description ?? functionName,
      to: address,
      data: encodeFunctionData({ abi, functionName, args } as never),
      abi,
      dryRun: options.dryRun ?? false,
      extraGas: options.extraGas,
      log: options.log ?? (() => undefined),
    });
    const events = result.sent ? decodeLedgerEvents(abi, address, result.receipt.logs) : [];
    return { ...result, events, finalizations: finalizationsIn(events) };
  };

  const logs = (fromBlock: bigint, toBlock?: bigint, blockRange?: bigint): Promise<Log[]> =>
    readLogs({ publicClient, address, fromBlock, toBlock, blockRange });

  return {
    address,
    abi,
    publicClient,
    /** The raw logs of blocks `fromBlock`–`toBlock` (default: the latest), in ranges. */
    logs,
    /** Every ledger event of blocks `fromBlock`–`toBlock`, decoded. */
    async events(fromBlock: bigint, toBlock?: bigint, blockRange?: bigint) {
      return decodeLedgerEvents(abi, address, await logs(fromBlock, toBlock, blockRange));
    },
    /** The ledger events of `logs` (a receipt's, or `logs()`'s). */
    decode: (list: readonly Log[]) => decodeLedgerEvents(abi, address, list),
    /** Every observation finalized in blocks `fromBlock`–`toBlock`, by any finalizing event. */
    async finalizations(fromBlock: bigint, toBlock?: bigint, blockRange?: bigint) {
      return finalizationsIn(
        decodeLedgerEvents(abi, address, await logs(fromBlock, toBlock, blockRange)),
      );
    },

    async head(streamHash: Hex): Promise<LedgerHead> {
      const [hash, sequence, observedUnixMs] = await read("finalizedHead", [streamHash]);
      return { hash, sequence: BigInt(sequence), observedUnixMs: BigInt(observedUnixMs) };
    },
    async slot(slot: Hex): Promise<SlotState> {
      const [status, contentHash, attestedWitnesses] = await read("slotStatus", [slot]);
      const name = SLOT_STATUS[Number(status)];
      if (name === "open") return { status: "open", attestedWitnesses };
      if (name === "finalized") return { status: "finalized", contentHash };
      return { status: "empty" };
    },
    async candidateStatus(content: ObservationContent): Promise<CandidateState> {
      const [status, attestations, currentQuorum, reachable] = await read("candidateStatus", [
        content,
      ]);
      return {
        status: CANDIDATE_STATUS[Number(status)] ?? "unknown",
        attestations,
        currentQuorum,
        reachable,
      };
    },
    async attestationsOf(contentHash: Hex): Promise<Address[]> {
      return (await read("attestationsOf", [contentHash])).map((a) => getAddress(a));
    },
    async equivocation(slot: Hex, witness: Address): Promise<{ contentA: Hex; contentB: Hex }> {
      const [contentA, contentB] = await read("equivocation", [slot, witness]);
      return { contentA, contentB };
    },
    /** The chain's time in milliseconds: the latest block's timestamp. */
    async chainTimeMs(): Promise<bigint> {
      const block = await publicClient.getBlock({ blockTag: "latest" });
      return block.timestamp * 1000n;
    },
    /** The EIP-712 domain, read from the contract (ERC-5267) and checked. */
    domain: (): Promise<ObservationLedgerDomain> =>
      readObservationLedgerDomain(publicClient, address),

    /** The registry index of `witness`, or undefined when it was never a witness. */
    async witnessIndex(witness: Address): Promise<bigint | undefined> {
      const { address: at, abi: registryAbi } = needRegistry("witnessIndex");
      const everWitness = await publicClient.readContract({
        address: at,
        abi: registryAbi,
        functionName: "isWitness",
        args: [witness],
      });
      try {
        return await publicClient.readContract({
          address: at,
          abi: registryAbi,
          functionName: "witnessIndex",
          args: [witness],
        });
      } catch (error) {
        if (everWitness) throw error;
        return undefined;
      }
    },
    /** Whether `witness` is an active witness of the registry. */
    async isWitness(witness: Address): Promise<boolean> {
      const { address: at, abi: registryAbi } = needRegistry("isWitness");
      return publicClient.readContract({
        address: at,
        abi: registryAbi,
        functionName: "isWitness",
        args: [witness],
      });
    },
    /** The registry-index bitmap of the active witnesses. */
    async membership(): Promise<bigint> {
      const { address: at, abi: registryAbi } = needRegistry("membership");
      const [active] = await publicClient.readContract({
        address: at,
        abi: registryAbi,
        functionName: "membership",
      });
      return active;
    },
    /** The active witnesses, checksummed. */
    async activeWitnesses(): Promise<Address[]> {
      const { address: at, abi: registryAbi } = needRegistry("activeWitnesses");
      const list = await publicClient.readContract({
        address: at,
        abi: registryAbi,
        functionName: "witnesses",
      });
      return list.map((a) => getAddress(a));
    },
    async quorum(): Promise<bigint> {
      const { address: at, abi: registryAbi } = needRegistry("quorum");
      return publicClient.readContract({ address: at, abi: registryAbi, functionName: "quorum" });
    },

    attest: (content: ObservationContent, options: LedgerSendOptions = {}) =>
      send("attest", [content], options),
    attestMany: (contents: readonly ObservationContent[], options: LedgerSendOptions = {}) =>
      send("attestMany", [contents], options),
    submitSigned: (items: readonly SignedObservation[], options: LedgerSendOptions = {}) =>
      send("submitSignedAttestations", [items], options),
    submitCompact: (items: readonly CompactObservation[], options: LedgerSendOptions = {}) =>
      send("submitCompactAttestations", packCompactBatch(items), options),
    /** `submitReport` of `report` with its signers' 65- or 64-byte signatures (`packReport`). */
    submitReport: (
      report: ObservationReport,
      signatures: readonly Hex[],
      options: LedgerSendOptions = {},
    ) => send("submitReport", packReport(report, signatures), options),
    finalize: (content: ObservationContent, options: LedgerSendOptions = {}) =>
      send("finalize", [content], options),
    reportEquivocation: (
      report: {
        witness: Address;
        a: ObservationContent;
        signatureA: Hex;
        b: ObservationContent;
        signatureB: Hex;
      },
      options: LedgerSendOptions = {},
    ) =>
      send(
        "reportEquivocation",
        [report.witness, report.a, report.signatureA, report.b, report.signatureB],
        options,
      ),
  };
}
