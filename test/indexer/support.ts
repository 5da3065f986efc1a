/**
 * The indexer suites' chain and traffic: anvil on 127.0.0.1 with the contracts deployed by
 * `npx hardhat --network anvil deploy` (real hardhat-deploy records), a driver that sends every kind
 * of registry, ledger and rail transaction, indexers started on PGlite or PostgreSQL, and a
 * snapshot of every API answer to compare indexes with each other and with the contracts' views.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";
import { INDEXED_CONTRACTS, type IndexedContract } from "../../lib/indexer/config";
import {
  buildIndexerConfig,
  startIndexer,
  waitUntilReady,
  type BackfillMode,
  type IndexerDeployment,
  type RunningIndexer,
} from "../../lib/indexer/run";
import { reportOf, signReport } from "../../lib/ledger/report";
import { packReport } from "../../lib/ledger/reportCalldata";
import { signObservation } from "../../lib/ledger/typedData";
import { freePort, startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import type { LedgerAbi, RailAbi, RegistryAbi } from "../../lib/operator/contracts";
import type { ObservationContent } from "../../lib/types/abi";
import { contentAt, streamOf } from "../ledger/fixture";
import { sampleStreamKey, streamIdOf, word } from "../rail/support";
import { HARDHAT, ROOT } from "../support/operator-processes";

export const CHAIN_ID = 31337;
const foundry = defineChain({
  id: CHAIN_ID,
  name: "anvil",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});
export const account = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i });

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("HARDHAT_") && !k.startsWith("ECP_") && k !== "DATABASE_URL") base[k] = v;
  return { ...base, ...env };
}

/**
 * Starts `npx hardhat --network anvil indexer:run ...` as an operator does, on `chain`'s
 * deployment records; PostgreSQL when `databaseUrl` is given.
 */
