import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { getAddress, zeroHash, type Address, type Hex } from "viem";

import { readArchiveExpectations } from "../../lib/archive/expectations";
import { observationSlot } from "../../lib/commitments/observation";
import { epochHash, streamId } from "../../lib/commitments/stream";
import { archiveStreamKey } from "../../lib/derive/stream-key";
import { loadArchiveSet } from "../../lib/smoke/archive-set";
import { checkOutcome } from "../../lib/smoke/check";
import {
  parseRealitySmokeOptions,
  realitySmokeCommand,
  RealitySmokeMismatchError,
} from "../../lib/smoke/command";
import { GENESIS_HEAD } from "../../lib/smoke/observations";
import { expectedOutcome, type StreamExpectation } from "../../lib/smoke/outcome";
import { silentProgress } from "../../lib/smoke/progress";
import type { SmokeReport } from "../../lib/smoke/report";
import { prepareSmoke, WITNESS_ACCOUNT_OFFSET } from "../../tasks/reality-smoke";
import { expectGasSnapshot } from "../support/gas";
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
  finalizedHash: Hex;
  /** Witnesses with an attestation in the slot (open: the slot bitmap; finalized: the finalizers). */
  witnesses: Address[];
  sequence: bigint | undefined;
  parent: Hex | undefined;
  /** Distinct candidates the ledger recorded in the slot. */
  candidates: number;
}

/**
 * Reads a ledger straight from the contract and its events (not through the smoke's own code):
 * returns a reader of one slot.
 */
