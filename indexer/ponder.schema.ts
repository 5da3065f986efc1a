/**
 * The settlement indexer's tables. Two kinds:
 *
 * - one table per contract event (`<event_name>`), a row per log with its arguments and its place
 *   in the chain (`eventColumns`): the archive, and what a new event needs (one table here, one
 *   handler in `src/index.ts`);
 * - state tables derived from them that answer the API's questions directly: the witness set and
 *   quorum, each ledger stream's head, its finalized chain, slots with their candidates and
 *   attestations, the witnesses each finalization counted, the rail's streams and their latest
 *   pointers, and the registry's history.
 *
 * Every row keeps the block that last wrote it, so that an answer can say whether it is final
 * (at or below the chain's `finalized` block). Ponder reverts every table on a reorg.
 */
import { index, onchainTable, primaryKey, type PgColumnsBuilders } from "ponder";

/** Where a log sits: `id` is Ponder's event checkpoint, unique and sorting in chain order. */
const eventColumns = (t: PgColumnsBuilders) => ({
  id: t.text().primaryKey(),
  blockNumber: t.bigint().notNull(),
  blockHash: t.hex().notNull(),
  blockTimestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
  logIndex: t.integer().notNull(),
});

// ---------------------------------------------------------------------------------------------
// Events of EveryChannelWitnessRegistry
// ---------------------------------------------------------------------------------------------

export const witnessAdded = onchainTable("witness_added", (t) => ({
  ...eventColumns(t),
  witness: t.hex().notNull(),
  index: t.integer().notNull(),
}));

export const witnessRemoved = onchainTable("witness_removed", (t) => ({
  ...eventColumns(t),
  witness: t.hex().notNull(),
  index: t.integer().notNull(),
}));

export const witnessRotated = onchainTable("witness_rotated", (t) => ({
  ...eventColumns(t),
  previousKey: t.hex().notNull(),
  newKey: t.hex().notNull(),
  index: t.integer().notNull(),
}));

export const quorumChanged = onchainTable("quorum_changed", (t) => ({
  ...eventColumns(t),
  previousQuorum: t.integer().notNull(),
  newQuorum: t.integer().notNull(),
}));

export const ownershipTransferStarted = onchainTable("ownership_transfer_started", (t) => ({
  ...eventColumns(t),
  previousOwner: t.hex().notNull(),
  newOwner: t.hex().notNull(),
}));

export const ownershipTransferred = onchainTable("ownership_transferred", (t) => ({
  ...eventColumns(t),
  previousOwner: t.hex().notNull(),
  newOwner: t.hex().notNull(),
}));

// ---------------------------------------------------------------------------------------------
// Events of EveryChannelObservationLedger
// ---------------------------------------------------------------------------------------------

export const observationProposed = onchainTable(
  "observation_proposed",
  (t) => ({
    ...eventColumns(t),
    contentHash: t.hex().notNull(),
    streamHash: t.hex().notNull(),
    slot: t.hex().notNull(),
    epochHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    locatorHash: t.hex().notNull(),
    observedUnixMs: t.bigint().notNull(),
  }),
  (table) => ({ contentIndex: index().on(table.contentHash) }),
);

export const observationAttested = onchainTable(
  "observation_attested",
  (t) => ({ ...eventColumns(t), contentHash: t.hex().notNull(), witness: t.hex().notNull() }),
  (table) => ({ contentIndex: index().on(table.contentHash) }),
);

export const observationFinalized = onchainTable("observation_finalized", (t) => ({
  ...eventColumns(t),
  observationHash: t.hex().notNull(),
  streamHash: t.hex().notNull(),
  contentHash: t.hex().notNull(),
  parentObservationHash: t.hex().notNull(),
  sequence: t.bigint().notNull(),
  witnesses: t.bigint().notNull(),
}));

export const observationProposedAndFinalized = onchainTable(
  "observation_proposed_and_finalized",
  (t) => ({
    ...eventColumns(t),
    observationHash: t.hex().notNull(),
    streamHash: t.hex().notNull(),
    epochHash: t.hex().notNull(),
    parentObservationHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    locatorHash: t.hex().notNull(),
    observedUnixMs: t.bigint().notNull(),
    sequence: t.bigint().notNull(),
    witnesses: t.bigint().notNull(),
  }),
);

