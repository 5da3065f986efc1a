// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ChunkId, ManifestBody, ManifestVariant, SourceId} from "./EveryChannelTypes.sol";

/// @title EveryChannelManifestTypedData
/// @notice EIP-712 struct hashes of `ManifestBody` and its nested types: what secp256k1 manifest
///         signatures sign (scheme `SIGNATURE_SCHEME_EIP712_SECP256K1`). The signed message is the body,
///         never the envelope, so appending a signature never changes what the others signed.
///         A contract inheriting OpenZeppelin `EIP712` turns a struct hash into the digest with
///         `_hashTypedDataV4(EveryChannelManifestTypedData.hashManifestBody(body))`; clients read the
///         domain through ERC-5267 `eip712Domain()`. TypeScript twin: `lib/eip712/manifest.ts`.
library EveryChannelManifestTypedData {
    /// @notice keccak256("SourceId(bytes32 nodeId,string device)")
    bytes32 internal constant SOURCE_ID_TYPEHASH = keccak256("SourceId(bytes32 nodeId,string device)");

    /// @notice keccak256("ChunkId(uint32 index,uint32 size,bytes32 blake3)")
    bytes32 internal constant CHUNK_ID_TYPEHASH =
        keccak256("ChunkId(uint32 index,uint32 size,bytes32 blake3)");

    /// @notice keccak256("ManifestVariant(string name,ChunkId[] chunks)ChunkId(uint32 index,uint32 size,bytes32 blake3)")
    bytes32 internal constant MANIFEST_VARIANT_TYPEHASH =
        keccak256(
            "ManifestVariant(string name,ChunkId[] chunks)ChunkId(uint32 index,uint32 size,bytes32 blake3)"
        );

    /// @notice keccak256 of the type string below (one line, no spaces other than those shown):
    ///         "ManifestBody(bytes32 streamId,uint64 epochId,uint64 epochStartUnixMs,uint32 epochDurationMs,
    ///         ManifestVariant[] variants,bytes32 psipBlake3,bytes32 merkleRoot,SourceId publisher,
    ///         uint64 createdUnixMs)ChunkId(uint32 index,uint32 size,bytes32 blake3)
    ///         ManifestVariant(string name,ChunkId[] chunks)SourceId(bytes32 nodeId,string device)"
    bytes32 internal constant MANIFEST_BODY_TYPEHASH =
        keccak256(
            "ManifestBody(bytes32 streamId,uint64 epochId,uint64 epochStartUnixMs,uint32 epochDurationMs,"
            "ManifestVariant[] variants,bytes32 psipBlake3,bytes32 merkleRoot,SourceId publisher,"
            "uint64 createdUnixMs)ChunkId(uint32 index,uint32 size,bytes32 blake3)"
            "ManifestVariant(string name,ChunkId[] chunks)SourceId(bytes32 nodeId,string device)"
        );

    /// @notice EIP-712 `hashStruct` of a `SourceId`.
    /// @param source The source id.
    /// @return The struct hash.
    function hashSourceId(SourceId calldata source) internal pure returns (bytes32) {
        return keccak256(abi.encode(SOURCE_ID_TYPEHASH, source.nodeId, keccak256(bytes(source.device))));
    }

    /// @notice EIP-712 `hashStruct` of a `ChunkId`.
    /// @param chunk The chunk id.
    /// @return The struct hash.
    function hashChunkId(ChunkId calldata chunk) internal pure returns (bytes32) {
        return keccak256(abi.encode(CHUNK_ID_TYPEHASH, chunk.index, chunk.size, chunk.blake3));
    }

    /// @notice EIP-712 `hashStruct` of a `ManifestVariant`; `chunks` is encoded as the keccak256 of the
    ///         concatenated struct hashes of its elements.
    /// @param variant The variant.
    /// @return The struct hash.
    function hashManifestVariant(ManifestVariant calldata variant) internal pure returns (bytes32) {
        uint256 count = variant.chunks.length;
        bytes32[] memory chunkHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            chunkHashes[i] = hashChunkId(variant.chunks[i]);
        }
        return
            keccak256(
                abi.encode(
                    MANIFEST_VARIANT_TYPEHASH,
                    keccak256(bytes(variant.name)),
                    keccak256(abi.encodePacked(chunkHashes))
                )
            );
    }

    /// @notice EIP-712 `hashStruct` of a `ManifestBody`: the message that secp256k1 manifest signatures sign.
    /// @param body The manifest body.
    /// @return The struct hash.
    function hashManifestBody(ManifestBody calldata body) internal pure returns (bytes32) {
        uint256 count = body.variants.length;
        bytes32[] memory variantHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            variantHashes[i] = hashManifestVariant(body.variants[i]);
        }
        // Encoded in two halves: twelve words in one abi.encode exceed the legacy code generator's stack.
        bytes memory head = abi.encode(
            MANIFEST_BODY_TYPEHASH,
            body.streamId,
            body.epochId,
            body.epochStartUnixMs,
            body.epochDurationMs,
            keccak256(abi.encodePacked(variantHashes))
        );
        bytes memory tail = abi.encode(
            body.psipBlake3,
            body.merkleRoot,
            hashSourceId(body.publisher),
            body.createdUnixMs
        );
        return keccak256(bytes.concat(head, tail));
    }
}
