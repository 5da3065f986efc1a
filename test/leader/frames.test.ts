import { expect } from "chai";
import fc from "fast-check";
import { toHex, type Address, type Hex } from "viem";

import { InvalidFieldError } from "../../lib/errors";
import type { DerivedBatch } from "../../lib/leader/derive";
import {
  checkFrameStream,
  describeFrameProblem,
  framesOf,
  syntheticFrameStream,
  type PositionedFrame,
} from "../../lib/leader/frame-stream";
import {
  encodeBatcherData,
  FrameParseError,
  MAX_FRAME_DATA_LENGTH,
  parseBatcherData,
  type ChannelFrame,
} from "../../lib/leader/frames";
import { parseLeaderDevnetOptions } from "../../lib/leader/devnet-options";
import { lowestBit } from "../../lib/leader/scheduler";

const frameArb: fc.Arbitrary<ChannelFrame> = fc.record({
  channelId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => toHex(b)),
  frameNumber: fc.integer({ min: 0, max: 0xffff }),
  data: fc.uint8Array({ maxLength: 300 }).map((b) => toHex(b)),
  isLast: fc.boolean(),
});

describe("channel frames", function () {
  it("parses what it encodes (op-node's frame format)", function () {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), (frames) => {
        expect(parseBatcherData(encodeBatcherData(frames))).to.deep.equal(frames);
      }),
    );
  });

  it("lays a frame out as version, channel id, number, length, data, is_last", function () {
    const data = encodeBatcherData([
      { channelId: `0x${"ab".repeat(16)}`, frameNumber: 0x0102, data: "0xc0ffee", isLast: true },
    ]);
    expect(data).to.equal(`0x00${"ab".repeat(16)}010200000003c0ffee01`);
  });

  it("refuses batcher data op-node would not parse, naming what is wrong", function () {
    const good = encodeBatcherData([
      { channelId: `0x${"11".repeat(16)}`, frameNumber: 1, data: "0x2233", isLast: false },
    ]);
    const cases: [Hex, string][] = [
      ["0x", "batcher data: empty"],
      ["0x01aa", "batcher data: derivation version 1, expected 0"],
      ["0x00", "batcher data: no frames after the version byte"],
      [good.slice(0, 20) as Hex, "batcher data: frame 0: channel_id truncated at byte 1"],
      [good.slice(0, 36) as Hex, "batcher data: frame 0: frame_number truncated at byte 17"],
      [good.slice(0, 40) as Hex, "batcher data: frame 0: frame_data_length truncated at byte 19"],
      [good.slice(0, 48) as Hex, "batcher data: frame 0: frame_data truncated at byte 23"],
      [good.slice(0, -2) as Hex, "batcher data: frame 0: is_last truncated at byte 25"],
      [`${good.slice(0, -2)}02` as Hex, "batcher data: frame 0: is_last byte 2"],
      [
        `0x00${"11".repeat(16)}0001${(MAX_FRAME_DATA_LENGTH + 1).toString(16).padStart(8, "0")}` as Hex,
        `batcher data: frame 0: frame_data_length ${MAX_FRAME_DATA_LENGTH + 1} exceeds ${MAX_FRAME_DATA_LENGTH}`,
      ],
    ];
    for (const [data, message] of cases)
      expect(() => parseBatcherData(data), data)
        .to.throw(FrameParseError)
        .with.property("shortMessage", message);
  });

  it("refuses to encode frames that do not fit the format", function () {
    const ok: ChannelFrame = {
      channelId: `0x${"11".repeat(16)}`,
      frameNumber: 0,
      data: "0x",
      isLast: true,
    };
    expect(() => encodeBatcherData([])).to.throw(InvalidFieldError, "frames: must not be empty");
    expect(() => encodeBatcherData([{ ...ok, channelId: "0x11" }])).to.throw(
      InvalidFieldError,
      "frames[0].channelId",
    );
    expect(() => encodeBatcherData([ok, { ...ok, frameNumber: 65_536 }])).to.throw(
      InvalidFieldError,
      "frames[1].frameNumber",
    );
  });
});

