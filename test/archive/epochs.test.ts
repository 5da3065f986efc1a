import { expect } from "chai";

import {
  archiveStreamLabel,
  createArchiveEpochReport,
  resolveWitnessEpochs,
  type ArchiveEpochEvent,
  type ResolveEpochsOptions,
  type WitnessEpoch,
} from "../../lib/archive/epochs";
import type { ArchiveRecord } from "../../lib/archive/reader";
import { checkArchiveValue, type ArchiveEntry } from "../../lib/archive/schema";
import { sampleLine, withField, type LineObject } from "../support/archive-lines";

function entry(line: LineObject): ArchiveEntry {
  const checked = checkArchiveValue(line);
  if (!checked.ok) throw new Error(`${checked.field}: ${checked.problem}`);
  return checked.entry;
}

function records(lines: LineObject[]): ArchiveRecord[] {
  return lines.map((line, i) => ({ file: "w.jsonl", line: i + 1, entry: entry(line) }));
}

async function resolve(
  lines: LineObject[],
  options: ResolveEpochsOptions = {},
): Promise<{ out: WitnessEpoch[]; events: ArchiveEpochEvent[] }> {
  const events: ArchiveEpochEvent[] = [];
  const out: WitnessEpoch[] = [];
  for await (const e of resolveWitnessEpochs(records(lines), {
    ...options,
    onEvent: (x) => events.push(x),
  }))
    out.push(e);
  return { out, events };
}

const summary = (out: WitnessEpoch[]): [bigint, number, number][] =>
  out.map((e) => [e.entry.epoch.id, e.line, e.repairs]);

const otherStream = (line: LineObject): LineObject =>
  withField(line, ["stream", "profile"], "ts-720p");

