import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { getAddress, keccak256, toHex, zeroHash, type Address, type Hex } from "viem";

import { readArchiveExpectations } from "../../lib/archive/expectations";
import { observationSlot } from "../../lib/commitments/observation";
import { epochHash, streamId } from "../../lib/commitments/stream";
import { archiveStreamKey } from "../../lib/derive/stream-key";
import { createLedgerClient } from "../../lib/ledger/client";
import { loadArchiveSet } from "../../lib/smoke/archive-set";
import { checkOutcome } from "../../lib/smoke/check";
import {
  parseRealitySmokeOptions,
  realitySmokeCommand,
  RealitySmokeMismatchError,
} from "../../lib/smoke/command";
import { expectedOutcome } from "../../lib/smoke/outcome";
import { silentProgress } from "../../lib/smoke/progress";
import type { SmokeReport } from "../../lib/smoke/report";
import { prepareSmoke, WITNESS_ACCOUNT_OFFSET } from "../../tasks/reality-smoke";
import { expectGasSnapshot, underCoverage } from "../support/gas";
import { SCENARIO } from "./support/scenario";
import { scenarioSlot, scenarioStreamHash, writeScenarioArchive } from "./support/scenario-archive";

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "archive");

/** The dev account of archive witness `index` (the task's assignment). */
async function witnessAddresses(count: number): Promise<Address[]> {
  const clients = await hre.viem.getWalletClients();
  return clients
    .slice(WITNESS_ACCOUNT_OFFSET, WITNESS_ACCOUNT_OFFSET + count)
    .map((c) => getAddress(c.account.address));
}

interface SlotOnChain {
  status: "empty" | "open" | "finalized";
  /** Open: the witnesses that attested in the slot; finalized: those the finalization counted. */
  witnesses: Address[];
  /** Finalized: the observation, its parent and sequence (from the finalization event). */
  observationHash: Hex | undefined;
  parent: Hex | undefined;
  sequence: bigint | undefined;
  /** Contents the ledger recorded in the slot while it was open (`ObservationProposed`). */
  proposed: number;
}

interface LedgerReader {
  slot(slot: Hex): Promise<SlotOnChain>;
  head(streamHash: Hex): Promise<{ hash: Hex; sequence: bigint; observedUnixMs: bigint }>;
  /** Transactions that emitted a ledger event. */
  transactions: number;
  equivocations: number;
}

/**
 * Reads a ledger straight from the contract and its events (not through the smoke's or the
 * operators' code).
 */
