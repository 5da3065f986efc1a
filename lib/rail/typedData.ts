/**
 * EIP-712 type definitions of the messages `EveryChannelRail` accepts from relayers (`*WithSig`), and
 * the TypeScript types of the pointers, derived from them. Mirrors the typehashes in
 * `contracts/EveryChannelRail.sol`; `docs/rail.md` lists the type strings and `test/rail/` checks that
 * the contract accepts signatures made from these definitions.
 */
import type { TypedDataToPrimitiveTypes } from "abitype";

const manifestPointerFields = [
  { name: "streamId", type: "bytes32" },
  { name: "epochId", type: "uint64" },
  { name: "manifestBodyHash", type: "bytes32" },
  { name: "manifestEnvelopeHash", type: "bytes32" },
  { name: "dataRoot", type: "bytes32" },
  { name: "manifestId", type: "bytes32" },
  { name: "revision", type: "uint64" },
] as const;

const announcementPointerFields = [
  { name: "streamId", type: "bytes32" },
  { name: "announcementHash", type: "bytes32" },
  { name: "descriptorHash", type: "bytes32" },
  { name: "sequence", type: "uint64" },
] as const;

/** Every EIP-712 struct type of the rail, for viem's `types` parameter. */
export const railTypes = {
  ManifestPointer: manifestPointerFields,
  AnnouncementPointer: announcementPointerFields,
  ClaimStream: [
    { name: "streamId", type: "bytes32" },
    { name: "publisher", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  PublishManifest: [
    { name: "publisher", type: "address" },
    { name: "pointer", type: "ManifestPointer" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  PublishAnnouncement: [
    { name: "publisher", type: "address" },
    { name: "pointer", type: "AnnouncementPointer" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  PublishBatch: [
    { name: "publisher", type: "address" },
    { name: "manifests", type: "ManifestPointer[]" },
    { name: "announcements", type: "AnnouncementPointer[]" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The message types a publisher signs (the primary types). */
export type RailPrimaryType =
  | "ClaimStream"
  | "PublishManifest"
  | "PublishAnnouncement"
  | "PublishBatch";

type RailPrimitives = TypedDataToPrimitiveTypes<typeof railTypes>;

/** A manifest pointer update (`ManifestPointer` in the contract). */
export type ManifestPointer = RailPrimitives["ManifestPointer"];
/** A transport-announcement pointer update (`AnnouncementPointer` in the contract). */
export type AnnouncementPointer = RailPrimitives["AnnouncementPointer"];
/** The signed message of `claimStreamWithSig`. */
export type ClaimStreamMessage = RailPrimitives["ClaimStream"];
/** The signed message of `publishManifestWithSig`. */
export type PublishManifestMessage = RailPrimitives["PublishManifest"];
/** The signed message of `publishAnnouncementWithSig`. */
export type PublishAnnouncementMessage = RailPrimitives["PublishAnnouncement"];
/** The signed message of `publishBatchWithSig`. */
export type PublishBatchMessage = RailPrimitives["PublishBatch"];

/**
 * The EIP-712 `encodeType` string of each message, exactly as the contract hashes it into its
 * typehash (referenced struct types appended in alphabetical order).
 */
export const railTypeStrings = {
  ManifestPointer:
    "ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)",
  AnnouncementPointer:
    "AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)",
  ClaimStream: "ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)",
  PublishManifest:
    "PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)",
  PublishAnnouncement:
    "PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)",
  PublishBatch:
    "PublishBatch(address publisher,ManifestPointer[] manifests,AnnouncementPointer[] announcements,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)",
} as const satisfies Record<keyof typeof railTypes, string>;