/** A co-signed report accepted by `submitReport` (its entries' finalizations are their own rows). */
export const reportAccepted = onchainTable(
  "report_accepted",
  (t) => ({
    ...eventColumns(t),
    streamHash: t.hex().notNull(),
    reportDigest: t.hex().notNull(),
    witnesses: t.bigint().notNull(),
    firstSequence: t.bigint().notNull(),
    finalized: t.bigint().notNull(),
    skipped: t.bigint().notNull(),
  }),
  (table) => ({ streamIndex: index().on(table.streamHash) }),
);

export const equivocationRecorded = onchainTable(
  "equivocation_recorded",
  (t) => ({
    ...eventColumns(t),
    slot: t.hex().notNull(),
    witness: t.hex().notNull(),
    contentA: t.hex().notNull(),
    contentB: t.hex().notNull(),
  }),
  (table) => ({ witnessIndex: index().on(table.witness), slotIndex: index().on(table.slot) }),
);

// ---------------------------------------------------------------------------------------------
// Events of EveryChannelRail
// ---------------------------------------------------------------------------------------------

export const streamClaimed = onchainTable("stream_claimed", (t) => ({
  ...eventColumns(t),
  streamId: t.hex().notNull(),
  publisher: t.hex().notNull(),
  /** The full `StreamKey` (JSON form, uint64 as decimal strings). */
  key: t.json().notNull(),
}));

export const publisherProposed = onchainTable("publisher_proposed", (t) => ({
  ...eventColumns(t),
  streamId: t.hex().notNull(),
  publisher: t.hex().notNull(),
  pendingPublisher: t.hex().notNull(),
}));

export const publisherRotated = onchainTable("publisher_rotated", (t) => ({
  ...eventColumns(t),
  streamId: t.hex().notNull(),
  previousPublisher: t.hex().notNull(),
  newPublisher: t.hex().notNull(),
}));

export const manifestPublished = onchainTable(
  "manifest_published",
  (t) => ({
    ...eventColumns(t),
    streamId: t.hex().notNull(),
    epochId: t.bigint().notNull(),
    publisher: t.hex().notNull(),
    manifestBodyHash: t.hex().notNull(),
    manifestEnvelopeHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    manifestId: t.hex().notNull(),
    revision: t.bigint().notNull(),
  }),
  (table) => ({ streamIndex: index().on(table.streamId, table.epochId) }),
);

export const announcementPublished = onchainTable(
  "announcement_published",
  (t) => ({
    ...eventColumns(t),
    streamId: t.hex().notNull(),
    publisher: t.hex().notNull(),
    announcementHash: t.hex().notNull(),
    descriptorHash: t.hex().notNull(),
    sequence: t.bigint().notNull(),
  }),
  (table) => ({ streamIndex: index().on(table.streamId) }),
);

export const nonceUsed = onchainTable("nonce_used", (t) => ({
  ...eventColumns(t),
  account: t.hex().notNull(),
  nonce: t.bigint().notNull(),
}));

// ---------------------------------------------------------------------------------------------
// Derived state
// ---------------------------------------------------------------------------------------------

