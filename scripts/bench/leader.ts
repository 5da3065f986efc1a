/**
 * `npx hardhat run scripts/bench/leader.ts`: the leader-election inbox's figures. On the in-process
 * Hardhat network (EVM prague): L1 gas of a batch transaction to the round-robin inbox against the
 * same transaction to an address inbox (today's OP Stack), by batch size, a plain transfer, the
 * inbox's execution gas and the batch size from which the calldata floor (EIP-7623) absorbs it. On
 * anvil: `leader:devnet` with its defaults (3 batchers, 200 blocks), for frames per second. Prints
 * the figures, writes `reports/leader.json` and the "Leader-election inbox" section of
 * `reports/BENCH.md` (between its markers; the rest of the file is left as it is).
 * `LEADER_BENCH_BLOCKS` shortens the devnet run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";

import hre from "hardhat";
import { getAddress, keccak256, toHex, type Hex } from "viem";

import { runLeaderDevnet, type LeaderDevnetReport } from "../../lib/leader/devnet";
import { parseLeaderDevnetOptions } from "../../lib/leader/devnet-options";
import { calldataGasWithFloor, intrinsicGas } from "../../lib/leader/gas";

const ROOT = path.join(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "reports");
const BEGIN = "<!-- leader-election:begin -->";
const END = "<!-- leader-election:end -->";
/** Batch sizes: a tiny batch, two in between, and op-batcher's default largest (`MaxL1TxSize`). */
const SIZES = [100, 1_000, 10_000, 120_000];

