/**
 * `ledger:status`: the ledger rebuilt from its events (every state change emits one): per stream
 * the finalized head, the open slots and which of them are contested (more than one candidate),
 * and the recorded equivocations.
 */
import { parseEventLogs, type Address, type Hex, type PublicClient } from "viem";

import type { LedgerRef } from "./contracts";
import { readHead, readSlot, type LedgerHead } from "./ledger-view";

export interface OpenSlot {
  slot: Hex;
  /** Candidates proposed in the slot, with their recorded witnesses. */
  candidates: { observationHash: Hex; sequence: bigint; witnesses: Address[] }[];
  contested: boolean;
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
  equivocations: { slot: Hex; witness: Address; observationA: Hex; observationB: Hex }[];
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
  const events = parseEventLogs({ abi: ledger.abi, logs });
  const slotsByStream = new Map<Hex, Map<Hex, Map<Hex, bigint>>>();
  const finalizedByStream = new Map<Hex, number>();
  const equivocations: LedgerStatus["equivocations"] = [];
  for (const event of events) {
    if (event.eventName === "ObservationProposed") {
      const { streamHash, slot, observationHash, header } = event.args;
      const slots = slotsByStream.get(streamHash) ?? new Map<Hex, Map<Hex, bigint>>();
      const candidates = slots.get(slot) ?? new Map<Hex, bigint>();
      candidates.set(observationHash, header.sequence);
      slots.set(slot, candidates);
      slotsByStream.set(streamHash, slots);
    } else if (event.eventName === "ObservationFinalized") {
      const { streamHash } = event.args;
      finalizedByStream.set(streamHash, (finalizedByStream.get(streamHash) ?? 0) + 1);
      if (!slotsByStream.has(streamHash)) slotsByStream.set(streamHash, new Map());
    } else if (event.eventName === "EquivocationRecorded") {
      const { slot, witness, observationA, observationB } = event.args;
      equivocations.push({ slot, witness, observationA, observationB });
    }
  }
  const streams: StreamStatus[] = [];
  for (const [streamHash, slots] of [...slotsByStream].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const open: OpenSlot[] = [];
    for (const [slot, candidates] of slots) {
      const state = await readSlot(client, ledger, slot);
      if (state.status !== "open") continue;
      const list = [];
      for (const [observationHash, sequence] of candidates) {
        const witnesses = await client.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "attestationsOf",
          args: [observationHash],
        });
        list.push({ observationHash, sequence, witnesses: [...witnesses] });
      }
      open.push({ slot, candidates: list, contested: list.length > 1 });
    }
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
    const contested = stream.open.filter((slot) => slot.contested).length;
    lines.push(
      `  stream ${stream.streamHash}: head ${stream.head.hash === `0x${"0".repeat(64)}` ? "none" : `${stream.head.hash} (sequence ${stream.head.sequence}, observed ${stream.head.observedUnixMs})`}; ${stream.finalized} finalized, ${stream.open.length} open slots (${contested} contested)`,
    );
    for (const slot of stream.open) {
      lines.push(`    open slot ${slot.slot}${slot.contested ? " (contested)" : ""}`);
      for (const candidate of slot.candidates) {
        lines.push(
          `      candidate ${candidate.observationHash} (sequence ${candidate.sequence}): ${candidate.witnesses.length} attestations`,
        );
      }
    }
  }
  lines.push(`  equivocations: ${status.equivocations.length}`);
  for (const e of status.equivocations)
    lines.push(`    ${e.witness} in slot ${e.slot}: ${e.observationA} / ${e.observationB}`);
  return lines;
}
