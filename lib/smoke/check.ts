/**
 * The checker: compares what the ledger holds with what the archives dictate (lib/smoke/outcome.ts),
 * slot by slot and stream by stream, and lists every difference. It reads the ledger the way the
 * operators' tools do, through the ledger client (lib/ledger/client.ts): heads, slots,
 * `candidateStatus`, and every event (both finalization events, attestations, equivocations).
 * Nothing is assumed about how the chain got into its state: the same check runs after a fresh run,
 * a resumed one, or against a ledger someone else wrote to. What the witness nodes journaled (each
 * attestation they made) is checked against what the ledger counted.
 */
import { getAddress, zeroHash, type Address, type Hex } from "viem";

import {
  finalizationsIn,
  type CandidateStatusName,
  type Finalization,
  type LedgerClient,
  type LedgerEvent,
} from "../ledger/client";
import { isExpired } from "../ledger/rules";
import type { RelayerCounters } from "../operator/relayer";
import type { WitnessCounters } from "../operator/witness";
import type { WitnessJournal } from "../operator/witness-journal";
import type { SlotExpectation, StreamExpectation } from "./outcome";
import type { SmokeMode } from "./report";

export type MismatchKind =
  /** The slot is finalized / expired / open / empty otherwise than expected. */
  | "slot-outcome"
  /** The slot finalized another content than the expected one. */
  | "finalized-content"
  /** The finalized observation's hash, parent or sequence is not the expected chain's. */
  | "finalized-chain"
  /** The finalization counted a witness that did not derive the content, or fewer than the quorum. */
  | "finalizing-witnesses"
  /** A finalization of a slot that must not finalize. */
  | "extra-finalization"
  /** A content's state (`candidateStatus`) is not the expected one. */
  | "content-status"
  /** A witness is recorded on a content it did not derive, or attested a content it refuses. */
  | "witness-content"
  /** The ledger recorded an equivocation. */
  | "equivocation"
  /** A witness's attestation is not counted where it should be. */
  | "missing-attestation"
  /** The stream's finalized head is not the expected one. */
  | "stream-head"
  /** The stream's finalizations are not the expected chain, in order. */
  | "stream-chain"
  /** A witness node or the relayer counted something an honest run never does. */
  | "node-counters";

export interface Mismatch {
  kind: MismatchKind;
  streamHash: Hex | undefined;
  slot: Hex | undefined;
  epochId: bigint | undefined;
  expected: string;
  actual: string;
  /** One line: where, what was expected and what the chain holds. */
  message: string;
}

/** A slot's state on chain. */
export type ActualOutcome = "finalized" | "expired" | "open" | "empty";

/** One witness as the checker knows it. */
export interface CheckWitness {
  /** Archive order (the model's witness number). */
  index: number;
  name: string;
  address: Address;
  /** Registry index (bit in the ledger's bitmaps); undefined when it was never a witness. */
  registryIndex: bigint | undefined;
  /** The witness node's journal of this run: every attestation it made. */
  journal?: WitnessJournal;
}

export interface CheckOutcomeParameters {
  ledger: LedgerClient;
  /** First block to read events from (the ledger's deployment block). */
  fromBlock: bigint;
  expectations: readonly StreamExpectation[];
  witnesses: readonly CheckWitness[];
  quorum: number;
  mode: SmokeMode;
  /** The witness nodes' counters summed (checked when given). */
  counters?: WitnessCounters;
  /** The relayer's counters (relayed mode). */
  relayer?: RelayerCounters;
  /** Signatures the relayer still holds at the end. */
  relayerPending?: number;
  /** Blocks per `eth_getLogs` request (default 10,000). */
  blockRange?: bigint;
}

export interface CheckOutcomeReturnType {
  mismatches: Mismatch[];
  /** Expected slots per state on chain. */
  counts: Record<ActualOutcome, number>;
  /** Equivocations the ledger recorded. */
  equivocations: number;
  /** Attestations the ledger recorded in the expected slots (witness, content pairs). */
  attestations: number;
}

const short = (hash: Hex | undefined): string =>
  hash === undefined ? "none" : `${hash.slice(0, 10)}…${hash.slice(-4)}`;