async function ledgerReader(
  ledgerAddress: Address,
  registryAddress: Address,
): Promise<LedgerReader> {
  const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", ledgerAddress);
  const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress);
  const witnessAt = new Map<bigint, Address>();
  const bitmapWitnesses = async (bitmap: bigint): Promise<Address[]> => {
    const out: Address[] = [];
    for (let index = 0n; bitmap >> index !== 0n; index += 1n) {
      if (((bitmap >> index) & 1n) === 0n) continue;
      if (!witnessAt.has(index))
        witnessAt.set(index, getAddress(await registry.read.witnessAt([index])));
      out.push(witnessAt.get(index)!);
    }
    return out;
  };
  const range = { fromBlock: 0n } as const;
  const proposed = await ledger.getEvents.ObservationProposed({}, range);
  const finalized = await ledger.getEvents.ObservationFinalized({}, range);
  const combined = await ledger.getEvents.ObservationProposedAndFinalized({}, range);
  const attested = await ledger.getEvents.ObservationAttested({}, range);
  const equivocations = await ledger.getEvents.EquivocationRecorded({}, range);
  const slotOfContent = new Map(proposed.map((p) => [p.args.contentHash!, p.args.slot!]));
  const proposedIn = new Map<Hex, number>();
  for (const p of proposed) proposedIn.set(p.args.slot!, (proposedIn.get(p.args.slot!) ?? 0) + 1);
  const finalizations = new Map<
    Hex,
    { observationHash: Hex; parent: Hex; sequence: bigint; witnesses: bigint }
  >();
  for (const f of finalized)
    finalizations.set(slotOfContent.get(f.args.contentHash!)!, {
      observationHash: f.args.observationHash!,
      parent: f.args.parentObservationHash!,
      sequence: f.args.sequence!,
      witnesses: f.args.witnesses!,
    });
  for (const f of combined)
    finalizations.set(observationSlot(f.args.streamHash!, f.args.epochHash!), {
      observationHash: f.args.observationHash!,
      parent: f.args.parentObservationHash!,
      sequence: f.args.sequence!,
      witnesses: f.args.witnesses!,
    });
  const transactions = new Set(
    [...proposed, ...finalized, ...combined, ...attested].map((e) => e.transactionHash),
  ).size;
  return {
    transactions,
    equivocations: equivocations.length,
    async slot(slot) {
      const [status, , attestedWitnesses] = await ledger.read.slotStatus([slot]);
      const f = finalizations.get(slot);
      // A slot finalized by a co-signed report keeps no slot word: its finalization event says so.
      if (status === 2 || f !== undefined) {
        return {
          status: "finalized",
          witnesses: f === undefined ? [] : await bitmapWitnesses(f.witnesses),
          observationHash: f?.observationHash,
          parent: f?.parent,
          sequence: f?.sequence,
          proposed: proposedIn.get(slot) ?? 0,
        };
      }
      return {
        status: status === 1 ? "open" : "empty",
        witnesses: await bitmapWitnesses(attestedWitnesses),
        observationHash: undefined,
        parent: undefined,
        sequence: undefined,
        proposed: proposedIn.get(slot) ?? 0,
      };
    },
    async head(streamHash) {
      const [hash, sequence, observedUnixMs] = await ledger.read.finalizedHead([streamHash]);
      return { hash, sequence, observedUnixMs };
    },
  };
}

const sorted = (xs: readonly Address[]): Address[] => [...xs].sort();

