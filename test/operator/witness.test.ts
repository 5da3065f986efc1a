import { expect } from "chai";
import { appendFile, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { getAddress, zeroHash, type Address, type PublicClient } from "viem";

import type { LedgerClient } from "../../lib/ledger/client";
import { transactionAttestor } from "../../lib/operator/attestors";
import type { LedgerRef, RegistryRef } from "../../lib/operator/contracts";
import { runWitness, WitnessPlanner, type RunWitnessParameters } from "../../lib/operator/witness";
import { WitnessJournal } from "../../lib/operator/witness-journal";
import { resolveWitnessEpochs } from "../../lib/archive/epochs";
import { deriveObservationContent } from "../../lib/derive/observation";
import { checkArchiveLine } from "../../lib/archive/schema";
import { deployedLedger, type DeployedLedger } from "../support/ledger-client";
import { archiveSlice } from "./archive-slices";

describe("witness run (transactions)", function () {
  let dir: string;
  let client: PublicClient;
  let ledger: LedgerRef;
  let registry: RegistryRef;
  let chain: LedgerClient;
  let sender: DeployedLedger["sender"];
  let named: Record<string, Address>;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "witness-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
    ({ client, ledger, registry, chain, sender } = await deployedLedger(hre));
    named = Object.fromEntries(
      Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
    );
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function witness(name: string, archive: string, extra: Partial<RunWitnessParameters> = {}) {
    const witnessLedger = await sender(named[name]!);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const result = await runWitness({
      client,
      ledger,
      witnessIndex: await chain.witnessIndex(named[name]!),
      attestor: transactionAttestor({ ledger: witnessLedger, log }),
      log,
      archive,
      stateDir: path.join(dir, `state-${name}`),
      window: 4,
      pollIntervalMs: 10,
      stopAtEnd: true,
      ...extra,
    });
    return { ...result, lines };
  }

  it("two witnesses attest six epochs of a stream and every one finalizes in order", async function () {
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    await writeFile(a, `${archiveSlice("witness-a", "KGO-HD", 6).join("\n")}\n`);
    await writeFile(b, `${archiveSlice("witness-b", "KGO-HD", 6).join("\n")}\n`);
    const first = await witness("witness1", a);
    expect(first.counters).to.include({ epochs: 6, attested: 6, alreadyAttested: 0 });
    const entry = checkArchiveLine(archiveSlice("witness-a", "KGO-HD", 1)[0]!);
    if (!entry.ok) throw new Error(entry.problem);
    const streamHash = deriveObservationContent(entry.entry).streamHash;
    expect((await chain.head(streamHash)).hash).to.equal(zeroHash);
    const second = await witness("witness2", b);
    expect(second.counters).to.include({ epochs: 6, attested: 6 });
    const head = await chain.head(streamHash);
    expect(head.sequence).to.equal(5n);
    expect(second.lines.filter((l) => l.startsWith("  L1 data fee: none expected"))).to.have.length(
      6,
    );
  });

  it("attests nothing twice after a restart, from its journal or, without it, from the chain", async function () {
    const a = path.join(dir, "a.jsonl");
    const slice = archiveSlice("witness-a", "KGO-HD", 5);
    await writeFile(a, `${slice.slice(0, 3).join("\n")}\n`);
    const first = await witness("witness1", a);
    expect(first.counters.attested).to.equal(3);
    const blockBefore = await client.getBlockNumber();
    const again = await witness("witness1", a);
    expect(again.counters.attested).to.equal(0);
    expect(await client.getBlockNumber()).to.equal(blockBefore);

    await appendFile(a, `${slice.slice(3).join("\n")}\n`);
    const grown = await witness("witness1", a);
    expect(grown.counters).to.include({ epochs: 2, attested: 2 });

    await unlink(path.join(dir, "state-witness1", "journal.jsonl"));
    await unlink(path.join(dir, "state-witness1", "cursor.json"));
    const fromChain = await witness("witness1", a);
    expect(fromChain.counters).to.include({ epochs: 5, attested: 0, alreadyAttested: 5 });
    expect(
      fromChain.lines.filter((l) => l.includes("the ledger already counts this witness")),
    ).to.have.length(5);
  });

  it("sends again what it journaled but never confirmed (a crash between journal and send)", async function () {
    const a = path.join(dir, "a.jsonl");
    await writeFile(a, `${archiveSlice("witness-a", "KGO-HD", 2).join("\n")}\n`);
    const snapshot = (await hre.network.provider.request({ method: "evm_snapshot" })) as string;
    const first = await witness("witness1", a);
    expect(first.counters.attested).to.equal(2);
    // The chain forgets the two transactions; the journal keeps them, as if the process died
    // after journaling and before sending.
    await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
    const journalFile = path.join(dir, "state-witness1", "journal.jsonl");
    const kept = (await readFile(journalFile, "utf8"))
      .split("\n")
      .filter((line) => line.includes('"attested"'));
    await writeFile(journalFile, `${kept.join("\n")}\n`);
    const block = await client.getBlockNumber();
    const restarted = await witness("witness1", a);
    expect(restarted.counters).to.include({ resent: 2, attested: 0, alreadyAttested: 0 });
    expect(await client.getBlockNumber()).to.equal(block + 2n);
    expect(
      restarted.lines.filter((l) => l.startsWith("resending journaled attestation")),
    ).to.have.length(2);
  });

  /** `line` with its first chunk's hash replaced (damage) or its start moved (`startUnixMs`). */
  function variant(line: string, change: { chunk?: string; startUnixMs?: number }): string {
    const json = JSON.parse(line) as {
      epoch: { startUnixMs: number };
      chunks: { blake3: string }[];
    };
    if (change.chunk !== undefined) json.chunks[0]!.blake3 = change.chunk;
    if (change.startUnixMs !== undefined) json.epoch.startUnixMs = change.startUnixMs;
    return JSON.stringify(json);
  }

  it("never attests a second content in a slot: a repair that arrives after its attestation is logged, not sent", async function () {
    const a = path.join(dir, "a.jsonl");
    const [line] = archiveSlice("witness-a", "KGO-HD", 1);
    await writeFile(a, `${line}\n`);
    const first = await witness("witness1", a);
    expect(first.counters.attested).to.equal(1);
    await appendFile(a, `${variant(line!, { chunk: "ab".repeat(32) })}\n`);
    const block = await client.getBlockNumber();
    const repaired = await witness("witness1", a);
    expect(repaired.counters).to.include({ attested: 0, conflicting: 1 });
    expect(await client.getBlockNumber()).to.equal(block);
    expect(repaired.lines.some((l) => l.includes("a second content in a slot is an equivocation")))
      .to.be.true;
  });

  it("refuses to attest an epoch whose broadcast time is beyond the ledger's tolerance of the chain's time", async function () {
    const a = path.join(dir, "a.jsonl");
    const [line] = archiveSlice("witness-a", "KGO-HD", 1);
    const latest = await client.getBlock();
    const tooLate = Number(latest.timestamp) * 1000 + 3_600_000;
    await writeFile(a, `${variant(line!, { startUnixMs: tooLate })}\n`);
    const block = await client.getBlockNumber();
    const run = await witness("witness1", a);
    expect(run.counters).to.include({ epochs: 1, attested: 0, inFuture: 1 });
    expect(await client.getBlockNumber()).to.equal(block);
    expect(run.lines.some((l) => /more than 300000 ms after the chain's time/.test(l))).to.be.true;
  });

  it("attests each epoch as it comes, so an epoch nobody else saw holds up nothing, and skips what the head has passed", async function () {
    const slice = archiveSlice("witness-a", "KGO-HD", 4);
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    const c = path.join(dir, "c.jsonl");
    // witness1 and witness2 miss epoch 1; witness3 saw only epoch 1, and late.
    await writeFile(a, `${[slice[0], slice[2], slice[3]].join("\n")}\n`);
    await writeFile(b, `${[slice[0], slice[2], slice[3]].join("\n")}\n`);
    await writeFile(c, `${slice[1]}\n`);
    await witness("witness1", a);
    await witness("witness2", b);
    const entry = checkArchiveLine(slice[0]!);
    if (!entry.ok) throw new Error(entry.problem);
    const streamHash = deriveObservationContent(entry.entry).streamHash;
    expect((await chain.head(streamHash)).sequence).to.equal(2n);
    const late = await witness("witness3", c);
    expect(late.counters).to.include({ epochs: 1, attested: 0, alreadyFinal: 1 });
  });

  it("in transaction mode holds a later epoch behind an earlier one others have yet to attest, for at most holdMs", async function () {
    const slice = archiveSlice("witness-a", "KGO-HD", 2);
    const planner = async (name: string, clock: { t: number }) => {
      return new WitnessPlanner({
        client,
        ledger,
        registry,
        witnessIndex: await chain.witnessIndex(named[name]!),
        journal: await WitnessJournal.open(path.join(dir, name, "journal.jsonl")),
        attestor: transactionAttestor({ ledger: await sender(named[name]!), log: () => {} }),
        log: () => {},
        holdMs: 10_000,
        now: () => clock.t,
      });
    };
    const epochs = [];
    for await (const epoch of resolveWitnessEpochs(
      (async function* () {
        for (const [i, text] of slice.entries()) {
          const checked = checkArchiveLine(text);
          if (!checked.ok) throw new Error(checked.problem);
          yield { file: "a", line: i + 1, entry: checked.entry };
        }
      })(),
      { window: 1 },
    ))
      epochs.push(epoch);
    const clock = { t: 0 };
    const w1 = await planner("witness1", clock);
    w1.enqueue(epochs[0]!);
    w1.enqueue(epochs[1]!);
    await w1.step();
    expect(w1.counters.attested).to.equal(1);
    expect(w1.pending, "epoch 1 waits behind epoch 0").to.equal(1);
    clock.t = 9_999;
    await w1.step();
    expect(w1.pending).to.equal(1);
    clock.t = 10_000;
    await w1.step();
    expect(w1.pending, "released after holdMs").to.equal(0);
    expect(w1.counters.attested).to.equal(2);

    // A second witness is released as soon as the earlier epoch finalizes.
    const w2clock = { t: 0 };
    const w2 = await planner("witness2", w2clock);
    const w3 = await planner("witness3", { t: 0 });
    w2.enqueue(epochs[0]!);
    await w2.step(); // epoch 0 finalizes (witness1 and witness2: quorum 2)
    w3.enqueue(epochs[1]!);
    w2.enqueue(epochs[1]!);
    await w2.step();
    expect(w2.pending, "nothing holds behind a finalized slot").to.equal(0);
  });
});
