/**
 * `ledger:status`: the ledger rebuilt from its events (every state change emits one): per stream
 * the finalized head, how many observations finalized (through either finalization event), the
 * open slots with their contents and what the ledger says of each (`candidateStatus`): a slot is
 * contested when it has more than one content, unreachable when none of its contents can still
 * reach quorum under the current membership, and expired once the stream's head has passed it.
 */
import { parseEventLogs, zeroHash, type Address, type Hex, type PublicClient } from "viem";

import { finalizationsOf } from "../ledger/events";
import type { ObservationContent } from "../types/abi";
import type { LedgerRef } from "./contracts";
import { readHead, readSlot, type LedgerHead } from "./ledger-view";

/** `CandidateStatus` names, by enum value. */
export const CANDIDATE_STATUS = ["unknown", "open", "finalized", "superseded", "expired"] as const;
export type CandidateStatusName = (typeof CANDIDATE_STATUS)[number];

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
  client: PublicClient;
  ledger: LedgerRef;
  /** First block to read events from (the deployment block). */
  fromBlock: bigint;
  /** Blocks per `eth_getLogs` request (RPC providers cap the range; default 10,000). */
  blockRange?: bigint;
}

export async function readLedgerStatus(
  parameters: ReadLedgerStatusParameters,
): Promise<LedgerStatus> {
  const { client, ledger, fromBlock } = parameters;
  const toBlock = await client.getBlockNumber();
  const range = parameters.blockRange ?? 10_000n;
  const logs = [];
  for (let start = fromBlock; start <= toBlock; start += range) {
    const end = start + range - 1n < toBlock ? start + range - 1n : toBlock;
    logs.push(
      ...(await client.getLogs({ address: ledger.address, fromBlock: start, toBlock: end })),
    );
  }
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
  for (const event of parseEventLogs({ abi: ledger.abi, logs })) {
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
  for (const finalization of finalizationsOf(ledger.abi, ledger.address, logs)) {
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
      const state = await readSlot(client, ledger, slot);
      if (state.status !== "open") continue;
      const list: OpenSlot["candidates"] = [];
      let observedUnixMs = 0n;
      for (const [contentHash, content] of candidates) {
        observedUnixMs = content.observedUnixMs;
        const witnesses = await client.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "attestationsOf",
          args: [contentHash],
        });
        const [status, , , reachable] = await client.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "candidateStatus",
          args: [content],
        });
        list.push({
          contentHash,
          witnesses: [...witnesses],
          status: CANDIDATE_STATUS[Number(status)] ?? "unknown",
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
      head: await readHead(client, ledger, streamHash),
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