function log(line: string): void {
  process.stdout.write(`[bench:leader ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** `length` bytes: the derivation version byte 0, then xorshift bytes (compressed data is about as dense). */
function batch(length: number, seed: number): Hex {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 1; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return toHex(bytes);
}

function gitCommit(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  const dirty = git("status", "--porcelain", "--", ".", ":(exclude)reports") !== "";
  return `${git("rev-parse", "--short", "HEAD")}${dirty ? "-dirty" : ""}`;
}

interface GasRow {
  bytes: number;
  addressInbox: number;
  inbox: number;
  floorBinds: boolean;
}

interface LeaderBench {
  measuredAt: string;
  commit: string;
  command: string;
  durationMs: number;
  machine: string;
  loadAverage: [number, number];
  gas: {
    rows: GasRow[];
    plainTransfer: number;
    /** The inbox's execution in a leader's batch transaction (gas used minus base and calldata cost). */
    inboxExecution: number;
    /** Smallest batch (of these dense bytes) whose calldata floor covers the inbox's execution. */
    breakEvenBytes: number;
  };
  devnet: Omit<LeaderDevnetReport, "options"> & { options: Record<string, unknown> };
}

async function measureGas(): Promise<LeaderBench["gas"]> {
  const [owner, leader] = await hre.viem.getWalletClients();
  const publicClient = await hre.viem.getPublicClient();
  const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
    owner!.account.address,
    [leader!.account.address],
    100n,
    1n,
  ]);
  const addressInbox = getAddress(keccak256(toHex("address batch inbox")).slice(0, 42));
  const send = async (to: Hex, data: Hex, value = 0n) => {
    const hash = await leader!.sendTransaction({ to, data, value });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success")
      throw new Error(`bench: a batch transaction to ${to} reverted`);
    return Number(receipt.gasUsed);
  };
  // The leader's first post stores its block; every measured post is a later block's (steady state).
  await send(inbox.address, "0x");
  const rows: GasRow[] = [];
  for (const bytes of SIZES) {
    const data = batch(bytes, bytes);
    const { standard, floor } = calldataGasWithFloor(data);
    rows.push({
      bytes,
      addressInbox: await send(addressInbox, data),
      inbox: await send(inbox.address, data),
      floorBinds: floor > standard,
    });
    log(
      `${bytes} bytes: address inbox ${rows.at(-1)!.addressInbox}, round-robin inbox ${rows.at(-1)!.inbox}`,
    );
  }
  const small = batch(SIZES[0]!, SIZES[0]!);
  const inboxExecution = rows[0]!.inbox - 21_000 - Number(calldataGasWithFloor(small).standard);
  // Smallest size at which base + floor >= base + calldata + execution, checked by two transactions.
  let breakEvenBytes = 1;
  for (; breakEvenBytes < 100_000; breakEvenBytes++) {
    const { standard, floor } = calldataGasWithFloor(batch(breakEvenBytes, 99));
    if (floor >= standard + BigInt(inboxExecution)) break;
  }
  const at = batch(breakEvenBytes, 99);
  const below = batch(breakEvenBytes - 1, 99);
  const [atInbox, atAddress] = [await send(inbox.address, at), await send(addressInbox, at)];
  const [belowInbox, belowAddress] = [
    await send(inbox.address, below),
    await send(addressInbox, below),
  ];
  if (atInbox !== atAddress || belowInbox <= belowAddress || BigInt(atAddress) !== intrinsicGas(at))
    throw new Error(
      `bench: break-even check failed at ${breakEvenBytes} bytes (${atInbox} vs ${atAddress}; below: ${belowInbox} vs ${belowAddress})`,
    );
  const plainTransfer = await send(addressInbox, "0x", 1n);
  log(
    `plain transfer ${plainTransfer}; inbox execution ${inboxExecution}; floor covers it from ${breakEvenBytes} bytes`,
  );
  return { rows, plainTransfer, inboxExecution, breakEvenBytes };
}

const n = (v: number) => Math.round(v).toLocaleString("en-US");

function section(run: LeaderBench): string {
  const d = run.devnet;
  const o = d.options;
  const lines = [
    BEGIN,
    "## Leader-election inbox (L1)",
    "",
    `Measured ${run.measuredAt.slice(0, 16).replace("T", " ")} UTC at \`${run.commit}\` with \`${run.command}\` in ${(run.durationMs / 60_000).toFixed(1)} min on ${run.machine} (1-min load ${run.loadAverage[0].toFixed(1)} / ${run.loadAverage[1].toFixed(1)}); raw figures in [\`leader.json\`](leader.json). See \`docs/leader-election.md\`.`,
    "",
    "L1 gas of one batch transaction (receipt `gasUsed`, in-process Hardhat network, EVM `prague`) from the window's leader, to the round-robin inbox contract and, as op-batcher posts today, to an address inbox (where nothing executes). Batches are the derivation version byte and dense pseudo-random bytes, as compressed channel data is.",
    "",
    "| batch bytes | address inbox | round-robin inbox | difference | binding cost |",
    "|---:|---:|---:|---:|---|",
    ...run.gas.rows.map(
      (r) =>
        `| ${n(r.bytes)} | ${n(r.addressInbox)} | ${n(r.inbox)} | ${r.inbox === r.addressInbox ? "0" : `+${n(r.inbox - r.addressInbox)} (${((100 * (r.inbox - r.addressInbox)) / r.addressInbox).toFixed(1)} %)`} | ${r.inbox === r.addressInbox ? "calldata floor (EIP-7623) for both" : r.floorBinds ? "floor for the address inbox; calldata + execution for the contract" : "calldata + execution"} |`,
    ),
    "",
    `A plain transfer costs ${n(run.gas.plainTransfer)}. The inbox's \`fallback\` executes ${n(run.gas.inboxExecution)} gas in a leader's post (two storage reads, one write of the post's block, one event) whatever the batch's size (pinned in \`test/gas/leader.snap.json\`); under Prague's calldata floor (10 gas per calldata token against 4/16 per byte) that execution is free from ${n(run.gas.breakEvenBytes)} batch bytes on, checked by two transactions on each side of that size. Real batches are far larger (op-batcher fills transactions up to 120,000 bytes, or blobs, whose calldata is empty), so the inbox contract costs the same L1 gas as an address inbox.`,
    "",
    `\`leader:devnet\` on anvil: ${o.batchers} batcher processes, ${o.blocks} L1 blocks of ${o.blockTime} ms, windows of ${o.window} blocks, fallback after ${o.silence} silent blocks, ${o.framesPerPost} frames of ${n(Number(o.frameSize))} bytes per post (${n(d.posts.calldataBytes)} calldata bytes), batcher ${o.kill} killed after run block ${o.killAt}, out-of-turn probes every ${o.outOfTurnEvery} idle blocks.`,
    "",
    "| figure | value |",
    "|---|---:|",
    `| frames rebuilt from L1, each once and in order | ${n(d.frames)} |`,
    `| frames per second (wall clock of the run) | ${d.framesPerSecond.toFixed(1)} |`,
    `| blocks with an accepted post | ${n(d.blocksWithPosts)} of ${n(Number(BigInt(d.lastBlock) - BigInt(d.firstBlock) + 1n))} |`,
    `| full windows checked live | ${n(d.windowsChecked)} |`,
    `| mean gas per accepted post | ${n(d.posts.meanGasUsed)} |`,
    `| reference derivation (batches, then frames), frames per second | ${n(d.derivation.framesPerSecond)} |`,
    "",
    "| batcher | windows led | takeovers | frames posted | posts accepted | reverted attempts filtered | state |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...d.batchers.map(
      (b) =>
        `| ${b.name} | ${b.windowsLed} | ${b.takeovers} | ${b.framesPosted} | ${b.postsAccepted} | ${b.revertedFiltered} | ${b.stateDetail} |`,
    ),
    "",
    `Frames per second is bounded by the settings (one post of ${o.framesPerPost} frames per ${o.blockTime} ms block at most): it shows that the handovers, the takeover and the probes cost the stream little, not what L1 can carry. The reverted attempts are the out-of-turn probes and any post that landed after its sender's turn ended; the derivation dropped every one.`,
    END,
  ];
  return lines.join("\n");
}

