// Liveness at node level: five `witness:run` processes (and, relayed, `relayer:run` processes) on
// anvil, each witness following its own capture of two streams in which one epoch is damaged in two
// captures and missed by a third, one epoch most witnesses missed, and one epoch split 2/2/1 at
// quorum 3. Every epoch a quorum of captures agrees on must finalize, in epoch order, with no
// witness recorded as an equivocator; the three bad epochs must not finalize and must end expired.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, zeroHash, type Hex } from "viem";

import { checkArchiveLine } from "../../lib/archive/schema";
import {
  deriveObservationContent,
  observationContent,
  type DerivedContent,
} from "../../lib/derive/observation";
import type { Finalization, LedgerClient } from "../../lib/ledger/client";
import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import {
  devAddress,
  devKey,
  ecpForgeOperatorSecrets,
  OperatorProcesses,
} from "../support/operator-processes";
import { recordedLedger } from "../support/ledger-client";

const WITNESSES = 5;
/** Dev accounts of the witnesses: 4-6 are deployed with the registry, 7 and 8 added. */
const WITNESS_ACCOUNTS = [4, 5, 6, 7, 8];
const EPOCHS = 19;
const DAMAGED = 3; // W0 and W1 damaged (differently), W2 missed: W3, W4 agree (2 < quorum 3)
const GAP = 6; // missed by W0, W1, W2
const SPLIT = 8; // W0, W1: A; W2, W3: B; W4: C
const BAD = new Set([DAMAGED, GAP, SPLIT]);

const hex32 = (seed: number): string =>
  (seed % 256).toString(16).padStart(2, "0").repeat(31) +
  Math.floor(seed / 256)
    .toString(16)
    .padStart(2, "0");

/** Witness `w`'s archive line of epoch `e` of stream `callsign`, or undefined when it missed it. */
function captureOf(callsign: string, w: number, e: number): string | undefined {
  if (e === DAMAGED && w === 2) return undefined;
  if (e === GAP && w <= 2) return undefined;
  let variant = 0; // what reality broadcast
  if (e === DAMAGED && w <= 1) variant = 1 + w; // two different damages
  if (e === SPLIT) variant = w <= 1 ? 0 : w <= 3 ? 1 : 2;
  const epochId = 289_000_000 + e;
  return JSON.stringify({
    schema: "every.channel/archive/epoch/v1",
    stream: {
      broadcast: {
        standard: "atsc1",
        region: "US",
        rfChannel: 9,
        transportStreamId: 3000 + callsign.length,
        programNumber: 1,
        majorChannel: 9,
        minorChannel: 1,
        callsign,
      },
      profile: "ts-original",
    },
    epoch: { id: epochId, startUnixMs: epochId * 6000, durationMs: 6000 },
    chunks: [0, 1, 2].map((index) => ({
      index,
      blake3: hex32(e * 16 + index + variant * 4096 + 1),
      bytes: 1_316_000 - index,
    })),
    psip: { blake3: hex32(0xee) },
    // Source-local fields differ per witness and never matter.
    manifest: { id: hex32(0xa0 + w), path: `w${w}/${epochId}.manifest.json` },
    capture: {
      nodeId: hex32(0xb0 + w),
      device: `tuner-${w}`,
      receivedUnixMs: epochId * 6000 + 6000 + 37 * w,
    },
  });
}

