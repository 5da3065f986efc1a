// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    BroadcastId,
    ChunkId,
    Manifest,
    ManifestBody,
    ManifestSignature,
    ManifestVariant,
    ObservationContent,
    ObservationHeader,
    SourceId,
    StreamControlAnnouncement,
    StreamDescriptor,
    StreamKey
} from "../libraries/EveryChannelTypes.sol";
import {EveryChannelHashing} from "../libraries/EveryChannelHashing.sol";
import {EveryChannelMerkle} from "../libraries/EveryChannelMerkle.sol";
import {EveryChannelManifestTypedData} from "../libraries/EveryChannelManifestTypedData.sol";

/// @title CommitmentsHarness
/// @notice Test-only: exposes every commitment of `EveryChannelHashing`, `EveryChannelMerkle` and
///         `EveryChannelManifestTypedData`, and the ABI encoding of every canonical type, so that tests
///         compare them with the TypeScript twins. Never deployed outside tests.
contract CommitmentsHarness {
    /// @notice `stream-id-keccak256-v1` of `key`.
    /// @param key The stream key.
    /// @return The stream id.
    function streamId(StreamKey calldata key) external pure returns (bytes32) {
        return EveryChannelHashing.streamId(key);
    }

    /// @notice `stream-descriptor-abi-keccak256-v1` of `descriptor`.
    /// @param descriptor The descriptor.
    /// @return The descriptor hash.
    function streamDescriptorHash(StreamDescriptor calldata descriptor) external pure returns (bytes32) {
        return EveryChannelHashing.streamDescriptorHash(descriptor);
    }

    /// @notice `control-announcement-abi-keccak256-v1` of `announcement`.
    /// @param announcement The announcement.
    /// @return The announcement hash.
    function controlAnnouncementHash(
        StreamControlAnnouncement calldata announcement
    ) external pure returns (bytes32) {
        return EveryChannelHashing.controlAnnouncementHash(announcement);
    }

    /// @notice `manifest-body-abi-keccak256-v1` of `body`.
    /// @param body The manifest body.
    /// @return The body hash.
    function manifestBodyHash(ManifestBody calldata body) external pure returns (bytes32) {
        return EveryChannelHashing.manifestBodyHash(body);
    }

    /// @notice `manifest-envelope-abi-keccak256-v1` of `manifest`.
    /// @param manifest The manifest.
    /// @return The envelope hash.
    function manifestEnvelopeHash(Manifest calldata manifest) external pure returns (bytes32) {
        return EveryChannelHashing.manifestEnvelopeHash(manifest);
    }

    /// @notice `epoch-abi-keccak256-v1` of the given epoch.
    /// @param streamHash The stream id.
    /// @param epochId The epoch number.
    /// @param startUnixMs The epoch start.
    /// @param durationMs The epoch length.
    /// @return The epoch hash.
    function epochHash(
        bytes32 streamHash,
        uint64 epochId,
        uint64 startUnixMs,
        uint32 durationMs
    ) external pure returns (bytes32) {
        return EveryChannelHashing.epochHash(streamHash, epochId, startUnixMs, durationMs);
    }

    /// @notice `ContentHash` of `content`.
    /// @param content The observation content.
    /// @return The content hash.
    function contentHash(ObservationContent calldata content) external pure returns (bytes32) {
        return EveryChannelHashing.contentHash(content);
    }

    /// @notice `ObservationHash` of `header`.
    /// @param header The observation header.
    /// @return The observation hash.
    function observationHash(ObservationHeader calldata header) external pure returns (bytes32) {
        return EveryChannelHashing.observationHash(header);
    }

    /// @notice `ObservationSlot` of (streamHash, epochHash).
    /// @param streamHash The stream id.
    /// @param epochHash_ The epoch hash.
    /// @return The slot key.
    function observationSlot(bytes32 streamHash, bytes32 epochHash_) external pure returns (bytes32) {
        return EveryChannelHashing.observationSlot(streamHash, epochHash_);
    }

    /// @notice `manifest-data-merkle-keccak256-v1` root over `leaves`.
    /// @param leaves The leaf data in order.
    /// @return The root.
    function merkleRoot(bytes32[] calldata leaves) external pure returns (bytes32) {
        return EveryChannelMerkle.root(leaves);
    }

    /// @notice The Merkle leaf hash of `leaf`.
    /// @param leaf The leaf datum.
    /// @return The leaf hash.
    function merkleLeafHash(bytes32 leaf) external pure returns (bytes32) {
        return EveryChannelMerkle.leafHash(leaf);
    }

    /// @notice The Merkle node hash of (left, right).
    /// @param left The left child.
    /// @param right The right child.
    /// @return The node hash.
    function merkleNodeHash(bytes32 left, bytes32 right) external pure returns (bytes32) {
        return EveryChannelMerkle.nodeHash(left, right);
    }

    /// @notice Whether `proof` proves `leaf` at `index` of a `treeSize`-leaf tree with root `root`.
    /// @param proof The audit path.
    /// @param root The root.
    /// @param leaf The leaf datum.
    /// @param index The leaf position.
    /// @param treeSize The number of leaves.
    /// @return True when valid.
    function verifyMerkleProof(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) external pure returns (bool) {
        return EveryChannelMerkle.verify(proof, root, leaf, index, treeSize);
    }

    /// @notice The root `proof` yields for `leaf` at `index` of a `treeSize`-leaf tree.
    /// @param proof The audit path.
    /// @param leaf The leaf datum.
    /// @param index The leaf position.
    /// @param treeSize The number of leaves.
    /// @return The computed root.
    function processMerkleProof(
        bytes32[] calldata proof,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) external pure returns (bytes32) {
        return EveryChannelMerkle.processProof(proof, leaf, index, treeSize);
    }

    /// @notice `manifest-data-merkle-keccak256-v1` of `body`.
    /// @param body The manifest body.
    /// @return The data root.
    function manifestDataRoot(ManifestBody calldata body) external pure returns (bytes32) {
        return EveryChannelMerkle.manifestDataRoot(body);
    }

    /// @notice EIP-712 struct hash of `body`.
    /// @param body The manifest body.
    /// @return The struct hash.
    function hashManifestBodyStruct(ManifestBody calldata body) external pure returns (bytes32) {
        return EveryChannelManifestTypedData.hashManifestBody(body);
    }

    /// @notice EIP-712 struct hash of `variant`.
    /// @param variant The variant.
    /// @return The struct hash.
    function hashManifestVariantStruct(ManifestVariant calldata variant) external pure returns (bytes32) {
        return EveryChannelManifestTypedData.hashManifestVariant(variant);
    }

    /// @notice EIP-712 struct hash of `chunk`.
    /// @param chunk The chunk id.
    /// @return The struct hash.
    function hashChunkIdStruct(ChunkId calldata chunk) external pure returns (bytes32) {
        return EveryChannelManifestTypedData.hashChunkId(chunk);
    }

    /// @notice EIP-712 struct hash of `source`.
    /// @param source The source id.
    /// @return The struct hash.
    function hashSourceIdStruct(SourceId calldata source) external pure returns (bytes32) {
        return EveryChannelManifestTypedData.hashSourceId(source);
    }

    /// @notice The EIP-712 type hashes, in the order SourceId, ChunkId, ManifestVariant, ManifestBody.
    /// @return sourceId The `SourceId` type hash.
    /// @return chunkId The `ChunkId` type hash.
    /// @return manifestVariant The `ManifestVariant` type hash.
    /// @return manifestBody The `ManifestBody` type hash.
    function typeHashes()
        external
        pure
        returns (bytes32 sourceId, bytes32 chunkId, bytes32 manifestVariant, bytes32 manifestBody)
    {
        return (
            EveryChannelManifestTypedData.SOURCE_ID_TYPEHASH,
            EveryChannelManifestTypedData.CHUNK_ID_TYPEHASH,
            EveryChannelManifestTypedData.MANIFEST_VARIANT_TYPEHASH,
            EveryChannelManifestTypedData.MANIFEST_BODY_TYPEHASH
        );
    }

    /// @notice abi.encode of a `BroadcastId`.
    /// @param value The value.
    /// @return The encoding.
    function encodeBroadcastId(BroadcastId calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `SourceId`.
    /// @param value The value.
    /// @return The encoding.
    function encodeSourceId(SourceId calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `StreamKey`.
    /// @param value The value.
    /// @return The encoding.
    function encodeStreamKey(StreamKey calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `StreamDescriptor`.
    /// @param value The value.
    /// @return The encoding.
    function encodeStreamDescriptor(StreamDescriptor calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `StreamControlAnnouncement`.
    /// @param value The value.
    /// @return The encoding.
    function encodeStreamControlAnnouncement(
        StreamControlAnnouncement calldata value
    ) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `ChunkId`.
    /// @param value The value.
    /// @return The encoding.
    function encodeChunkId(ChunkId calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `ManifestVariant`.
    /// @param value The value.
    /// @return The encoding.
    function encodeManifestVariant(ManifestVariant calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `ManifestBody`.
    /// @param value The value.
    /// @return The encoding.
    function encodeManifestBody(ManifestBody calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `ManifestSignature`.
    /// @param value The value.
    /// @return The encoding.
    function encodeManifestSignature(ManifestSignature calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of a `Manifest`.
    /// @param value The value.
    /// @return The encoding.
    function encodeManifest(Manifest calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of an `ObservationContent`.
    /// @param value The value.
    /// @return The encoding.
    function encodeObservationContent(
        ObservationContent calldata value
    ) external pure returns (bytes memory) {
        return abi.encode(value);
    }

    /// @notice abi.encode of an `ObservationHeader`.
    /// @param value The value.
    /// @return The encoding.
    function encodeObservationHeader(ObservationHeader calldata value) external pure returns (bytes memory) {
        return abi.encode(value);
    }
}
