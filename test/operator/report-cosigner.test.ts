import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { getAddress, recoverTypedDataAddress, type Address, type PublicClient } from "viem";

import { checkArchiveLine } from "../../lib/archive/schema";
import { observationSlot } from "../../lib/commitments/observation";
import { DEPLOYMENTS } from "../../lib/deploy/context";
import { deriveObservationContent } from "../../lib/derive/observation";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { reportOf, reportTypedData } from "../../lib/ledger/report";
import { signatureAttestor } from "../../lib/operator/attestors";
import { inProcessCollector } from "../../lib/operator/cosign";
import type { LedgerRef } from "../../lib/operator/contracts";
import { createLedgerClient } from "../../lib/ledger/client";
import { witnessReportCoSigner } from "../../lib/operator/report-cosigner";
import type { OperatorWallet } from "../../lib/operator/send";
import { runWitness } from "../../lib/operator/witness";
import { WitnessJournal } from "../../lib/operator/witness-journal";
import { archiveSlice } from "./archive-slices";

/** The content a line derives (what an honest witness attests for its epoch). */
function contentOfLine(line: string) {
  const checked = checkArchiveLine(line);
  if (!checked.ok) throw new Error(checked.problem);
  const { streamHash, epochHash, dataRoot, locatorHash, observedUnixMs } = deriveObservationContent(
    checked.entry,
  );
  return { streamHash, epochHash, dataRoot, locatorHash, observedUnixMs };
}

