/**
 * Stream-level keccak commitments. Solidity twins: `EveryChannelHashing.sol`.
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { z } from "zod";

import {
  abiParameters,
  type StreamControlAnnouncement,
  type StreamDescriptor,
  type StreamKey,
} from "../types/abi";
import { parseCanonical } from "../validation/errors";
import { assertCanonicalValue, hexBytes, uint64, uintNumber } from "../validation/values";

/** `stream-id-keccak256-v1` = keccak256(abi.encode(StreamKey)). Independent of any source. */
export function streamId(key: StreamKey): Hex {
  assertCanonicalValue("StreamKey", key, "key");
  return keccak256(encodeAbiParameters([abiParameters.StreamKey], [key]));
}

/** `stream-descriptor-abi-keccak256-v1` = keccak256(abi.encode(StreamDescriptor)). */
export function streamDescriptorHash(descriptor: StreamDescriptor): Hex {
  assertCanonicalValue("StreamDescriptor", descriptor, "descriptor");
  return keccak256(encodeAbiParameters([abiParameters.StreamDescriptor], [descriptor]));
}

/** `control-announcement-abi-keccak256-v1` = keccak256(abi.encode(StreamControlAnnouncement)). */
export function controlAnnouncementHash(announcement: StreamControlAnnouncement): Hex {
  assertCanonicalValue("StreamControlAnnouncement", announcement, "announcement");
  return keccak256(encodeAbiParameters([abiParameters.StreamControlAnnouncement], [announcement]));
}

/** The inputs of `epoch-abi-keccak256-v1`. */
export type EpochHashParameters = {
  /** `stream-id-keccak256-v1` of the stream. */
  streamHash: Hex;
  /** Epoch number on the broadcast clock (uint64). */
  epochId: bigint;
  /** Epoch start on the broadcast clock, ms since the Unix epoch (uint64). */
  startUnixMs: bigint;
  /** Epoch length in ms (uint32). */
  durationMs: number;
};

const epochSchema = z.object({
  streamHash: hexBytes(32),
  epochId: uint64,
  startUnixMs: uint64,
  durationMs: uintNumber(32),
});

/**
 * `epoch-abi-keccak256-v1` = keccak256(abi.encode(bytes32 streamHash, uint64 epochId,
 * uint64 startUnixMs, uint32 durationMs)).
 */
export function epochHash(epoch: EpochHashParameters): Hex {
  parseCanonical(epochSchema, epoch, "Epoch", "epoch");
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint32" }],
      [epoch.streamHash, epoch.epochId, epoch.startUnixMs, epoch.durationMs],
    ),
  );
}
