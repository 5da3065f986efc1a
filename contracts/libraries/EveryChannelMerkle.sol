// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ManifestBody, ManifestVariant} from "./EveryChannelTypes.sol";

/// @title EveryChannelMerkle
/// @notice `manifest-data-merkle-keccak256-v1`: the RFC 6962 (Certificate Transparency) Merkle tree
///         with keccak256 in place of SHA-256, and RFC 9162 inclusion-proof verification.
///         - leaf hash = keccak256(0x00 ‖ leaf), node hash = keccak256(0x01 ‖ left ‖ right): the prefixes
///           separate leaves from nodes, so an inner node can never be passed off as a leaf;
///         - a list of n > 1 leaves splits at k, the largest power of two smaller than n; the root is
///           node(root(first k), root(rest)); an unpaired subtree is carried up, never duplicated;
///         - the root of an empty list is undefined: it reverts with `EmptyMerkleTree`.
///         A proof is the RFC 6962 audit path (siblings from the leaf up) together with the leaf's
///         index and the tree size; the verifier derives every left/right decision from (index, size),
///         so for a given tree size a proof verifies at exactly one position. As in RFC 9162, the root does
///         not commit to the tree size: callers take `treeSize` from a trusted commitment (the manifest's
///         chunk or variant count), never from the prover.
/// @dev OpenZeppelin `MerkleProof` is deliberately not used: it hashes sorted pairs and binds no
///      position, so a valid proof says only "this leaf is somewhere in the tree". Here the position of
///      a chunk in an epoch is part of what is proved (chunk 3 must not verify as chunk 4), leaves and
///      nodes are domain-separated, and the tree shape must equal the TypeScript twin
///      (`lib/commitments/merkle.ts`) and the local `merkle+blake3` tree bit for bit.
library EveryChannelMerkle {
    /// @notice Thrown when a root is asked of an empty list of leaves.
    error EmptyMerkleTree();

    /// @notice Thrown when a manifest body has no variants.
    error ManifestWithoutVariants();

    /// @notice Thrown when a manifest variant has no chunks.
    /// @param variantIndex The position of the empty variant in `body.variants`.
    error VariantWithoutChunks(uint256 variantIndex);

    /// @notice Thrown by `processProof` when the proof cannot belong to a tree of the given size.
    /// @param index The claimed leaf index.
    /// @param treeSize The claimed tree size.
    /// @param proofLength The number of siblings given.
    error MalformedMerkleProof(uint256 index, uint256 treeSize, uint256 proofLength);

    /// @notice The hash of a leaf: keccak256(0x00 ‖ leaf).
    /// @param leaf The 32-byte leaf datum (a chunk's BLAKE3 hash or a variant root).
    /// @return h The leaf hash.
    function leafHash(bytes32 leaf) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, 0)
            mstore(0x01, leaf)
            h := keccak256(0x00, 0x21)
        }
    }

    /// @notice The hash of an inner node: keccak256(0x01 ‖ left ‖ right).
    /// @param left The left child's hash.
    /// @param right The right child's hash.
    /// @return h The node hash.
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            // 65 bytes do not fit the scratch space: use (without claiming) the free memory.
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            mstore(add(ptr, 0x01), left)
            mstore(add(ptr, 0x21), right)
            h := keccak256(ptr, 0x41)
        }
    }

    /// @notice The root of the tree over `leaves`, in order.
    /// @dev Computed bottom-up: each level pairs neighbours left to right and carries an unpaired last
    ///      node up unchanged, which yields exactly the RFC 6962 split-at-largest-power-of-two tree.
    /// @param leaves The leaf data, in order; at least one.
    /// @return The root.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        if (n == 0) revert EmptyMerkleTree();
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            level[i] = leafHash(leaves[i]);
        }
        while (n > 1) {
            uint256 half = n >> 1;
            for (uint256 i = 0; i < half; ++i) {
                level[i] = nodeHash(level[2 * i], level[2 * i + 1]);
            }
            if (n & 1 == 1) {
                level[half] = level[n - 1];
                n = half + 1;
            } else {
                n = half;
            }
        }
        return level[0];
    }

    /// @notice Whether `proof` shows that `leaf` is the leaf at `index` of a tree of `treeSize` leaves
    ///         with root `root_` (RFC 9162 section 2.1.3.2). Never reverts.
    /// @param proof The audit path: sibling hashes from the leaf up.
    /// @param root_ The expected root.
    /// @param leaf The 32-byte leaf datum (not its leaf hash).
    /// @param index The leaf's position, 0-based.
    /// @param treeSize The number of leaves in the tree.
    /// @return True when the proof is valid for exactly this position and size.
    function verify(
        bytes32[] calldata proof,
        bytes32 root_,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) internal pure returns (bool) {
        (bool ok, bytes32 computed) = _process(proof, leaf, index, treeSize);
        return ok && computed == root_;
    }

    /// @notice The root that `proof` yields for `leaf` at `index` of a tree of `treeSize` leaves.
    /// @param proof The audit path: sibling hashes from the leaf up.
    /// @param leaf The 32-byte leaf datum (not its leaf hash).
    /// @param index The leaf's position, 0-based.
    /// @param treeSize The number of leaves in the tree.
    /// @return The computed root; reverts with `MalformedMerkleProof` when the proof's length does not
    ///         fit (index, treeSize) or index ≥ treeSize.
    function processProof(
        bytes32[] calldata proof,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) internal pure returns (bytes32) {
        (bool ok, bytes32 computed) = _process(proof, leaf, index, treeSize);
        if (!ok) revert MalformedMerkleProof(index, treeSize, proof.length);
        return computed;
    }

    /// @notice `manifest-data-merkle-keccak256-v1` of a manifest body: for one variant, the root over
    ///         its chunks' BLAKE3 hashes in order; for several, the root over the variant roots in order.
    /// @param body The manifest body.
    /// @return The data root.
    function manifestDataRoot(ManifestBody calldata body) internal pure returns (bytes32) {
        uint256 variantCount = body.variants.length;
        if (variantCount == 0) revert ManifestWithoutVariants();
        if (variantCount == 1) return variantRoot(body.variants[0], 0);
        bytes32[] memory roots = new bytes32[](variantCount);
        for (uint256 i = 0; i < variantCount; ++i) {
            roots[i] = variantRoot(body.variants[i], i);
        }
        return root(roots);
    }

    /// @notice The root over one variant's chunk BLAKE3 hashes, in order.
    /// @param variant The variant.
    /// @param variantIndex Its position in the body (reported when it is empty).
    /// @return The variant root.
    function variantRoot(
        ManifestVariant calldata variant,
        uint256 variantIndex
    ) internal pure returns (bytes32) {
        uint256 chunkCount = variant.chunks.length;
        if (chunkCount == 0) revert VariantWithoutChunks(variantIndex);
        bytes32[] memory leaves = new bytes32[](chunkCount);
        for (uint256 i = 0; i < chunkCount; ++i) {
            leaves[i] = variant.chunks[i].blake3;
        }
        return root(leaves);
    }

    /// @dev RFC 9162 section 2.1.3.2. `ok` is false when the path cannot belong to (index, treeSize).
    function _process(
        bytes32[] calldata proof,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) private pure returns (bool ok, bytes32 computed) {
        if (index >= treeSize) return (false, bytes32(0));
        uint256 fn = index;
        uint256 sn = treeSize - 1;
        computed = leafHash(leaf);
        uint256 length = proof.length;
        for (uint256 i = 0; i < length; ++i) {
            if (sn == 0) return (false, bytes32(0));
            bytes32 sibling = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                computed = nodeHash(sibling, computed);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                computed = nodeHash(computed, sibling);
            }
            fn >>= 1;
            sn >>= 1;
        }
        ok = sn == 0;
    }
}
