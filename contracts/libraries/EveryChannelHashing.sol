// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    Manifest,
    ManifestBody,
    ObservationContent,
    ObservationHeader,
    StreamControlAnnouncement,
    StreamDescriptor,
    StreamKey
} from "./EveryChannelTypes.sol";

/// @title EveryChannelHashing
/// @notice The keccak256 commitments of the canonical types, each named by its versioned id in
///         `docs/encoding.md`. Every function here has a TypeScript twin in `lib/commitments/` that
///         returns the same bytes; `fixtures/vectors/` pins both. The Merkle commitment
///         (`manifest-data-merkle-keccak256-v1`) lives in `EveryChannelMerkle`.
library EveryChannelHashing {
    /// @notice `stream-id-keccak256-v1`: keccak256(abi.encode(key)). The key has no source field, so
    ///         every node receiving the same broadcast in the same profile derives the same id.
    /// @param key The stream key.
    /// @return The stream id.
    function streamId(StreamKey calldata key) internal pure returns (bytes32) {
        return keccak256(abi.encode(key));
    }

    /// @notice `stream-descriptor-abi-keccak256-v1`: keccak256(abi.encode(descriptor)).
    /// @param descriptor The stream descriptor.
    /// @return The descriptor hash.
    function streamDescriptorHash(StreamDescriptor calldata descriptor) internal pure returns (bytes32) {
        return keccak256(abi.encode(descriptor));
    }

    /// @notice `control-announcement-abi-keccak256-v1`: keccak256(abi.encode(announcement)).
    /// @param announcement The control announcement.
    /// @return The announcement hash.
    function controlAnnouncementHash(
        StreamControlAnnouncement calldata announcement
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(announcement));
    }

    /// @notice `manifest-body-abi-keccak256-v1`: keccak256(abi.encode(body)).
    /// @param body The manifest body.
    /// @return The body hash.
    function manifestBodyHash(ManifestBody calldata body) internal pure returns (bytes32) {
        return keccak256(abi.encode(body));
    }

    /// @notice `manifest-envelope-abi-keccak256-v1`: keccak256(abi.encode(manifest)). Unlike the body
    ///         hash it changes whenever a signature is appended.
    /// @param manifest The signed manifest.
    /// @return The envelope hash.
    function manifestEnvelopeHash(Manifest calldata manifest) internal pure returns (bytes32) {
        return keccak256(abi.encode(manifest));
    }

    /// @notice `epoch-abi-keccak256-v1`: keccak256(abi.encode(streamHash, epochId, startUnixMs,
    ///         durationMs)) with the types (bytes32, uint64, uint64, uint32).
    /// @param streamHash The `stream-id-keccak256-v1` of the stream.
    /// @param epochId The epoch number on the broadcast clock.
    /// @param startUnixMs The epoch start on the broadcast clock (milliseconds since the Unix epoch).
    /// @param durationMs The epoch length in milliseconds.
    /// @return The epoch hash.
    function epochHash(
        bytes32 streamHash,
        uint64 epochId,
        uint64 startUnixMs,
        uint32 durationMs
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochId, startUnixMs, durationMs));
    }

    /// @notice `ContentHash`: keccak256(abi.encode(content)), what a witness's attestation names.
    /// @param content The observation content.
    /// @return The content hash.
    function contentHash(ObservationContent calldata content) internal pure returns (bytes32) {
        return keccak256(abi.encode(content));
    }

    /// @notice `ObservationHash`: keccak256(abi.encode(header)).
    /// @param header The observation header.
    /// @return The observation hash.
    function observationHash(ObservationHeader calldata header) internal pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @notice `ObservationHash` of a header held in memory.
    /// @param header The observation header.
    /// @return The observation hash.
    function observationHashMemory(ObservationHeader memory header) internal pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @notice `ObservationSlot`: keccak256(abi.encode(streamHash, epochHash)).
    /// @param streamHash The stream-id commitment of the stream.
    /// @param epochHash_ The epoch commitment.
    /// @return The slot key.
    function observationSlot(bytes32 streamHash, bytes32 epochHash_) internal pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochHash_));
    }
}
