/**
 * One handler per event of the registry, the ledger and the rail. Each writes the event's own row
 * (`eventRow`) and then the state it changes. Adding an event is one table in `ponder.schema.ts`
 * and one `on` here; the API lists its rows at `/v1/events/<table_name>` without more code. The
 * bulk backfill (`bulk.ts`) runs these same handlers over the finalized range, so a handler reads
 * a row's values before it changes that row (Ponder's `find` answers a live view of its cache; the
 * bulk store answers a copy) and a table a later event reads is listed in `bulk.ts`'s
 * `STATE_TABLES`.
 */
import { ponder, type Context, type Event } from "ponder:registry";
import * as schema from "ponder:schema";
import { getAddress, zeroAddress, type Address, type Hex } from "viem";

import {
  contentHashOfCanonical,
  observationSlotOfCanonical,
} from "../../lib/commitments/observation";
import { toJson } from "../../lib/validation/json-form";
import { bulkBackfill, type BulkHandler } from "./bulk";

type AnyEvent = Event;
type AnyContext = Context;

/** Every handler by its Ponder name, for the bulk backfill (`bulk.ts`) to run the same code. */
const handlers = new Map<string, BulkHandler>();
/** `ponder.on` that also keeps the handler in `handlers`. */
const on = ((name: string, handler: BulkHandler) => {
  handlers.set(name, handler);
  ponder.on(name as never, handler as never);
}) as typeof ponder.on;

/** The columns every event table shares: the log's place in the chain. */
function eventRow(event: AnyEvent) {
  return {
    id: event.id,
    blockNumber: event.block.number,
    blockHash: event.block.hash,
    blockTimestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  };
}

function popCount(bits: bigint): number {
  let n = 0;
  for (let b = bits; b > 0n; b >>= 1n) if ((b & 1n) === 1n) n += 1;
  return n;
}