function lines(callsign: string, w: number, from: number, to: number): string {
  const out: string[] = [];
  for (let e = from; e < to; e += 1) {
    const line = captureOf(callsign, w, e);
    if (line !== undefined) out.push(line);
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

function contentOf(callsign: string, w: number, e: number): DerivedContent {
  const checked = checkArchiveLine(captureOf(callsign, w, e)!);
  if (!checked.ok) throw new Error(checked.problem);
  return deriveObservationContent(checked.entry);
}

describe("liveness at node level: witness:run and relayer:run processes on anvil", function () {
  let node: StartAnvilReturnType;
  let dir: string;
  let env: Record<string, string>;
  let ledger: LedgerClient;
  const processes = new OperatorProcesses(() => env);
  const start = processes.start.bind(processes);
  const hardhat = processes.run.bind(processes);
  const stop = (child: ChildProcess) => processes.stop(child);

  const client = () => createPublicClient({ transport: http(node.url) });

  const head = (streamHash: Hex) => ledger.head(streamHash);

  async function waitFor(what: () => Promise<boolean>, label: string, logs: () => string) {
    const deadline = Date.now() + 180_000;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}\n${logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** The finalizations of `streamHash`, from every finalization event, in chain order. */
  async function chainOf(streamHash: Hex): Promise<Finalization[]> {
    return (await ledger.finalizations(0n)).filter((f) => f.streamHash === streamHash);
  }

  /** Checks the outcome every honest capture set dictates, on `callsign`'s stream. */
  async function expectLiveChain(callsign: string): Promise<void> {
    const streamHash = contentOf(callsign, 4, 0).streamHash;
    const chain = await chainOf(streamHash);
    expect(chain).to.have.length(EPOCHS - BAD.size);
    chain.forEach((link, i) => {
      expect(link.sequence, `link ${i}`).to.equal(BigInt(i));
      expect(link.parentObservationHash, `link ${i}`).to.equal(
        i === 0 ? zeroHash : chain[i - 1]!.observationHash,
      );
    });
    for (let e = 0; e < EPOCHS; e += 1) {
      const content = contentOf(callsign, 4, e);
      const slot = await ledger.slot(content.slot);
      if (BAD.has(e)) {
        expect(slot.status, `epoch ${e} must not finalize`).to.not.equal("finalized");
        const candidate = await ledger.candidateStatus(observationContent(content));
        expect(candidate.status, `epoch ${e} ends expired`).to.equal("expired");
      } else {
        expect(slot, `epoch ${e} must finalize`).to.deep.equal({
          status: "finalized",
          contentHash: content.contentHash,
        });
      }
    }
    const status = await hardhat(["ledger:status"]);
    expect(status.output).to.include("equivocations: 0");
    expect(status.output).to.match(
      new RegExp(`${streamHash}: head 0x[0-9a-f]{64} \\(sequence ${EPOCHS - BAD.size - 1},`),
    );
  }

  before(async function () {
    node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID, accounts: 12 });
    dir = await mkdtemp(path.join(tmpdir(), "liveness-"));
    env = ecpForgeOperatorSecrets(
      node.url,
      ECP_FORGE_L2_DEFAULT_CHAIN_ID,
      path.join(dir, "deployments"),
    );
    const deployed = await hardhat(["deploy"]);
    expect(deployed.code, deployed.output).to.equal(0);
    for (const [account, quorum] of [
      [7, "3"],
      [8, "3"],
    ] as const) {
      const added = await hardhat(["witness:add", devAddress(account), "--quorum", quorum]);
      expect(added.code, added.output).to.equal(0);
    }
    ledger = await recordedLedger(client(), path.join(dir, "deployments", "ecpForgeL2"));
  });

  after(async function () {
    await processes.stopAll();
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("transaction mode: every epoch a quorum agrees on finalizes past a damaged, a missed and a split epoch", async function () {
    const callsign = "LIVE-TX";
    const runs = [];
    for (let w = 0; w < WITNESSES; w += 1) {
      const file = path.join(dir, `tx-w${w}.jsonl`);
      await writeFile(file, lines(callsign, w, 0, EPOCHS));
      runs.push(
        start(["witness:run", "--archive", file, "--once", "--window", "1", "--hold", "4000"], {
          WITNESS_PRIVATE_KEY: devKey(WITNESS_ACCOUNTS[w]!),
        }),
      );
    }
    const codes = await Promise.all(runs.map((r) => r.exited));
    const logs = runs.map((r, w) => `W${w}:\n${r.output()}`).join("\n");
    expect(codes, logs).to.deep.equal(Array(WITNESSES).fill(0));
    await expectLiveChain(callsign);
  });

  it("relayed mode: two racing relayers and a restarted witness finalize every epoch a quorum agrees on", async function () {
    const callsign = "LIVE-RL";
    const outbox = path.join(dir, "signatures");
    const files = Array.from({ length: WITNESSES }, (_, w) => path.join(dir, `rl-w${w}.jsonl`));
    const witness = (w: number) =>
      start(
        [
          "witness:run",
          "--archive",
          files[w]!,
          "--sign-to",
          outbox,
          "--once",
          "--window",
          "1",
          "--state",
          path.join(dir, `rl-state-${w}`),
        ],
        { WITNESS_PRIVATE_KEY: devKey(WITNESS_ACCOUNTS[w]!) },
      );
    // W2 first sees only the first half of its capture, stops, and is started again on the rest.
    for (let w = 0; w < WITNESSES; w += 1)
      await writeFile(files[w]!, lines(callsign, w, 0, w === 2 ? 10 : EPOCHS));
    const relayers = [
      start(["relayer:run", "--signatures", outbox, "--poll", "250", "--hold", "3000"]),
      start(["relayer:run", "--signatures", outbox, "--poll", "400", "--hold", "3000"], {
        RELAYER_PRIVATE_KEY: devKey(9),
      }),
    ];
    const first = [0, 1, 2, 3, 4].map(witness);
    const logs = () =>
      [...first.map((r, w) => `W${w}:\n${r.output()}`), ...relayers.map((r) => r.output())].join(
        "\n",
      );
    const codes = await Promise.all(first.map((r) => r.exited));
    expect(codes, logs()).to.deep.equal(Array(WITNESSES).fill(0));
    await appendFile(files[2]!, lines(callsign, 2, 10, EPOCHS));
    const restarted = witness(2);
    expect(await restarted.exited, restarted.output()).to.equal(0);
    expect(restarted.output()).to.match(/resuming after line \d+/);
    const streamHash = contentOf(callsign, 4, 0).streamHash;
    await waitFor(
      async () => (await head(streamHash)).sequence === BigInt(EPOCHS - BAD.size - 1),
      "every agreed epoch to finalize",
      logs,
    );
    for (const relayer of relayers) await stop(relayer.child);
    await expectLiveChain(callsign);
    // The relayers used the compact path: every finalization came through it.
    expect(relayers.map((r) => r.output()).join("\n")).to.match(/submitCompactAttestations: \d+/);
  });
});
