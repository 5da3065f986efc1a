/**
 * The leader-election devnet: anvil as L1 on 127.0.0.1, the round-robin inbox and the inbox registry
 * deployed, and one batcher process per leader posting a synthetic channel-frame stream concurrently,
 * each following the chain with the reference derivation and posting only in its turn. The devnet
 * mines one L1 block per `blockTime`, kills one batcher (SIGKILL) part-way so that the liveness
 * fallback has to keep the inbox live, stops the others, rebuilds the frame stream from L1 with the
 * reference derivation and checks it: every frame once, in order, none missing; every full window
 * with an accepted post; all accepted posts of a block from one account.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { DEV_MNEMONIC } from "../deploy/network-definitions";
import { EveryChannelError } from "../errors";
import { startAnvil, type StartAnvilReturnType } from "../node/anvil";
import { LEADER_ELECTION_BATCHER_HASH } from "./batcher-hash";
import { contractRef, type LeaderArtifact } from "./contracts";
import { createL1BlockReader, deriveBatches, type L1Block } from "./derive";
import { childMessageSchema, type BatcherConfig, type ParentMessage } from "./devnet-protocol";
import type { LeaderDevnetOptions } from "./devnet-options";
import {
  checkFrameStream,
  describeFrameProblem,
  framesOf,
  syntheticFrameStream,
} from "./frame-stream";
import type { BatcherStats } from "./scheduler";

/** Chain id of the devnet's L1 (the OP Stack devnet's L1 uses 900). */
export const DEVNET_L1_CHAIN_ID = 900;

export interface LeaderDevnetArtifacts {
  readonly inbox: LeaderArtifact<"EveryChannelRoundRobinInbox">;
  readonly registry: LeaderArtifact<"EveryChannelInboxRegistry">;
}

export interface DevnetBatcherRow {
  readonly name: string;
  readonly address: Address;
  /** `ran`, `killed` (by the devnet) or `failed` (exited on its own). */
  readonly state: "ran" | "killed" | "failed";
  readonly stateDetail: string;
  /** Windows it was scheduled to lead and posted in. */
  readonly windowsLed: number;
  /** Windows of a silent leader it posted in through the fallback. */
  readonly takeovers: number;
  readonly framesPosted: number;
  readonly postsAccepted: number;
  /** Its reverted inbox transactions, which the derivation dropped. */
  readonly revertedFiltered: number;
  /** What the process reported when it stopped (absent when killed). */
  readonly selfReported?: BatcherStats;
}

export interface LeaderDevnetReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly options: LeaderDevnetOptions;
  readonly chainId: number;
  readonly inbox: Address;
  readonly registry: Address;
  /** Block the inbox was deployed in: window 0 starts here. */
  readonly origin: bigint;
  /** First and last block of the run (after setup). */
  readonly firstBlock: bigint;
  readonly lastBlock: bigint;
  readonly wallSeconds: number;
  /** Distinct frames rebuilt from L1. */
  readonly frames: number;
  readonly framesPerSecond: number;
  readonly blocksWithPosts: number;
  readonly windowsChecked: number;
  readonly killed: { readonly batcher: string; readonly afterBlock: bigint } | null;
  readonly batchers: readonly DevnetBatcherRow[];
  /** Gas of accepted posts (receipts' gasUsed), and their calldata size. */
  readonly posts: {
    readonly accepted: number;
    readonly meanGasUsed: number;
    readonly calldataBytes: number;
  };
  /**
   * The reference derivation (batches, then frames) over the run's L1 blocks, already fetched: its
   * time and rate, apart from fetching and from checking the frames' synthetic content.
   */
  readonly derivation: {
    readonly blocks: number;
    readonly milliseconds: number;
    readonly framesPerSecond: number;
  };
}

/** The devnet found a missing, duplicated or out-of-order frame, a dead window, or a failed batcher. */
export class LeaderDevnetFailedError extends EveryChannelError {
  override name = "LeaderDevnetFailedError";
  readonly report: LeaderDevnetReport;

