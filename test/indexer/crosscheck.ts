/**
 * Checks every head, slot, candidate, registry value and rail pointer the indexer answers against
 * the contracts' own views, at the chain's latest block.
 */
import { expect } from "chai";
import { getAddress, type Address, type Hex } from "viem";

import { abis, api, type DeployedChain } from "./support";

const CANDIDATE = ["unknown", "open", "finalized", "superseded", "expired"];
const SLOT = ["empty", "open", "finalized"];

async function all(url: string, p: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = p.includes("?") ? "&" : "?";
    const body = await api(url, `${p}${sep}limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
    items.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

/** Returns how many values were compared. */
export async function crossCheck(url: string, chain: DeployedChain): Promise<number> {
  const client = chain.client;
  const ledger = chain.deployments.EveryChannelObservationLedger.address as Address;
  const registry = chain.deployments.EveryChannelWitnessRegistry.address as Address;
  const rail = chain.deployments.EveryChannelRail.address as Address;
  const read = (address: Address, abi: any, functionName: string, args: unknown[] = []) =>
    client.readContract({ address, abi, functionName, args }) as Promise<any>;
  let compared = 0;
  let reportFinalized = 0;
  // Slots finalized by a co-signed report keep no slot word (docs/ledger.md, "No per-slot word"):
  // there `slotStatus` says Empty (or Open) and `candidateStatus` Expired, while the events, and
  // so the indexer, say finalized. Their observations: those a report's transaction finalized.
  const reportTransactions = new Set(
    (
      await client.getContractEvents({
        address: ledger,
        abi: abis.ledger,
        eventName: "ReportAccepted",
        fromBlock: 0n,
      })
    ).map((log) => log.transactionHash),
  );
  const byReport = new Set(
    (
      await client.getContractEvents({
        address: ledger,
        abi: abis.ledger,
        eventName: "ObservationProposedAndFinalized",
        fromBlock: 0n,
      })
    )
      .filter((log) => reportTransactions.has(log.transactionHash))
      .map((log) => (log.args as { observationHash: Hex }).observationHash),
  );
  const streams = await all(url, "/streams");
  expect(streams.length).to.be.greaterThan(0);
  for (const stream of streams) {
    const [hash, sequence, observed] = await read(ledger, abis.ledger, "finalizedHead", [
      stream.streamHash,
    ]);
    expect(stream.head?.observationHash ?? `0x${"0".repeat(64)}`).to.equal(hash);
    expect(stream.head?.sequence ?? "0").to.equal(String(sequence));
    expect(stream.head?.observedUnixMs ?? "0").to.equal(String(observed));
    compared += 3;
    // The finalized chain links from sequence 0 to the head.
    const links = await all(url, `/streams/${stream.streamHash}/chain`);
    expect(links.length).to.equal(stream.finalizedCount);
    links.forEach((link, i) => {
      expect(link.sequence).to.equal(String(i));
      expect(link.parentObservationHash).to.equal(
        i === 0 ? `0x${"0".repeat(64)}` : links[i - 1].observationHash,
      );
    });
    if (links.length > 0) expect(links[links.length - 1].observationHash).to.equal(hash);
    // The stream's slot counts (its counters and the unfinalized slots counted against the head)
    // equal its slot lists: every slot, each filter, the finalized as the ledger says below.
    const listed = await all(url, `/streams/${stream.streamHash}/slots`);
    const filtered = async (status: string) =>
      (await all(url, `/streams/${stream.streamHash}/slots?status=${status}`)).length;
    expect(stream.slots, stream.streamHash).to.deep.equal({
      total: listed.length,
      finalized: listed.filter((slot) => slot.outcome === "finalized").length,
      open: await filtered("open"),
      contested: await filtered("contested"),
      expired: await filtered("expired"),
    });
    compared += 5;
    for (const slot of listed) {
      const [status, finalizedContent] = await read(ledger, abis.ledger, "slotStatus", [slot.slot]);
      const reported = byReport.has(slot.finalizedObservationHash);
      if (reported) {
        expect(slot.outcome, slot.slot).to.equal("finalized");
        expect(SLOT[Number(status)], slot.slot).to.not.equal("finalized");
        reportFinalized += 1;
      } else {
        expect(SLOT[Number(status)], slot.slot).to.equal(
          slot.outcome === "finalized" ? "finalized" : "open",
        );
        if (slot.outcome === "finalized")
          expect(slot.finalizedContentHash).to.equal(finalizedContent);
      }
      compared += 1;
      for (const candidate of slot.candidates) {
        const content = {
          streamHash: slot.streamHash as Hex,
          epochHash: slot.epochHash as Hex,
          dataRoot: candidate.dataRoot as Hex,
          locatorHash: candidate.locatorHash as Hex,
          observedUnixMs: BigInt(slot.observedUnixMs),
        };
        const [cStatus, attestations, quorum, reachable] = await read(
          ledger,
          abis.ledger,
          "candidateStatus",
          [content],
        );
        expect(candidate.status, candidate.contentHash).to.equal(
          reported && CANDIDATE[Number(cStatus)] === "expired"
            ? candidate.contentHash === slot.finalizedContentHash
              ? "finalized"
              : "superseded"
            : CANDIDATE[Number(cStatus)],
        );
        expect(candidate.attestations, candidate.contentHash).to.equal(Number(attestations));
        expect(candidate.reachable, candidate.contentHash).to.equal(reachable);
        expect(slot.quorum).to.equal(Number(quorum));
        if (candidate.status !== "finalized") {
          const witnesses = await read(ledger, abis.ledger, "attestationsOf", [
            candidate.contentHash,
          ]);
          expect(candidate.witnesses).to.deep.equal(witnesses.map((w: string) => getAddress(w)));
        }
        compared += 5;
      }
    }
  }
  const state = (await api(url, "/registry")).data;
  expect(state.owner).to.equal(await read(registry, abis.registry, "owner"));
  expect(state.quorum).to.equal(Number(await read(registry, abis.registry, "quorum")));
  expect(state.witnesses).to.deep.equal(await read(registry, abis.registry, "witnesses"));
  compared += 3;
  // Every key the registry ever had: active exactly when the registry says so, at its index.
  const keys = (await api(url, "/witnesses")).data as {
    address: Address;
    index: number;
    active: boolean;
  }[];
  expect(keys.length).to.be.greaterThan(state.witnesses.length);
  for (const key of keys) {
    const active = (await read(registry, abis.registry, "isWitness", [key.address])) as boolean;
    expect(key.active, `${key.address} active`).to.equal(active);
    if (active)
      expect(key.index, `${key.address} index`).to.equal(
        Number(await read(registry, abis.registry, "witnessIndex", [key.address])),
      );
    compared += 1;
  }
  const railStreams = await all(url, "/rail/streams");
  expect(railStreams.length).to.be.greaterThan(0);
  for (const stream of railStreams) {
    expect(stream.publisher).to.equal(
      await read(rail, abis.rail, "publisherOf", [stream.streamId]),
    );
    expect(stream.pendingPublisher).to.equal(
      await read(rail, abis.rail, "pendingPublisherOf", [stream.streamId]),
    );
    for (const pointer of await all(url, `/rail/streams/${stream.streamId}/manifests/latest`)) {
      const stored = await read(rail, abis.rail, "latestManifest", [
        stream.streamId,
        BigInt(pointer.epochId),
      ]);
      expect(pointer.manifestBodyHash).to.equal(stored.manifestBodyHash);
      expect(pointer.revision).to.equal(String(stored.revision));
      compared += 2;
    }
    const stored = await read(rail, abis.rail, "latestAnnouncement", [stream.streamId]);
    if (stream.announcementCount === 0) {
      expect(Number(stored.sequence)).to.equal(0);
      continue;
    }
    const announcement = (await api(url, `/rail/streams/${stream.streamId}/announcements/latest`))
      .data;
    expect(announcement.announcementHash).to.equal(stored.announcementHash);
    expect(announcement.sequence).to.equal(String(stored.sequence));
    compared += 4;
  }
  for (const nonce of await all(url, "/events/nonce_used")) {
    expect(BigInt(nonce.nonce) + 1n <= (await read(rail, abis.rail, "nonces", [nonce.account]))).to
      .be.true;
    compared += 1;
  }
  // Every observation a report finalized is a finalized slot of the index.
  expect(reportFinalized).to.equal(byReport.size);
  return compared;
}
