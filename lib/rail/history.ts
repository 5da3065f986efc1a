/**
 * Rebuilding the rail's state and full history from its logs alone: publishers, pending publishers,
 * every manifest and announcement pointer ever published (with all commitments and who published
 * them), the latest pointers, and each account's next nonce. This is the indexer's view of
 * `docs/rail.md` "Events: the indexer's source".
 */
import { getAddress, parseEventLogs, zeroAddress, type Address, type Hex, type Log } from "viem";

import { InvalidFieldError } from "../errors";
import type { StreamKey } from "../types/abi";
import { railEventsAbi } from "./events";
import type { AnnouncementPointer, ManifestPointer } from "./typedData";

/** Where a log sits in the chain. */
export type LogPosition = { blockNumber: bigint; logIndex: number; transactionHash: Hex };

export type StreamRecord = { key: StreamKey; publisher: Address; pendingPublisher: Address };
export type ManifestRecord = ManifestPointer & LogPosition & { publisher: Address };
export type AnnouncementRecord = AnnouncementPointer & LogPosition & { publisher: Address };

export type RailHistory = {
  /** Every claimed stream, by stream id, as it stands after the last log. */
  streams: Map<Hex, StreamRecord>;
  /** Every manifest pointer published, in chain order. */
  manifests: ManifestRecord[];
  /** Every announcement pointer published, in chain order. */
  announcements: AnnouncementRecord[];
  /** The latest manifest pointer per `manifestKey(streamId, epochId)`. */
  latestManifests: Map<string, ManifestRecord>;
  /** The latest announcement pointer per stream id. */
  latestAnnouncements: Map<Hex, AnnouncementRecord>;
  /** The next unused nonce of every account that used one. */
  nonces: Map<Address, bigint>;
};

/** The key of `RailHistory.latestManifests`. */
export function manifestKey(streamId: Hex, epochId: bigint): string {
  return `${streamId.toLowerCase()}/${epochId}`;
}

/**
 * Replays the rail's logs (any order; they are sorted by block and log index) into its history.
 * Logs of other contracts or events must be filtered out by the caller (`getLogs({ address })`);
 * logs that do not decode as rail events are ignored.
 */
export function railHistoryFromLogs(logs: readonly Log[]): RailHistory {
  const history: RailHistory = {
    streams: new Map(),
    manifests: [],
    announcements: [],
    latestManifests: new Map(),
    latestAnnouncements: new Map(),
    nonces: new Map(),
  };
  const decoded = parseEventLogs({ abi: railEventsAbi, logs: [...logs] });
  const positioned = decoded.map((log) => {
    if (log.blockNumber === null || log.logIndex === null || log.transactionHash === null)
      throw new InvalidFieldError("log", log, "pending logs have no position; replay mined logs");
    return {
      log,
      position: {
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
      },
    };
  });
  positioned.sort((a, b) =>
    a.position.blockNumber === b.position.blockNumber
      ? a.position.logIndex - b.position.logIndex
      : a.position.blockNumber < b.position.blockNumber
        ? -1
        : 1,
  );
  const stream = (streamId: Hex): StreamRecord => {
    const record = history.streams.get(streamId);
    if (!record)
      throw new InvalidFieldError(
        "streamId",
        streamId,
        "event for a stream never claimed in the logs",
      );
    return record;
  };
  for (const { log, position } of positioned) {
    switch (log.eventName) {
      case "StreamClaimed":
        history.streams.set(log.args.streamId, {
          key: log.args.key,
          publisher: getAddress(log.args.publisher),
          pendingPublisher: zeroAddress,
        });
        break;
      case "PublisherProposed":
        stream(log.args.streamId).pendingPublisher = getAddress(log.args.pendingPublisher);
        break;
      case "PublisherRotated": {
        const record = stream(log.args.streamId);
        record.publisher = getAddress(log.args.newPublisher);
        record.pendingPublisher = zeroAddress;
        break;
      }
      case "ManifestPublished": {
        const record: ManifestRecord = {
          ...log.args,
          ...position,
          publisher: getAddress(log.args.publisher),
        };
        history.manifests.push(record);
        history.latestManifests.set(manifestKey(record.streamId, record.epochId), record);
        break;
      }
      case "AnnouncementPublished": {
        const record: AnnouncementRecord = {
          ...log.args,
          ...position,
          publisher: getAddress(log.args.publisher),
        };
        history.announcements.push(record);
        history.latestAnnouncements.set(record.streamId, record);
        break;
      }
      case "NonceUsed":
        history.nonces.set(getAddress(log.args.account), log.args.nonce + 1n);
        break;
    }
  }
  return history;
}