export async function indexerRunTask(
  chain: DeployedChain,
  args: string[],
  databaseUrl?: string,
): Promise<StartedIndexer> {
  const port = await freePort();
  const env = childEnv({ ...chain.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const child = spawn(
    HARDHAT,
    [
      "--network",
      "anvil",
      "indexer:run",
      "--listen",
      `127.0.0.1:${port}`,
      "--poll",
      "100",
      ...args,
    ],
    { cwd: ROOT, env },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
    dataDir: "",
    output: () => output,
  };
}

/** Runs `npx hardhat <args>` with `env`, resolving with its status and output. */
export function hardhat(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(HARDHAT, args, { cwd: ROOT, env: childEnv(env) });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

export interface DeployedChain {
  node: StartAnvilReturnType;
  dir: string;
  env: Record<string, string>;
  deployments: Record<IndexedContract, IndexerDeployment>;
  client: PublicClient;
  stop(): Promise<void>;
}

/** anvil with the three contracts deployed through the project's deploy scripts. */
export async function deployedChain(): Promise<DeployedChain> {
  const node = await startAnvil({ chainId: CHAIN_ID });
  const dir = await mkdtemp(path.join(tmpdir(), "ecp-indexer-"));
  const env = { ANVIL_RPC_URL: node.url, ECP_DEPLOYMENTS_DIR: path.join(dir, "deployments") };
  const deployed = await hardhat(["--network", "anvil", "deploy"], env);
  if (deployed.code !== 0) throw new Error(`deploy failed: ${deployed.output}`);
  const deployments = {} as Record<IndexedContract, IndexerDeployment>;
  for (const name of INDEXED_CONTRACTS) {
    const record = JSON.parse(
      await readFile(path.join(dir, "deployments", "anvil", `${name}.json`), "utf8"),
    ) as { address: string; receipt: { blockNumber: number } };
    deployments[name] = { address: record.address, blockNumber: record.receipt.blockNumber };
  }
  // No cache: the tests read the block number right after each change of the chain.
  const client = createPublicClient({ chain: foundry, transport: http(node.url), cacheTime: 0 });
  return {
    node,
    dir,
    env,
    deployments,
    client: client as PublicClient,
    stop: async () => {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const abis = {
  registry: hre.artifacts.readArtifactSync("EveryChannelWitnessRegistry").abi as RegistryAbi,
  ledger: hre.artifacts.readArtifactSync("EveryChannelObservationLedger").abi as LedgerAbi,
  rail: hre.artifacts.readArtifactSync("EveryChannelRail").abi as RailAbi,
};

/** Dev accounts of the `anvil` network: owner 1, relayer 2, publisher 3, witnesses 4-6. */
export const OWNER = 1;
export const RELAYER = 2;
export const PUBLISHER = 3;
export const WITNESSES = [4, 5, 6];

/**
 * Sends the traffic of the suites. Every call of `round(r)` adds, on streams distinct per `tag`
 * (so that two branches of a reorg differ): finalizations by transaction and by relayed
 * signatures (`ObservationFinalized` and `ObservationProposedAndFinalized`), a contested slot, a
 * slot that expires, an equivocation, a run finalized by a co-signed report (`ReportAccepted`),
 * and rail claims, manifests (two revisions), announcements, a nonce and a publisher rotation.
 * `registryChanges` changes the quorum and rotates a witness.
 */
export class Traffic {
  constructor(private readonly chain: DeployedChain) {}

  private get addresses() {
    const d = this.chain.deployments;
    return {
      registry: d.EveryChannelWitnessRegistry.address as Address,
      ledger: d.EveryChannelObservationLedger.address as Address,
      rail: d.EveryChannelRail.address as Address,
    };
  }

  private wallet(i: number) {
    return createWalletClient({
      account: account(i),
      chain: foundry,
      transport: http(this.chain.node.url),
    });
  }

  private async send(hash: Promise<Hex>): Promise<void> {
    const receipt = await this.chain.client.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success")
      throw new Error(`transaction ${receipt.transactionHash} reverted`);
  }

  async attest(witness: number, content: ObservationContent): Promise<void> {
    await this.send(
      this.wallet(witness).writeContract({
        address: this.addresses.ledger,
        abi: abis.ledger,
        functionName: "attest",
        args: [content],
      }),
    );
  }

  /** The ledger's EIP-712 domain. */
  private get domain() {
    return {
      name: "EveryChannelObservationLedger",
      version: "2",
      chainId: BigInt(CHAIN_ID),
      verifyingContract: this.addresses.ledger,
    } as const;
  }

  async relay(items: { content: ObservationContent; witnesses: number[] }[]): Promise<void> {
    const domain = this.domain;
    const signed = [];
    for (const item of items) {
      const signatures = [];
      for (const w of item.witnesses)
        signatures.push({
          witness: account(w).address,
          signature: await signObservation(account(w), domain, item.content),
        });
      signed.push({ content: item.content, signatures });
    }
    await this.send(
      this.wallet(RELAYER).writeContract({
        address: this.addresses.ledger,
        abi: abis.ledger,
        functionName: "submitSignedAttestations",
        args: [signed],
      }),
    );
  }

  /** Finalizes `contents` (one stream's run, in order) by one report co-signed by `witnesses`. */
  async report(contents: ObservationContent[], witnesses: number[]): Promise<void> {
    const report = reportOf(contents);
    const signatures = await Promise.all(
      witnesses.map((w) => signReport(account(w), this.domain, report)),
    );
    await this.send(
      this.wallet(RELAYER).writeContract({
        address: this.addresses.ledger,
        abi: abis.ledger,
        functionName: "submitReport",
        args: packReport(report, signatures),
      }),
    );
  }

  /** The witnesses currently able to attest (dev indexes). */
  witnesses = [...WITNESSES];

  async round(r: number, tag = 0): Promise<void> {
    const [a, b, c] = this.witnesses as [number, number, number];
    const stream = streamOf(1000 * tag + 2 * r);
    const other = streamOf(1000 * tag + 2 * r + 1);
    // Epochs 0-2 finalize by transaction (proposed, attested, finalized).
    for (const epoch of [0n, 1n, 2n]) {
      await this.attest(a, contentAt(stream, epoch));
      await this.attest(b, contentAt(stream, epoch));
    }
    // Epoch 3 is contested (two contents, one attestation each).
    await this.attest(a, contentAt(stream, 3n, 0));
    await this.attest(b, contentAt(stream, 3n, 1));
    // Epochs 5-6 of the other stream finalize by relayed signatures (proposed and finalized at once).
    await this.relay([
      { content: contentAt(other, 5n), witnesses: [a, b] },
      { content: contentAt(other, 6n), witnesses: [b, c] },
    ]);
    // Epoch 7 of the other stream stays open with one attestation.
    await this.attest(c, contentAt(other, 7n, 0));
    // An equivocation: witness c attests a second content of the slot it attested.
    await this.attest(c, contentAt(other, 7n, 1));
    // Expiry: epoch 8 of the first stream finalizes past the contested epoch 3.
    await this.attest(a, contentAt(stream, 8n));
    await this.attest(c, contentAt(stream, 8n));
    // Epochs 9-11 of the first stream finalize by one co-signed report (`ReportAccepted`).
    await this.report(
      [9n, 10n, 11n].map((epoch) => contentAt(stream, epoch)),
      [a, b, c],
    );
    await this.railRound(1000 * tag + r);
  }

  async railRound(n: number): Promise<void> {
    const rail = this.addresses.rail;
    const publisher = this.wallet(PUBLISHER);
    const key = sampleStreamKey(n);
    const streamId = streamIdOf(key);
    await this.send(
      publisher.writeContract({
        address: rail,
        abi: abis.rail,
        functionName: "claimStream",
        args: [key],
      }),
    );
    for (const [epochId, revision] of [
      [1n, 1n],
      [2n, 1n],
      [1n, 2n],
    ] as const) {
      await this.send(
        publisher.writeContract({
          address: rail,
          abi: abis.rail,
          functionName: "publishManifest",
          args: [
            {
              streamId,
              epochId,
              manifestBodyHash: word(`body-${n}-${epochId}-${revision}`),
              manifestEnvelopeHash: word(`envelope-${n}-${epochId}-${revision}`),
              dataRoot: word(`root-${n}-${epochId}-${revision}`),
              manifestId: word(`id-${n}-${epochId}-${revision}`),
              revision,
            },
          ],
        }),
      );
    }
    await this.send(
      publisher.writeContract({
        address: rail,
        abi: abis.rail,
        functionName: "publishAnnouncement",
        args: [
          {
            streamId,
            announcementHash: word(`announcement-${n}`),
            descriptorHash: word(`descriptor-${n}`),
            sequence: 1n,
          },
        ],
      }),
    );
    await this.send(
      publisher.writeContract({ address: rail, abi: abis.rail, functionName: "cancelNonce" }),
    );
    const next = account(10 + (n % 5));
    await this.send(
      publisher.writeContract({
        address: rail,
        abi: abis.rail,
        functionName: "proposePublisher",
        args: [streamId, next.address],
      }),
    );
    await this.send(
      this.wallet(10 + (n % 5)).writeContract({
        address: rail,
        abi: abis.rail,
        functionName: "acceptPublisher",
        args: [streamId],
      }),
    );
  }

  /** Quorum 3, a fourth witness (dev 7), then its key rotated to dev 8; quorum back to 2 of 3. */
  async registryChanges(): Promise<void> {
    const registry = this.addresses.registry;
    const owner = this.wallet(OWNER);
    const call = (
      functionName: "setQuorum" | "addWitness" | "rotateWitness" | "removeWitness",
      args: readonly unknown[],
    ) =>
      this.send(
        owner.writeContract({
          address: registry,
          abi: abis.registry,
          functionName,
          args: args as never,
        }),
      );
    await call("setQuorum", [3n]);
    await call("addWitness", [account(7).address]);
    await call("rotateWitness", [account(7).address, account(8).address]);
    await call("removeWitness", [account(WITNESSES[0]!).address]);
    await call("setQuorum", [2n]);
    this.witnesses = [WITNESSES[1]!, WITNESSES[2]!, 8];
  }
}

export interface StartedIndexer extends RunningIndexer {
  dataDir: string;
  output(): string;
}

/** Starts an indexer on `chain` (PGlite in `dataDir`, or PostgreSQL at `databaseUrl`). */
export async function indexerOn(
  chain: DeployedChain,
  options: {
    dataDir: string;
    databaseUrl?: string;
    schema?: string;
    pollingIntervalMs?: number;
    rpcUrl?: string;
    ethGetLogsBlockRange?: number;
    heapMiB?: number;
    backfill?: BackfillMode;
    bulkStateRows?: number;
  },
): Promise<StartedIndexer> {
  const port = await freePort();
  const indexer = await startIndexer({
    config: buildIndexerConfig({
      network: "anvil",
      chainId: CHAIN_ID,
      rpcUrl: options.rpcUrl ?? chain.node.url,
      deployments: chain.deployments,
      ethGetLogsBlockRange: options.ethGetLogsBlockRange,
      bulkStateRows: options.bulkStateRows,
      databaseUrl: options.databaseUrl,
      dataDir: options.dataDir,
      pollingIntervalMs: options.pollingIntervalMs ?? 100,
    }),
    dataDir: options.dataDir,
    listen: { host: "127.0.0.1", port },
    schema: options.schema ?? "every_channel",
    databaseUrl: options.databaseUrl,
    output: "pipe",
    logLevel: process.env.ECP_INDEXER_LOG === "info" ? "info" : "warn",
    ...(options.heapMiB === undefined ? {} : { heapMiB: options.heapMiB }),
    ...(options.backfill === undefined ? {} : { backfill: options.backfill }),
  });
  let output = "";
  indexer.child.stdout?.on(
    "data",
    (d: Buffer) => (output = (output + d.toString()).slice(-20_000)),
  );
  indexer.child.stderr?.on(
    "data",
    (d: Buffer) => (output = (output + d.toString()).slice(-20_000)),
  );
  if (process.env.ECP_INDEXER_LOG === "info") {
    indexer.child.stdout?.pipe(process.stderr);
    indexer.child.stderr?.pipe(process.stderr);
  }
  return { ...indexer, dataDir: options.dataDir, output: () => output };
}

/**
 * Mines `count` empty blocks: traffic then lies beyond Ponder's 30-block realtime window and is
 * indexed by the backfill, in batches, instead of block by block.
 */
export async function mine(chain: DeployedChain, count: number): Promise<void> {
  await chain.client.request({
    method: "anvil_mine" as never,
    params: [`0x${count.toString(16)}`, "0x0"] as never,
  });
}

/** Drops the indexer's schema and Ponder's RPC cache: the PostgreSQL database of a fresh start. */
export async function dropDatabase(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET lock_timeout = '10s'");
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS ponder_sync CASCADE`);
  } finally {
    await client.end();
  }
}

/** Every item of the answers with a `blockNumber` and a `finalized` mark, anywhere in `value`. */
export function marked(value: unknown, out: { blockNumber: string; finalized: boolean }[] = []) {
  if (Array.isArray(value)) for (const v of value) marked(v, out);
  else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.blockNumber === "string" && typeof o.finalized === "boolean")
      out.push({ blockNumber: o.blockNumber, finalized: o.finalized });
    for (const v of Object.values(o)) marked(v, out);
  }
  return out;
}

/** GET `/v1<path>` as JSON (throws on a status other than `expect`). */
export async function api(url: string, p: string, expect = 200): Promise<any> {
  const response = await fetch(`${url}/v1${p}`);
  const body = await response.json();
  if (response.status !== expect)
    throw new Error(`GET ${p}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Waits until the indexer is ready and has indexed the chain's latest block. */
export async function caughtUp(
  indexer: StartedIndexer,
  client: PublicClient,
  timeoutMs = 60_000,
): Promise<void> {
  await waitUntilReady(indexer, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}\n${indexer.output()}`);
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const latest = await client.getBlockNumber();
    const status = await api(indexer.url, "/status");
    if (BigInt(status.chain.indexedBlock) >= latest) return;
    if (Date.now() > deadline)
      throw new Error(
        `indexer stuck at ${status.chain.indexedBlock} < ${latest}\n${indexer.output()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every answer of the API over the whole index, `chain` left out: equal indexes answer equally. */
export async function snapshot(url: string, limit = 4): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  // Small pages: the cursors are exercised on every list.
  const all = async (p: string): Promise<unknown[]> => {
    const items: unknown[] = [];
    let cursor: string | null = null;
    do {
      const sep = p.includes("?") ? "&" : "?";
      const body = await api(url, `${p}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      items.push(...(body.data as unknown[]));
      cursor = body.nextCursor;
    } while (cursor);
    out[p] = items;
    return items;
  };
  const status = await api(url, "/status");
  out["/status"] = status.data;
  for (const stream of (await all("/streams")) as { streamHash: string }[]) {
    await all(`/streams/${stream.streamHash}/chain`);
    await all(`/streams/${stream.streamHash}/chain?order=desc`);
    for (const slot of (await all(`/streams/${stream.streamHash}/slots`)) as { slot: string }[])
      out[`/slots/${slot.slot}`] = (await api(url, `/slots/${slot.slot}`)).data;
  }
  await all("/equivocations");
  out["/witnesses"] = (await api(url, "/witnesses")).data;
  out["/registry"] = (await api(url, "/registry")).data;
  await all("/registry/history");
  for (const stream of (await all("/rail/streams")) as {
    streamId: string;
    announcementCount: number;
  }[]) {
    await all(`/rail/streams/${stream.streamId}/manifests`);
    await all(`/rail/streams/${stream.streamId}/manifests/latest`);
    await all(`/rail/streams/${stream.streamId}/announcements`);
    const latest = `/rail/streams/${stream.streamId}/announcements/latest`;
    out[latest] = (await api(url, latest, stream.announcementCount > 0 ? 200 : 404)).data ?? null;
  }
  for (const table of [
    "witness_added",
    "witness_removed",
    "witness_rotated",
    "quorum_changed",
    "ownership_transfer_started",
    "ownership_transferred",
    "observation_proposed",
    "observation_attested",
    "observation_finalized",
    "observation_proposed_and_finalized",
    "equivocation_recorded",
    "report_accepted",
    "stream_claimed",
    "publisher_proposed",
    "publisher_rotated",
    "manifest_published",
    "announcement_published",
    "nonce_used",
  ])
    await all(`/events/${table}`);
  return out;
}

export { getAddress };
