// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// every.channel canonical Ethereum types.
// Solidity/ABI mirrors of the every.channel protocol types (ECP-0092) and the observation header
// (ECP-0093). They mirror the local protocol types; they never replace the local wire format, the
// BLAKE3 `manifest_id` or Ed25519 signatures. Every type, field and encoding is specified in
// `docs/types.md`; the hash functions live in `EveryChannelHashing`.
//
// These structs are calldata/ABI shapes, never storage layouts: their field order follows the
// protocol, not storage packing.
// solhint-disable gas-struct-packing

// Broadcast standard codes used by `BroadcastId.standard`:
// 0 atsc1, 1 atsc3, 2 dvb-t, 3 dvb-t2, 4 isdb-t, 5 ip. Any other value is invalid.
uint8 constant STANDARD_ATSC1 = 0;
uint8 constant STANDARD_ATSC3 = 1;
uint8 constant STANDARD_DVB_T = 2;
uint8 constant STANDARD_DVB_T2 = 3;
uint8 constant STANDARD_ISDB_T = 4;
uint8 constant STANDARD_IP = 5;

// Manifest signature scheme codes used by `ManifestSignature.scheme`.
// 0: Ed25519 over the 32-byte BLAKE3 `manifest_id` (local rail; `signer` is the 32-byte public key).
//   1: secp256k1 EIP-712 over the typed `ManifestBody` (`signer` is the 20-byte address; EOA or ERC-1271).
uint8 constant SIGNATURE_SCHEME_ED25519_BLAKE3 = 0;
uint8 constant SIGNATURE_SCHEME_EIP712_SECP256K1 = 1;

/// @notice A service on air, independent of who receives it.
/// @param standard Broadcast standard code (`STANDARD_*`).
/// @param region ISO 3166-1 alpha-2 country code as two ASCII upper-case bytes (e.g. "US" = 0x5553).
/// @param rfChannel RF channel number; 0 where the standard has none.
/// @param transportStreamId MPEG transport stream id; 0 where the standard has none.
/// @param programNumber MPEG program number; 0 where the standard has none.
/// @param majorChannel Virtual major channel (ATSC); 0 where the standard has none.
/// @param minorChannel Virtual minor channel (ATSC); 0 where the standard has none.
/// @param callsign Station call sign exactly as broadcast (UTF-8).
struct BroadcastId {
    uint8 standard;
    bytes2 region;
    uint16 rfChannel;
    uint16 transportStreamId;
    uint16 programNumber;
    uint16 majorChannel;
    uint16 minorChannel;
    string callsign;
}

/// @notice Which capture node and device captured a stream. Metadata about the capture, never part of
///         a stream's identity.
/// @param nodeId The capture node's iroh node id (its Ed25519 public key).
/// @param device The node-local device name (e.g. "hdhomerun-10a2b3c4").
struct SourceId {
    bytes32 nodeId;
    string device;
}

/// @notice A broadcast in one rendition profile: the identity of a stream. Contains no source field,
///         so every node that receives the same broadcast derives the same stream id.
/// @param broadcast The broadcast service.
/// @param profile The rendition profile (e.g. "ts-original").
struct StreamKey {
    BroadcastId broadcast;
    string profile;
}

/// @notice What a source says about a stream it serves.
/// @param stream The stream's identity.
/// @param source The describing source.
/// @param epochDurationMs Nominal epoch length on the broadcast clock, > 0.
/// @param variants Names of the variants the source serves, in manifest order.
/// @param describedUnixMs When the description was made (source clock, milliseconds since the Unix epoch).
struct StreamDescriptor {
    StreamKey stream;
    SourceId source;
    uint32 epochDurationMs;
    string[] variants;
    uint64 describedUnixMs;
}

/// @notice A transport announcement: where (over iroh) a source serves a stream.
/// @param streamId `stream-id-keccak256-v1` of the stream.
/// @param source The announcing source; `source.nodeId` is the iroh node id to dial.
/// @param descriptorHash `stream-descriptor-abi-keccak256-v1` of the descriptor being served.
/// @param relayUrls iroh relay URLs the node can be reached through, in preference order.
/// @param sequence Announcement sequence number of this source for this stream; strictly increasing.
/// @param issuedUnixMs When the announcement was issued (milliseconds since the Unix epoch).
/// @param expiresUnixMs When it stops being valid; > issuedUnixMs.
struct StreamControlAnnouncement {
    bytes32 streamId;
    SourceId source;
    bytes32 descriptorHash;
    string[] relayUrls;
    uint64 sequence;
    uint64 issuedUnixMs;
    uint64 expiresUnixMs;
}

