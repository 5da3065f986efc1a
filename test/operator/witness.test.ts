import { expect } from "chai";
import { appendFile, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { getAddress, zeroHash, type Address, type PublicClient } from "viem";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { transactionAttestor } from "../../lib/operator/attestors";
import type { LedgerRef } from "../../lib/operator/contracts";
import { readHead, readWitnessIndex } from "../../lib/operator/ledger-view";
import type { OperatorWallet } from "../../lib/operator/send";
import { runWitness, type RunWitnessParameters } from "../../lib/operator/witness";
import { deriveObservationContent } from "../../lib/derive/observation";
import { checkArchiveLine } from "../../lib/archive/schema";
import { archiveSlice } from "./archive-slices";

describe("witness run (transactions)", function () {
  let dir: string;
  let client: PublicClient;
  let ledger: LedgerRef;
  let named: Record<string, Address>;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "witness-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
    const address = (await hre.deployments.get(DEPLOYMENTS.ObservationLedger)).address as Address;
    ledger = {
      address,
      abi: (await hre.viem.getContractAt("EveryChannelObservationLedger", address)).abi,
    };
    client = (await hre.viem.getPublicClient()) as PublicClient;
    named = Object.fromEntries(
      Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
    );
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function witness(name: string, archive: string, extra: Partial<RunWitnessParameters> = {}) {
    const wallet = (await hre.viem.getWalletClient(named[name]!)) as OperatorWallet;
    const registryAddress = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry))
      .address as Address;
    const registry = {
      address: registryAddress,
      abi: (await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress)).abi,
    };
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const result = await runWitness({
      client,
      ledger,
      witnessIndex: await readWitnessIndex(client, registry, wallet.account.address),
      attestor: transactionAttestor({ publicClient: client, wallet, ledger, log }),
      gapWaitMs: 0,
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
    expect((await readHead(client, ledger, streamHash)).hash).to.equal(zeroHash);
    const second = await witness("witness2", b);
    expect(second.counters).to.include({ epochs: 6, attested: 6 });
    const head = await readHead(client, ledger, streamHash);
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
});
