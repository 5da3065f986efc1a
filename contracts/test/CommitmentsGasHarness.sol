// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ManifestBody} from "../libraries/EveryChannelTypes.sol";
import {EveryChannelHashing} from "../libraries/EveryChannelHashing.sol";
import {EveryChannelMerkle} from "../libraries/EveryChannelMerkle.sol";
import {EveryChannelManifestTypedData} from "../libraries/EveryChannelManifestTypedData.sol";

/// @title CommitmentsGasHarness
/// @notice Test-only: returns the exact execution gas of the library commitments (measured with
///         `gasleft()` around the call, so transaction base cost and the calldata floor of EIP-7623 do
///         not mask it). Never deployed outside tests.
contract CommitmentsGasHarness {
    /// @notice Gas of `EveryChannelMerkle.root` over `leaves` (including the copy to memory).
    /// @param leaves The leaf data.
    /// @return root The root.
    /// @return gasUsed The gas the call used.
    function merkleRoot(bytes32[] calldata leaves) external view returns (bytes32 root, uint256 gasUsed) {
        uint256 before = gasleft();
        root = EveryChannelMerkle.root(leaves);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `EveryChannelMerkle.verify`.
    /// @param proof The audit path.
    /// @param root The root.
    /// @param leaf The leaf datum.
    /// @param index The leaf position.
    /// @param treeSize The number of leaves.
    /// @return valid Whether the proof verified.
    /// @return gasUsed The gas the call used.
    function verifyMerkleProof(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf,
        uint256 index,
        uint256 treeSize
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 before = gasleft();
        valid = EveryChannelMerkle.verify(proof, root, leaf, index, treeSize);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `EveryChannelHashing.manifestBodyHash`.
    /// @param body The manifest body.
    /// @return hash The body hash.
    /// @return gasUsed The gas the call used.
    function manifestBodyHash(
        ManifestBody calldata body
    ) external view returns (bytes32 hash, uint256 gasUsed) {
        uint256 before = gasleft();
        hash = EveryChannelHashing.manifestBodyHash(body);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `EveryChannelMerkle.manifestDataRoot`.
    /// @param body The manifest body.
    /// @return root The data root.
    /// @return gasUsed The gas the call used.
    function manifestDataRoot(
        ManifestBody calldata body
    ) external view returns (bytes32 root, uint256 gasUsed) {
        uint256 before = gasleft();
        root = EveryChannelMerkle.manifestDataRoot(body);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `EveryChannelManifestTypedData.hashManifestBody`.
    /// @param body The manifest body.
    /// @return hash The EIP-712 struct hash.
    /// @return gasUsed The gas the call used.
    function hashManifestBody(
        ManifestBody calldata body
    ) external view returns (bytes32 hash, uint256 gasUsed) {
        uint256 before = gasleft();
        hash = EveryChannelManifestTypedData.hashManifestBody(body);
        gasUsed = before - gasleft();
    }
}