function mismatch(
  kind: MismatchKind,
  where: { streamHash?: Hex; slot?: SlotExpectation; slotHash?: Hex },
  expected: string,
  actual: string,
): Mismatch {
  const stream = where.streamHash ?? where.slot?.streamHash;
  const slotHash = where.slot?.slot ?? where.slotHash;
  const place = [
    stream === undefined ? undefined : `stream ${short(stream)}`,
    where.slot === undefined ? undefined : `epoch ${where.slot.epochId}`,
    slotHash === undefined ? undefined : `slot ${short(slotHash)}`,
  ]
    .filter((p) => p !== undefined)
    .join(" ");
  return {
    kind,
    streamHash: stream,
    slot: slotHash,
    epochId: where.slot?.epochId,
    expected,
    actual,
    message: `${place === "" ? "ledger" : place}: ${kind}: expected ${expected}, chain has ${actual}`,
  };
}

interface LedgerEvents {
  /** Contents recorded by `ObservationProposed`. */
  contents: Map<Hex, { streamHash: Hex; slot: Hex }>;
  /** Witnesses recorded per content (`ObservationAttested` and the finalization's bitmap). */
  recorded: Map<Hex, Set<Address>>;
  finalizations: (Finalization & { slot: Hex })[];
  equivocations: { slot: Hex; witness: Address; contentA: Hex; contentB: Hex }[];
}

function decodeEvents(
  decoded: readonly LedgerEvent[],
  addressAt: (registryIndex: bigint) => Address | undefined,
): LedgerEvents {
  const contents = new Map<Hex, { streamHash: Hex; slot: Hex }>();
  const recorded = new Map<Hex, Set<Address>>();
  const record = (hash: Hex, witness: Address): void => {
    const set = recorded.get(hash) ?? new Set<Address>();
    set.add(getAddress(witness));
    recorded.set(hash, set);
  };
  const equivocations: LedgerEvents["equivocations"] = [];
  for (const event of decoded) {
    if (event.eventName === "ObservationProposed") {
      const { contentHash, streamHash, slot } = event.args;
      contents.set(contentHash, { streamHash, slot });
    } else if (event.eventName === "ObservationAttested") {
      record(event.args.contentHash, event.args.witness);
    } else if (event.eventName === "EquivocationRecorded") {
      const { slot, witness, contentA, contentB } = event.args;
      equivocations.push({ slot, witness: getAddress(witness), contentA, contentB });
    }
  }
  const finalizations: LedgerEvents["finalizations"] = [];
  for (const f of finalizationsIn(decoded)) {
    for (let index = 0n; f.witnesses >> index !== 0n; index += 1n)
      if (((f.witnesses >> index) & 1n) === 1n) {
        const address = addressAt(index);
        record(f.contentHash, address ?? `0x${index.toString(16).padStart(40, "f")}`);
      }
    finalizations.push({ ...f, slot: f.slot ?? contents.get(f.contentHash)?.slot ?? zeroHash });
  }
  return { contents, recorded, finalizations, equivocations };
}

