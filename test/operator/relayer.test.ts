import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { getAddress, type Address, type PublicClient } from "viem";

import { checkArchiveLine } from "../../lib/archive/schema";
import { deriveObservationContent } from "../../lib/derive/observation";
import type { LedgerClient } from "../../lib/ledger/client";
import { signatureAttestor } from "../../lib/operator/attestors";
import type { LedgerRef, RegistryRef } from "../../lib/operator/contracts";
import { inProcessCollector, type ReportCollector } from "../../lib/operator/cosign";
import { Relayer } from "../../lib/operator/relayer";
import { witnessReportCoSigner } from "../../lib/operator/report-cosigner";
import { WitnessJournal } from "../../lib/operator/witness-journal";
import type { OperatorWallet } from "../../lib/operator/send";
import { runWitness } from "../../lib/operator/witness";
import { deployedLedger } from "../support/ledger-client";
import { archiveSlice } from "./archive-slices";

describe("relayer", function () {
  let dir: string;
  let client: PublicClient;
  let ledger: LedgerRef;
  let registry: RegistryRef;
  let chain: LedgerClient;
  let named: Record<string, Address>;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "relayer-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
    ({ client, ledger, registry, chain } = await deployedLedger(hre));
    named = Object.fromEntries(
      Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
    );
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function wallet(name: string): Promise<OperatorWallet> {
    return (await hre.viem.getWalletClient(named[name]!)) as OperatorWallet;
  }

  async function sign(name: string, archive: string, outbox: string): Promise<void> {
    const w = await wallet(name);
    const domain = await chain.domain();
    await runWitness({
      client,
      ledger,
      witnessIndex: await chain.witnessIndex(w.account.address),
      attestor: signatureAttestor({ wallet: w, domain, outbox, log: () => undefined }),
      log: () => undefined,
      archive,
      stateDir: path.join(dir, `state-${name}`),
      window: 4,
      pollIntervalMs: 10,
      stopAtEnd: true,
    });
  }

  async function relayer(sources: string[], lines: string[] = []): Promise<Relayer> {
    return new Relayer({
      publicClient: client,
      wallet: await wallet("relayer"),
      ledger,
      registry,
      domain: await chain.domain(),
      sources,
      maxBatch: 16,
      holdMs: 0,
      dryRun: false,
      log: (line) => lines.push(line),
    });
  }

  it("finalizes a run of epochs signed by two witnesses in one batch, then sends nothing more", async function () {
    const outbox = path.join(dir, "outbox");
    for (const [name, source] of [
      ["witness1", "witness-a"],
      ["witness2", "witness-b"],
    ] as const) {
      const archive = path.join(dir, `${name}.jsonl`);
      await writeFile(archive, `${archiveSlice(source, "NHK総合", 5).join("\n")}\n`);
      await sign(name, archive, outbox);
    }
    expect(await readdir(outbox)).to.have.length(10);
    const lines: string[] = [];
    const r = await relayer([outbox], lines);
    expect(await r.collectAndSubmit()).to.equal(5);
    expect(r.counters).to.include({
      accepted: 10,
      refused: 0,
      batches: 1,
      finalized: 5,
      compactItems: 5,
      genericItems: 0,
    });
    expect(lines[0]).to.match(/^submitCompactAttestations: 5 observations, 10 signatures: from /);
    const entry = checkArchiveLine(archiveSlice("witness-a", "NHK総合", 1)[0]!);
    if (!entry.ok) throw new Error(entry.problem);
    expect((await chain.head(deriveObservationContent(entry.entry).streamHash)).sequence).to.equal(
      4n,
    );
    const block = await client.getBlockNumber();
    expect(await r.collectAndSubmit()).to.equal(0);
    expect(await client.getBlockNumber()).to.equal(block);
  });

  it("refuses malformed, foreign and forged signature files by name and submits the rest", async function () {
    const outbox = path.join(dir, "outbox");
    const archive = path.join(dir, "w1.jsonl");
    await writeFile(archive, `${archiveSlice("witness-a", "KGO-HD", 1).join("\n")}\n`);
    await sign("witness1", archive, outbox);
    const [good] = await readdir(outbox);
    const json = JSON.parse(await readFile(path.join(outbox, good!), "utf8")) as Record<
      string,
      unknown
    >;
    await writeFile(path.join(outbox, "broken.json"), "{ not json");
    await writeFile(path.join(outbox, "foreign.json"), JSON.stringify({ ...json, chainId: "1" }));
    await writeFile(
      path.join(outbox, "forged.json"),
      JSON.stringify({ ...json, witness: named.witness2 }),
    );
    await writeFile(path.join(outbox, "field.json"), JSON.stringify({ ...json, slot: "0x12" }));
    const lines: string[] = [];
    const r = await relayer([outbox], lines);
    await r.collectAndSubmit();
    expect(r.counters).to.include({ accepted: 1, refused: 4, batches: 1, finalized: 0 });
    const refusals = lines.filter((l) => l.endsWith("signature ignored"));
    expect(
      refusals.some((l) => l.includes("broken.json") && l.includes("not readable JSON")),
    ).to.equal(true);
    expect(refusals.some((l) => l.includes("foreign.json: for chain 1 ledger"))).to.equal(true);
    expect(
      refusals.some((l) => l.includes(`forged.json: signature: not ${named.witness2}'s signature`)),
    ).to.equal(true);
    expect(
      refusals.some((l) =>
        l.includes('field.json: slot: must be 0x and 64 hex digits (got "0x12")'),
      ),
    ).to.equal(true);
  });
  describe("report mode", function () {
    /** witness1 and witness2 sign `count` epochs into the outbox; their co-signers read their journals. */
    async function signedRun(count: number) {
      const outbox = path.join(dir, "outbox");
      const domain = await chain.domain();
      const coSigners = [];
      for (const [name, source] of [
        ["witness1", "witness-a"],
        ["witness2", "witness-b"],
      ] as const) {
        const archive = path.join(dir, `${name}.jsonl`);
        await writeFile(archive, `${archiveSlice(source, "NHK総合", count).join("\n")}\n`);
        await sign(name, archive, outbox);
        const w = await wallet(name);
        coSigners.push(
          witnessReportCoSigner({
            witness: w.account.address,
            signer: w,
            domain,
            journal: await WitnessJournal.open(path.join(dir, `state-${name}`, "journal.jsonl")),
          }),
        );
      }
      return { outbox, coSigners };
    }

    async function reportRelayer(sources: string[], collector: ReportCollector, lines: string[]) {
      return new Relayer({
        publicClient: client,
        wallet: await wallet("relayer"),
        ledger,
        registry,
        domain: await chain.domain(),
        sources,
        maxBatch: 16,
        holdMs: 0,
        dryRun: false,
        log: (line) => lines.push(line),
        reports: { collector, timeoutMs: 1_000 },
      });
    }

    it("proposes the run with a quorum as one report, submits it and counts its finalizations", async function () {
      const { outbox, coSigners } = await signedRun(5);
      const lines: string[] = [];
      const r = await reportRelayer([outbox], inProcessCollector(coSigners), lines);
      expect(await r.collectAndSubmit()).to.equal(5);
      expect(r.counters).to.include({
        reports: 1,
        reportEntries: 5,
        reportsShort: 0,
        finalized: 5,
        compactItems: 0,
        genericItems: 0,
      });
      expect(lines[0]).to.match(/^submitReport: 5 observations, 2 signatures: from /);
      const entry = checkArchiveLine(archiveSlice("witness-a", "NHK総合", 1)[0]!);
      if (!entry.ok) throw new Error(entry.problem);
      const head = await chain.head(deriveObservationContent(entry.entry).streamHash);
      expect(head.sequence).to.equal(4n);
      expect(await r.collectAndSubmit()).to.equal(0);
    });

    it("falls back to the compact path when the report gathers fewer signatures than the quorum", async function () {
      const { outbox, coSigners } = await signedRun(3);
      const lines: string[] = [];
      const r = await reportRelayer([outbox], inProcessCollector(coSigners.slice(0, 1)), lines);
      expect(await r.collectAndSubmit()).to.equal(3);
      expect(r.counters).to.include({ reports: 0, reportsShort: 1, finalized: 3, compactItems: 3 });
      expect(lines.some((l) => /1 of 2 signatures; sent on the other paths/.test(l))).to.equal(
        true,
      );
    });
  });
});
