import { expect } from "chai";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { checkArchiveDirectory } from "../../lib/archive/check";
import { ArchiveLineError } from "../../lib/archive/errors";
import { readArchiveExpectations } from "../../lib/archive/expectations";
import { InvalidFieldError } from "../../lib/errors";
import { sampleLine, temporaryDirectory, withField, writeArchive } from "../support/archive-lines";

describe("checking an archive directory", function () {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async function () {
    ({ dir, cleanup } = await temporaryDirectory());
    await writeArchive(join(dir, "w1.jsonl"), [
      sampleLine({ epochId: 1 }),
      withField(sampleLine({ epochId: 2 }), ["epoch", "durationMs"], 0),
      sampleLine({ epochId: 3 }),
      sampleLine({ epochId: 3, chunkSeed: 7 }),
    ]);
    await mkdir(join(dir, "w2"));
    await writeArchive(join(dir, "w2", "a.jsonl"), [sampleLine({ epochId: 1 }), "{"]);
    await writeArchive(join(dir, "w2", "b.jsonl"), [
      sampleLine({ epochId: 2 }),
      sampleLine({ epochId: 2 }),
    ]);
  });
  afterEach(async function () {
    await cleanup();
  });

  it("stops at the first invalid line with its file:line: field: problem", async function () {
    const log: string[] = [];
    let error: unknown;
    await checkArchiveDirectory(dir, { log: (l) => log.push(l) }).catch(
      (e: unknown) => (error = e),
    );
    expect(error).to.be.instanceOf(ArchiveLineError);
    expect((error as Error).message).to.equal(
      `${join(dir, "w1.jsonl")}:2: epoch.durationMs: must be an integer in 1..4294967295 (got 0)`,
    );
  });

  it("with skipInvalid logs every invalid line and repair, and how many lines were skipped", async function () {
    const log: string[] = [];
    const summary = await checkArchiveDirectory(dir, {
      skipInvalid: true,
      log: (l) => log.push(l),
    });
    const w1 = join(dir, "w1.jsonl");
    const w2a = join(dir, "w2", "a.jsonl");
    expect(log).to.deep.equal([
      `${w1}:2: epoch.durationMs: must be an integer in 1..4294967295 (got 0)`,
      `${w1}:4: repair of atsc1/US/7/2113/3/7.1/"KGO-HD"/"ts-original" epoch 3 (earlier line ${w1}:3)`,
      "w1: 3 entries in 1 file(s), 2 epochs of 1 stream(s), 0 retries, 1 repairs, 0 late lines dropped, 1 invalid lines skipped",
      `${w2a}:2: $: invalid JSON: expected a string key at column 2`,
      "w2: 3 entries in 2 file(s), 2 epochs of 1 stream(s), 1 retries, 0 repairs, 0 late lines dropped, 1 invalid lines skipped",
      "2 invalid line(s) skipped",
    ]);
    expect(summary.skipped).to.equal(2);
    expect(summary.witnesses.map((w) => [w.witness, w.read.lines, w.epochs.emitted])).to.deep.equal(
      [
        ["w1", 4, 2],
        ["w2", 4, 2],
      ],
    );
  });
});

describe("reading fixture expectations", function () {
  it("names the file and field of a value that does not fit", async function () {
    const { dir, cleanup } = await temporaryDirectory();
    try {
      const file = join(dir, "expected.json");
      const valid = JSON.parse(
        await readFile(resolve(__dirname, "../../fixtures/archive/expected.json"), "utf8"),
      ) as { streams: { epochs: { outcome: string }[] }[] };
      valid.streams[0]!.epochs[3]!.outcome = "finalized-eventually";
      await writeFile(file, JSON.stringify(valid));
      let error: unknown;
      await readArchiveExpectations(file).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(InvalidFieldError);
      expect((error as InvalidFieldError).field).to.equal(`${file}: streams[0].epochs[3].outcome`);
      expect((error as InvalidFieldError).value).to.equal("finalized-eventually");
    } finally {
      await cleanup();
    }
  });
});