  constructor(report: LeaderDevnetReport) {
    super(
      `leader:devnet: ${report.problems.length} problem(s):\n${report.problems.map((p) => `  ${p}`).join("\n")}`,
      { problems: report.problems.length },
    );
    this.report = report;
  }
}

interface BatcherProcess {
  readonly name: string;
  readonly address: Address;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stats?: BatcherStats;
  failure?: string;
  killedAfter?: bigint;
  output: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function devKey(index: number): Hex {
  const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new EveryChannelError(`dev account ${index}: no private key`);
  return toHex(key);
}

function startBatcher(
  name: string,
  root: string,
  events: boolean,
  log: (line: string) => void,
): BatcherProcess {
  const child = fork(require.resolve("./batcher-process"), [], {
    cwd: root,
    execArgv: ["--require", "ts-node/register/transpile-only"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  const proc: BatcherProcess = {
    name,
    address: "0x0000000000000000000000000000000000000000",
    child,
    ready,
    exited: new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        rejectReady(
          new EveryChannelError(
            `${name}: exited (${signal ?? code}) before it was ready: ${proc.output.trim().slice(-500)}`,
          ),
        );
        resolve({ code, signal });
      }),
    ),
    output: "",
  };
  const capture = (chunk: Buffer) => {
    proc.output = (proc.output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);
  child.on("message", (raw: unknown) => {
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      proc.failure = `${name}: unreadable message from the batcher process`;
      return;
    }
    const message = parsed.data;
    if (message.type === "ready") {
      (proc as { address: Address }).address = getAddress(message.address);
      resolveReady();
    } else if (message.type === "event") {
      if (events) log(message.line);
    } else if (message.type === "done") proc.stats = message.stats;
    else proc.failure = `${name}: ${message.message}`;
  });
  return proc;
}

function sendTo(proc: BatcherProcess, message: ParentMessage): void {
  if (proc.child.connected) proc.child.send(message);
}

/** Runs the devnet and returns its report; `log` receives progress lines. */
export async function runLeaderDevnet(parameters: {
  readonly options: LeaderDevnetOptions;
  /** Project root: where the batcher processes find the compiled artifacts. */
  readonly root: string;
  readonly artifacts: LeaderDevnetArtifacts;
  readonly log: (line: string) => void;
}): Promise<LeaderDevnetReport> {
  const { options, root, artifacts, log } = parameters;
  let node: StartAnvilReturnType | undefined;
  const processes: BatcherProcess[] = [];
  try {
    node = await startAnvil({ chainId: DEVNET_L1_CHAIN_ID, accounts: options.batchers + 1 });
    log(`anvil (pid ${node.pid}) on ${node.url}, chain ${DEVNET_L1_CHAIN_ID}`);
    const chain = defineChain({
      id: DEVNET_L1_CHAIN_ID,
      name: "devnet L1",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [node.url] } },
    });
    const transport = http(node.url, { retryCount: 0 });
    const client = createPublicClient({
      chain,
      transport,
      cacheTime: 0,
      pollingInterval: 20,
    }) as PublicClient;
    const governance = createWalletClient({
      account: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 }),
      chain,
      transport,
    });
    const testClient = createTestClient({ mode: "anvil", chain, transport });

    const keys = Array.from({ length: options.batchers }, (_, i) => devKey(i + 1));
    const leaders = keys.map(
      (_, i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i + 1 }).address,
    );
    const inboxHash = await governance.deployContract({
      abi: artifacts.inbox.abi,
      bytecode: artifacts.inbox.bytecode,
      args: [governance.account.address, leaders, BigInt(options.window), BigInt(options.silence)],
    });
    const inboxReceipt = await client.waitForTransactionReceipt({ hash: inboxHash });
    const inboxAddress = getAddress(inboxReceipt.contractAddress!);
    const origin = inboxReceipt.blockNumber;
    const registryHash = await governance.deployContract({
      abi: artifacts.registry.abi,
      bytecode: artifacts.registry.bytecode,
      args: [governance.account.address, inboxAddress],
    });
    const registryAddress = getAddress(
      (await client.waitForTransactionReceipt({ hash: registryHash })).contractAddress!,
    );
    const inbox = contractRef(inboxAddress, artifacts.inbox);
    const registry = contractRef(registryAddress, artifacts.registry);
    log(
      `inbox ${inboxAddress} (window ${options.window} blocks, fallback after ${options.silence} silent), registry ${registryAddress}`,
    );

    // Batchers start on a mined-on-demand chain, so that they all see the first block of the run.
    await testClient.setAutomine(false);
    const stream = {
      seed: options.seed,
      framesPerChannel: options.framesPerChannel,
      frameSize: options.frameSize,
    };
    for (let i = 0; i < options.batchers; i++) {
      const proc = startBatcher(`batcher ${i + 1}`, root, options.events, log);
      processes.push(proc);
      const config: BatcherConfig = {
        name: proc.name,
        rpcUrl: node.url,
        chainId: DEVNET_L1_CHAIN_ID,
        privateKey: keys[i]!,
        inbox: inboxAddress,
        registry: registryAddress,
        batcherHash: LEADER_ELECTION_BATCHER_HASH,
        fromBlock: origin,
        root,
        stream,
        framesPerPost: options.framesPerPost,
        pollIntervalMs: Math.max(5, Math.min(25, Math.floor(options.blockTime / 10))),
        outOfTurnEvery: options.outOfTurnEvery,
      };
      sendTo(proc, { type: "start", config });
    }
    const readyTimeout = sleep(120_000).then(() => {
      throw new EveryChannelError(
        "leader:devnet: the batcher processes were not ready within 120 s",
      );
    });
    await Promise.race([Promise.all(processes.map((p) => p.ready)), readyTimeout]);
    log(
      `${processes.length} batcher processes ready (${processes.map((p) => `${p.name} pid ${p.child.pid}`).join(", ")})`,
    );

    const firstBlock = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
    const victim = options.kill > 0 ? processes[options.kill - 1] : undefined;
    const started = Date.now();
    let mined = 0;
    for (let i = 1; i <= options.blocks; i++) {
      const wait = started + i * options.blockTime - Date.now();
      if (wait > 0) await sleep(wait);
      await testClient.mine({ blocks: 1 });
      mined = i;
      if (victim !== undefined && i === options.killAt) {
        victim.killedAfter = firstBlock + BigInt(i) - 1n;
        victim.child.kill("SIGKILL");
        log(`killed ${victim.name} (pid ${victim.child.pid}) after L1 block ${victim.killedAfter}`);
      }
      const failed = processes.find((p) => p !== victim && p.child.exitCode !== null);
      if (failed !== undefined) {
        log(`${failed.name} exited on its own (code ${failed.child.exitCode}); stopping the run`);
        break;
      }
      if (i % Math.max(1, Math.floor(options.blocks / 10)) === 0)
        log(`mined ${i}/${options.blocks} blocks`);
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const lastBlock = firstBlock + BigInt(mined) - 1n;

    for (const proc of processes) sendTo(proc, { type: "stop" });
    await Promise.race([
      Promise.all(processes.map((p) => p.exited)),
      sleep(20_000).then(() => {
        for (const p of processes)
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      }),
    ]);
    await Promise.all(processes.map((p) => p.exited));

    // Rebuild the frame stream from L1.
    const reader = createL1BlockReader(client);
    const blocks: L1Block[] = [];
    for (let n = origin; n <= lastBlock; n++) blocks.push(await reader.read(n));
    const derivationStarted = process.hrtime.bigint();
    const derived = deriveBatches(
      {
        batcherHash: LEADER_ELECTION_BATCHER_HASH,
        inbox: inboxAddress,
        registry,
        keepReverted: options.keepReverted,
      },
      blocks,
    );
    const frameList = framesOf(derived.batches);
    const derivationMs = Number(process.hrtime.bigint() - derivationStarted) / 1e6;
    const frameStream = syntheticFrameStream(stream);
    const check = checkFrameStream(frameStream, frameList.frames);

    const problems: string[] = check.problems.map(describeFrameProblem);
    for (const u of frameList.unparsable)
      problems.push(`batch ${u.batch} (${derived.batches[u.batch]!.txHash}): ${u.reason}`);

    // Scheduled leaders per window, from the inbox itself.
    const leaderOfWindow = new Map<bigint, Address>();
    const W = BigInt(options.window);
    const windowOf = (block: bigint) => (block - origin) / W;
    const scheduledLeader = async (window: bigint): Promise<Address> => {
      let leader = leaderOfWindow.get(window);
      if (leader === undefined) {
        leader = getAddress(
          await client.readContract({
            ...inbox,
            functionName: "leaderAt",
            args: [origin + window * W],
          }),
        );
        leaderOfWindow.set(window, leader);
      }
      return leader;
    };
    const nameOf = (address: Address) =>
      processes.find((p) => p.address === address)?.name ?? address;

    const byBlock = new Map<bigint, Set<Address>>();
    const byWindow = new Map<bigint, number>();
    const led = new Map<Address, Set<bigint>>();
    const tookOver = new Map<Address, Set<bigint>>();
    const accepted = new Map<Address, number>();
    for (const batch of derived.batches) {
      if (!byBlock.has(batch.l1Block)) byBlock.set(batch.l1Block, new Set());
      byBlock.get(batch.l1Block)!.add(batch.sender);
      const window = windowOf(batch.l1Block);
      byWindow.set(window, (byWindow.get(window) ?? 0) + 1);
      const role = (await scheduledLeader(window)) === batch.sender ? led : tookOver;
      if (!role.has(batch.sender)) role.set(batch.sender, new Set());
      role.get(batch.sender)!.add(window);
      accepted.set(batch.sender, (accepted.get(batch.sender) ?? 0) + 1);
    }
    for (const [block, senders] of byBlock)
      if (senders.size > 1)
        problems.push(
          `L1 block ${block}: accepted posts from ${senders.size} accounts (${[...senders].map(nameOf).join(", ")})`,
        );
    let windowsChecked = 0;
    for (let w = windowOf(firstBlock - 1n) + 1n; origin + (w + 1n) * W - 1n <= lastBlock; w++) {
      windowsChecked += 1;
      if ((byWindow.get(w) ?? 0) === 0)
        problems.push(
          `window ${w} (L1 blocks ${origin + w * W}-${origin + (w + 1n) * W - 1n}, leader ${nameOf(await scheduledLeader(w))}): no accepted post, the inbox was not live`,
        );
    }
    const framesBySender = new Map<Address, number>();
    for (const { frame, batch } of frameList.frames) {
      if (frameStream.indexOf(frame) === undefined) continue;
      const sender = derived.batches[batch]!.sender;
      framesBySender.set(sender, (framesBySender.get(sender) ?? 0) + 1);
    }
    const rows: DevnetBatcherRow[] = processes.map((p) => {
      const state: DevnetBatcherRow["state"] =
        p.killedAfter !== undefined
          ? "killed"
          : p.failure !== undefined || p.stats === undefined
            ? "failed"
            : "ran";
      if (state === "failed")
        problems.push(
          p.failure ?? `${p.name}: stopped without reporting (${p.output.trim().slice(-300)})`,
        );
      if (p.stats !== undefined && p.stats.outOfTurnAccepted > 0)
        problems.push(
          `${p.name}: the inbox accepted ${p.stats.outOfTurnAccepted} out-of-turn probe(s)`,
        );
      return {
        name: p.name,
        address: p.address,
        state,
        stateDetail:
          state === "killed"
            ? `killed after block ${p.killedAfter}`
            : state === "ran"
              ? `ran to block ${lastBlock}`
              : "failed",
        windowsLed: led.get(p.address)?.size ?? 0,
        takeovers: tookOver.get(p.address)?.size ?? 0,
        framesPosted: framesBySender.get(p.address) ?? 0,
        postsAccepted: accepted.get(p.address) ?? 0,
        revertedFiltered: derived.dropped.filter(
          (d) => d.sender === p.address && d.reason === "reverted",
        ).length,
        ...(p.stats === undefined ? {} : { selfReported: p.stats }),
      };
    });

    const acceptedReceipts = blocks.flatMap((b) =>
      b.receipts.filter(
        (r) => r.to !== null && getAddress(r.to) === inboxAddress && r.status === "success",
      ),
    );
    const calldata = derived.batches.reduce((n, b) => n + (b.data.length - 2) / 2, 0);
    const report: LeaderDevnetReport = {
      ok: problems.length === 0,
      problems,
      options,
      chainId: DEVNET_L1_CHAIN_ID,
      inbox: inboxAddress,
      registry: registryAddress,
      origin,
      firstBlock,
      lastBlock,
      wallSeconds,
      frames: check.frames,
      framesPerSecond: check.frames / wallSeconds,
      blocksWithPosts: byBlock.size,
      windowsChecked,
      killed:
        victim?.killedAfter === undefined
          ? null
          : { batcher: victim.name, afterBlock: victim.killedAfter },
      batchers: rows,
      posts: {
        accepted: acceptedReceipts.length,
        meanGasUsed:
          acceptedReceipts.length === 0
            ? 0
            : Number(acceptedReceipts.reduce((n, r) => n + r.gasUsed, 0n)) /
              acceptedReceipts.length,
        calldataBytes: derived.batches.length === 0 ? 0 : calldata / derived.batches.length,
      },
      derivation: {
        blocks: blocks.length,
        milliseconds: derivationMs,
        framesPerSecond: derivationMs === 0 ? 0 : frameList.frames.length / (derivationMs / 1000),
      },
    };
    if (options.json !== undefined) writeDevnetReport(options.json, report);
    return report;
  } finally {
    for (const p of processes)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
    if (node !== undefined) {
      await node.stop();
      log(`stopped anvil (pid ${node.pid})`);
    }
  }
}