/** Checks every expected slot and stream against the ledger; returns all mismatches. */
export async function checkOutcome(
  parameters: CheckOutcomeParameters,
): Promise<CheckOutcomeReturnType> {
  const { ledger, expectations, quorum, witnesses } = parameters;
  const byRegistryIndex = new Map<bigint, CheckWitness>();
  for (const w of witnesses)
    if (w.registryIndex !== undefined) byRegistryIndex.set(w.registryIndex, w);
  const byAddress = new Map(witnesses.map((w) => [getAddress(w.address), w] as const));
  const name = (address: Address): string => byAddress.get(getAddress(address))?.name ?? address;
  const names = (indices: readonly number[]): string =>
    indices.map((i) => witnesses.find((w) => w.index === i)?.name ?? `witness ${i}`).join(", ") ||
    "none";

  const events = decodeEvents(
    await ledger.events(parameters.fromBlock, undefined, parameters.blockRange),
    (i) => byRegistryIndex.get(i)?.address,
  );
  const mismatches: Mismatch[] = [];
  const counts: Record<ActualOutcome, number> = { finalized: 0, expired: 0, open: 0, empty: 0 };
  let attestations = 0;

  for (const e of events.equivocations)
    mismatches.push(
      mismatch(
        "equivocation",
        { slotHash: e.slot },
        "no equivocation (honest witnesses)",
        `${name(e.witness)} recorded with ${short(e.contentA)} and ${short(e.contentB)}`,
      ),
    );

  const expectedSlots = new Map<Hex, SlotExpectation>();
  for (const stream of expectations)
    for (const slot of stream.slots) expectedSlots.set(slot.slot, slot);
  const finalizationOf = new Map<Hex, LedgerEvents["finalizations"][number]>();
  for (const f of events.finalizations) {
    finalizationOf.set(f.slot, f);
    const slot = expectedSlots.get(f.slot);
    if (slot?.outcome !== "finalized")
      mismatches.push(
        mismatch(
          "extra-finalization",
          slot === undefined ? { streamHash: f.streamHash, slotHash: f.slot } : { slot },
          slot === undefined
            ? "no finalization outside the archive's slots"
            : `slot ${slot.outcome}`,
          `${short(f.observationHash)} finalized (sequence ${f.sequence})`,
        ),
      );
  }

  for (const stream of expectations) {
    const head = await ledger.head(stream.streamHash);
    if (
      head.hash !== stream.head.hash ||
      head.sequence !== stream.head.sequence ||
      head.observedUnixMs !== stream.head.observedUnixMs
    )
      mismatches.push(
        mismatch(
          "stream-head",
          { streamHash: stream.streamHash },
          `${short(stream.head.hash)} (sequence ${stream.head.sequence})`,
          `${short(head.hash)} (sequence ${head.sequence})`,
        ),
      );
    const chain = events.finalizations
      .filter((f) => f.streamHash === stream.streamHash)
      .map((f) => f.observationHash);
    if (chain.length !== stream.chain.length || chain.some((h, i) => h !== stream.chain[i])) {
      const at = Math.max(
        0,
        stream.chain.findIndex((h, i) => chain[i] !== h),
      );
      mismatches.push(
        mismatch(
          "stream-chain",
          { streamHash: stream.streamHash },
          `${stream.chain.length} finalizations, #${at} = ${short(stream.chain[at])}`,
          `${chain.length} finalizations, #${at} = ${short(chain[at])}`,
        ),
      );
    }

    for (const slot of stream.slots) {
      const where = { slot };
      const state = await ledger.slot(slot.slot);
      // A co-signed report finalizes without a slot word: its finalization event decides the slot.
      const byReport =
        parameters.mode === "report" &&
        state.status !== "finalized" &&
        finalizationOf.has(slot.slot);
      const finalizedHash =
        state.status === "finalized"
          ? state.contentHash
          : byReport
            ? finalizationOf.get(slot.slot)!.contentHash
            : undefined;
      const actual: ActualOutcome =
        finalizedHash !== undefined
          ? "finalized"
          : isExpired(slot.observedUnixMs, head)
            ? "expired"
            : state.status === "open"
              ? "open"
              : "empty";
      counts[actual] += 1;
      const expected: ActualOutcome =
        slot.outcome === "finalized"
          ? "finalized"
          : slot.outcome === "refused"
            ? "empty"
            : slot.expires
              ? "expired"
              : "open";
      if (actual !== expected) mismatches.push(mismatch("slot-outcome", where, expected, actual));

      if (slot.finalized !== undefined && finalizedHash !== undefined) {
        const winner = slot.contents.find((c) => c.contentHash === slot.finalized!.contentHash)!;
        if (finalizedHash !== slot.finalized.contentHash)
          mismatches.push(
            mismatch(
              "finalized-content",
              where,
              `${short(slot.finalized.contentHash)} of ${names(winner.witnesses)}`,
              short(finalizedHash),
            ),
          );
        const f = finalizationOf.get(slot.slot);
        if (f === undefined) {
          mismatches.push(mismatch("finalized-chain", where, "a finalization event", "none"));
        } else {
          if (
            f.observationHash !== slot.finalized.observationHash ||
            f.parentObservationHash !== slot.finalized.parentObservationHash ||
            f.sequence !== slot.finalized.sequence
          )
            mismatches.push(
              mismatch(
                "finalized-chain",
                where,
                `${short(slot.finalized.observationHash)} on ${short(slot.finalized.parentObservationHash)} at sequence ${slot.finalized.sequence}`,
                `${short(f.observationHash)} on ${short(f.parentObservationHash)} at sequence ${f.sequence}`,
              ),
            );
          const counted: number[] = [];
          let strangers = 0;
          for (let index = 0n; f.witnesses >> index !== 0n; index += 1n) {
            if (((f.witnesses >> index) & 1n) === 0n) continue;
            const w = byRegistryIndex.get(index);
            if (w === undefined || !winner.witnesses.includes(w.index)) strangers += 1;
            else counted.push(w.index);
          }
          if (strangers > 0 || counted.length < quorum)
            mismatches.push(
              mismatch(
                "finalizing-witnesses",
                where,
                `at least ${quorum} of ${names(winner.witnesses)}`,
                `${names(counted)}${strangers > 0 ? ` and ${strangers} other` : ""}`,
              ),
            );
        }
      }

      for (const content of slot.contents) {
        const isWinner = content.contentHash === slot.finalized?.contentHash;
        const recorded = events.recorded.get(content.contentHash) ?? new Set<Address>();
        attestations += recorded.size;
        for (const address of recorded) {
          const w = byAddress.get(address);
          if (w === undefined || !content.witnesses.includes(w.index))
            mismatches.push(
              mismatch(
                "witness-content",
                where,
                `${short(content.contentHash)} attested by ${names(content.witnesses)} only`,
                `${name(address)} recorded on it`,
              ),
            );
        }
        if (isWinner) continue;
        const actualStatus = (await ledger.candidateStatus(content.content)).status;
        const expectedStatus: CandidateStatusName =
          slot.outcome === "finalized"
            ? byReport
              ? "expired"
              : "superseded"
            : slot.outcome === "refused"
              ? "unknown"
              : slot.expires
                ? "expired"
                : "open";
        if (actualStatus !== expectedStatus)
          mismatches.push(
            mismatch(
              "content-status",
              where,
              `${short(content.contentHash)} of ${names(content.witnesses)} ${expectedStatus}`,
              actualStatus,
            ),
          );
        // A slot that is still open takes every capturing witness's attestation.
        if (expectedStatus === "open") {
          const missing = content.witnesses.filter((i) => {
            const w = witnesses.find((x) => x.index === i);
            return w === undefined || !recorded.has(getAddress(w.address));
          });
          if (missing.length > 0)
            mismatches.push(
              mismatch(
                "missing-attestation",
                where,
                `${short(content.contentHash)} attested by ${names(content.witnesses)}`,
                `none from ${names(missing)}`,
              ),
            );
        }
      }

      // Every attestation a witness node made (its journal) is counted, or no longer needed.
      for (const content of slot.contents) {
        for (const i of content.witnesses) {
          const w = witnesses.find((x) => x.index === i);
          const made = w?.journal?.recordOf(slot.slot);
          if (w === undefined || made === undefined) continue;
          if (made.contentHash !== content.contentHash || slot.outcome === "refused") {
            mismatches.push(
              mismatch(
                "witness-content",
                where,
                slot.outcome === "refused"
                  ? `nothing attested by ${w.name} (in the future)`
                  : `${w.name} attesting ${short(content.contentHash)}`,
                `${w.name} attested ${short(made.contentHash)}`,
              ),
            );
            continue;
          }
          const counted = events.recorded.get(content.contentHash)?.has(getAddress(w.address));
          // A relayed signature that reached the relayer after its slot was decided is dropped.
          const settled =
            parameters.mode !== "tx" && (actual === "finalized" || actual === "expired");
          if (counted !== true && !settled)
            mismatches.push(
              mismatch(
                "missing-attestation",
                where,
                `${w.name}'s attestation of ${short(content.contentHash)} counted`,
                "it is not",
              ),
            );
        }
      }
    }
  }

  const refusedEpochs = expectations
    .flatMap((s) => s.slots)
    .filter((s) => s.outcome === "refused")
    .reduce((n, s) => n + s.contents.reduce((m, c) => m + c.witnesses.length, 0), 0);
  if (parameters.counters !== undefined) {
    const c = parameters.counters;
    if (c.inFuture !== refusedEpochs)
      mismatches.push(
        mismatch(
          "node-counters",
          {},
          `${refusedEpochs} epochs refused as in the future`,
          `${c.inFuture}`,
        ),
      );
    if (c.conflicting !== 0)
      mismatches.push(mismatch("node-counters", {}, "no conflicting content", `${c.conflicting}`));
  }
  if (parameters.relayer !== undefined && parameters.relayer.refused !== 0)
    mismatches.push(
      mismatch(
        "node-counters",
        {},
        "no signature refused by the relayer",
        `${parameters.relayer.refused}`,
      ),
    );
  if ((parameters.relayerPending ?? 0) !== 0)
    mismatches.push(
      mismatch(
        "node-counters",
        {},
        "every signature settled",
        `${parameters.relayerPending} still held by the relayer`,
      ),
    );
  return { mismatches, counts, equivocations: events.equivocations.length, attestations };
}
