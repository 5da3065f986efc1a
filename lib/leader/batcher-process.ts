/**
 * A batcher as its own process, started by the devnet with `child_process.fork`: it waits for its
 * configuration over IPC, runs the scheduler (`scheduler.ts`) against the L1 node until told to stop,
 * and reports its statistics. Killing it (SIGKILL) is how the devnet takes a batcher down part-way.
 */
import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";

import { describeValue } from "../errors";
import { contractRef, readLeaderArtifact } from "./contracts";
import { createL1BlockReader } from "./derive";
import {
  childMessageSchema,
  parentMessageSchema,
  type BatcherConfig,
  type ChildMessage,
} from "./devnet-protocol";
import { syntheticFrameStream } from "./frame-stream";
import { createStreamFollower, runBatcher, type BatcherEvent } from "./scheduler";

/** Sends `message` to the devnet; resolves once it is handed over (so that exiting loses nothing). */
function send(message: ChildMessage): Promise<void> {
  const checked = childMessageSchema.parse(message);
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(checked, undefined, {}, () => resolve());
  });
}

function describe(event: BatcherEvent): string {
  switch (event.type) {
    case "waiting":
      return `head ${event.head}: waiting, next lead block ${event.nextLeadBlock ?? "beyond the look-ahead"}`;
    case "refused":
      return `head ${event.head}: estimate refused (${event.reason})`;
    case "sent":
      return `head ${event.head}: sent ${event.outOfTurn ? "out-of-turn probe" : "post"} ${event.hash} frames ${event.firstFrame}..${event.firstFrame + event.frames - 1} gas ${event.gasLimit}`;
    case "receipt":
      return `${event.hash}: ${event.status} in block ${event.block}`;
  }
}

async function run(config: BatcherConfig, stopRequested: () => boolean): Promise<void> {
  const chain = defineChain({
    id: config.chainId,
    name: "devnet L1",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  const transport = http(config.rpcUrl, { retryCount: 0 });
  const client = createPublicClient({
    chain,
    transport,
    cacheTime: 0,
    pollingInterval: config.pollIntervalMs,
  });
  const account = privateKeyToAccount(config.privateKey, { nonceManager });
  const wallet = createWalletClient({ account, chain, transport });
  // The batcher needs only the interface every leader inbox implements; the round-robin ABI names
  // the reverts of refused estimates.
  const inbox = contractRef(
    config.inbox,
    readLeaderArtifact(config.root, "IEveryChannelLeaderInbox"),
  );
  const errors = readLeaderArtifact(config.root, "EveryChannelRoundRobinInbox").abi;
  const registryArtifact = readLeaderArtifact(config.root, "EveryChannelInboxRegistry");
  const stream = syntheticFrameStream(config.stream);
  const follower = createStreamFollower({
    reader: createL1BlockReader(client),
    derivation: {
      batcherHash: config.batcherHash,
      inbox: config.inbox,
      registry: contractRef(config.registry, registryArtifact),
    },
    stream,
    fromBlock: config.fromBlock,
  });
  await send({ type: "ready", address: account.address });
  const stats = await runBatcher({
    client,
    wallet,
    inbox,
    errors,
    stream,
    follower,
    framesPerPost: config.framesPerPost,
    pollIntervalMs: config.pollIntervalMs,
    outOfTurnEvery: config.outOfTurnEvery,
    shouldStop: stopRequested,
    onEvent: (event) => void send({ type: "event", line: `${config.name}: ${describe(event)}` }),
  });
  await send({ type: "done", stats });
}

let stop = false;
let started = false;
process.on("message", (raw: unknown) => {
  const parsed = parentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    void send({
      type: "failed",
      message: `batcher: bad message from the devnet at ${issue?.path.join(".") || "message"}: ${issue?.message ?? "invalid"} (got ${describeValue(raw)})`,
    }).then(() => process.exit(2));
    return;
  }
  const message = parsed.data;
  if (message.type === "stop") {
    stop = true;
    if (!started) process.exit(0);
    return;
  }
  if (started) return;
  started = true;
  run(message.config, () => stop)
    .then(() => process.exit(0))
    .catch(async (error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      await send({ type: "failed", message: text.split("\n")[0]! });
      process.exit(1);
    });
});
process.on("disconnect", () => {
  // The devnet is gone: stop posting.
  stop = true;
});