/** Every key that ever was a witness; a rotated-away key keeps its index and is inactive. */
export const witness = onchainTable("witness", (t) => ({
  address: t.hex().primaryKey(),
  index: t.integer().notNull(),
  active: t.boolean().notNull(),
  /** The key that replaced this one (`WitnessRotated`), if any. */
  rotatedTo: t.hex(),
  addedBlock: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** The registry as it stands: one row, `id` 0. */
export const registryState = onchainTable("registry_state", (t) => ({
  id: t.integer().primaryKey(),
  owner: t.hex().notNull(),
  pendingOwner: t.hex().notNull(),
  quorum: t.integer().notNull(),
  /** Bitmap of the active witnesses by registry index. */
  active: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** The registry's events in chain order, one shape (`kind` is the event name). */
export const registryHistory = onchainTable("registry_history", (t) => ({
  ...eventColumns(t),
  kind: t.text().notNull(),
  account: t.hex(),
  previousAccount: t.hex(),
  index: t.integer(),
  previousQuorum: t.integer(),
  quorum: t.integer(),
}));

/** A ledger stream: its finalized head and counters. */
export const ledgerStream = onchainTable("ledger_stream", (t) => ({
  streamHash: t.hex().primaryKey(),
  headObservationHash: t.hex(),
  headContentHash: t.hex(),
  headSequence: t.bigint(),
  headObservedUnixMs: t.bigint(),
  headBlockNumber: t.bigint(),
  headBlockTimestamp: t.bigint(),
  finalizedCount: t.integer().notNull(),
  slotCount: t.integer().notNull(),
  firstBlock: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** A finalized observation: one link of its stream's chain. */
export const observation = onchainTable(
  "observation",
  (t) => ({
    observationHash: t.hex().primaryKey(),
    streamHash: t.hex().notNull(),
    sequence: t.bigint().notNull(),
    parentObservationHash: t.hex().notNull(),
    contentHash: t.hex().notNull(),
    slot: t.hex().notNull(),
    epochHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    locatorHash: t.hex().notNull(),
    observedUnixMs: t.bigint().notNull(),
    witnesses: t.bigint().notNull(),
    witnessCount: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    blockTimestamp: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ chainIndex: index().on(table.streamHash, table.sequence) }),
);

/** A slot (stream, epoch): open until one content finalizes in it. */
export const slot = onchainTable(
  "slot",
  (t) => ({
    slot: t.hex().primaryKey(),
    streamHash: t.hex().notNull(),
    epochHash: t.hex().notNull(),
    observedUnixMs: t.bigint().notNull(),
    /** `open` or `finalized`; `expired` is derived against the stream's head. */
    status: t.text().notNull(),
    /** Registry-index bitmap of witnesses with an attestation (or equivocation) recorded while open. */
    attested: t.bigint().notNull(),
    candidateCount: t.integer().notNull(),
    finalizedContentHash: t.hex(),
    finalizedObservationHash: t.hex(),
    firstBlock: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({
    streamIndex: index().on(table.streamHash, table.observedUnixMs),
    // A stream's slots not finalized: what its counts and `ledger:status` read.
    streamStatusIndex: index().on(table.streamHash, table.status),
  }),
);

/** A content proposed in a slot, with the witnesses recorded on it. */
export const candidate = onchainTable(
  "candidate",
  (t) => ({
    contentHash: t.hex().primaryKey(),
    slot: t.hex().notNull(),
    streamHash: t.hex().notNull(),
    epochHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    locatorHash: t.hex().notNull(),
    observedUnixMs: t.bigint().notNull(),
    /** Registry-index bitmap of the recorded attestations (the finalization's, once finalized). */
    recorded: t.bigint().notNull(),
    finalized: t.boolean().notNull(),
    firstBlock: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({ slotIndex: index().on(table.slot) }),
);

/** One witness counted by one finalization: witness participation. */
export const finalizationWitness = onchainTable(
  "finalization_witness",
  (t) => ({
    observationHash: t.hex().notNull(),
    witnessIndex: t.integer().notNull(),
    streamHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.observationHash, table.witnessIndex] }),
    witnessIndex: index().on(table.witnessIndex),
  }),
);

/** A rail stream: its key, publisher and pending publisher. */
export const railStream = onchainTable("rail_stream", (t) => ({
  streamId: t.hex().primaryKey(),
  key: t.json().notNull(),
  publisher: t.hex().notNull(),
  pendingPublisher: t.hex().notNull(),
  manifestCount: t.integer().notNull(),
  announcementCount: t.integer().notNull(),
  claimedBlock: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** The latest manifest pointer per (stream, epoch): the rail's `manifestPointer` view. */
export const latestManifest = onchainTable(
  "latest_manifest",
  (t) => ({
    streamId: t.hex().notNull(),
    epochId: t.bigint().notNull(),
    eventId: t.text().notNull(),
    publisher: t.hex().notNull(),
    manifestBodyHash: t.hex().notNull(),
    manifestEnvelopeHash: t.hex().notNull(),
    dataRoot: t.hex().notNull(),
    manifestId: t.hex().notNull(),
    revision: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.streamId, table.epochId] }) }),
);

/** The latest transport announcement per stream: the rail's `announcementPointer` view. */
export const latestAnnouncement = onchainTable("latest_announcement", (t) => ({
  streamId: t.hex().primaryKey(),
  eventId: t.text().notNull(),
  publisher: t.hex().notNull(),
  announcementHash: t.hex().notNull(),
  descriptorHash: t.hex().notNull(),
  sequence: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));

/** Each account's next unused rail nonce. */
export const railNonce = onchainTable("rail_nonce", (t) => ({
  account: t.hex().primaryKey(),
  nextNonce: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));
