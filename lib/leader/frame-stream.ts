/**
 * The frame stream a chain's batchers post, and the check that a derivation rebuilt it: every frame
 * once, in order, none missing. The devnet posts a synthetic stream (deterministic content, so any
 * process can regenerate any frame and recognise it), as several batchers following one L2 chain
 * would: whoever may post continues where the accepted posts end.
 */
import { bytesToHex, concatHex, hexToBytes, keccak256, numberToHex, toHex, type Hex } from "viem";

import { InvalidFieldError } from "../errors";
import type { DerivedBatch } from "./derive";
import { FrameParseError, parseBatcherData, type ChannelFrame } from "./frames";

export interface SyntheticFrameStreamParameters {
  /** Distinguishes streams: frames of another seed are not recognised. */
  readonly seed: string;
  /** Frames per channel; the last frame of a channel has `isLast`. */
  readonly framesPerChannel: number;
  /** Bytes of frame data per frame. */
  readonly frameSize: number;
}

export interface FrameStream {
  /** Frame `index` of the stream (0, 1, 2, ... across channels). */
  frame(index: number): ChannelFrame;
  /** The stream index of `frame`, or undefined when it is not a frame of this stream (content included). */
  indexOf(frame: ChannelFrame): number | undefined;
}

/**
 * A synthetic stream: channel `c` has id `tag(seed) (8 bytes) ++ uint64(c)` and `framesPerChannel`
 * frames, whose data is keccak256 output expanded over (seed, frame index).
 */
export function syntheticFrameStream(parameters: SyntheticFrameStreamParameters): FrameStream {
  const { seed, framesPerChannel, frameSize } = parameters;
  if (!Number.isInteger(framesPerChannel) || framesPerChannel < 1 || framesPerChannel > 0xffff)
    throw new InvalidFieldError("framesPerChannel", framesPerChannel, "must be 1 to 65535");
  if (!Number.isInteger(frameSize) || frameSize < 1 || frameSize > 1_000_000)
    throw new InvalidFieldError("frameSize", frameSize, "must be 1 to 1000000 bytes");
  const tag = keccak256(toHex(`every.channel/leader-devnet/${seed}`)).slice(0, 18) as Hex;
  const dataOf = (index: number): Hex => {
    const out = new Uint8Array(frameSize);
    const base = keccak256(concatHex([tag, numberToHex(index, { size: 8 })]));
    for (let j = 0; j * 32 < frameSize; j++) {
      const word = hexToBytes(keccak256(concatHex([base, numberToHex(j, { size: 4 })])));
      out.set(word.subarray(0, Math.min(32, frameSize - j * 32)), j * 32);
    }
    return bytesToHex(out);
  };
  const frame = (index: number): ChannelFrame => {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new InvalidFieldError("index", index, "must be a non-negative integer");
    const channel = Math.floor(index / framesPerChannel);
    const frameNumber = index % framesPerChannel;
    return {
      channelId: concatHex([tag, numberToHex(channel, { size: 8 })]),
      frameNumber,
      data: dataOf(index),
      isLast: frameNumber === framesPerChannel - 1,
    };
  };
  return {
    frame,
    indexOf(candidate: ChannelFrame): number | undefined {
      const id = candidate.channelId.toLowerCase();
      if (id.length !== 34 || id.slice(0, 18) !== tag.toLowerCase()) return undefined;
      const channel = Number.parseInt(id.slice(18), 16);
      if (!Number.isSafeInteger(channel) || candidate.frameNumber >= framesPerChannel)
        return undefined;
      const index = channel * framesPerChannel + candidate.frameNumber;
      if (!Number.isSafeInteger(index)) return undefined;
      const expected = frame(index);
      return expected.isLast === candidate.isLast &&
        expected.data.toLowerCase() === candidate.data.toLowerCase()
        ? index
        : undefined;
    },
  };
}

export interface PositionedFrame {
  readonly frame: ChannelFrame;
  /** Index of the batch (in the derivation's output) that carried it. */
  readonly batch: number;
}

/** The frames of derived batches, in order; batches that do not parse are listed apart (op-node drops them). */
export function framesOf(batches: readonly DerivedBatch[]): {
  frames: PositionedFrame[];
  unparsable: { batch: number; reason: string }[];
} {
  const frames: PositionedFrame[] = [];
  const unparsable: { batch: number; reason: string }[] = [];
  batches.forEach((b, batch) => {
    if (b.kind === "blobs") {
      unparsable.push({
        batch,
        reason: "blob batch: bodies are not fetched by the reference derivation",
      });
      return;
    }
    try {
      for (const frame of parseBatcherData(b.data)) frames.push({ frame, batch });
    } catch (error) {
      if (!(error instanceof FrameParseError)) throw error;
      unparsable.push({ batch, reason: error.shortMessage });
    }
  });
  return { frames, unparsable };
}

export type FrameProblem =
  | { readonly kind: "unknown"; readonly position: number; readonly batch: number }
  | {
      readonly kind: "duplicate";
      readonly index: number;
      readonly position: number;
      readonly batch: number;
    }
  | {
      readonly kind: "out-of-order";
      readonly index: number;
      readonly after: number;
      readonly position: number;
      readonly batch: number;
    }
  | { readonly kind: "missing"; readonly index: number };

export interface FrameStreamCheck {
  /** Distinct stream frames found. */
  readonly frames: number;
  /** One past the highest stream index found (0 when none). */
  readonly end: number;
  readonly problems: readonly FrameProblem[];
}

/**
 * Checks that `frames` are exactly frames 0, 1, ..., n-1 of `stream`, each once and in order:
 * a frame not of the stream is `unknown`, a second copy is a `duplicate`, a frame found after a
 * higher one is `out-of-order`, and an index below the highest found that never appears is `missing`.
 */
export function checkFrameStream(
  stream: FrameStream,
  frames: readonly PositionedFrame[],
): FrameStreamCheck {
  const problems: FrameProblem[] = [];
  const seen = new Set<number>();
  let highest = -1;
  frames.forEach(({ frame, batch }, position) => {
    const index = stream.indexOf(frame);
    if (index === undefined) problems.push({ kind: "unknown", position, batch });
    else if (seen.has(index)) problems.push({ kind: "duplicate", index, position, batch });
    else {
      if (index < highest)
        problems.push({ kind: "out-of-order", index, after: highest, position, batch });
      seen.add(index);
      if (index > highest) highest = index;
    }
  });
  for (let index = 0; index < highest; index++)
    if (!seen.has(index)) problems.push({ kind: "missing", index });
  return { frames: seen.size, end: highest + 1, problems };
}

/** One line per problem, for reports. */
export function describeFrameProblem(problem: FrameProblem): string {
  switch (problem.kind) {
    case "unknown":
      return `batch ${problem.batch}: frame at position ${problem.position} is not a frame of the stream`;
    case "duplicate":
      return `batch ${problem.batch}: frame ${problem.index} duplicated (position ${problem.position})`;
    case "out-of-order":
      return `batch ${problem.batch}: frame ${problem.index} out of order, after frame ${problem.after} (position ${problem.position})`;
    case "missing":
      return `frame ${problem.index} missing`;
  }
}