describe("reality-smoke", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "reality-smoke-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  describe("on the in-process chain with the recorded fixtures", function () {
    let report: SmokeReport;
    let json: string;

    before(async function () {
      // Under solidity-coverage every EVM step of the 4,016 transactions of the tx mode is traced:
      // on 2 CPUs beside other work that ran past the suite's 10 minutes.
      if (underCoverage()) this.timeout(3_600_000);
      json = path.join(dir, "fixtures-report.json");
      report = (await hre.run("reality-smoke", { mode: "all", json })) as SmokeReport;
    });

    it("finishes with every slot as the archives dictate, in all three modes, through the operators' witness nodes, relayer and report co-signers", async function () {
      const expected = await readArchiveExpectations(path.join(FIXTURES, "expected.json"));
      expect(report.ok).to.equal(true);
      expect(report.modes.map((m) => m.mode)).to.deep.equal(["tx", "relayed", "report"]);
      expect(report.witnesses).to.deep.equal(expected.witnesses.map((w) => w.witness));
      expect(report.quorum).to.equal(expected.quorum);
      const epochs = expected.streams.flatMap((s) => s.epochs);
      const refusing = epochs.flatMap((e) => e.groups).filter((g) => g.inFuture === true);
      for (const mode of report.modes) {
        expect(mode.mismatches, mode.mode).to.deep.equal([]);
        expect(mode.equivocations, mode.mode).to.equal(0);
        expect(mode.finalized, mode.mode).to.equal(
          epochs.filter((e) => e.outcome.startsWith("finalized")).length,
        );
        // Every witness node refused the far-future content it holds, and nothing else.
        expect(mode.inFuture, mode.mode).to.equal(
          refusing.reduce((n, g) => n + g.witnesses.length, 0),
        );
        expect(mode.refused, mode.mode).to.equal(refusing.length);
        expect(mode.empty, mode.mode).to.equal(refusing.length);
        // Each retry, repair and late line leaves one line fewer to attest.
        expect(mode.witnessEpochs, mode.mode).to.equal(
          expected.witnesses.reduce((n, w) => n + w.entries, 0) - expected.events.length,
        );
      }
      const [tx, relayed, reports] = report.modes;
      // Report mode: every finalization through co-signed reports, open votes on the compact path.
      expect(reports!.reports).to.be.greaterThan(0);
      expect(reports!.reportEntries).to.be.at.least(reports!.finalized);
      expect(reports!.genericItems).to.equal(0);
      // ... proposed over the relayer's HTTP exchange on loopback and co-signed there by the witness
      // nodes' own co-signers: every report sent carried at least a quorum of co-signatures.
      expect(tx!.exchange).to.equal(null);
      expect(relayed!.exchange).to.equal(null);
      const exchange = reports!.exchange!;
      expect(exchange.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(exchange.proposals).to.be.at.least(reports!.reports);
      expect(exchange.coSignatures).to.be.at.least(reports!.reports * report.quorum);
      expect(exchange.coSignatures + exchange.refusals).to.be.at.most(
        exchange.proposals * report.witnesses.length,
      );
      // Transaction mode: one transaction per attestation; relayed: batches, all on the compact path.
      expect(tx!.transactions).to.equal(tx!.attested);
      expect(tx!.compactItems + tx!.genericItems).to.equal(0);
      expect(relayed!.compactItems).to.be.greaterThan(relayed!.finalized);
      expect(relayed!.genericItems).to.equal(0);
      expect(relayed!.transactions * 10).to.be.lessThan(relayed!.compactItems);
    });

    it("agrees slot by slot with the fixtures' own expectations (expected.json), on every mode's ledger", async function () {
      const expected = await readArchiveExpectations(path.join(FIXTURES, "expected.json"));
      const accounts = await witnessAddresses(report.witnesses.length);
      const accountOf = (name: string): Address => accounts[report.witnesses.indexOf(name)]!;
      for (const mode of report.modes) {
        const chain = await ledgerReader(mode.ledger, mode.registry);
        expect(chain.equivocations).to.equal(0);
        let finalized = 0;
        let slots = 0;
        for (const stream of expected.streams) {
          const streamHash = streamId(archiveStreamKey(stream.stream));
          const head = await chain.head(streamHash);
          const observationOf = new Map<number, Hex>();
          for (const epoch of stream.epochs) {
            const inSlot = epoch.groups.filter((g) => g.slot === "epoch");
            slots += epoch.groups.length - inSlot.length + (inSlot.length > 0 ? 1 : 0);
            if (inSlot.length === 0) continue;
            const slot = observationSlot(
              streamHash,
              epochHash({
                streamHash,
                epochId: BigInt(epoch.epochId),
                startUnixMs: BigInt(epoch.startUnixMs),
                durationMs: epoch.durationMs,
              }),
            );
            const onChain = await chain.slot(slot);
            const where = `${mode.mode} ${stream.name} epoch ${epoch.epochId} (${epoch.case})`;
            const capturing = inSlot.flatMap((g) => g.witnesses.map(accountOf));
            if (epoch.outcome.startsWith("finalized")) {
              finalized += 1;
              expect(onChain.status, where).to.equal("finalized");
              expect(onChain.sequence, where).to.equal(BigInt(epoch.sequence));
              expect(onChain.parent, where).to.equal(
                epoch.parentEpochId === null ? zeroHash : observationOf.get(epoch.parentEpochId),
              );
              observationOf.set(epoch.epochId, onChain.observationHash!);
              const group = epoch.groups.find((g) => g.finalizes)!;
              expect(onChain.witnesses.length, where).to.be.at.least(expected.quorum);
              if (mode.mode === "tx")
                expect(onChain.witnesses.length, where).to.equal(expected.quorum);
              for (const w of onChain.witnesses)
                expect(group.witnesses.map(accountOf), where).to.include(w);
            } else {
              // Never finalized; expired exactly when a later epoch of the stream finalized.
              expect(onChain.status, where).to.not.equal("finalized");
              expect(head.observedUnixMs >= BigInt(epoch.startUnixMs), where).to.equal(
                epoch.expires,
              );
              for (const w of onChain.witnesses) expect(capturing, where).to.include(w);
              // Every capturing witness attested; a relayed signature that reached the relayer
              // only after the slot had expired is not needed.
              if (mode.mode === "tx" || !epoch.expires) {
                expect(onChain.status, where).to.equal("open");
                expect(sorted(onChain.witnesses), where).to.deep.equal(sorted(capturing));
                expect(onChain.proposed, where).to.equal(inSlot.length);
              }
            }
          }
          if (stream.finalHead === null) expect(head.hash).to.equal(zeroHash);
          else
            expect(head.sequence, `${mode.mode} ${stream.name} head`).to.equal(
              BigInt(stream.finalHead.sequence),
            );
        }
        expect(mode.finalized).to.equal(finalized);
        expect(mode.slots).to.equal(slots);
      }
    });

    it("moves every stream past its damaged, missed and split epochs: what a quorum agrees on after them finalizes", async function () {
      const expected = await readArchiveExpectations(path.join(FIXTURES, "expected.json"));
      const cases = new Map(expected.cases.map((c) => [c.name, c]));
      for (const name of ["damaged-and-missed", "gap-most-missed", "split-2-2-1", "gap-single"])
        expect(cases.has(name), name).to.equal(true);
      for (const mode of report.modes) {
        const chain = await ledgerReader(mode.ledger, mode.registry);
        for (const c of expected.cases) {
          const stream = expected.streams.find((s) => s.name === c.stream)!;
          const streamHash = streamId(archiveStreamKey(stream.stream));
          for (const offset of c.offsets) {
            const epoch = stream.epochs[offset]!;
            if (epoch.outcome.startsWith("finalized") || !epoch.expires) continue;
            // The next epoch a quorum agrees on finalized, chained on the last finalized before.
            const next = stream.epochs
              .slice(offset + 1)
              .find((e) => e.outcome.startsWith("finalized"))!;
            expect(next.parentEpochId, `${c.name}: ${next.epochId}`).to.equal(epoch.parentEpochId);
            const slot = observationSlot(
              streamHash,
              epochHash({
                streamHash,
                epochId: BigInt(next.epochId),
                startUnixMs: BigInt(next.startUnixMs),
                durationMs: next.durationMs,
              }),
            );
            expect((await chain.slot(slot)).status, `${mode.mode} ${c.name}`).to.equal("finalized");
          }
        }
        // The twelve epochs after the damaged-and-missed one all finalized, in sequence.
        const after = cases.get("agreement-after-damage")!;
        const kqed = expected.streams.find((s) => s.name === after.stream)!;
        const streamHash = streamId(archiveStreamKey(kqed.stream));
        const sequences: bigint[] = [];
        for (const offset of after.offsets) {
          const epoch = kqed.epochs[offset]!;
          const slot = observationSlot(
            streamHash,
            epochHash({
              streamHash,
              epochId: BigInt(epoch.epochId),
              startUnixMs: BigInt(epoch.startUnixMs),
              durationMs: epoch.durationMs,
            }),
          );
          const onChain = await chain.slot(slot);
          expect(onChain.status, `${mode.mode} kqed epoch ${epoch.epochId}`).to.equal("finalized");
          sequences.push(onChain.sequence!);
        }
        expect(after.offsets.length).to.be.at.least(10);
        expect(sequences.map((s) => s - sequences[0]!)).to.deep.equal(
          after.offsets.map((_, i) => BigInt(i)),
        );
      }
    });

    it("writes the same report as JSON", function () {
      const written = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
      expect(written.schema).to.equal("every.channel/reality-smoke/report/v2");
      expect(written.ok).to.equal(true);
      const modes = written.modes as Record<string, unknown>[];
      expect(modes.map((m) => m.mode)).to.deep.equal(["tx", "relayed", "report"]);
      expect(modes[2]!.reports).to.equal(report.modes[2]!.reports);
      expect(modes[2]!.exchange).to.deep.equal(report.modes[2]!.exchange);
      expect(modes[0]!.exchange).to.equal(null);
      expect(modes[0]!.gasUsed).to.equal(report.modes[0]!.gasUsed.toString());
      expect(modes[1]!.finalized).to.equal(report.modes[1]!.finalized);
    });

    it("keeps the gas of each mode within its snapshot, the compact relayed path well below transactions", function () {
      // Transaction mode is exact: its calldata and its order of attestations depend only on the
      // archives. Relayed calldata carries signatures over a domain that includes the ledger's
      // address, which depends on how many transactions the deployer sent before (test order), so
      // its gas varies by a few hundred (zero vs non-zero signature bytes) and is guarded by a
      // ceiling instead. Under solidity-coverage the instrumented bytecode costs more gas, unevenly
      // by path (a coverage run went over the relayed ceiling): no figure is compared there.
      if (underCoverage()) this.skip();
      const [tx, relayed, reports] = report.modes;
      expectGasSnapshot("reality-smoke", "fixtures tx gas", tx!.gasUsed);
      // Reports finalize with one quorum per run and no slot word: below the compact path.
      expect(reports!.mode).to.equal("report");
      expect(Number(reports!.gasPerFinalizedObservation!)).to.be.lessThan(
        Number(relayed!.gasPerFinalizedObservation!),
      );
      expectGasSnapshot(
        "reality-smoke",
        "fixtures tx gas per finalized observation",
        tx!.gasPerFinalizedObservation!,
      );
      expect(relayed!.mode).to.equal("relayed");
      expect(Number(relayed!.gasPerFinalizedObservation!)).to.be.lte(90_000);
      expect(2 * Number(relayed!.gasPerFinalizedObservation!)).to.be.lessThan(
        Number(tx!.gasPerFinalizedObservation!),
      );
    });
  });

  describe("with an archive set written by the test from a hand-written scenario", function () {
    let archive: string;
    let report: SmokeReport;
    let accounts: Address[];

    before(async function () {
      archive = writeScenarioArchive(path.join(dir, "scenario"), SCENARIO);
      report = (await hre.run("reality-smoke", { archive, mode: "both" })) as SmokeReport;
      accounts = await witnessAddresses(SCENARIO.witnesses);
    });

    it("counts the slots the scenario says finalize, stay contested or open, expire and are refused", function () {
      const all = SCENARIO.streams.flatMap((s) => s.epochs);
      const futures = all.reduce((n, e) => n + e.captures.filter((c) => c === "future").length, 0);
      expect(report.ok).to.equal(true);
      for (const mode of report.modes) {
        expect(mode.mismatches).to.deep.equal([]);
        expect(mode.slots).to.equal(all.length + futures);
        expect(mode.finalized).to.equal(all.filter((e) => e.outcome === "finalized").length);
        expect(mode.contested).to.equal(all.filter((e) => e.outcome === "contested").length);
        expect(mode.expired).to.equal(all.filter((e) => e.expires === true).length);
        expect(mode.open).to.equal(
          all.filter((e) => e.outcome !== "finalized" && e.expires !== true).length,
        );
        expect([mode.refused, mode.empty, mode.inFuture]).to.deep.equal([
          futures,
          futures,
          futures,
        ]);
      }
    });

    it("finalizes each slot with the witnesses the scenario names, chains each stream linearly and leaves the rest as written", async function () {
      for (const mode of report.modes) {
        const chain = await ledgerReader(mode.ledger, mode.registry);
        expect(chain.equivocations).to.equal(0);
        for (const stream of SCENARIO.streams) {
          const head = await chain.head(scenarioStreamHash(stream));
          let parent: Hex = zeroHash;
          let sequence = 0n;
          for (const [index, epoch] of stream.epochs.entries()) {
            const where = `${mode.mode} ${stream.callsign} epoch ${index}`;
            const onChain = await chain.slot(scenarioSlot(stream, index));
            const capturing = epoch.captures
              .map((c, w) => (c === "absent" || c === "future" ? undefined : accounts[w]!))
              .filter((a): a is Address => a !== undefined);
            if (epoch.captures.includes("future")) {
              const own = await chain.slot(scenarioSlot(stream, index, true));
              expect(own.status, `${where}: the far-future content`).to.equal("empty");
            }
            if (epoch.outcome === "finalized") {
              const agreeing = epoch.finalizedBy!.map((w) => accounts[w]!);
              expect(onChain.status, where).to.equal("finalized");
              expect(onChain.witnesses.length, where).to.be.at.least(SCENARIO.quorum);
              // A transaction finalizes at the quorum-th attestation; a relayed batch counts all.
              if (mode.mode === "tx")
                expect(onChain.witnesses.length, where).to.equal(SCENARIO.quorum);
              for (const w of onChain.witnesses) expect(agreeing, where).to.include(w);
              expect(onChain.parent, where).to.equal(parent);
              expect(onChain.sequence, where).to.equal(sequence);
              parent = onChain.observationHash!;
              sequence += 1n;
            } else {
              expect(onChain.status, where).to.not.equal("finalized");
              expect(
                head.observedUnixMs >= 1_734_000_000_000n + BigInt(index * 6000),
                where,
              ).to.equal(epoch.expires === true);
              for (const w of onChain.witnesses) expect(capturing, where).to.include(w);
              if (mode.mode === "tx" || epoch.expires !== true) {
                expect(onChain.status, where).to.equal("open");
                expect(sorted(onChain.witnesses), where).to.deep.equal(sorted(capturing));
                // One content per distinct capture (a retry or a repair is the good capture).
                const variants = new Set(
                  epoch.captures
                    .filter((c) => c !== "absent" && c !== "future")
                    .map((c) => (c === "retry" || c === "repair" ? "good" : c)),
                );
                expect(onChain.proposed, where).to.equal(variants.size);
                expect(variants.size > 1 ? "contested" : "open", where).to.equal(epoch.outcome);
              }
            }
          }
          expect(head.hash, stream.callsign).to.equal(parent);
          expect(head.sequence, stream.callsign).to.equal(sequence === 0n ? 0n : sequence - 1n);
        }
      }
    });

    it("stops at an invalid archive line naming file:line: field, and skips it with --skip-invalid", async function () {
      const damaged = writeScenarioArchive(path.join(dir, "scenario-invalid"), SCENARIO);
      const file = path.join(damaged, "witness-b.jsonl");
      const lines = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== "").length;
      appendFileSync(file, '{"schema":"every.channel/archive/epoch/v1","stream":{}}\n');
      const failure = await hre.run("reality-smoke", { archive: damaged, mode: "tx" }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).to.equal(`${file}:${lines + 1}: stream.broadcast: is required`);
      const skipped = (await hre.run("reality-smoke", {
        archive: damaged,
        mode: "tx",
        skipInvalid: true,
      })) as SmokeReport;
      expect(skipped.ok).to.equal(true);
      expect(skipped.modes[0]!.finalized).to.equal(report.modes[0]!.finalized);
    });

    it("lists a deliberately wrong expectation as mismatches naming the slot", async function () {
      const set = await loadArchiveSet({ dir: archive });
      const client = await hre.viem.getPublicClient();
      const mode = report.modes[0]!;
      const expectations = expectedOutcome({
        contents: set.witnesses.flatMap((w) =>
          w.epochs.map((e) => ({ witness: w.index, content: e.content })),
        ),
        quorum: SCENARIO.quorum,
        chainTimeMs: BigInt(Date.now()),
      });
      const stream = expectations.find((s) => s.slots.some((slot) => slot.outcome === "open"))!;
      const wrong = stream.slots.find((slot) => slot.outcome === "finalized")!;
      wrong.outcome = "open";
      wrong.finalized = undefined;
      const ledger = {
        address: mode.ledger,
        abi: (await hre.artifacts.readArtifact("EveryChannelObservationLedger")).abi,
      } as const;
      const registry = {
        address: mode.registry,
        abi: (await hre.artifacts.readArtifact("EveryChannelWitnessRegistry")).abi,
      } as const;
      const chain = createLedgerClient({ publicClient: client, ledger, registry });
      const witnesses = await Promise.all(
        set.witnesses.map(async (w) => ({
          index: w.index,
          name: w.name,
          address: accounts[w.index]!,
          registryIndex: await chain.witnessIndex(accounts[w.index]!),
        })),
      );
      const { mismatches } = await checkOutcome({
        ledger: chain,
        fromBlock: 0n,
        expectations,
        witnesses,
        quorum: SCENARIO.quorum,
        mode: "tx",
      });
      expect(mismatches.length).to.be.greaterThan(0);
      for (const m of mismatches)
        expect([m.slot, m.epochId]).to.deep.equal([wrong.slot, wrong.epochId]);
      const kinds = mismatches.map((m) => m.kind);
      expect(kinds).to.include.members(["extra-finalization", "slot-outcome", "content-status"]);
      const outcome = mismatches.find((m) => m.kind === "slot-outcome")!;
      expect(outcome.message).to.contain(`epoch ${wrong.epochId}`);
      expect(outcome.message).to.contain("expected open, chain has finalized");
    });

    it("fails listing the slot when a colluding majority finalized a forged observation first", async function () {
      const set = await loadArchiveSet({ dir: archive });
      const streamHash = scenarioStreamHash(SCENARIO.streams[0]!);
      const first = set.witnesses[0]!.epochs.find(
        (e) => e.content.streamHash === streamHash && e.content.epochId === 289_000_000n,
      )!.content;
      const forged = {
        streamHash: first.streamHash,
        epochHash: first.epochHash,
        dataRoot: keccak256(toHex("forged")),
        locatorHash: first.locatorHash,
        observedUnixMs: first.observedUnixMs,
      };
      const failure = await realitySmokeCommand({
        options: parseRealitySmokeOptions({ archive, mode: "tx", skipInvalid: false }),
        root: hre.config.paths.root,
        network: hre.network.name,
        chainId: await (await hre.viem.getPublicClient()).getChainId(),
        out: { write: () => true } as unknown as NodeJS.WritableStream,
        err: { write: () => true } as unknown as NodeJS.WritableStream,
        progress: silentProgress,
        prepare: async (request) => {
          const prepared = await prepareSmoke(hre, request);
          for (const wallet of prepared.witnessWallets.slice(0, SCENARIO.quorum)) {
            const ledger = await hre.viem.getContractAt(
              "EveryChannelObservationLedger",
              prepared.targets[0]!.ledger.address,
              { client: { wallet: await hre.viem.getWalletClient(wallet.account.address) } },
            );
            await ledger.write.attest([forged]);
          }
          return prepared;
        },
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(RealitySmokeMismatchError);
      const mismatches = (failure as RealitySmokeMismatchError).report.modes[0]!.mismatches;
      expect(mismatches.filter((m) => m.kind === "finalized-content")[0]).to.include({
        slot: first.slot,
        epochId: first.epochId,
      });
      expect((failure as Error).message).to.contain(`epoch ${first.epochId}`);
    });

    it("stops after --max-transactions, as a killed run would, having sent exactly that many", async function () {
      let ledger: Address | undefined;
      let registry: Address | undefined;
      const failure = await realitySmokeCommand({
        options: parseRealitySmokeOptions({
          archive,
          mode: "tx",
          skipInvalid: false,
          maxTransactions: 7,
        }),
        root: hre.config.paths.root,
        network: hre.network.name,
        chainId: await (await hre.viem.getPublicClient()).getChainId(),
        out: { write: () => true } as unknown as NodeJS.WritableStream,
        err: { write: () => true } as unknown as NodeJS.WritableStream,
        progress: silentProgress,
        prepare: async (request) => {
          const prepared = await prepareSmoke(hre, request);
          ledger = prepared.targets[0]!.ledger.address;
          registry = prepared.targets[0]!.registry.address;
          return prepared;
        },
      }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).to.equal(
        "reality-smoke: stopped after --max-transactions 7; run again to resume",
      );
      expect((await ledgerReader(ledger!, registry!)).transactions).to.equal(7);
    });
  });
});