describe("frame stream check", function () {
  const stream = syntheticFrameStream({ seed: "test", framesPerChannel: 3, frameSize: 40 });
  const at = (indices: number[]): PositionedFrame[] =>
    indices.map((i, batch) => ({ frame: stream.frame(i), batch }));

  it("generates channels of frames with deterministic content, and recognises only its own", function () {
    const f4 = stream.frame(4);
    expect(f4.frameNumber).to.equal(1);
    expect(f4.isLast).to.equal(false);
    expect(stream.frame(5).isLast).to.equal(true);
    expect(stream.frame(3).channelId).to.equal(f4.channelId);
    expect(stream.frame(6).channelId).to.not.equal(f4.channelId);
    expect((f4.data.length - 2) / 2).to.equal(40);
    expect(
      syntheticFrameStream({ seed: "test", framesPerChannel: 3, frameSize: 40 }).frame(4),
    ).to.deep.equal(f4);
    for (let i = 0; i < 20; i++) expect(stream.indexOf(stream.frame(i))).to.equal(i);
    const other = syntheticFrameStream({ seed: "other", framesPerChannel: 3, frameSize: 40 });
    expect(stream.indexOf(other.frame(4))).to.equal(undefined);
    expect(stream.indexOf({ ...f4, data: `${f4.data.slice(0, -2)}00` as Hex })).to.equal(undefined);
    expect(stream.indexOf({ ...f4, isLast: true })).to.equal(undefined);
    expect(stream.indexOf({ ...f4, frameNumber: 3 })).to.equal(undefined);
  });

  it("passes a complete stream in order", function () {
    expect(checkFrameStream(stream, at([0, 1, 2, 3, 4]))).to.deep.equal({
      frames: 5,
      end: 5,
      problems: [],
    });
    expect(checkFrameStream(stream, [])).to.deep.equal({ frames: 0, end: 0, problems: [] });
  });

  it("finds a duplicated, an out-of-order, a missing and a foreign frame", function () {
    expect(checkFrameStream(stream, at([0, 1, 1, 2])).problems).to.deep.equal([
      { kind: "duplicate", index: 1, position: 2, batch: 2 },
    ]);
    expect(checkFrameStream(stream, at([0, 2, 1, 3])).problems).to.deep.equal([
      { kind: "out-of-order", index: 1, after: 2, position: 2, batch: 2 },
    ]);
    expect(checkFrameStream(stream, at([0, 1, 3, 4])).problems).to.deep.equal([
      { kind: "missing", index: 2 },
    ]);
    const foreign = syntheticFrameStream({ seed: "x", framesPerChannel: 3, frameSize: 40 }).frame(
      1,
    );
    const check = checkFrameStream(stream, [...at([0]), { frame: foreign, batch: 9 }, ...at([1])]);
    expect(check.problems).to.deep.equal([{ kind: "unknown", position: 1, batch: 9 }]);
    expect(check.problems.map(describeFrameProblem)).to.deep.equal([
      "batch 9: frame at position 1 is not a frame of the stream",
    ]);
    expect(
      [
        { kind: "duplicate", index: 1, position: 2, batch: 2 },
        { kind: "out-of-order", index: 1, after: 2, position: 2, batch: 2 },
        { kind: "missing", index: 2 },
      ].map((p) => describeFrameProblem(p as never)),
    ).to.deep.equal([
      "batch 2: frame 1 duplicated (position 2)",
      "batch 2: frame 1 out of order, after frame 2 (position 2)",
      "frame 2 missing",
    ]);
  });

  it("takes frames from derived batches, setting apart the ones op-node would drop", function () {
    const batch = (data: Hex, kind: "calldata" | "blobs" = "calldata"): DerivedBatch => ({
      l1Block: 1n,
      txIndex: 0,
      txHash: `0x${"00".repeat(32)}`,
      sender: `0x${"00".repeat(20)}` as Address,
      inbox: `0x${"00".repeat(20)}` as Address,
      kind,
      data,
      blobVersionedHashes: [],
    });
    const { frames, unparsable } = framesOf([
      batch(encodeBatcherData([stream.frame(0), stream.frame(1)])),
      batch("0x01ff"),
      batch("0x", "blobs"),
      batch(encodeBatcherData([stream.frame(2)])),
    ]);
    expect(frames.map((f) => [stream.indexOf(f.frame), f.batch])).to.deep.equal([
      [0, 0],
      [1, 0],
      [2, 3],
    ]);
    expect(unparsable).to.deep.equal([
      { batch: 1, reason: "batcher data: derivation version 1, expected 0" },
      { batch: 2, reason: "blob batch: bodies are not fetched by the reference derivation" },
    ]);
  });

  it("refuses stream parameters it cannot generate", function () {
    expect(() => syntheticFrameStream({ seed: "s", framesPerChannel: 0, frameSize: 1 })).to.throw(
      InvalidFieldError,
      "framesPerChannel",
    );
    expect(() => syntheticFrameStream({ seed: "s", framesPerChannel: 1, frameSize: 0 })).to.throw(
      InvalidFieldError,
      "frameSize",
    );
    expect(() => stream.frame(-1)).to.throw(InvalidFieldError, "index");
  });
});

describe("leader:devnet options", function () {
  it("fills defaults: batcher 2 killed at 40% of the run", function () {
    const o = parseLeaderDevnetOptions({ batchers: 3, blocks: 200 });
    expect(o).to.include({
      batchers: 3,
      blocks: 200,
      window: 6,
      silence: 3,
      kill: 2,
      killAt: 80,
      outOfTurnEvery: 10,
    });
    expect(parseLeaderDevnetOptions({ batchers: 1 }).kill).to.equal(0);
  });

  it("refuses bad values in one line naming the flag and the value", function () {
    const cases: [Record<string, unknown>, string][] = [
      [{ batchers: 0 }, "--batchers: must be at least 1 (got 0)"],
      [{ blocks: 2.5 }, "--blocks: must be a whole number (got 2.5)"],
      [{ window: 6, silence: 6 }, "--silence: must be less than --window (6) (got 6)"],
      [{ batchers: 3, kill: 4 }, "--kill: must be 0 or a batcher (1 to 3) (got 4)"],
      [
        { batchers: 1, kill: 1 },
        "--kill: needs at least 2 batchers (someone must take over) (got 1)",
      ],
      [{ blocks: 20, killAt: 20 }, "--kill-at: must be below --blocks (20) (got 20)"],
      [{ blockTime: 5 }, "--block-time: must be at least 20 (got 5)"],
      [{ seed: "" }, '--seed: must not be empty (got "")'],
    ];
    for (const [raw, message] of cases)
      expect(() => parseLeaderDevnetOptions(raw))
        .to.throw(InvalidFieldError)
        .with.property("shortMessage", message);
  });
});

describe("look-ahead bitmaps", function () {
  it("finds the first block led", function () {
    expect(lowestBit(1n)).to.equal(0n);
    expect(lowestBit(0b101000n)).to.equal(3n);
    expect(lowestBit(1n << 255n)).to.equal(255n);
    expect(() => lowestBit(0n)).to.throw(InvalidFieldError);
  });
});