describe("witness report co-signer", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "cosigner-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  /** witness1 runs its node in signature mode over `lines`; returns its co-signer. */
  async function witnessNode(lines: readonly string[]) {
    const client = (await hre.viem.getPublicClient()) as PublicClient;
    const ledgerAddress = (await hre.deployments.get(DEPLOYMENTS.ObservationLedger))
      .address as Address;
    const registryAddress = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry))
      .address as Address;
    const ledger: LedgerRef = {
      address: ledgerAddress,
      abi: (await hre.viem.getContractAt("EveryChannelObservationLedger", ledgerAddress)).abi,
    };
    const registry = {
      address: registryAddress,
      abi: (await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress)).abi,
    };
    const named = await hre.getNamedAccounts();
    const wallet = (await hre.viem.getWalletClient(getAddress(named.witness1!))) as OperatorWallet;
    const domain = await readObservationLedgerDomain(client, ledgerAddress);
    const archive = path.join(dir, "a.jsonl");
    await writeFile(archive, `${lines.join("\n")}\n`);
    const log: string[] = [];
    const run = await runWitness({
      client,
      ledger,
      witnessIndex: await createLedgerClient({
        publicClient: client,
        ledger,
        registry,
      }).witnessIndex(wallet.account.address),
      attestor: signatureAttestor({
        wallet,
        domain,
        outbox: path.join(dir, "outbox"),
        log: () => undefined,
      }),
      log: (l) => log.push(l),
      archive,
      stateDir: path.join(dir, "state"),
      window: 4,
      pollIntervalMs: 10,
      stopAtEnd: true,
    });
    const journal = await WitnessJournal.open(path.join(dir, "state", "journal.jsonl"));
    const coSigner = witnessReportCoSigner({
      witness: wallet.account.address,
      signer: wallet,
      domain,
      journal,
    });
    return { run, coSigner, domain, witness: wallet.account.address };
  }

  it("signs a report whose every entry is the content the witness attested for its epoch", async function () {
    const slice = archiveSlice("witness-a", "KGO-HD", 4);
    const { run, coSigner, domain, witness } = await witnessNode(slice);
    expect(run.counters.attested).to.equal(4);
    const report = reportOf(slice.map(contentOfLine));
    const result = await coSigner.coSign(report);
    if (!result.signed) throw new Error(result.reason);
    expect(
      await recoverTypedDataAddress({
        ...reportTypedData(domain, report),
        signature: result.signature,
      }),
    ).to.equal(witness);
    // A sub-run of its epochs is signed too.
    expect((await coSigner.coSign(reportOf(slice.slice(1, 3).map(contentOfLine)))).signed).to.equal(
      true,
    );
    const collected = await inProcessCollector([coSigner]).collect(report, {
      quorum: 1,
      timeoutMs: 1_000,
    });
    expect(collected.signatures.map((s) => s.witness)).to.deep.equal([witness]);
  });

  it("shares the node's journal instance (witness:run --exchange): signs an epoch the moment the node journaled it", async function () {
    const client = (await hre.viem.getPublicClient()) as PublicClient;
    const ledgerAddress = (await hre.deployments.get(DEPLOYMENTS.ObservationLedger))
      .address as Address;
    const ledger: LedgerRef = {
      address: ledgerAddress,
      abi: (await hre.viem.getContractAt("EveryChannelObservationLedger", ledgerAddress)).abi,
    };
    const registryAddress = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry))
      .address as Address;
    const registry = {
      address: registryAddress,
      abi: (await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress)).abi,
    };
    const named = await hre.getNamedAccounts();
    const wallet = (await hre.viem.getWalletClient(getAddress(named.witness1!))) as OperatorWallet;
    const domain = await readObservationLedgerDomain(client, ledgerAddress);
    const slice = archiveSlice("witness-a", "KGO-HD", 3);
    const archive = path.join(dir, "a.jsonl");
    await writeFile(archive, `${slice.join("\n")}\n`);
    const file = path.join(dir, "state", "journal.jsonl");
    const journal = await WitnessJournal.open(file);
    // An instance opened beside the node's does not see what the node appends afterwards.
    const stale = await WitnessJournal.open(file);
    const coSigner = witnessReportCoSigner({
      witness: wallet.account.address,
      signer: wallet,
      domain,
      journal,
    });
    const staleCoSigner = witnessReportCoSigner({
      witness: wallet.account.address,
      signer: wallet,
      domain,
      journal: stale,
    });
    const answers: [boolean, boolean][] = [];
    const outbox = signatureAttestor({
      wallet,
      domain,
      outbox: path.join(dir, "outbox"),
      log: () => undefined,
    });
    const run = await runWitness({
      client,
      ledger,
      witnessIndex: await createLedgerClient({
        publicClient: client,
        ledger,
        registry,
      }).witnessIndex(wallet.account.address),
      journal,
      attestor: {
        mode: "signature",
        async attest(attestation) {
          // Journaled before it leaves the node: a report of it is signed at once.
          const report = reportOf([attestation.content]);
          answers.push([
            (await coSigner.coSign(report)).signed,
            (await staleCoSigner.coSign(report)).signed,
          ]);
          return outbox.attest(attestation);
        },
      },
      log: () => undefined,
      archive,
      stateDir: path.join(dir, "state"),
      window: 4,
      pollIntervalMs: 10,
      stopAtEnd: true,
    });
    expect(run.counters.attested).to.equal(3);
    expect(answers).to.deep.equal([
      [true, false],
      [true, false],
      [true, false],
    ]);
    expect((await coSigner.coSign(reportOf(slice.map(contentOfLine)))).signed).to.equal(true);
  });

  it("refuses a tampered entry, naming its slot", async function () {
    const slice = archiveSlice("witness-a", "KGO-HD", 3);
    const { coSigner } = await witnessNode(slice);
    const contents = slice.map(contentOfLine);
    const tampered = { ...contents[1]!, dataRoot: `0x${"ab".repeat(32)}` as const };
    const result = await coSigner.coSign(reportOf([contents[0]!, tampered, contents[2]!]));
    expect(result.signed).to.equal(false);
    if (result.signed) return;
    const slot = observationSlot(tampered.streamHash, tampered.epochHash);
    expect(result.slot).to.equal(slot);
    expect(result.reason).to.match(
      /^entries\[1\] \(slot 0x[0-9a-f]{64}\): content 0x[0-9a-f]{64} differs from/,
    );
  });

  it("refuses an epoch it never captured, naming its slot", async function () {
    const slice = archiveSlice("witness-a", "KGO-HD", 4);
    const { coSigner } = await witnessNode([slice[0]!, slice[1]!, slice[3]!]);
    const contents = slice.map(contentOfLine);
    const result = await coSigner.coSign(reportOf(contents));
    expect(result.signed).to.equal(false);
    if (result.signed) return;
    expect(result.slot).to.equal(observationSlot(contents[2]!.streamHash, contents[2]!.epochHash));
    expect(result.reason).to.include("attested no content in this slot");
  });

  it("refuses an entry it refused to attest (beyond the time tolerance)", async function () {
    const [line] = archiveSlice("witness-a", "KGO-HD", 1);
    const client = await hre.viem.getPublicClient();
    const tooLate = Number((await client.getBlock()).timestamp) * 1000 + 3_600_000;
    const json = JSON.parse(line!) as { epoch: { startUnixMs: number } };
    json.epoch.startUnixMs = tooLate;
    const future = JSON.stringify(json);
    const { run, coSigner } = await witnessNode([future]);
    expect(run.counters).to.include({ attested: 0, inFuture: 1 });
    const content = contentOfLine(future);
    const result = await coSigner.coSign(reportOf([content]));
    expect(result.signed).to.equal(false);
    if (result.signed) return;
    expect(result.slot).to.equal(observationSlot(content.streamHash, content.epochHash));
  });
});
