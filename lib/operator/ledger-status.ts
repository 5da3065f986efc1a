/**
 * `ledger:status`: the ledger rebuilt from its events (every state change emits one): per stream
 * the finalized head, how many observations finalized (through either finalization event), the
 * open slots with their contents and what the ledger says of each (`candidateStatus`): a slot is
 * contested when it has more than one content, unreachable when none of its contents can still
 * reach quorum under the current membership, and expired once the stream's head has passed it.
 */
import { zeroHash, type Address, type Hex } from "viem";

import {
  finalizationsIn,
  type CandidateStatusName,
  type LedgerClient,
  type LedgerHead,
} from "../ledger/client";
import type { ObservationContent } from "../types/abi";

export interface OpenSlot {
  slot: Hex;
  observedUnixMs: bigint;
  /** Contents proposed in the slot, with their recorded witnesses and status. */
  candidates: {
    contentHash: Hex;
    witnesses: Address[];
    status: CandidateStatusName;
    reachable: boolean;
  }[];
  contested: boolean;
  /** `expired`: the head passed it; `unreachable`: no content can reach quorum; else `open`. */
  outcome: "open" | "unreachable" | "expired";
}

export interface StreamStatus {
  streamHash: Hex;
  head: LedgerHead;
  finalized: number;
  open: OpenSlot[];
}

export interface LedgerStatus {
  ledger: Address;
  fromBlock: bigint;
  toBlock: bigint;
  streams: StreamStatus[];
  equivocations: { slot: Hex; witness: Address; contentA: Hex; contentB: Hex }[];
}

export interface ReadLedgerStatusParameters {
  ledger: LedgerClient;
  /** First block to read events from (the deployment block). */
  fromBlock: bigint;
  /** Blocks per `eth_getLogs` request (RPC providers cap the range; default 10,000). */
  blockRange?: bigint;
}

export async function readLedgerStatus(
  parameters: ReadLedgerStatusParameters,
): Promise<LedgerStatus> {
  const { ledger, fromBlock } = parameters;
  const toBlock = await ledger.publicClient.getBlockNumber({ cacheTime: 0 });
  const events = await ledger.events(fromBlock, toBlock, parameters.blockRange);
  const slotsByStream = new Map<Hex, Map<Hex, Map<Hex, ObservationContent>>>();
  const finalizedByStream = new Map<Hex, number>();
  const equivocations: LedgerStatus["equivocations"] = [];
  const streamOf = (streamHash: Hex): Map<Hex, Map<Hex, ObservationContent>> => {
    let slots = slotsByStream.get(streamHash);
    if (slots === undefined) {
      slots = new Map();
      slotsByStream.set(streamHash, slots);
    }
    return slots;
  };
  for (const event of events) {
    if (event.eventName === "ObservationProposed") {
      const { streamHash, slot, contentHash, content } = event.args;
      const slots = streamOf(streamHash);
      const candidates = slots.get(slot) ?? new Map<Hex, ObservationContent>();
      candidates.set(contentHash, content);
      slots.set(slot, candidates);
    } else if (event.eventName === "EquivocationRecorded") {
      const { slot, witness, contentA, contentB } = event.args;
      equivocations.push({ slot, witness, contentA, contentB });
    }
  }
  for (const finalization of finalizationsIn(events)) {
    streamOf(finalization.streamHash);
    finalizedByStream.set(
      finalization.streamHash,
      (finalizedByStream.get(finalization.streamHash) ?? 0) + 1,
    );
  }
  const streams: StreamStatus[] = [];
  for (const [streamHash, slots] of [...slotsByStream].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const open: OpenSlot[] = [];
    for (const [slot, candidates] of slots) {
      const state = await ledger.slot(slot);
      if (state.status !== "open") continue;
      const list: OpenSlot["candidates"] = [];
      let observedUnixMs = 0n;
      for (const [contentHash, content] of candidates) {
        observedUnixMs = content.observedUnixMs;
        const { status, reachable } = await ledger.candidateStatus(content);
        list.push({
          contentHash,
          witnesses: await ledger.attestationsOf(contentHash),
          status,
          reachable,
        });
      }
      const outcome = list.every((c) => c.status === "expired")
        ? "expired"
        : list.some((c) => c.reachable)
          ? "open"
          : "unreachable";
      open.push({ slot, observedUnixMs, candidates: list, contested: list.length > 1, outcome });
    }
    open.sort((a, b) => (a.observedUnixMs < b.observedUnixMs ? -1 : 1));
    streams.push({
      streamHash,
      head: await ledger.head(streamHash),
      finalized: finalizedByStream.get(streamHash) ?? 0,
      open,
    });
  }
  return { ledger: ledger.address, fromBlock, toBlock, streams, equivocations };
}

export function formatLedgerStatus(status: LedgerStatus): string[] {
  const lines = [
    `ledger ${status.ledger} (events of blocks ${status.fromBlock}–${status.toBlock})`,
  ];
  if (status.streams.length === 0) lines.push("  no observations yet");
  for (const stream of status.streams) {
    const count = (outcome: OpenSlot["outcome"]): number =>
      stream.open.filter((slot) => slot.outcome === outcome).length;
    lines.push(
      `  stream ${stream.streamHash}: head ${stream.head.hash === zeroHash ? "none" : `${stream.head.hash} (sequence ${stream.head.sequence}, observed ${stream.head.observedUnixMs})`}; ${stream.finalized} finalized; ${stream.open.length} open slots (${stream.open.filter((s) => s.contested).length} contested, ${count("unreachable")} unreachable, ${count("expired")} expired)`,
    );
    for (const slot of stream.open) {
      lines.push(
        `    slot ${slot.slot} (observed ${slot.observedUnixMs}): ${slot.outcome}${slot.contested ? ", contested" : ""}`,
      );
      for (const candidate of slot.candidates) {
        lines.push(
          `      content ${candidate.contentHash}: ${candidate.witnesses.length} attestations, ${candidate.status}${candidate.reachable ? "" : ", cannot reach quorum"}`,
        );
      }
    }
  }
  lines.push(`  equivocations: ${status.equivocations.length}`);
  for (const e of status.equivocations)
    lines.push(`    ${e.witness} in slot ${e.slot}: ${e.contentA} / ${e.contentB}`);
  return lines;
}
