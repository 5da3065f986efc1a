/**
 * OP Stack channel frames and batcher transaction data, as op-node reads them
 * (`op-node/rollup/derive/frame.go`, `ParseFrames`):
 *
 *   batcher data = derivation_version (0x00) ++ frame ++ frame ++ ...
 *   frame        = channel_id (16 bytes) ++ frame_number (uint16 BE) ++ frame_data_length (uint32 BE)
 *                  ++ frame_data ++ is_last (0x00 or 0x01)
 *
 * A batch that does not parse is dropped as a whole, as op-node's frame queue does.
 */
import { bytesToHex, hexToBytes, isHex, size, type Hex } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";

/** The derivation version byte of frame-carrying batches. */
export const DERIVATION_VERSION_0 = 0;
/** The largest frame_data op-node accepts (`MaxFrameLen`). */
export const MAX_FRAME_DATA_LENGTH = 1_000_000;
/** Bytes a frame adds around its data: channel id, number, length, is_last. */
export const FRAME_OVERHEAD = 16 + 2 + 4 + 1;

export interface ChannelFrame {
  /** 16 bytes. */
  readonly channelId: Hex;
  readonly frameNumber: number;
  readonly data: Hex;
  readonly isLast: boolean;
}

/** Batcher data that op-node would not parse into frames. */
export class FrameParseError extends EveryChannelError {
  override name = "FrameParseError";
}

/** Encodes frames as the data of one batcher transaction (version byte first). */
export function encodeBatcherData(frames: readonly ChannelFrame[]): Hex {
  if (frames.length === 0) throw new InvalidFieldError("frames", frames, "must not be empty");
  const parts: Uint8Array[] = [Uint8Array.of(DERIVATION_VERSION_0)];
  frames.forEach((frame, i) => {
    if (!isHex(frame.channelId, { strict: true }) || size(frame.channelId) !== 16)
      throw new InvalidFieldError(`frames[${i}].channelId`, frame.channelId, "must be 16 bytes");
    if (!Number.isInteger(frame.frameNumber) || frame.frameNumber < 0 || frame.frameNumber > 0xffff)
      throw new InvalidFieldError(
        `frames[${i}].frameNumber`,
        frame.frameNumber,
        "must be a uint16",
      );
    const data = hexToBytes(frame.data);
    if (data.length > MAX_FRAME_DATA_LENGTH)
      throw new InvalidFieldError(
        `frames[${i}].data`,
        `${data.length} bytes`,
        `must be at most ${MAX_FRAME_DATA_LENGTH} bytes`,
      );
    const header = new Uint8Array(22);
    header.set(hexToBytes(frame.channelId), 0);
    const view = new DataView(header.buffer);
    view.setUint16(16, frame.frameNumber);
    view.setUint32(18, data.length);
    parts.push(header, data, Uint8Array.of(frame.isLast ? 1 : 0));
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return bytesToHex(out);
}

/** Parses batcher data into frames; throws {@link FrameParseError} where op-node's `ParseFrames` fails. */
export function parseBatcherData(data: Hex): ChannelFrame[] {
  const bytes = hexToBytes(data);
  if (bytes.length === 0) throw new FrameParseError("batcher data: empty");
  if (bytes[0] !== DERIVATION_VERSION_0)
    throw new FrameParseError(`batcher data: derivation version ${bytes[0]}, expected 0`, {
      version: bytes[0],
    });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: ChannelFrame[] = [];
  let offset = 1;
  const need = (n: number, field: string) => {
    if (offset + n > bytes.length)
      throw new FrameParseError(
        `batcher data: frame ${frames.length}: ${field} truncated at byte ${offset}`,
        { offset, field },
      );
  };
  while (offset < bytes.length) {
    need(16, "channel_id");
    const channelId = bytesToHex(bytes.subarray(offset, offset + 16));
    offset += 16;
    need(2, "frame_number");
    const frameNumber = view.getUint16(offset);
    offset += 2;
    need(4, "frame_data_length");
    const length = view.getUint32(offset);
    offset += 4;
    if (length > MAX_FRAME_DATA_LENGTH)
      throw new FrameParseError(
        `batcher data: frame ${frames.length}: frame_data_length ${length} exceeds ${MAX_FRAME_DATA_LENGTH}`,
        { length },
      );
    need(length, "frame_data");
    const frameData = bytesToHex(bytes.subarray(offset, offset + length));
    offset += length;
    need(1, "is_last");
    const isLast = bytes[offset]!;
    offset += 1;
    if (isLast > 1)
      throw new FrameParseError(`batcher data: frame ${frames.length}: is_last byte ${isLast}`, {
        isLast,
      });
    frames.push({ channelId, frameNumber, data: frameData, isLast: isLast === 1 });
  }
  if (frames.length === 0)
    throw new FrameParseError("batcher data: no frames after the version byte");
  return frames;
}
