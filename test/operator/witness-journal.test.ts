import { expect } from "chai";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256, toHex, type Hex } from "viem";

import {
  JournalError,
  WitnessJournal,
  type JournalRecord,
} from "../../lib/operator/witness-journal";

const h = (label: string): Hex => keccak256(toHex(label));

function record(label: string, slot = h(`slot-${label}`)): JournalRecord {
  return {
    slot,
    contentHash: h(`content-${label}`),
    epochId: 289000000n,
    durationMs: 6000,
    mode: "transaction",
    content: {
      streamHash: h("stream"),
      epochHash: h(`epoch-${label}`),
      dataRoot: h(`data-${label}`),
      locatorHash: h("locator"),
      observedUnixMs: 1734000000000n,
    },
  };
}

describe("witness journal", function () {
  let dir: string;
  let file: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    file = path.join(dir, "state", "journal.jsonl");
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads back attestations and confirmations, and lists the unconfirmed ones", async function () {
    const journal = await WitnessJournal.open(file);
    await journal.recordAttestation(record("a"));
    await journal.recordAttestation(record("b"));
    await journal.recordConfirmation(record("a").slot, h("tx"));
    const again = await WitnessJournal.open(file);
    expect(again.size).to.equal(2);
    expect(again.recordOf(record("b").slot)).to.deep.equal(record("b"));
    expect(again.unconfirmed().map((r) => r.slot)).to.deep.equal([record("b").slot]);
  });

  it("refuses a second content in a slot and ignores a repeat of the same one", async function () {
    const journal = await WitnessJournal.open(file);
    await journal.recordAttestation(record("a"));
    await journal.recordAttestation(record("a"));
    try {
      await journal.recordAttestation(record("other", record("a").slot));
    } catch (error) {
      expect(error).to.be.instanceOf(JournalError);
      expect((error as Error).message).to.match(
        /already attested 0x[0-9a-f]{64}; refusing a second content/,
      );
      expect((await readFile(file, "utf8")).trim().split("\n")).to.have.length(1);
      return;
    }
    throw new Error("expected a refusal");
  });

  it("ignores a last line cut by a crash, and names any other bad line by file and line", async function () {
    const journal = await WitnessJournal.open(file);
    await journal.recordAttestation(record("a"));
    await appendFile(file, '{"type":"attested","slot":"0x12');
    expect((await WitnessJournal.open(file)).size).to.equal(1);
    await writeFile(
      file,
      `{"type":"confirmed","slot":"0x1"}\n${(await readFile(file, "utf8")).split("\n")[0]}\n`,
    );
    try {
      await WitnessJournal.open(file);
    } catch (error) {
      expect((error as Error).message).to.equal(
        `${file}:1: slot: must be 0x and 64 lower-case hex digits`,
      );
      return;
    }
    throw new Error("expected a refusal");
  });

  it("names a content field of the canonical JSON form that is wrong, by file, line and field", async function () {
    const journal = await WitnessJournal.open(file);
    await journal.recordAttestation(record("a"));
    const [line] = (await readFile(file, "utf8")).split("\n");
    const json = JSON.parse(line!) as { content: Record<string, unknown> };
    json.content.observedUnixMs = "7.0";
    await writeFile(file, `${JSON.stringify(json)}\n${line}\n`);
    try {
      await WitnessJournal.open(file);
    } catch (error) {
      expect((error as Error).message).to.match(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1: content\\.observedUnixMs: `),
      );
      return;
    }
    throw new Error("expected a refusal");
  });
});
