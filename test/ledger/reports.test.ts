import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import {
  concatHex,
  keccak256,
  size,
  toHex,
  zeroHash,
  type Hex,
  type LocalAccount,
  type PublicClient,
} from "viem";

import { InvalidFieldError } from "../../lib/errors";
import { packCompactBatch } from "../../lib/ledger/compactSignatures";
import {
  CANDIDATE_STATUS_VALUE,
  SLOT_STATUS_VALUE,
  createLedgerClient,
  finalizationsOf,
  reportsOf,
} from "../../lib/ledger/client";
import {
  MAX_REPORT_ENTRIES,
  REPORT_ENTRY_TYPE,
  REPORT_TYPE,
  reportDigest,
  reportOf,
  signReport,
  type ObservationReport,
} from "../../lib/ledger/report";
import {
  packReport,
  packReportEntries,
  unpackReportEntries,
} from "../../lib/ledger/reportCalldata";
import type { ObservationLedgerDomain } from "../../lib/ledger/typedData";
import { readLedgerStatus } from "../../lib/operator/ledger-status";
import type { ObservationContent } from "../../lib/types/abi";
import { expectEvents, type ExpectedEvent } from "../support/events";
import { expectRevert } from "../support/revert";
import {
  MAX_FUTURE_MS,
  bits,
  contentAt,
  finalizeAll,
  hardhatAccount,
  hashOf,
  linkOn,
  linksOn,
  loadLedgerFixture,
  proposedAndFinalizedEvent,
  runOf,
  slotOf,
  streamOf,
  type LedgerFixture,
  type Link,
} from "./fixture";

/** Signatures of `signers` over `report` under `domain` (the fixture's by default). */
async function reportSignatures(
  f: LedgerFixture,
  report: ObservationReport,
  signers: readonly LocalAccount[],
  domain: ObservationLedgerDomain = f.domain,
): Promise<Hex[]> {
  return Promise.all(signers.map((s) => signReport(s, domain, report)));
}

/** Sends `contents` as one report signed by `signers` (witnesses 0..2 by default); returns the receipt. */
async function submitReport(
  f: LedgerFixture,
  contents: readonly ObservationContent[],
  signers: readonly LocalAccount[] = f.witnesses.slice(0, 3),
) {
  const report = reportOf(contents);
  const hash = await f.ledger.write.submitReport(
    packReport(report, await reportSignatures(f, report, signers)),
  );
  return f.receiptOf(hash);
}

/** The events a report finalizing `finalized` (linked on `parent`) and skipping `skipped` emits. */
function reportEvents(
  f: LedgerFixture,
  report: ObservationReport,
  finalized: readonly ObservationContent[],
  parent: Link | undefined,
  witnesses: bigint,
  skipped: number,
): ExpectedEvent[] {
  const links = linksOn(finalized, parent);
  return [
    ...finalized.map((c, i) =>
      proposedAndFinalizedEvent(c, i === 0 ? parent : links[i - 1], witnesses),
    ),
    {
      eventName: "ReportAccepted",
      args: {
        streamHash: report.streamHash,
        reportDigest: reportDigest(f.domain, report),
        witnesses,
        firstSequence:
          finalized.length === 0
            ? (parent?.sequence ?? 0n) + (parent ? 1n : 0n)
            : links[0]!.sequence,
        finalized: BigInt(finalized.length),
        skipped: BigInt(skipped),
      },
    },
  ];
}

const STREAM = streamOf(7);

