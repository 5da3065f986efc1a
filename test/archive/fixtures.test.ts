import { expect } from "chai";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

import {
  archiveStreamLabel,
  resolveWitnessEpochs,
  type ArchiveEpochEvent,
} from "../../lib/archive/epochs";
import { readArchiveExpectations, type ArchiveExpectations } from "../../lib/archive/expectations";
import { listWitnessArchives, readWitnessArchive } from "../../lib/archive/layout";
import { createArchiveReadReport, type ArchiveReadReport } from "../../lib/archive/reader";
import {
  chainObservation,
  deriveObservationContent,
  type DerivedContent,
  type ObservationHead,
} from "../../lib/derive/observation";
import { isInFuture } from "../../lib/ledger/rules";
import { generateArchives } from "../../scripts/fixtures/generate-archives";
import { temporaryDirectory } from "../support/archive-lines";

const FIXTURES = resolve(__dirname, "../../fixtures/archive");

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else out.push(relative(root, path));
  }
  return out.sort();
}

interface WitnessView {
  files: string[];
  report: ArchiveReadReport;
  /** stream name → epoch id → derived content (after retries and repairs). */
  contents: Map<string, Map<number, DerivedContent>>;
  events: ArchiveEpochEvent[];
}

describe("recorded archive fixtures", function () {
  let expected: ArchiveExpectations;
  const views = new Map<string, WitnessView>();

  before(async function () {
    expected = await readArchiveExpectations(join(FIXTURES, "expected.json"));
    const labelToName = new Map<string, string>();
    for (const s of expected.streams) labelToName.set(archiveStreamLabel(s.stream), s.name);
    for (const archive of await listWitnessArchives(FIXTURES)) {
      const view: WitnessView = {
        files: archive.files,
        report: createArchiveReadReport(),
        contents: new Map(),
        events: [],
      };
      const records = readWitnessArchive(archive, { report: view.report });
      for await (const e of resolveWitnessEpochs(records, {
        onEvent: (x) => view.events.push(x),
      })) {
        const name = labelToName.get(e.stream)!;
        const perStream = view.contents.get(name) ?? new Map<number, DerivedContent>();
        perStream.set(Number(e.entry.epoch.id), deriveObservationContent(e.entry));
        view.contents.set(name, perStream);
      }
      views.set(archive.witness, view);
    }
  });

  it("are exactly what scripts/fixtures/generate-archives.ts writes", async function () {
    const { dir, cleanup } = await temporaryDirectory();
    try {
      await generateArchives(dir);
      const files = await listFiles(dir);
      expect(await listFiles(FIXTURES)).to.deep.equal(files);
      for (const f of files) {
        const same = (await readFile(join(dir, f))).equals(await readFile(join(FIXTURES, f)));
        expect(same, `${f} differs from the generator's output; regenerate the fixtures`).to.equal(
          true,
        );
      }
    } finally {
      await cleanup();
    }
  });

  it("hold at least 5 witnesses, 3 streams of 200 epochs and one rotated witness folder", async function () {
    const archives = await listWitnessArchives(FIXTURES);
    expect(archives.length).to.be.at.least(5);
    expect(archives.some((a) => a.files.length > 1)).to.equal(true);
    expect(expected.streams.filter((s) => s.epochs.length >= 200).length).to.be.at.least(3);
    const outcomes = new Set(expected.streams.flatMap((s) => s.epochs.map((e) => e.outcome)));
    expect([...outcomes].sort()).to.deep.equal([
      "finalized-by-majority",
      "finalized-unanimous",
      "gap-missed-by-majority",
      "open-no-quorum",
    ]);
  });

  it("read without an invalid line, with the expected files and line counts per witness", function () {
    expect([...views.keys()]).to.deep.equal(expected.witnesses.map((w) => w.witness));
    for (const w of expected.witnesses) {
      const view = views.get(w.witness)!;
      expect(view.files.map((f) => relative(FIXTURES, f))).to.deep.equal(w.files);
      expect(view.report, w.witness).to.include({
        lines: w.lines,
        blankLines: w.blankLines,
        entries: w.entries,
        skipped: 0,
      });
    }
  });

  it("report exactly the expected retries, repairs and late lines", function () {
    const actual = [...views.entries()].flatMap(([witness, view]) =>
      view.events.map((e) => {
        const name = expected.streams.find((s) => archiveStreamLabel(s.stream) === e.stream)!.name;
        return {
          witness,
          kind: e.kind,
          stream: name,
          epochId: Number(e.epochId),
          at: { file: relative(FIXTURES, e.at.file), line: e.at.line },
          ...(e.previous === undefined
            ? {}
            : { previous: { file: relative(FIXTURES, e.previous.file), line: e.previous.line } }),
        };
      }),
    );
    const key = (e: { witness: string; at: { file: string; line: number } }): string =>
      `${e.witness}|${e.at.file}|${String(e.at.line).padStart(6, "0")}`;
    expect(actual.sort((a, b) => key(a).localeCompare(key(b)))).to.deep.equal(
      [...expected.events].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it("derive the expected agreement groups, outcomes, expiries, sequences and parents for every epoch", function () {
    const nowMs = BigInt(Date.now());
    for (const stream of expected.streams) {
      let head: (ObservationHead & { epochId: number }) | null = null;
      const unfinalized: { epochId: number; expires: boolean }[] = [];
      for (const epoch of stream.epochs) {
        const where = `${stream.name} epoch ${epoch.epochId} (${epoch.case})`;
        const candidates = new Map<
          string,
          {
            witnesses: string[];
            slot: string;
            hash: string;
            sequence: bigint;
            parent: string;
            inFuture: boolean;
          }
        >();
        const absent: string[] = [];
        for (const witness of stream.witnesses) {
          const content = views.get(witness)!.contents.get(stream.name)?.get(epoch.epochId);
          if (content === undefined) {
            absent.push(witness);
            continue;
          }
          const derived = chainObservation(content, head);
          const c = candidates.get(derived.hash) ?? {
            witnesses: [],
            slot: derived.slot,
            hash: derived.hash,
            sequence: derived.header.sequence,
            parent: derived.header.parentObservationHash,
            inFuture: isInFuture(content.observedUnixMs, nowMs),
          };
          c.witnesses.push(witness);
          candidates.set(derived.hash, c);
        }
        expect(absent, where).to.deep.equal(epoch.absent);
        const groups = [...candidates.values()];
        const sets = (xs: { witnesses: string[] }[]): string[] =>
          xs.map((g) => g.witnesses.join(",")).sort();
        expect(sets(groups), where).to.deep.equal(sets(epoch.groups));
        for (const g of groups) expect(g.sequence, where).to.equal(BigInt(epoch.sequence));
        const ownSlot = epoch.groups
          .filter((g) => g.slot === "own")
          .map((g) => g.witnesses.join(","));
        const epochSlots = new Set(
          groups.filter((g) => !ownSlot.includes(g.witnesses.join(","))).map((g) => g.slot),
        );
        expect(epochSlots.size, `${where}: one slot for the broadcast's epoch`).to.be.at.most(1);
        for (const g of groups.filter((x) => ownSlot.includes(x.witnesses.join(","))))
          expect(
            epochSlots.has(g.slot),
            `${where}: a timing minority has a slot of its own`,
          ).to.equal(false);
        const inFuture = (xs: { witnesses: string[]; inFuture?: boolean }[]): string[] =>
          xs.filter((g) => g.inFuture === true).map((g) => g.witnesses.join(","));
        expect(inFuture(groups), `${where}: refused as in the future`).to.deep.equal(
          inFuture(epoch.groups),
        );
        expect(head?.epochId ?? null, where).to.equal(epoch.parentEpochId);
        const winner = groups.find((g) => g.witnesses.length >= expected.quorum && !g.inFuture);
        const expectedWinner = epoch.groups.find((g) => g.finalizes);
        expect(winner?.witnesses.join(","), where).to.equal(expectedWinner?.witnesses.join(","));
        if (winner !== undefined) {
          head = {
            hash: winner.hash as `0x${string}`,
            sequence: winner.sequence,
            epochId: epoch.epochId,
          };
          // Every earlier epoch that did not finalize is now behind the head: expired.
          for (const earlier of unfinalized.splice(0))
            expect(earlier.expires, `${stream.name} epoch ${earlier.epochId} expires`).to.equal(
              true,
            );
          expect(epoch.expires, where).to.equal(false);
        } else unfinalized.push({ epochId: epoch.epochId, expires: epoch.expires });
      }
      for (const open of unfinalized)
        expect(open.expires, `${stream.name} epoch ${open.epochId} stays open`).to.equal(false);
      expect(
        head === null ? null : { epochId: head.epochId, sequence: Number(head.sequence) },
      ).to.deep.equal(stream.finalHead);
    }
  });
});