/// @notice One content-addressed chunk of an epoch.
/// @param index Position of the chunk in its variant, 0..n-1 without holes.
/// @param size Length of the chunk in bytes, > 0.
/// @param blake3 BLAKE3 hash of the chunk bytes.
struct ChunkId {
    uint32 index;
    uint32 size;
    bytes32 blake3;
}

/// @notice One rendition of an epoch's data.
/// @param name Variant name (e.g. "ts-original").
/// @param chunks The variant's chunks in index order; at least one.
struct ManifestVariant {
    string name;
    ChunkId[] chunks;
}

/// @notice What a publisher says about one epoch of one stream. This is what both signature families
///         sign: Ed25519 over its BLAKE3 `manifest_id`, EIP-712 over the typed struct.
/// @param streamId `stream-id-keccak256-v1` of the stream.
/// @param epochId Epoch number on the broadcast clock.
/// @param epochStartUnixMs Epoch start on the broadcast clock (milliseconds since the Unix epoch).
/// @param epochDurationMs Epoch length, > 0.
/// @param variants The epoch's variants; at least one.
/// @param psipBlake3 BLAKE3 of the epoch's PSIP/SI tables; zero where the standard carries none.
/// @param merkleRoot Local `merkle+blake3` root over the chunk hashes (one variant) or the variant roots.
/// @param publisher The publishing source.
/// @param createdUnixMs When the publisher made the manifest (publisher clock).
struct ManifestBody {
    bytes32 streamId;
    uint64 epochId;
    uint64 epochStartUnixMs;
    uint32 epochDurationMs;
    ManifestVariant[] variants;
    bytes32 psipBlake3;
    bytes32 merkleRoot;
    SourceId publisher;
    uint64 createdUnixMs;
}

/// @notice One signature over a manifest body, of either family.
/// @param scheme `SIGNATURE_SCHEME_*` code.
/// @param signer 32-byte Ed25519 public key (scheme 0) or 20-byte address (scheme 1).
/// @param signature 64-byte Ed25519 signature (scheme 0) or an EIP-712 signature the signer accepts
///        (scheme 1: 65-byte ECDSA for an EOA, any bytes an ERC-1271 wallet accepts).
struct ManifestSignature {
    uint8 scheme;
    bytes signer;
    bytes signature;
}

/// @notice A signed manifest: the body, its local BLAKE3 id and any number of signatures.
/// @param body The signed body.
/// @param manifestId Local `manifest_id`: BLAKE3 over the RFC 8785 JSON encoding of the body.
/// @param signatures Signatures of either family, in any order; appending one never changes what is signed.
struct Manifest {
    ManifestBody body;
    bytes32 manifestId;
    ManifestSignature[] signatures;
}

/// @notice What a witness derives from its capture of one broadcast epoch and signs: the observation without its
///         place in the chain, which the ledger assigns at finalization (`docs/ledger.md`).
/// @param streamHash `stream-id-keccak256-v1` of the stream key.
/// @param epochHash `epoch-abi-keccak256-v1`: commitment to (streamHash, epoch id, start, duration).
/// @param dataRoot `manifest-data-merkle-keccak256-v1` root over the epoch's chunk hashes (see docs).
/// @param locatorHash Commitment to the content-addressed locator of the epoch's data.
/// @param observedUnixMs The epoch's start on the broadcast clock (never a capture clock).
struct ObservationContent {
    bytes32 streamHash;
    bytes32 epochHash;
    bytes32 dataRoot;
    bytes32 locatorHash;
    uint64 observedUnixMs;
}

/// @notice The application-level "block" derived from one broadcast epoch (ECP-0093): a finalized
///         `ObservationContent` with its place in the stream's chain.
/// @param streamHash `stream-id-keccak256-v1` of the stream key.
/// @param epochHash `epoch-abi-keccak256-v1`: commitment to (streamHash, epoch id, start, duration).
/// @param parentObservationHash The stream's finalized head this observation extends; zero for the first.
/// @param dataRoot `manifest-data-merkle-keccak256-v1` root over the epoch's chunk hashes (see docs).
/// @param locatorHash Commitment to the content-addressed locator of the epoch's data.
/// @param observedUnixMs The epoch's start on the broadcast clock (never a capture clock).
/// @param sequence Position in the stream's finalized chain: the parent's sequence plus one; 0 for the first.
struct ObservationHeader {
    bytes32 streamHash;
    bytes32 epochHash;
    bytes32 parentObservationHash;
    bytes32 dataRoot;
    bytes32 locatorHash;
    uint64 observedUnixMs;
    uint64 sequence;
}