describe("EveryChannelObservationLedger reports", function () {
  describe("digest and calldata", function () {
    it("hashes the report type string of lib/ledger/report.ts and has version 2.1.0", async function () {
      const f = await loadLedgerFixture();
      expect(await f.ledger.read.REPORT_TYPEHASH()).to.equal(keccak256(toHex(REPORT_TYPE)));
      expect(await f.ledger.read.REPORT_ENTRY_TYPEHASH()).to.equal(
        keccak256(toHex(REPORT_ENTRY_TYPE)),
      );
      expect(await f.ledger.read.MAX_REPORT_ENTRIES()).to.equal(BigInt(MAX_REPORT_ENTRIES));
      expect(await f.ledger.read.version()).to.equal("2.1.0");
    });

    it("computes reportDigest equal to the library's for 1, 2, 50 and 256 entries and boundary times", async function () {
      const f = await loadLedgerFixture();
      for (const count of [1, 2, 50, 256]) {
        const contents = runOf(STREAM, 1n, count);
        const report = reportOf(contents);
        expect(await f.ledger.read.reportDigest([STREAM, packReportEntries(report)])).to.equal(
          reportDigest(f.domain, report),
        );
      }
      const edge = reportOf([
        { ...contentAt(STREAM, 1n), observedUnixMs: 0n },
        { ...contentAt(STREAM, 2n), observedUnixMs: 2n ** 64n - 1n },
      ]);
      expect(await f.ledger.read.reportDigest([STREAM, packReportEntries(edge)])).to.equal(
        reportDigest(f.domain, edge),
      );
      expect(unpackReportEntries(packReportEntries(edge))).to.deep.equal(edge.entries);
    });

    it("refuses to pack a report without signatures or to unpack partial entries, naming the field", function () {
      const report = reportOf(runOf(STREAM, 1n, 1));
      expect(() => packReport(report, [])).to.throw(InvalidFieldError, /^signatures: /);
      expect(() => unpackReportEntries(`0x${"00".repeat(103)}`)).to.throw(
        InvalidFieldError,
        /^entries: not a whole number of 104-byte entries \(got "103 bytes"\)$/,
      );
    });

    it("packs 104 bytes per entry and 64 per signature", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 3));
      const [stream, entries, signatures] = packReport(
        report,
        await reportSignatures(f, report, f.witnesses.slice(0, 3)),
      );
      expect(stream).to.equal(STREAM);
      expect(size(entries)).to.equal(3 * 104);
      expect(size(signatures)).to.equal(3 * 64);
    });
  });

  describe("finalization", function () {
    it("finalizes a run on an empty stream, links each entry to the one before and writes the head once", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 5);
      const report = reportOf(run);
      const receipt = await submitReport(f, run);
      expectEvents(
        f.ledger,
        receipt.logs,
        reportEvents(f, report, run, undefined, bits(0, 1, 2), 0),
      );
      const links = linksOn(run, undefined);
      const last = links[links.length - 1]!;
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal([
        last.hash,
        last.sequence,
        last.observedUnixMs,
      ]);
      const finalizations = finalizationsOf(f.ledger.abi, f.ledger.address, receipt.logs);
      expect(finalizations.map((x) => x.observationHash)).to.deep.equal(links.map((l) => l.hash));
      const [accepted] = reportsOf(f.ledger.abi, f.ledger.address, receipt.logs);
      expect(accepted).to.include({ finalized: 5n, skipped: 0n, witnesses: bits(0, 1, 2) });
    });

    it("is counted by ledger:status's reading of the ledger (finalizations, head, no open slot)", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 4);
      await submitReport(f, run);
      const status = await readLedgerStatus({
        ledger: createLedgerClient({
          publicClient: f.publicClient as PublicClient,
          ledger: { address: f.ledger.address, abi: f.ledger.abi },
        }),
        fromBlock: 0n,
      });
      const stream = status.streams.find((x) => x.streamHash === STREAM)!;
      expect(stream.finalized).to.equal(4);
      expect(stream.head.sequence).to.equal(3n);
      expect(stream.open).to.deep.equal([]);
    });

    it("skips the entries at or before the head and finalizes the rest on it (a report landing after single attestations finalized part of it)", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 6);
      await finalizeAll(f, run.slice(0, 3));
      const head = linksOn(run.slice(0, 3), undefined)[2]!;
      const report = reportOf(run);
      const receipt = await submitReport(f, run, f.witnesses.slice(2, 5));
      expectEvents(
        f.ledger,
        receipt.logs,
        reportEvents(f, report, run.slice(3), head, bits(2, 3, 4), 3),
      );
      expect((await f.ledger.read.finalizedHead([STREAM]))[1]).to.equal(5n);
    });

    it("skips a whole report at or before the head without writing anything but ReportAccepted", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 4);
      await finalizeAll(f, run);
      const before = await f.ledger.read.finalizedHead([STREAM]);
      const report = reportOf(run.slice(1, 3));
      const receipt = await submitReport(f, run.slice(1, 3));
      const head = linksOn(run, undefined)[3]!;
      expectEvents(f.ledger, receipt.logs, reportEvents(f, report, [], head, bits(0, 1, 2), 2));
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(before);
    });

    it("finalizes the entries after a gap the stream skipped (a later entry than a missed one)", async function () {
      const f = await loadLedgerFixture();
      const contents = [contentAt(STREAM, 1n), contentAt(STREAM, 4n), contentAt(STREAM, 9n)];
      const receipt = await submitReport(f, contents);
      expectEvents(
        f.ledger,
        receipt.logs,
        reportEvents(f, reportOf(contents), contents, undefined, bits(0, 1, 2), 0),
      );
    });

    it("leaves report-finalized slots to no other path: each is expired for attest, relayed and compact items", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 3);
      await submitReport(f, run);
      const rival = contentAt(STREAM, 1n, 1);
      for (const [content, attesters] of [
        [run[1]!, f.witnesses.slice(2, 5)],
        [rival, f.witnesses.slice(0, 3)],
      ] as const) {
        expect((await f.ledger.read.candidateStatus([content]))[0]).to.equal(
          CANDIDATE_STATUS_VALUE.expired,
        );
        const [w0, w1, w2] = attesters;
        await (await f.ledgerAs(w0!)).write.attest([content]);
        await (await f.ledgerAs(w1!)).write.attest([content]);
        await expectRevert(
          (await f.ledgerAs(w2!)).write.attest([content]),
          f.ledger,
          "ObservationExpired",
          [hashOf(content), content.observedUnixMs, run[2]!.observedUnixMs],
        );
      }
      const before = await f.ledger.read.finalizedHead([STREAM]);
      await f.ledger.write.submitCompactAttestations(
        packCompactBatch([await f.compact(rival, f.witnesses.slice(0, 3))]),
      );
      await f.ledger.write.submitSignedAttestations([
        [await f.signed(rival, f.witnesses.slice(0, 3))],
      ]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(before);
      // The report wrote no slot word: the slot shows the later attestations only.
      expect((await f.ledger.read.slotStatus([slotOf(run[2]!)]))[0]).to.equal(
        SLOT_STATUS_VALUE.empty,
      );
    });

    it("never records an equivocation for a witness whose single attestation and report signature agree", async function () {
      const f = await loadLedgerFixture();
      const run = runOf(STREAM, 1n, 3);
      const [w0] = f.witnesses;
      // w0 attests epoch 2 alone (open), then signs the report of epochs 1-3; its single signature lands after.
      await (await f.ledgerAs(w0!)).write.attest([run[1]!]);
      const receipt = await submitReport(f, run);
      const late = await f.ledger.write.submitSignedAttestations([
        [await f.signed(run[2]!, [w0!])],
      ]);
      const logs = [...receipt.logs, ...(await f.receiptOf(late)).logs];
      expect(logs.some((l) => l.topics[0] === equivocationTopic(f))).to.equal(false);
      for (const c of run)
        expect(await f.ledger.read.equivocation([slotOf(c), w0!.address])).to.deep.equal([
          zeroHash,
          zeroHash,
        ]);
    });
  });

  describe("reverts", function () {
    it("with NotAWitness naming the recovered address for a report signed on another chain or ledger", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      for (const domain of [
        { ...f.domain, chainId: f.domain.chainId + 1n },
        { ...f.domain, verifyingContract: f.registry.address },
        { ...f.domain, version: "1" },
      ]) {
        const signatures = await reportSignatures(f, report, f.witnesses.slice(0, 3), domain);
        const decoded = await expectRevert(
          f.ledger.write.submitReport(packReport(report, signatures)),
          f.ledger,
          "NotAWitness",
        );
        expect(decoded.args[0]).to.not.equal(f.witnesses[0]!.address);
      }
    });

    it("with NotAWitness for a signature by a non-member, and by a witness removed between signing and submitting", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      const stranger = hardhatAccount(9);
      const withStranger = await reportSignatures(f, report, [
        ...f.witnesses.slice(0, 3),
        stranger,
      ]);
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, withStranger)),
        f.ledger,
        "NotAWitness",
        [stranger.address],
      );
      const signatures = await reportSignatures(f, report, f.witnesses.slice(0, 3));
      await f.registry.write.removeWitness([f.witnesses[1]!.address]);
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, signatures)),
        f.ledger,
        "NotAWitness",
        [f.witnesses[1]!.address],
      );
    });

    it("with QuorumNotReached for fewer signers than the quorum, and after the quorum rose between signing and submitting", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      const digest = reportDigest(f.domain, report);
      const two = await reportSignatures(f, report, f.witnesses.slice(0, 2));
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, two)),
        f.ledger,
        "QuorumNotReached",
        [digest, 2n, 3n],
      );
      const three = await reportSignatures(f, report, f.witnesses.slice(0, 3));
      await f.registry.write.updateWitnessSet([[], [], 4n]);
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, three)),
        f.ledger,
        "QuorumNotReached",
        [digest, 3n, 4n],
      );
    });

    it("with DuplicateReportSigner for a witness's signature twice", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      const [a, b] = await reportSignatures(f, report, f.witnesses.slice(0, 2));
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, [a!, b!, a!])),
        f.ledger,
        "DuplicateReportSigner",
        [reportDigest(f.domain, report), f.witnesses[0]!.address],
      );
    });

    it("with InvalidReportSignature for a signature that recovers no signer", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      const signatures = await reportSignatures(f, report, f.witnesses.slice(0, 3));
      const [stream, entries, packed] = packReport(report, signatures);
      const zeroR = concatHex([
        packed.slice(0, 2 + 128) as Hex,
        zeroHash,
        `0x${packed.slice(2 + 192)}`,
      ]);
      await expectRevert(
        f.ledger.write.submitReport([stream, entries, zeroR]),
        f.ledger,
        "InvalidReportSignature",
        [reportDigest(f.domain, report), 1n],
      );
    });

    it("with ReportEntriesNotIncreasing for an entry not later than the one before", async function () {
      const f = await loadLedgerFixture();
      const [a, b, c] = runOf(STREAM, 1n, 3);
      for (const [contents, index, observed, previous] of [
        [[a!, c!, b!], 2n, b!.observedUnixMs, c!.observedUnixMs],
        [
          [a!, { ...b!, observedUnixMs: a!.observedUnixMs }],
          1n,
          a!.observedUnixMs,
          a!.observedUnixMs,
        ],
      ] as const) {
        const report = {
          streamHash: STREAM,
          entries: contents.map(({ streamHash: _, ...e }) => e),
        };
        const signatures = await reportSignatures(f, report, f.witnesses.slice(0, 3));
        await expectRevert(
          f.ledger.write.submitReport(packReport(report, signatures)),
          f.ledger,
          "ReportEntriesNotIncreasing",
          [index, observed, previous],
        );
      }
    });

    it("with MalformedReport for no entries, more than 256, a partial entry, and signatures that are not whole", async function () {
      const f = await loadLedgerFixture();
      const report = reportOf(runOf(STREAM, 1n, 2));
      const [stream, entries, signatures] = packReport(
        report,
        await reportSignatures(f, report, f.witnesses.slice(0, 3)),
      );
      const many = packReportEntries(reportOf(runOf(STREAM, 1n, 256)));
      const cases: [Hex, Hex, bigint, bigint][] = [
        ["0x", signatures, 0n, 192n],
        [concatHex([many, entries.slice(0, 2 + 208) as Hex]), signatures, 257n * 104n, 192n],
        [entries.slice(0, -2) as Hex, signatures, 207n, 192n],
        [entries, "0x", 208n, 0n],
        [entries, signatures.slice(0, -2) as Hex, 208n, 191n],
      ];
      for (const [e, s, entriesLength, signaturesLength] of cases)
        await expectRevert(
          f.ledger.write.submitReport([stream, e, s]),
          f.ledger,
          "MalformedReport",
          [entriesLength, signaturesLength],
        );
      await expectRevert(f.ledger.read.reportDigest([stream, "0x"]), f.ledger, "MalformedReport", [
        0n,
        64n,
      ]);
    });

    it("with ObservedInFuture naming the first entry beyond the time tolerance, and accepts one exactly at it", async function () {
      const f = await loadLedgerFixture();
      const t = BigInt(await time.latest()) + 100n;
      const limit = t * 1000n + MAX_FUTURE_MS;
      const past = contentAt(STREAM, 1n);
      const atLimit = { ...contentAt(STREAM, 2n), observedUnixMs: limit };
      const beyond = { ...contentAt(STREAM, 3n), observedUnixMs: limit + 1n };
      const report = reportOf([past, atLimit, beyond]);
      const signatures = await reportSignatures(f, report, f.witnesses.slice(0, 3));
      await time.setNextBlockTimestamp(t);
      await expectRevert(
        f.ledger.write.submitReport(packReport(report, signatures)),
        f.ledger,
        "ObservedInFuture",
        [hashOf(beyond), beyond.observedUnixMs, limit],
      );
      await time.setNextBlockTimestamp(t + 1n);
      const receipt = await submitReport(f, [past, atLimit]);
      expect(finalizationsOf(f.ledger.abi, f.ledger.address, receipt.logs)).to.have.length(2);
    });
  });

  describe("equivocation evidence", function () {
    async function rivalReports(f: LedgerFixture) {
      const w = f.witnesses[0]!;
      const a = reportOf(runOf(STREAM, 1n, 3));
      const b = reportOf([contentAt(STREAM, 2n, 1), contentAt(STREAM, 3n)]);
      const evidence = async (report: ObservationReport, index: bigint) => ({
        streamHash: report.streamHash,
        entries: packReportEntries(report),
        index,
        signature: await signReport(w, f.domain, report),
      });
      return { w, a, b, evidenceA: await evidence(a, 1n), evidenceB: await evidence(b, 0n) };
    }

    it("records two reports of one witness with different contents for a slot, with compact or full signatures", async function () {
      const f = await loadLedgerFixture();
      const { w, a, b, evidenceA, evidenceB } = await rivalReports(f);
      const compactB = { ...evidenceB, signature: packReport(b, [evidenceB.signature])[2] };
      const hashA = hashOf(contentAt(STREAM, 2n));
      const hashB = hashOf(contentAt(STREAM, 2n, 1));
      const receipt = await f.receiptOf(
        await f.ledger.write.reportReportEquivocation([w.address, evidenceA, compactB]),
      );
      expectEvents(f.ledger, receipt.logs, [
        {
          eventName: "EquivocationRecorded",
          args: {
            slot: slotOf(contentAt(STREAM, 2n)),
            witness: w.address,
            contentA: hashA,
            contentB: hashB,
          },
        },
      ]);
      expect(
        await f.ledger.read.equivocation([slotOf(contentAt(STREAM, 2n)), w.address]),
      ).to.deep.equal([hashA, hashB]);
      await expectRevert(
        f.ledger.write.reportReportEquivocation([w.address, evidenceA, evidenceB]),
        f.ledger,
        "EquivocationAlreadyRecorded",
        [slotOf(contentAt(STREAM, 2n)), w.address],
      );
      expect(a.entries).to.have.length(3);
    });

    it("records a report and a single signature of one witness with different contents for a slot", async function () {
      const f = await loadLedgerFixture();
      const { w, evidenceA } = await rivalReports(f);
      const rival = contentAt(STREAM, 2n, 1);
      await f.ledger.write.reportReportAndContentEquivocation([
        w.address,
        evidenceA,
        rival,
        await f.signatureOf(rival, w),
      ]);
      expect(await f.ledger.read.equivocation([slotOf(rival), w.address])).to.deep.equal([
        hashOf(contentAt(STREAM, 2n)),
        hashOf(rival),
      ]);
    });

    it("refuses evidence that is not: same content, other slots, an index out of range, a signature by someone else", async function () {
      const f = await loadLedgerFixture();
      const { w, a, evidenceA, evidenceB } = await rivalReports(f);
      const same = contentAt(STREAM, 2n);
      await expectRevert(
        f.ledger.write.reportReportAndContentEquivocation([
          w.address,
          evidenceA,
          same,
          await f.signatureOf(same, w),
        ]),
        f.ledger,
        "SameObservation",
        [hashOf(same)],
      );
      await expectRevert(
        f.ledger.write.reportReportEquivocation([
          w.address,
          { ...evidenceA, index: 0n },
          evidenceB,
        ]),
        f.ledger,
        "DifferentSlots",
        [slotOf(contentAt(STREAM, 1n)), slotOf(contentAt(STREAM, 2n))],
      );
      await expectRevert(
        f.ledger.write.reportReportEquivocation([
          w.address,
          { ...evidenceA, index: 3n },
          evidenceB,
        ]),
        f.ledger,
        "ReportEntryOutOfRange",
        [3n, 3n],
      );
      const other = f.witnesses[1]!;
      await expectRevert(
        f.ledger.write.reportReportEquivocation([
          w.address,
          { ...evidenceA, signature: await signReport(other, f.domain, a) },
          evidenceB,
        ]),
        f.ledger,
        "InvalidSignature",
        [w.address, hashOf(contentAt(STREAM, 2n))],
      );
      await expectRevert(
        f.ledger.write.reportReportEquivocation([hardhatAccount(9).address, evidenceA, evidenceB]),
        f.ledger,
        "NotAWitness",
        [hardhatAccount(9).address],
      );
    });
  });

  describe("against the other paths", function () {
    it("finalizes the same chain as compact batches and single attestations of the same contents", async function () {
      const contents = [...runOf(STREAM, 1n, 4), contentAt(STREAM, 6n), ...runOf(STREAM, 8n, 3)];
      const heads: unknown[] = [];
      const headers: string[][] = [];
      for (const path of ["report", "compact", "attest"] as const) {
        const f = await loadLedgerFixture();
        let logs;
        if (path === "report") logs = (await submitReport(f, contents)).logs;
        else if (path === "compact")
          logs = (
            await f.receiptOf(
              await f.ledger.write.submitCompactAttestations(
                packCompactBatch(
                  await Promise.all(contents.map((c) => f.compact(c, f.witnesses.slice(0, 3)))),
                ),
              ),
            )
          ).logs;
        else {
          logs = [];
          for (const c of contents)
            for (const w of f.witnesses.slice(0, 3))
              logs.push(...(await f.receiptOf(await (await f.ledgerAs(w)).write.attest([c]))).logs);
        }
        heads.push(await f.ledger.read.finalizedHead([STREAM]));
        headers.push(
          finalizationsOf(f.ledger.abi, f.ledger.address, logs).map(
            (x) => `${x.observationHash}:${x.parentObservationHash}:${x.sequence}:${x.witnesses}`,
          ),
        );
      }
      expect(heads[1]).to.deep.equal(heads[0]);
      expect(heads[2]).to.deep.equal(heads[0]);
      expect(headers[1]).to.deep.equal(headers[0]);
      expect(headers[2]).to.deep.equal(headers[0]);
      expect(headers[0]).to.have.length(contents.length);
      const last = linksOn(contents, undefined)[contents.length - 1]!;
      expect((heads[0] as readonly unknown[])[0]).to.equal(last.hash);
      expect(linkOn(contents[0]!, undefined).sequence).to.equal(0n);
    });
  });
});

/** The `EquivocationRecorded` event's topic. */
function equivocationTopic(_f: LedgerFixture): Hex {
  return keccak256(toHex("EquivocationRecorded(bytes32,address,bytes32,bytes32)"));
}
