import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import type { PublicClient } from "viem";

import { archiveSlice } from "./archive-slices";

/** Runs a task and returns what it printed. */
async function run(name: string, args: Record<string, unknown>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    await hre.run(name, args);
  } finally {
    console.log = original;
  }
  return lines;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("witness and ledger tasks", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "tasks-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const witnessArgs = (archive: string, from: string, extra: Record<string, unknown> = {}) => ({
    archive,
    from,
    window: "4",
    gapWait: "0",
    poll: "20",
    once: true,
    dryRun: false,
    ...extra,
  });

  it("witness:run --dry-run prints every attestation's estimate and sends nothing", async function () {
    const archive = path.join(dir, "a.jsonl");
    await writeFile(archive, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    const client = (await hre.viem.getPublicClient()) as PublicClient;
    const block = await client.getBlockNumber();
    const lines = await run("witness:run", witnessArgs(archive, "witness1", { dryRun: true }));
    expect(lines.filter((l) => l === "  dry run: nothing sent")).to.have.length(3);
    expect(lines.filter((l) => /^ {2}L2 gas: \d+/.test(l))).to.have.length(3);
    expect(await client.getBlockNumber()).to.equal(block);
  });

  it("witness:run refuses an account that is not an active witness, and bad options, before reading", async function () {
    const archive = path.join(dir, "a.jsonl");
    const notWitness = await rejection(run("witness:run", witnessArgs(archive, "publisher")));
    expect(notWitness.message).to.match(
      /^0x[0-9a-fA-F]{40} is not an active witness of registry 0x[0-9a-fA-F]{40} \(the owner adds it with witness:add\); nothing was sent$/,
    );
    const badWindow = await rejection(
      run("witness:run", witnessArgs(archive, "witness1", { window: "0" })),
    );
    expect(badWindow.message).to.equal('window: must be from 1 to 10000 (got "0")');
    const both = await rejection(
      run("witness:run", witnessArgs(archive, "witness1", { dryRun: true, signTo: dir })),
    );
    expect(both.message).to.match(/^--dry-run sends nothing, but --sign-to writes signatures/);
  });

  it("ledger:status shows heads, open and contested slots after two witnesses ran", async function () {
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    await writeFile(a, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    await writeFile(b, `${archiveSlice("witness-b", "KGO-HD", 2).join("\n")}\n`);
    await run("witness:run", witnessArgs(a, "witness1"));
    await run("witness:run", witnessArgs(b, "witness2"));
    const lines = await run("ledger:status", { json: false });
    expect(lines[1]).to.match(
      /^ {2}stream 0x[0-9a-f]{64}: head 0x[0-9a-f]{64} \(sequence 1, observed \d+\); 2 finalized, 1 open slots \(0 contested\)$/,
    );
    expect(lines[3]).to.match(/^ {6}candidate 0x[0-9a-f]{64} \(sequence 2\): 1 attestations$/);
    expect(lines.at(-1)).to.equal("  equivocations: 0");
  });
});