function writeSection(file: string, text: string): void {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? `${current.slice(0, begin)}${text}${current.slice(end + END.length)}`
      : `${current.replace(/\n*$/, "\n")}\n${text}\n`;
  writeFileSync(file, next);
}

async function main(): Promise<void> {
  if (hre.network.name !== "hardhat")
    throw new Error(
      `bench:leader: run on the in-process hardhat network (got --network ${hre.network.name})`,
    );
  const started = Date.now();
  const load = loadavg()[0]!;
  const commit = gitCommit();
  const gas = await measureGas();
  const blocks = process.env.LEADER_BENCH_BLOCKS;
  const options = parseLeaderDevnetOptions({
    batchers: 3,
    blocks: blocks === undefined ? 200 : Number(blocks),
  });
  const [inbox, registry] = await Promise.all([
    hre.artifacts.readArtifact("EveryChannelRoundRobinInbox"),
    hre.artifacts.readArtifact("EveryChannelInboxRegistry"),
  ]);
  log(`leader:devnet --batchers ${options.batchers} --blocks ${options.blocks}`);
  const devnet = await runLeaderDevnet({
    options,
    root: ROOT,
    artifacts: {
      inbox: { abi: inbox.abi, bytecode: inbox.bytecode as Hex },
      registry: { abi: registry.abi, bytecode: registry.bytecode as Hex },
    },
    log: (line) => log(`devnet: ${line}`),
  });
  if (!devnet.ok)
    throw new Error(`bench:leader: the devnet failed:\n${devnet.problems.join("\n")}`);
  log(`devnet: ${devnet.frames} frames, ${devnet.framesPerSecond.toFixed(1)} frames/s`);
  const cpu = cpus();
  const run: LeaderBench = {
    measuredAt: new Date(started).toISOString(),
    commit,
    command: `${blocks === undefined ? "" : `LEADER_BENCH_BLOCKS=${blocks} `}npx hardhat run scripts/bench/leader.ts`,
    durationMs: Date.now() - started,
    machine: `${cpu[0]?.model.trim() ?? "unknown CPU"} (${cpu.length} cores), Node ${process.version}`,
    loadAverage: [load, loadavg()[0]!],
    gas,
    devnet: { ...devnet, options: { ...devnet.options } },
  };
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(
    path.join(REPORTS, "leader.json"),
    `${JSON.stringify(run, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
  writeSection(
    path.join(REPORTS, "BENCH.md"),
    section(
      JSON.parse(
        JSON.stringify(run, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      ) as LeaderBench,
    ),
  );
  log("wrote reports/leader.json and the leader-election section of reports/BENCH.md");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