/** The table printed by `leader:devnet`: one row per batcher, then the stream's figures. */
export function formatDevnetTable(report: LeaderDevnetReport): string {
  const header = [
    "batcher",
    "address",
    "windows led",
    "takeovers",
    "frames posted",
    "posts accepted",
    "reverted attempts filtered",
    "state",
  ];
  const rows = report.batchers.map((b) => [
    b.name,
    b.address,
    String(b.windowsLed),
    String(b.takeovers),
    String(b.framesPosted),
    String(b.postsAccepted),
    String(b.revertedFiltered),
    b.stateDetail,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) =>
        c < 2 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join("  ")
      .trimEnd();
  const o = report.options;
  return [
    `leader:devnet: ${o.batchers} batchers, L1 blocks ${report.firstBlock}-${report.lastBlock} (${o.blockTime} ms each), window ${o.window}, fallback after ${o.silence} silent blocks, ${o.framesPerPost} frames of ${o.frameSize} bytes per post`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    `frames rebuilt from L1: ${report.frames} in order (${report.framesPerSecond.toFixed(1)} frames/s over ${report.wallSeconds.toFixed(1)} s); posts in ${report.blocksWithPosts} of ${report.lastBlock - report.firstBlock + 1n} blocks; ${report.windowsChecked} full windows checked`,
    `mean gas per accepted post: ${Math.round(report.posts.meanGasUsed)} (${Math.round(report.posts.calldataBytes)} calldata bytes); reference derivation: ${Math.round(report.derivation.framesPerSecond)} frames/s`,
    report.ok
      ? "stream OK: no frame missing, duplicated or out of order"
      : `FAILED:\n${report.problems.map((p) => `  ${p}`).join("\n")}`,
  ].join("\n");
}

/** The report as JSON (bigints as decimal strings). */
export function devnetReportJson(report: LeaderDevnetReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

export function writeDevnetReport(file: string, report: LeaderDevnetReport): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, devnetReportJson(report));
}
