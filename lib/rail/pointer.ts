/**
 * Building the rail's pointer updates from commitments, with every field checked against its
 * Solidity type (bytes32, uint64) and the contract's rules (non-zero body/announcement hash).
 */
import type { Hex } from "viem";
import { zeroHash } from "viem";

import { manifestBodyHash, manifestDataRoot, manifestEnvelopeHash } from "../commitments/manifest";
import { controlAnnouncementHash } from "../commitments/stream";
import { InvalidFieldError } from "../errors";
import type { Manifest, StreamControlAnnouncement } from "../types/abi";
import type { AnnouncementPointer, ManifestPointer } from "./typedData";

const UINT64_MAX = (1n << 64n) - 1n;

export type ManifestPointerParameters = {
  /** `stream-id-keccak256-v1` of the stream. */
  streamId: Hex;
  /** Epoch number on the broadcast clock. */
  epochId: bigint;
  /** `manifest-body-abi-keccak256-v1`; never zero. */
  manifestBodyHash: Hex;
  /** `manifest-envelope-abi-keccak256-v1`. */
  manifestEnvelopeHash: Hex;
  /** `manifest-data-merkle-keccak256-v1`. */
  dataRoot: Hex;
  /** Local BLAKE3 `manifest_id`. */
  manifestId: Hex;
  /** The publisher's revision of the epoch's manifest; above the one on the rail. */
  revision: bigint;
};
export type ManifestPointerReturnType = ManifestPointer;

/** A checked manifest pointer update. */
export function manifestPointer(parameters: ManifestPointerParameters): ManifestPointerReturnType {
  const pointer: ManifestPointer = {
    streamId: bytes32("streamId", parameters.streamId),
    epochId: uint64("epochId", parameters.epochId),
    manifestBodyHash: bytes32("manifestBodyHash", parameters.manifestBodyHash),
    manifestEnvelopeHash: bytes32("manifestEnvelopeHash", parameters.manifestEnvelopeHash),
    dataRoot: bytes32("dataRoot", parameters.dataRoot),
    manifestId: bytes32("manifestId", parameters.manifestId),
    revision: uint64("revision", parameters.revision),
  };
  if (pointer.manifestBodyHash === zeroHash)
    throw new InvalidFieldError("manifestBodyHash", pointer.manifestBodyHash, "must not be zero");
  return pointer;
}

export type AnnouncementPointerParameters = {
  /** `stream-id-keccak256-v1` of the stream. */
  streamId: Hex;
  /** `control-announcement-abi-keccak256-v1`; never zero. */
  announcementHash: Hex;
  /** `stream-descriptor-abi-keccak256-v1` of the served descriptor. */
  descriptorHash: Hex;
  /** The announcement's sequence; above the one on the rail. */
  sequence: bigint;
};
export type AnnouncementPointerReturnType = AnnouncementPointer;

/** A checked transport-announcement pointer update. */
export function announcementPointer(
  parameters: AnnouncementPointerParameters,
): AnnouncementPointerReturnType {
  const pointer: AnnouncementPointer = {
    streamId: bytes32("streamId", parameters.streamId),
    announcementHash: bytes32("announcementHash", parameters.announcementHash),
    descriptorHash: bytes32("descriptorHash", parameters.descriptorHash),
    sequence: uint64("sequence", parameters.sequence),
  };
  if (pointer.announcementHash === zeroHash)
    throw new InvalidFieldError("announcementHash", pointer.announcementHash, "must not be zero");
  return pointer;
}

export type ManifestPointerFromManifestParameters = {
  manifest: Manifest;
  /** The publisher's revision of the epoch's manifest; above the one on the rail. */
  revision: bigint;
};

/**
 * The manifest pointer of a signed manifest: stream and epoch from its body, the three keccak
 * commitments (`manifest-body-abi-keccak256-v1`, `manifest-envelope-abi-keccak256-v1`,
 * `manifest-data-merkle-keccak256-v1`) computed from it, and its local BLAKE3 `manifestId` as carried.
 */
export function manifestPointerFromManifest({
  manifest,
  revision,
}: ManifestPointerFromManifestParameters): ManifestPointerReturnType {
  return manifestPointer({
    streamId: manifest.body.streamId,
    epochId: manifest.body.epochId,
    manifestBodyHash: manifestBodyHash(manifest.body),
    manifestEnvelopeHash: manifestEnvelopeHash(manifest),
    dataRoot: manifestDataRoot(manifest.body),
    manifestId: manifest.manifestId,
    revision,
  });
}

/**
 * The announcement pointer of a transport announcement: its stream, descriptor hash and sequence as
 * carried, and its `control-announcement-abi-keccak256-v1`.
 */
export function announcementPointerFromAnnouncement(
  announcement: StreamControlAnnouncement,
): AnnouncementPointerReturnType {
  return announcementPointer({
    streamId: announcement.streamId,
    announcementHash: controlAnnouncementHash(announcement),
    descriptorHash: announcement.descriptorHash,
    sequence: announcement.sequence,
  });
}

function bytes32(field: string, value: Hex): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidFieldError(field, value, "must be a 0x-prefixed 32-byte hex string");
  return value.toLowerCase() as Hex;
}

function uint64(field: string, value: bigint): bigint {
  if (value < 0n || value > UINT64_MAX)
    throw new InvalidFieldError(field, value, "must fit in a uint64");
  return value;
}