function bitIndexes(bits: bigint): number[] {
  const out: number[] = [];
  for (let b = bits, i = 0; b > 0n; b >>= 1n, i += 1) if ((b & 1n) === 1n) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

async function registry(context: AnyContext, block: bigint) {
  const state = await context.db.find(schema.registryState, { id: 0 });
  if (state) return state;
  const fresh = {
    id: 0,
    owner: zeroAddress as Hex,
    pendingOwner: zeroAddress as Hex,
    quorum: 0,
    active: 0n,
    updatedBlock: block,
  };
  await context.db.insert(schema.registryState).values(fresh);
  return fresh;
}

async function history(
  context: AnyContext,
  event: AnyEvent,
  kind: string,
  fields: {
    account?: Hex;
    previousAccount?: Hex;
    index?: number;
    previousQuorum?: number;
    quorum?: number;
  },
) {
  await context.db.insert(schema.registryHistory).values({ ...eventRow(event), kind, ...fields });
}

on("EveryChannelWitnessRegistry:WitnessAdded", async ({ event, context }) => {
  const { witness, index } = event.args;
  const i = Number(index);
  await context.db.insert(schema.witnessAdded).values({ ...eventRow(event), witness, index: i });
  await context.db
    .insert(schema.witness)
    .values({
      address: witness,
      index: i,
      active: true,
      addedBlock: event.block.number,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({ active: true, updatedBlock: event.block.number });
  const state = await registry(context, event.block.number);
  await context.db
    .update(schema.registryState, { id: 0 })
    .set({ active: state.active | (1n << index), updatedBlock: event.block.number });
  await history(context, event, "WitnessAdded", { account: witness, index: i });
});

on("EveryChannelWitnessRegistry:WitnessRemoved", async ({ event, context }) => {
  const { witness, index } = event.args;
  const i = Number(index);
  await context.db.insert(schema.witnessRemoved).values({ ...eventRow(event), witness, index: i });
  await context.db
    .update(schema.witness, { address: witness })
    .set({ active: false, updatedBlock: event.block.number });
  const state = await registry(context, event.block.number);
  await context.db
    .update(schema.registryState, { id: 0 })
    .set({ active: state.active & ~(1n << index), updatedBlock: event.block.number });
  await history(context, event, "WitnessRemoved", { account: witness, index: i });
});

on("EveryChannelWitnessRegistry:WitnessRotated", async ({ event, context }) => {
  const { previousKey, newKey, index } = event.args;
  const i = Number(index);
  await context.db
    .insert(schema.witnessRotated)
    .values({ ...eventRow(event), previousKey, newKey, index: i });
  // Read before the update below: Ponder's `find` answers a view of its cached row, which the
  // update changes (the new key was recorded inactive when this read `previous.active` after it).
  const previous = await context.db.find(schema.witness, { address: previousKey });
  const active = previous?.active ?? true;
  await context.db
    .update(schema.witness, { address: previousKey })
    .set({ active: false, rotatedTo: newKey, updatedBlock: event.block.number });
  await context.db
    .insert(schema.witness)
    .values({
      address: newKey,
      index: i,
      active,
      addedBlock: event.block.number,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({
      index: i,
      active,
      rotatedTo: null,
      updatedBlock: event.block.number,
    });
  await history(context, event, "WitnessRotated", {
    account: newKey,
    previousAccount: previousKey,
    index: i,
  });
});

on("EveryChannelWitnessRegistry:QuorumChanged", async ({ event, context }) => {
  const previousQuorum = Number(event.args.previousQuorum);
  const quorum = Number(event.args.newQuorum);
  await context.db
    .insert(schema.quorumChanged)
    .values({ ...eventRow(event), previousQuorum, newQuorum: quorum });
  await registry(context, event.block.number);
  await context.db
    .update(schema.registryState, { id: 0 })
    .set({ quorum, updatedBlock: event.block.number });
  await history(context, event, "QuorumChanged", { previousQuorum, quorum });
});

on("EveryChannelWitnessRegistry:OwnershipTransferStarted", async ({ event, context }) => {
  const { previousOwner, newOwner } = event.args;
  await context.db
    .insert(schema.ownershipTransferStarted)
    .values({ ...eventRow(event), previousOwner, newOwner });
  await registry(context, event.block.number);
  await context.db
    .update(schema.registryState, { id: 0 })
    .set({ pendingOwner: newOwner, updatedBlock: event.block.number });
  await history(context, event, "OwnershipTransferStarted", {
    account: newOwner,
    previousAccount: previousOwner,
  });
});

on("EveryChannelWitnessRegistry:OwnershipTransferred", async ({ event, context }) => {
  const { previousOwner, newOwner } = event.args;
  await context.db
    .insert(schema.ownershipTransferred)
    .values({ ...eventRow(event), previousOwner, newOwner });
  await registry(context, event.block.number);
  await context.db
    .update(schema.registryState, { id: 0 })
    .set({ owner: newOwner, pendingOwner: zeroAddress, updatedBlock: event.block.number });
  await history(context, event, "OwnershipTransferred", {
    account: newOwner,
    previousAccount: previousOwner,
  });
});

// ---------------------------------------------------------------------------------------------
// Ledger
// ---------------------------------------------------------------------------------------------

async function witnessBit(context: AnyContext, address: Address): Promise<bigint> {
  const row = await context.db.find(schema.witness, { address });
  if (!row) throw new Error(`ledger event names ${address}, which the registry never added`);
  return 1n << BigInt(row.index);
}

async function touchStream(context: AnyContext, streamHash: Hex, block: bigint, newSlot: boolean) {
  await context.db
    .insert(schema.ledgerStream)
    .values({
      streamHash,
      finalizedCount: 0,
      slotCount: newSlot ? 1 : 0,
      firstBlock: block,
      updatedBlock: block,
    })
    .onConflictDoUpdate((row) => ({
      slotCount: row.slotCount + (newSlot ? 1 : 0),
      updatedBlock: block,
    }));
}

interface FinalizedHeader {
  observationHash: Hex;
  streamHash: Hex;
  contentHash: Hex;
  slot: Hex;
  epochHash: Hex;
  dataRoot: Hex;
  locatorHash: Hex;
  observedUnixMs: bigint;
  parentObservationHash: Hex;
  sequence: bigint;
  witnesses: bigint;
}

async function finalize(context: AnyContext, event: AnyEvent, header: FinalizedHeader) {
  const block = event.block.number;
  await context.db.insert(schema.observation).values({
    ...header,
    witnessCount: popCount(header.witnesses),
    blockNumber: block,
    blockTimestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
  const existing = await context.db.find(schema.slot, { slot: header.slot });
  await context.db
    .insert(schema.slot)
    .values({
      slot: header.slot,
      streamHash: header.streamHash,
      epochHash: header.epochHash,
      observedUnixMs: header.observedUnixMs,
      status: "finalized",
      attested: 0n,
      candidateCount: 1,
      finalizedContentHash: header.contentHash,
      finalizedObservationHash: header.observationHash,
      firstBlock: block,
      updatedBlock: block,
    })
    .onConflictDoUpdate({
      status: "finalized",
      finalizedContentHash: header.contentHash,
      finalizedObservationHash: header.observationHash,
      updatedBlock: block,
    });
  await context.db
    .insert(schema.candidate)
    .values({
      contentHash: header.contentHash,
      slot: header.slot,
      streamHash: header.streamHash,
      epochHash: header.epochHash,
      dataRoot: header.dataRoot,
      locatorHash: header.locatorHash,
      observedUnixMs: header.observedUnixMs,
      recorded: header.witnesses,
      finalized: true,
      firstBlock: block,
      updatedBlock: block,
    })
    .onConflictDoUpdate({ recorded: header.witnesses, finalized: true, updatedBlock: block });
  // The stream's new head, its counts and (on its first slot) the stream itself: one upsert.
  const newSlot = existing === null ? 1 : 0;
  const head = {
    headObservationHash: header.observationHash,
    headContentHash: header.contentHash,
    headSequence: header.sequence,
    headObservedUnixMs: header.observedUnixMs,
    headBlockNumber: block,
    headBlockTimestamp: event.block.timestamp,
    updatedBlock: block,
  };
  await context.db
    .insert(schema.ledgerStream)
    .values({
      streamHash: header.streamHash,
      ...head,
      finalizedCount: 1,
      slotCount: newSlot,
      firstBlock: block,
    })
    .onConflictDoUpdate((row) => ({
      ...head,
      finalizedCount: row.finalizedCount + 1,
      slotCount: row.slotCount + newSlot,
    }));
  for (const witnessIndex of bitIndexes(header.witnesses)) {
    await context.db.insert(schema.finalizationWitness).values({
      observationHash: header.observationHash,
      witnessIndex,
      streamHash: header.streamHash,
      blockNumber: block,
    });
  }
}

on("EveryChannelObservationLedger:ObservationProposed", async ({ event, context }) => {
  const { contentHash: hash, streamHash, slot, content } = event.args;
  const block = event.block.number;
  const fields = {
    epochHash: content.epochHash,
    dataRoot: content.dataRoot,
    locatorHash: content.locatorHash,
    observedUnixMs: content.observedUnixMs,
  };
  await context.db
    .insert(schema.observationProposed)
    .values({ ...eventRow(event), contentHash: hash, streamHash, slot, ...fields });
  const existing = await context.db.find(schema.slot, { slot });
  await context.db
    .insert(schema.slot)
    .values({
      slot,
      streamHash,
      epochHash: content.epochHash,
      observedUnixMs: content.observedUnixMs,
      status: "open",
      attested: 0n,
      candidateCount: 1,
      firstBlock: block,
      updatedBlock: block,
    })
    .onConflictDoUpdate((row) => ({ candidateCount: row.candidateCount + 1, updatedBlock: block }));
  await context.db.insert(schema.candidate).values({
    contentHash: hash,
    slot,
    streamHash,
    ...fields,
    recorded: 0n,
    finalized: false,
    firstBlock: block,
    updatedBlock: block,
  });
  await touchStream(context, streamHash, block, existing === null);
});

on("EveryChannelObservationLedger:ObservationAttested", async ({ event, context }) => {
  const { contentHash: hash, witness } = event.args;
  const block = event.block.number;
  await context.db
    .insert(schema.observationAttested)
    .values({ ...eventRow(event), contentHash: hash, witness });
  const bit = await witnessBit(context, witness);
  const candidate = await context.db
    .update(schema.candidate, { contentHash: hash })
    .set((row) => ({ recorded: row.recorded | bit, updatedBlock: block }));
  await context.db
    .update(schema.slot, { slot: candidate.slot })
    .set((row) => ({ attested: row.attested | bit, updatedBlock: block }));
});

on("EveryChannelObservationLedger:ObservationFinalized", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(schema.observationFinalized).values({ ...eventRow(event), ...a });
  const candidate = await context.db.find(schema.candidate, { contentHash: a.contentHash });
  if (!candidate) throw new Error(`finalized content ${a.contentHash} was never proposed`);
  await finalize(context, event, {
    observationHash: a.observationHash,
    streamHash: a.streamHash,
    contentHash: a.contentHash,
    slot: candidate.slot,
    epochHash: candidate.epochHash,
    dataRoot: candidate.dataRoot,
    locatorHash: candidate.locatorHash,
    observedUnixMs: candidate.observedUnixMs,
    parentObservationHash: a.parentObservationHash,
    sequence: a.sequence,
    witnesses: a.witnesses,
  });
});

on("EveryChannelObservationLedger:ObservationProposedAndFinalized", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(schema.observationProposedAndFinalized)
    .values({ ...eventRow(event), ...a });
  const content = {
    streamHash: a.streamHash,
    epochHash: a.epochHash,
    dataRoot: a.dataRoot,
    locatorHash: a.locatorHash,
    observedUnixMs: a.observedUnixMs,
  };
  await finalize(context, event, {
    ...content,
    observationHash: a.observationHash,
    contentHash: contentHashOfCanonical(content),
    slot: observationSlotOfCanonical(a.streamHash, a.epochHash),
    parentObservationHash: a.parentObservationHash,
    sequence: a.sequence,
    witnesses: a.witnesses,
  });
});

on("EveryChannelObservationLedger:ReportAccepted", async ({ event, context }) => {
  const { streamHash, reportDigest, witnesses, firstSequence, finalized, skipped } = event.args;
  await context.db.insert(schema.reportAccepted).values({
    ...eventRow(event),
    streamHash,
    reportDigest,
    witnesses,
    firstSequence: BigInt(firstSequence),
    finalized,
    skipped,
  });
});

on("EveryChannelObservationLedger:EquivocationRecorded", async ({ event, context }) => {
  const { slot, witness, contentA, contentB } = event.args;
  await context.db
    .insert(schema.equivocationRecorded)
    .values({ ...eventRow(event), slot, witness, contentA, contentB });
  // While the slot is open the equivocator's bit keeps its later attestations from counting.
  const row = await context.db.find(schema.slot, { slot });
  if (row && row.status === "open") {
    const bit = await witnessBit(context, witness);
    await context.db
      .update(schema.slot, { slot })
      .set({ attested: row.attested | bit, updatedBlock: event.block.number });
  }
});

// ---------------------------------------------------------------------------------------------
// Rail
// ---------------------------------------------------------------------------------------------

on("EveryChannelRail:StreamClaimed", async ({ event, context }) => {
  const { streamId, publisher, key } = event.args;
  const json = toJson("StreamKey", key) as object;
  await context.db
    .insert(schema.streamClaimed)
    .values({ ...eventRow(event), streamId, publisher, key: json });
  await context.db.insert(schema.railStream).values({
    streamId,
    key: json,
    publisher,
    pendingPublisher: zeroAddress,
    manifestCount: 0,
    announcementCount: 0,
    claimedBlock: event.block.number,
    updatedBlock: event.block.number,
  });
});

on("EveryChannelRail:PublisherProposed", async ({ event, context }) => {
  const { streamId, publisher, pendingPublisher } = event.args;
  await context.db
    .insert(schema.publisherProposed)
    .values({ ...eventRow(event), streamId, publisher, pendingPublisher });
  await context.db
    .update(schema.railStream, { streamId })
    .set({ pendingPublisher, updatedBlock: event.block.number });
});

on("EveryChannelRail:PublisherRotated", async ({ event, context }) => {
  const { streamId, previousPublisher, newPublisher } = event.args;
  await context.db
    .insert(schema.publisherRotated)
    .values({ ...eventRow(event), streamId, previousPublisher, newPublisher });
  await context.db.update(schema.railStream, { streamId }).set({
    publisher: newPublisher,
    pendingPublisher: zeroAddress,
    updatedBlock: event.block.number,
  });
});

on("EveryChannelRail:ManifestPublished", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(schema.manifestPublished).values({ ...eventRow(event), ...a });
  const latest = {
    eventId: event.id,
    publisher: a.publisher,
    manifestBodyHash: a.manifestBodyHash,
    manifestEnvelopeHash: a.manifestEnvelopeHash,
    dataRoot: a.dataRoot,
    manifestId: a.manifestId,
    revision: a.revision,
    blockNumber: event.block.number,
  };
  await context.db
    .insert(schema.latestManifest)
    .values({ streamId: a.streamId, epochId: a.epochId, ...latest })
    .onConflictDoUpdate(latest);
  await context.db
    .update(schema.railStream, { streamId: a.streamId })
    .set((row) => ({ manifestCount: row.manifestCount + 1, updatedBlock: event.block.number }));
});

on("EveryChannelRail:AnnouncementPublished", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(schema.announcementPublished).values({ ...eventRow(event), ...a });
  const latest = {
    eventId: event.id,
    publisher: a.publisher,
    announcementHash: a.announcementHash,
    descriptorHash: a.descriptorHash,
    sequence: a.sequence,
    blockNumber: event.block.number,
  };
  await context.db
    .insert(schema.latestAnnouncement)
    .values({ streamId: a.streamId, ...latest })
    .onConflictDoUpdate(latest);
  await context.db.update(schema.railStream, { streamId: a.streamId }).set((row) => ({
    announcementCount: row.announcementCount + 1,
    updatedBlock: event.block.number,
  }));
});

on("EveryChannelRail:NonceUsed", async ({ event, context }) => {
  const { account, nonce } = event.args;
  await context.db.insert(schema.nonceUsed).values({ ...eventRow(event), account, nonce });
  await context.db
    .insert(schema.railNonce)
    .values({
      account: getAddress(account),
      nextNonce: nonce + 1n,
      blockNumber: event.block.number,
    })
    .onConflictDoUpdate({ nextNonce: nonce + 1n, blockNumber: event.block.number });
});

// ---------------------------------------------------------------------------------------------
// Bulk backfill
// ---------------------------------------------------------------------------------------------

// Before the first event: the finalized range below the contracts' start blocks, by the handlers
// above over an in-memory store, written in bulk (`bulk.ts`; nothing when the run has no range).
ponder.on("EveryChannelWitnessRegistry:setup", async ({ context }) => {
  await bulkBackfill(context, handlers);
});