async function ledgerReader(
  ledgerAddress: Address,
  registryAddress: Address,
): Promise<(slot: Hex) => Promise<SlotOnChain>> {
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
  const proposed = await ledger.getEvents.ObservationProposed({}, { fromBlock: 0n });
  const finalized = await ledger.getEvents.ObservationFinalized({}, { fromBlock: 0n });
  const headers = new Map(proposed.map((p) => [p.args.observationHash!, p.args.header!]));
  const candidates = new Map<Hex, number>();
  for (const p of proposed) candidates.set(p.args.slot!, (candidates.get(p.args.slot!) ?? 0) + 1);
  const finalizations = new Map(finalized.map((f) => [f.args.slot!, f.args]));
  return async (slot) => {
    const [status, finalizedHash, attested] = await ledger.read.slotStatus([slot]);
    const f = finalizations.get(slot);
    if (status === 2 && f !== undefined) {
      return {
        status: "finalized",
        finalizedHash,
        witnesses: await bitmapWitnesses(f.witnesses!),
        sequence: f.sequence,
        parent: headers.get(finalizedHash)?.parentObservationHash,
        candidates: candidates.get(slot) ?? 0,
      };
    }
    return {
      status: status === 1 ? "open" : status === 2 ? "finalized" : "empty",
      finalizedHash,
      witnesses: await bitmapWitnesses(attested),
      sequence: undefined,
      parent: undefined,
      candidates: candidates.get(slot) ?? 0,
    };
  };
}

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
      json = path.join(dir, "fixtures-report.json");
      report = (await hre.run("reality-smoke", { mode: "both", json })) as SmokeReport;
    });

    it("finishes with every slot as the archives dictate, in both modes", function () {
      expect(report.ok).to.equal(true);
      expect(report.modes.map((m) => m.mode)).to.deep.equal(["tx", "relayed"]);
      for (const mode of report.modes) {
        expect(mode.mismatches, mode.mode).to.deep.equal([]);
        expect(mode.equivocations).to.equal(0);
        expect(mode.unobserved).to.equal(0);
      }
      expect(report.witnesses).to.deep.equal([
        "witness-a",
        "witness-b",
        "witness-c",
        "witness-d",
        "witness-e",
      ]);
      expect(report.quorum).to.equal(3);
    });

    it("agrees slot by slot with the fixtures' own expectations (expected.json), on both ledgers", async function () {
      const expected = await readArchiveExpectations(path.join(FIXTURES, "expected.json"));
      const accounts = await witnessAddresses(report.witnesses.length);
      const accountOf = (name: string): Address => accounts[report.witnesses.indexOf(name)]!;
      for (const mode of report.modes) {
        const readSlot = await ledgerReader(mode.ledger, mode.registry);
        let finalized = 0;
        let unfinalized = 0;
        // A witness whose epoch timing differs derives a slot of its own (open, alone in it).
        let ownSlots = 0;
        for (const stream of expected.streams) {
          const streamHash = streamId(archiveStreamKey(stream.stream));
          for (const epoch of stream.epochs) {
            if (epoch.groups.length === 0) continue;
            const slot = observationSlot(
              streamHash,
              epochHash({
                streamHash,
                epochId: BigInt(epoch.epochId),
                startUnixMs: BigInt(epoch.startUnixMs),
                durationMs: epoch.durationMs,
              }),
            );
            const onChain = await readSlot(slot);
            const where = `${mode.mode} ${stream.name} epoch ${epoch.epochId}`;
            if (epoch.outcome.startsWith("finalized")) {
              finalized += 1;
              expect(onChain.status, where).to.equal("finalized");
              expect(onChain.sequence, where).to.equal(BigInt(epoch.sequence));
              const group = epoch.groups.find((g) => g.finalizes)!;
              ownSlots += epoch.groups.filter((g) => g.slot === "own").length;
              const allowed = group.witnesses.map(accountOf);
              expect(onChain.witnesses.length, where).to.be.at.least(expected.quorum);
              for (const w of onChain.witnesses) expect(allowed, where).to.include(w);
            } else {
              unfinalized += 1;
              expect(onChain.status, where).to.equal("open");
              // A slot that never finalizes takes every capturing witness's attestation.
              const inSlot = epoch.groups.filter((g) => g.slot === "epoch");
              ownSlots += epoch.groups.length - inSlot.length;
              const all = inSlot.flatMap((g) => g.witnesses.map(accountOf));
              expect([...onChain.witnesses].sort(), where).to.deep.equal([...all].sort());
              expect(onChain.candidates, where).to.equal(inSlot.length);
            }
          }
          const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", mode.ledger);
          const [, sequence] = await ledger.read.finalizedHead([streamHash]);
          if (stream.finalHead !== null) {
            expect(sequence, `${mode.mode} ${stream.name} head`).to.equal(
              BigInt(stream.finalHead.sequence),
            );
          }
        }
        expect(mode.finalized).to.equal(finalized);
        expect(finalized + unfinalized + ownSlots).to.equal(mode.epochs);
      }
    });

    it("writes the same report as JSON", function () {
      const written = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
      expect(written.schema).to.equal("every.channel/reality-smoke/report/v1");
      expect(written.ok).to.equal(true);
      const modes = written.modes as Record<string, unknown>[];
      expect(modes.map((m) => m.mode)).to.deep.equal(["tx", "relayed"]);
      expect(modes[0]!.gasUsed).to.equal(report.modes[0]!.gasUsed.toString());
      expect(modes[1]!.finalized).to.equal(report.modes[1]!.finalized);
    });

    it("keeps the gas of each mode within its snapshot", function () {
      // Transaction mode is exact: its calldata depends only on the archives. Relayed calldata
      // carries signatures over a domain that includes the ledger's address, which depends on how
      // many transactions the deployer sent before (test order), so its gas varies by a few hundred
      // (zero vs non-zero signature bytes) and is guarded by a ceiling instead.
      const [tx, relayed] = report.modes;
      expectGasSnapshot("reality-smoke", "fixtures tx gas", tx!.gasUsed);
      expectGasSnapshot(
        "reality-smoke",
        "fixtures tx gas per finalized observation",
        tx!.gasPerFinalizedObservation!,
      );
      expect(relayed!.mode).to.equal("relayed");
      expect(Number(relayed!.gasPerFinalizedObservation!)).to.be.lte(111_000);
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

    it("counts the slots the scenario says finalize, stay contested and stay open", function () {
      const all = SCENARIO.streams.flatMap((s) => s.epochs);
      for (const mode of report.modes) {
        expect(mode.epochs).to.equal(all.length);
        expect(mode.finalized).to.equal(all.filter((e) => e.outcome === "finalized").length);
        expect(mode.contested).to.equal(all.filter((e) => e.outcome === "contested").length);
        expect(mode.open).to.equal(all.filter((e) => e.outcome === "open").length);
        expect(mode.mismatches).to.deep.equal([]);
      }
    });

    it("finalizes each slot with the witnesses the scenario names and chains the stream linearly", async function () {
      for (const mode of report.modes) {
        const readSlot = await ledgerReader(mode.ledger, mode.registry);
        for (const stream of SCENARIO.streams) {
          let head: Hex = zeroHash;
          let sequence = -1n;
          for (const [index, epoch] of stream.epochs.entries()) {
            const where = `${mode.mode} ${stream.callsign} epoch ${index}`;
            const onChain = await readSlot(scenarioSlot(stream, index));
            const capturing = epoch.captures
              .map((c, w) => (c === "absent" ? undefined : accounts[w]!))
              .filter((a): a is Address => a !== undefined);
            if (epoch.outcome === "finalized") {
              const finalizers = epoch.finalizedBy!.map((w) => accounts[w]!);
              expect(onChain.status, where).to.equal("finalized");
              // Transactions: the first `quorum` agreeing witnesses in turn; relayed: the whole group.
              expect(onChain.witnesses, where).to.deep.equal(
                mode.mode === "tx" ? finalizers.slice(0, SCENARIO.quorum) : finalizers,
              );
              expect(onChain.parent, where).to.equal(head);
              expect(onChain.sequence, where).to.equal(sequence + 1n);
              head = onChain.finalizedHash;
              sequence += 1n;
            } else {
              expect(onChain.status, where).to.equal("open");
              expect([...onChain.witnesses].sort(), where).to.deep.equal([...capturing].sort());
              // One candidate per distinct capture (a retry or a repair is the good capture).
              const variants = new Set(
                epoch.captures
                  .filter((c) => c !== "absent")
                  .map((c) => (c === "retry" || c === "repair" ? "good" : c)),
              );
              expect(onChain.candidates, where).to.equal(variants.size);
              expect(variants.size > 1 ? "contested" : "open", where).to.equal(epoch.outcome);
            }
          }
          const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", mode.ledger);
          const [headHash, headSequence] = await ledger.read.finalizedHead([
            scenarioStreamHash(stream),
          ]);
          expect(headHash).to.equal(head);
          expect(headSequence).to.equal(sequence);
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

    it("lists a deliberately wrong expectation as a mismatch naming the slot", async function () {
      const set = await loadArchiveSet({ dir: archive });
      const expectations: StreamExpectation[] = expectedOutcome({
        witnesses: set.witnesses,
        quorum: SCENARIO.quorum,
      });
      const stream = expectations.find((s) => s.slots.some((slot) => slot.outcome === "open"))!;
      const wrong = stream.slots.find((slot) => slot.outcome === "finalized")!;
      wrong.outcome = "open";
      wrong.finalizedHash = undefined;
      const { createViemLedgerPort } = await import("../../lib/smoke/viem-ledger");
      const { createTransactionSender } = await import("../../lib/smoke/sender");
      const publicClient = await hre.viem.getPublicClient();
      const mode = report.modes[0]!;
      const ledger = createViemLedgerPort({
        publicClient,
        ledger: {
          address: mode.ledger,
          abi: (await hre.artifacts.readArtifact("EveryChannelObservationLedger")).abi,
        },
        registry: {
          address: mode.registry,
          abi: (await hre.artifacts.readArtifact("EveryChannelWitnessRegistry")).abi,
        },
        accounts: [],
        sender: createTransactionSender({ publicClient }),
      });
      const { mismatches } = await checkOutcome({
        ledger,
        expectations,
        witnessAccounts: accounts,
        quorum: SCENARIO.quorum,
      });
      expect(mismatches.map((m) => [m.kind, m.slot, m.epochId])).to.deep.equal([
        ["slot-outcome", wrong.slot, wrong.epochId],
        ["finalized-hash", wrong.slot, wrong.epochId],
        ["minority-finalized", wrong.slot, wrong.epochId],
      ]);
      expect(mismatches[0]!.message).to.contain(`epoch ${wrong.epochId}`);
      expect(mismatches[0]!.message).to.contain("expected open, chain has finalized");
    });

    it("fails listing the slot when a colluding majority finalized a forged observation first", async function () {
      const set = await loadArchiveSet({ dir: archive });
      const first = set.witnesses[0]!.observations.find(
        (o) =>
          o.streamHash === scenarioStreamHash(SCENARIO.streams[0]!) && o.epochId === 289_000_000n,
      )!;
      const forged = { ...first.header(GENESIS_HEAD), dataRoot: `0x${"ab".repeat(32)}` as Hex };
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
          const ledger = prepared.targets[0]!.ledger;
          for (const witness of prepared.accounts.slice(0, SCENARIO.quorum)) {
            await ledger.attest(witness, forged);
          }
          return prepared;
        },
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(RealitySmokeMismatchError);
      const mismatches = (failure as RealitySmokeMismatchError).report.modes[0]!.mismatches;
      expect(mismatches.filter((m) => m.kind === "finalized-hash")[0]).to.include({
        slot: first.slot,
        epochId: first.epochId,
      });
      expect((failure as Error).message).to.contain(`epoch ${first.epochId}`);
    });
  });
});
