/**
 * ABI parameter definitions of the canonical types, `as const` so that viem and abitype derive the
 * TypeScript types from them. They mirror `contracts/libraries/EveryChannelTypes.sol` field for
 * field; `test/types/abi-mirror.test.ts` checks the two against the compiled artifacts.
 */
import type { AbiParameter, AbiParameterToPrimitiveType } from "abitype";

export const broadcastIdComponents = [
  { name: "standard", type: "uint8" },
  { name: "region", type: "bytes2" },
  { name: "rfChannel", type: "uint16" },
  { name: "transportStreamId", type: "uint16" },
  { name: "programNumber", type: "uint16" },
  { name: "majorChannel", type: "uint16" },
  { name: "minorChannel", type: "uint16" },
  { name: "callsign", type: "string" },
] as const;

export const sourceIdComponents = [
  { name: "nodeId", type: "bytes32" },
  { name: "device", type: "string" },
] as const;

export const streamKeyComponents = [
  { name: "broadcast", type: "tuple", components: broadcastIdComponents },
  { name: "profile", type: "string" },
] as const;

export const streamDescriptorComponents = [
  { name: "stream", type: "tuple", components: streamKeyComponents },
  { name: "source", type: "tuple", components: sourceIdComponents },
  { name: "epochDurationMs", type: "uint32" },
  { name: "variants", type: "string[]" },
  { name: "describedUnixMs", type: "uint64" },
] as const;

export const streamControlAnnouncementComponents = [
  { name: "streamId", type: "bytes32" },
  { name: "source", type: "tuple", components: sourceIdComponents },
  { name: "descriptorHash", type: "bytes32" },
  { name: "relayUrls", type: "string[]" },
  { name: "sequence", type: "uint64" },
  { name: "issuedUnixMs", type: "uint64" },
  { name: "expiresUnixMs", type: "uint64" },
] as const;

export const chunkIdComponents = [
  { name: "index", type: "uint32" },
  { name: "size", type: "uint32" },
  { name: "blake3", type: "bytes32" },
] as const;

export const manifestVariantComponents = [
  { name: "name", type: "string" },
  { name: "chunks", type: "tuple[]", components: chunkIdComponents },
] as const;

export const manifestBodyComponents = [
  { name: "streamId", type: "bytes32" },
  { name: "epochId", type: "uint64" },
  { name: "epochStartUnixMs", type: "uint64" },
  { name: "epochDurationMs", type: "uint32" },
  { name: "variants", type: "tuple[]", components: manifestVariantComponents },
  { name: "psipBlake3", type: "bytes32" },
  { name: "merkleRoot", type: "bytes32" },
  { name: "publisher", type: "tuple", components: sourceIdComponents },
  { name: "createdUnixMs", type: "uint64" },
] as const;

export const manifestSignatureComponents = [
  { name: "scheme", type: "uint8" },
  { name: "signer", type: "bytes" },
  { name: "signature", type: "bytes" },
] as const;

export const manifestComponents = [
  { name: "body", type: "tuple", components: manifestBodyComponents },
  { name: "manifestId", type: "bytes32" },
  { name: "signatures", type: "tuple[]", components: manifestSignatureComponents },
] as const;

export const observationContentComponents = [
  { name: "streamHash", type: "bytes32" },
  { name: "epochHash", type: "bytes32" },
  { name: "dataRoot", type: "bytes32" },
  { name: "locatorHash", type: "bytes32" },
  { name: "observedUnixMs", type: "uint64" },
] as const;

export const observationHeaderComponents = [
  { name: "streamHash", type: "bytes32" },
  { name: "epochHash", type: "bytes32" },
  { name: "parentObservationHash", type: "bytes32" },
  { name: "dataRoot", type: "bytes32" },
  { name: "locatorHash", type: "bytes32" },
  { name: "observedUnixMs", type: "uint64" },
  { name: "sequence", type: "uint64" },
] as const;

/** One `tuple` ABI parameter per canonical type, for `encodeAbiParameters([param], [value])`. */
export const abiParameters = {
  BroadcastId: { type: "tuple", components: broadcastIdComponents },
  SourceId: { type: "tuple", components: sourceIdComponents },
  StreamKey: { type: "tuple", components: streamKeyComponents },
  StreamDescriptor: { type: "tuple", components: streamDescriptorComponents },
  StreamControlAnnouncement: { type: "tuple", components: streamControlAnnouncementComponents },
  ChunkId: { type: "tuple", components: chunkIdComponents },
  ManifestVariant: { type: "tuple", components: manifestVariantComponents },
  ManifestBody: { type: "tuple", components: manifestBodyComponents },
  ManifestSignature: { type: "tuple", components: manifestSignatureComponents },
  Manifest: { type: "tuple", components: manifestComponents },
  ObservationContent: { type: "tuple", components: observationContentComponents },
  ObservationHeader: { type: "tuple", components: observationHeaderComponents },
} as const satisfies Record<string, AbiParameter>;

export type CanonicalTypeName = keyof typeof abiParameters;

type Primitive<N extends CanonicalTypeName> = AbiParameterToPrimitiveType<
  (typeof abiParameters)[N]
>;

export type BroadcastId = Primitive<"BroadcastId">;
export type SourceId = Primitive<"SourceId">;
export type StreamKey = Primitive<"StreamKey">;
export type StreamDescriptor = Primitive<"StreamDescriptor">;
export type StreamControlAnnouncement = Primitive<"StreamControlAnnouncement">;
export type ChunkId = Primitive<"ChunkId">;
export type ManifestVariant = Primitive<"ManifestVariant">;
export type ManifestBody = Primitive<"ManifestBody">;
export type ManifestSignature = Primitive<"ManifestSignature">;
export type Manifest = Primitive<"Manifest">;
export type ObservationContent = Primitive<"ObservationContent">;
export type ObservationHeader = Primitive<"ObservationHeader">;

/** Broadcast standard names, indexed by their `BroadcastId.standard` code. */
export const BROADCAST_STANDARDS = ["atsc1", "atsc3", "dvb-t", "dvb-t2", "isdb-t", "ip"] as const;
export type BroadcastStandard = (typeof BROADCAST_STANDARDS)[number];

/** Manifest signature scheme codes (`ManifestSignature.scheme`). */
export const SignatureScheme = {
  Ed25519Blake3: 0,
  Eip712Secp256k1: 1,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];
