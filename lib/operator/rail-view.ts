/**
 * `rail:show`: each claimed stream of the rail with its publisher, pending publisher, latest
 * manifest pointer per epoch and latest announcement, rebuilt from the rail's logs
 * (`railHistoryFromLogs`) or answered by the settlement indexer (`--indexer`): the same shape.
 */
import { getAddress, type Address, type Hex, type PublicClient } from "viem";

import { IndexerClient, readRailFromIndexer } from "../indexer/client";
import { railHistoryFromLogs } from "../rail/history";
import { readLogs } from "../rpc/logs";

export interface RailView {
  rail: Address;
  /** Last block the answer covers. */
  toBlock: bigint;
  streams: {
    streamId: Hex;
    publisher: Address;
    pendingPublisher: Address;
    manifests: number;
    announcements: number;
    latestManifests: { epochId: bigint; manifestBodyHash: Hex; revision: bigint }[];
    latestAnnouncement: { announcementHash: Hex; sequence: bigint } | null;
  }[];
}

export interface ReadRailViewParameters {
  client: PublicClient;
  rail: Address;
  fromBlock: bigint;
  /** Blocks per `eth_getLogs` request (default 10,000). */
  blockRange?: bigint;
}

export async function readRailViewFromLogs(parameters: ReadRailViewParameters): Promise<RailView> {
  const { client, rail, fromBlock } = parameters;
  const toBlock = await client.getBlockNumber({ cacheTime: 0 });
  const logs = await readLogs({
    publicClient: client,
    address: rail,
    fromBlock,
    toBlock,
    blockRange: parameters.blockRange,
  });
  const history = railHistoryFromLogs(logs);
  const streams = [...history.streams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([streamId, record]) => {
      const own = (s: Hex) => s.toLowerCase() === streamId.toLowerCase();
      const latest = [...history.latestManifests.values()]
        .filter((m) => own(m.streamId))
        .sort((a, b) => (a.epochId < b.epochId ? -1 : 1));
      const announcement = history.latestAnnouncements.get(streamId);
      return {
        streamId: streamId.toLowerCase() as Hex,
        publisher: record.publisher,
        pendingPublisher: record.pendingPublisher,
        manifests: history.manifests.filter((m) => own(m.streamId)).length,
        announcements: history.announcements.filter((a) => own(a.streamId)).length,
        latestManifests: latest.map((m) => ({
          epochId: m.epochId,
          manifestBodyHash: m.manifestBodyHash,
          revision: m.revision,
        })),
        latestAnnouncement:
          announcement === undefined
            ? null
            : { announcementHash: announcement.announcementHash, sequence: announcement.sequence },
      };
    });
  return { rail: getAddress(rail), toBlock, streams };
}

export async function readRailViewFromIndexer(url: string, rail: Address): Promise<RailView> {
  const answer = await readRailFromIndexer(new IndexerClient(url), rail);
  return {
    rail: getAddress(rail),
    toBlock: BigInt(answer.chain.indexedBlock),
    streams: answer.streams.map((s) => ({
      streamId: s.streamId as Hex,
      publisher: getAddress(s.publisher),
      pendingPublisher: getAddress(s.pendingPublisher),
      manifests: s.manifestCount,
      announcements: s.announcementCount,
      latestManifests: s.latestManifests.map((m) => ({
        epochId: BigInt(m.epochId),
        manifestBodyHash: m.manifestBodyHash as Hex,
        revision: BigInt(m.revision),
      })),
      latestAnnouncement:
        s.latestAnnouncement === null
          ? null
          : {
              announcementHash: s.latestAnnouncement.announcementHash as Hex,
              sequence: BigInt(s.latestAnnouncement.sequence),
            },
    })),
  };
}

export function formatRailView(view: RailView): string[] {
  const lines = [`rail ${view.rail} (up to block ${view.toBlock})`];
  if (view.streams.length === 0) lines.push("  no stream claimed yet");
  for (const s of view.streams) {
    lines.push(
      `  stream ${s.streamId}: publisher ${s.publisher}${s.pendingPublisher === "0x0000000000000000000000000000000000000000" ? "" : ` (pending ${s.pendingPublisher})`}; ${s.manifests} manifest pointers, ${s.announcements} announcements`,
    );
    for (const m of s.latestManifests)
      lines.push(`    epoch ${m.epochId}: manifest ${m.manifestBodyHash} (revision ${m.revision})`);
    if (s.latestAnnouncement !== null)
      lines.push(
        `    announcement ${s.latestAnnouncement.announcementHash} (sequence ${s.latestAnnouncement.sequence})`,
      );
  }
  return lines;
}
