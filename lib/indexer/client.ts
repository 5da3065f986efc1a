/**
 * A client of the settlement indexer's API (`--indexer URL` of `ledger:status`, `rail:show` and
 * `registry:show`): every answer is checked against its schema in `lib/indexer/api.ts`, lists are
 * followed page by page, and the indexer must be indexing the contract the caller names.
 */
import { getAddress, zeroHash, type Address, type Hex } from "viem";
import { z } from "zod";

import { EveryChannelError, InvalidFieldError } from "../errors";
import type { LedgerStatus, OpenSlot, StreamStatus } from "../operator/ledger-status";
import {
  API_PREFIX,
  MAX_PAGE,
  announcementSchema,
  answerSchema,
  chainViewSchema,
  equivocationSchema,
  manifestSchema,
  railStreamSchema,
  registrySchema,
  slotSchema,
  statusSchema,
  streamSchema,
  type ChainView,
} from "./api";

export class IndexerClientError extends EveryChannelError {
  override name = "IndexerClientError";
}

/** `--indexer`: an http(s) URL without query or fragment. */
export function parseIndexerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidFieldError(
      "indexer",
      value,
      "expected an http(s) URL, e.g. http://127.0.0.1:42069",
    );
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.search !== "" ||
    url.hash !== ""
  )
    throw new InvalidFieldError(
      "indexer",
      value,
      "expected an http(s) URL without query or fragment",
    );
  return url.toString().replace(/\/$/, "");
}

export class IndexerClient {
  constructor(readonly url: string) {}

  /** One answer of `path` (under `/v1`). */
  async get<T extends z.ZodTypeAny>(
    path: string,
    data: T,
    query: Record<string, string> = {},
  ): Promise<{ chain: ChainView; data: z.output<T>; nextCursor?: string | null }> {
    const search = new URLSearchParams(query).toString();
    const target = `${this.url}${API_PREFIX}${path}${search === "" ? "" : `?${search}`}`;
    let response: Response;
    try {
      response = await fetch(target);
    } catch (cause) {
      throw new IndexerClientError(
        `indexer ${this.url} is unreachable (${String(cause)})`,
        {},
        { cause },
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new IndexerClientError(
        `indexer ${target}: HTTP ${response.status}, not JSON: ${text.slice(0, 80)}`,
      );
    }
    if (!response.ok)
      throw new IndexerClientError(
        `indexer ${target}: HTTP ${response.status}: ${(body as { error?: string }).error ?? text.slice(0, 80)}`,
      );
    const parsed = answerSchema(data).safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new IndexerClientError(
        `indexer ${target}: unexpected answer at ${issue.path.join(".")}: ${issue.message}`,
      );
    }
    return parsed.data as { chain: ChainView; data: z.output<T>; nextCursor?: string | null };
  }

  /** Every item of a paged list. */
  async all<T extends z.ZodTypeAny>(
    path: string,
    item: T,
    query: Record<string, string> = {},
  ): Promise<{ chain: ChainView; items: z.output<T>[] }> {
    const items: z.output<T>[] = [];
    let cursor: string | null | undefined;
    let chain: ChainView | undefined;
    do {
      const page = await this.get(path, z.array(item), {
        ...query,
        limit: String(MAX_PAGE),
        ...(cursor ? { cursor } : {}),
      });
      chain ??= page.chain;
      items.push(...(page.data as z.output<T>[]));
      cursor = page.nextCursor;
    } while (cursor);
    return { chain: chainViewSchema.parse(chain), items };
  }

  async status() {
    return await this.get("/status", statusSchema);
  }

  /** Refuses when the indexer does not index `address` as `contract`. */
  async expectContract(contract: string, address: Address): Promise<bigint> {
    const { data } = await this.status();
    const indexed = data.contracts[contract];
    if (indexed === undefined || getAddress(indexed.address) !== getAddress(address))
      throw new IndexerClientError(
        `indexer ${this.url} indexes ${contract} at ${indexed?.address ?? "nothing"}, not ${address}`,
      );
    return BigInt(indexed.startBlock);
  }
}

/** `ledger:status` answered by the indexer: the same shape as `readLedgerStatus` reads from logs. */
export async function readLedgerStatusFromIndexer(
  client: IndexerClient,
  ledger: Address,
): Promise<LedgerStatus & { finalizedBlock: bigint }> {
  const fromBlock = await client.expectContract("EveryChannelObservationLedger", ledger);
  const { chain, items: streams } = await client.all("/streams", streamSchema);
  const out: StreamStatus[] = [];
  for (const stream of streams) {
    // Only the slots not finalized: the answer grows with them, not with the chain.
    const { items: slots } = await client.all(`/streams/${stream.streamHash}/slots`, slotSchema, {
      status: "unfinalized",
    });
    const open: OpenSlot[] = slots.map((slot) => ({
      slot: slot.slot as Hex,
      observedUnixMs: BigInt(slot.observedUnixMs),
      candidates: slot.candidates.map((c) => ({
        contentHash: c.contentHash as Hex,
        witnesses: c.witnesses.map((w) => getAddress(w)),
        status: c.status,
        reachable: c.reachable,
      })),
      contested: slot.contested,
      outcome: slot.outcome as OpenSlot["outcome"],
    }));
    out.push({
      streamHash: stream.streamHash as Hex,
      head:
        stream.head === null
          ? { hash: zeroHash, sequence: 0n, observedUnixMs: 0n }
          : {
              hash: stream.head.observationHash as Hex,
              sequence: BigInt(stream.head.sequence),
              observedUnixMs: BigInt(stream.head.observedUnixMs),
            },
      finalized: stream.finalizedCount,
      open,
    });
  }
  const { items: equivocations } = await client.all("/equivocations", equivocationSchema);
  return {
    ledger: getAddress(ledger),
    fromBlock,
    toBlock: BigInt(chain.indexedBlock),
    finalizedBlock: BigInt(chain.finalizedBlock),
    streams: out,
    equivocations: equivocations.map((e) => ({
      slot: e.slot as Hex,
      witness: getAddress(e.witness),
      contentA: e.contentA as Hex,
      contentB: e.contentB as Hex,
    })),
  };
}

/** The rail as the indexer holds it: streams, latest pointers and their histories. */
export async function readRailFromIndexer(client: IndexerClient, rail: Address) {
  await client.expectContract("EveryChannelRail", rail);
  const { chain, items: streams } = await client.all("/rail/streams", railStreamSchema);
  const out = [];
  for (const stream of streams) {
    const base = `/rail/streams/${stream.streamId}`;
    const latestManifests = (await client.all(`${base}/manifests/latest`, manifestSchema)).items;
    const manifests = (await client.all(`${base}/manifests`, manifestSchema)).items;
    const announcements = (await client.all(`${base}/announcements`, announcementSchema)).items;
    out.push({
      ...stream,
      latestManifests,
      latestAnnouncement:
        announcements.length === 0 ? null : announcements[announcements.length - 1]!,
      manifests,
      announcements,
    });
  }
  return { chain, streams: out };
}

export async function readRegistryFromIndexer(client: IndexerClient, registry: Address) {
  await client.expectContract("EveryChannelWitnessRegistry", registry);
  return await client.get("/registry", registrySchema);
}