describe("retries and repairs within one witness archive", function () {
  it("drops an identical repeat as a retry and keeps the first line", async function () {
    const { out, events } = await resolve([
      sampleLine({ epochId: 1 }),
      sampleLine({ epochId: 1 }),
      sampleLine({ epochId: 2 }),
    ]);
    expect(summary(out)).to.deep.equal([
      [1n, 1, 0],
      [2n, 3, 0],
    ]);
    expect(events.map((e) => [e.kind, e.epochId, e.at.line, e.previous?.line])).to.deep.equal([
      ["retry", 1n, 2, 1],
    ]);
  });

  it("treats a repeat that differs only in source-local fields as a retry", async function () {
    let again = withField(sampleLine({ epochId: 1 }), ["capture", "receivedUnixMs"], 1);
    again = withField(again, ["manifest", "path"], "elsewhere/1.json");
    again = withField(again, ["x-extra"], true);
    const { out, events } = await resolve([sampleLine({ epochId: 1 }), again]);
    expect(summary(out)).to.deep.equal([[1n, 1, 0]]);
    expect(events.map((e) => e.kind)).to.deep.equal(["retry"]);
  });

  it("lets a later line with different content supersede the pending one as a repair", async function () {
    const broken = sampleLine({ epochId: 1, chunkSeed: 9 });
    const { out, events } = await resolve([
      broken,
      sampleLine({ epochId: 2 }),
      sampleLine({ epochId: 1 }),
    ]);
    expect(summary(out)).to.deep.equal([
      [1n, 3, 1],
      [2n, 2, 0],
    ]);
    expect(out[0]!.entry.chunks[0]!.blake3).to.equal(
      entry(sampleLine({ epochId: 1 })).chunks[0]!.blake3,
    );
    expect(events.map((e) => [e.kind, e.at.line, e.previous?.line])).to.deep.equal([
      ["repair", 3, 1],
    ]);
  });

  it("counts each kind in the report", async function () {
    const report = createArchiveEpochReport();
    await resolve(
      [
        sampleLine({ epochId: 1 }),
        sampleLine({ epochId: 1 }),
        sampleLine({ epochId: 1, chunkSeed: 3 }),
        sampleLine({ epochId: 2 }),
        sampleLine({ epochId: 3 }),
        sampleLine({ epochId: 1 }),
        sampleLine({ epochId: 1, chunkSeed: 3 }),
      ],
      { window: 2, report },
    );
    expect(report).to.deep.equal({
      emitted: 3,
      retries: 1,
      repairs: 1,
      lateRetries: 1,
      lateRepairs: 1,
      lateEpochs: 0,
    });
  });

  it("reports a repair that arrives after its epoch left the window as late and keeps the emitted line", async function () {
    const lines = [
      sampleLine({ epochId: 1, chunkSeed: 9 }),
      sampleLine({ epochId: 2 }),
      sampleLine({ epochId: 3 }),
      sampleLine({ epochId: 1 }),
    ];
    const { out, events } = await resolve(lines, { window: 2 });
    expect(summary(out)).to.deep.equal([
      [1n, 1, 0],
      [2n, 2, 0],
      [3n, 3, 0],
    ]);
    expect(events.map((e) => [e.kind, e.epochId, e.at.line, e.previous?.line])).to.deep.equal([
      ["late-repair", 1n, 4, 1],
    ]);
  });

  it("reports an epoch first seen after a later epoch was emitted as late", async function () {
    const { out, events } = await resolve(
      [sampleLine({ epochId: 5 }), sampleLine({ epochId: 6 }), sampleLine({ epochId: 2 })],
      {
        window: 1,
      },
    );
    expect(summary(out).map(([id]) => id)).to.deep.equal([5n, 6n]);
    expect(events.map((e) => [e.kind, e.epochId, e.previous])).to.deep.equal([
      ["late-epoch", 2n, undefined],
    ]);
  });

  it("undoes reordering within the window: each stream comes out in epoch order", async function () {
    const order = [3, 1, 2, 6, 4, 5, 9, 7, 8];
    const lines = order.flatMap((id) => [
      sampleLine({ epochId: id }),
      otherStream(sampleLine({ epochId: id, chunkSeed: 5 })),
    ]);
    const { out, events } = await resolve(lines, { window: 3 });
    expect(events).to.deep.equal([]);
    const byStream = new Map<string, bigint[]>();
    for (const e of out)
      byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.entry.epoch.id]);
    const ids = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n];
    expect([...byStream.values()]).to.deep.equal([ids, ids]);
  });

  it("holds at most `window` pending epochs per stream", async function () {
    let maxPendingBehind = 0;
    let fed = 0;
    async function* feed(): AsyncGenerator<ArchiveRecord> {
      for (const r of records(Array.from({ length: 100 }, (_, i) => sampleLine({ epochId: i })))) {
        fed++;
        yield r;
      }
    }
    let emitted = 0;
    for await (const _ of resolveWitnessEpochs(feed(), { window: 4 })) {
      emitted++;
      maxPendingBehind = Math.max(maxPendingBehind, fed - emitted);
    }
    expect(emitted).to.equal(100);
    expect(maxPendingBehind).to.equal(4);
  });

  it("keeps streams apart: the same epoch id of two streams is not a repeat", async function () {
    const { out, events } = await resolve([
      sampleLine({ epochId: 1 }),
      otherStream(sampleLine({ epochId: 1, chunkSeed: 4 })),
    ]);
    expect(out).to.have.length(2);
    expect(events).to.deep.equal([]);
    expect(new Set(out.map((e) => e.stream)).size).to.equal(2);
  });

  it("labels a stream by every stream key field", function () {
    const label = archiveStreamLabel(entry(sampleLine()).stream);
    expect(label).to.equal('atsc1/US/7/2113/3/7.1/"KGO-HD"/"ts-original"');
  });

  it("rejects a window below 1", async function () {
    const run = async (): Promise<void> => {
      for await (const _ of resolveWitnessEpochs([], { window: 0 })) void _;
    };
    let message = "";
    await run().catch((e: Error) => (message = e.message));
    expect(message).to.equal("window must be a positive integer (got 0)");
  });
});
